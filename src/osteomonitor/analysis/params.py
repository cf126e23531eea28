"""Patient facts the analysis needs: the typed seam between a prescription and the session.

`prescription.analysis_params(rx)` builds one; `session.SessionProcessor` reads it. It
lives in the analysis floor, below both, so neither names the other's fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from osteomonitor.analysis.thresholds import DEFAULT_TARGET_PCT


@dataclass(frozen=True, slots=True)
class AnalysisParams:
    """Patient facts the analysis needs (from the prescription, or given directly).

    Attributes:
        hrrest_bpm / hrrest_method: resting HR and how it was obtained; None = estimate
            from a marked resting segment (REST_START/REST_END events) if there is one.
        hrmax_bpm / hrmax_method: HRmax ("measured", "tanaka", "gellish", "fox").
        target_pct: prescribed %HRR band for aerobic work.
        rpe_first: HR-modulating medication: RPE is the criterion, HR informational.
        body_mass_kg: for GRF estimates.
        band_set: impact histogram band set (see analysis.thresholds.BAND_SETS).
    """

    hrrest_bpm: float | None = None
    hrrest_method: str | None = None
    hrmax_bpm: float | None = None
    hrmax_method: str | None = None
    target_pct: tuple[float, float] = DEFAULT_TARGET_PCT
    rpe_first: bool = False
    body_mass_kg: float | None = None
    band_set: str = "vainionpaa"
