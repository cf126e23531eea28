"""The live snapshot the dashboard draws."""

from __future__ import annotations

from dataclasses import dataclass, field

from osteomonitor.model import Event, GaitSummary, HeartRateSummary, ImpactSummary, Jump


@dataclass(frozen=True, slots=True)
class SessionState:
    """A live snapshot for the dashboard (cheap to build a few times a second).

    Attributes:
        elapsed_s: session time covered so far, s.
        hr_bpm: latest valid HR, bpm (None when absent, stale or contact lost).
        hrr_pct: the same as %HRR when HRrest and HRmax are known.
        hr_valid: the HR shown is current and trustworthy.
        target_band_pct: prescribed %HRR band; in_band_s: seconds credited in it.
        hr_series: recent (t_s, bpm) points for the plot.
        heart: the full HR summary so far (zones, coverage, longest bout …).
        jumps: jumps so far; last_jumps: the most recent ones (newest last).
        impacts: impact summary so far (band counts, osteogenic counts …).
        gait: steps, cadence, walking and running so far.
        events: session events so far (markers, RPE, pain, sets …).
        packets / decode_errors: counters.
    """

    elapsed_s: float = 0.0
    hr_bpm: float | None = None
    hrr_pct: float | None = None
    hr_valid: bool = False
    target_band_pct: tuple[float, float] | None = None
    in_band_s: float = 0.0
    hr_series: tuple[tuple[float, float], ...] = ()
    heart: HeartRateSummary = field(default_factory=HeartRateSummary)
    jumps: int = 0
    last_jumps: tuple[Jump, ...] = ()
    impacts: ImpactSummary = field(default_factory=ImpactSummary)
    gait: GaitSummary = field(default_factory=GaitSummary)
    events: tuple[Event, ...] = ()
    packets: int = 0
    decode_errors: int = 0
