"""The aerobic %HRR band against the HR safety ceiling.

A band whose top lies above the ceiling would tell the patient "in band, keep going"
while the ceiling alert says slow down. `prescription check` refuses such a file (the
clinician's numbers are never changed silently); `prescription new` cuts the drafted
band at the ceiling and says so in the file; a recording's stored snapshot, which must
always open, is cut at the ceiling with a warning. The review chart and the live tile
read the band from the prescription, so the ceiling is never drawn below the band top.
"""

from __future__ import annotations

from dataclasses import replace

from osteomonitor.errors import PrescriptionError
from osteomonitor.prescription.fitt import ModalityRx, Patient, Safety, Target, TargetKind
from osteomonitor.prescription.problems import Checker

#: Rounding slack when comparing a band top with the ceiling, bpm.
_SLACK_BPM = 0.05


def pct_to_bpm(p: Patient, pct: float) -> float:
    """A %HRR value as heart rate, bpm (Karvonen: HRrest + pct·(HRmax − HRrest))."""
    return p.resting_hr_bpm + pct / 100.0 * (p.hrmax_bpm - p.resting_hr_bpm)


def bpm_to_pct(p: Patient, bpm: float) -> float:
    """A heart rate as %HRR."""
    return 100.0 * (bpm - p.resting_hr_bpm) / (p.hrmax_bpm - p.resting_hr_bpm)


def band_problem(t: Target, p: Patient, ceiling_bpm: float) -> str:
    """Why this %HRR band does not fit under the ceiling, "" when it does."""
    hi = t.hi if t.hi is not None else 100.0
    top = pct_to_bpm(p, hi)
    if top <= ceiling_bpm + _SLACK_BPM:
        return ""
    lo = t.lo if t.lo is not None else 0.0
    return (
        f"the band {t.text('%HRR')} reaches {top:.0f} bpm, above the HR ceiling "
        f"{ceiling_bpm:.0f} bpm ({pct_to_bpm(p, lo):.0f}–{top:.0f} bpm with HRrest "
        f"{p.resting_hr_bpm:g}, HRmax {p.hrmax_bpm:.0f})"
    )


def cut_band(t: Target, p: Patient, ceiling_bpm: float) -> Target:
    """The band with its top at the ceiling.

    Raises:
        PrescriptionError: the ceiling is at or below the band's floor (nothing is left).
    """
    cut = round(bpm_to_pct(p, ceiling_bpm), 1)
    if t.lo is not None and cut <= t.lo:
        raise PrescriptionError(
            f"the HR ceiling {ceiling_bpm:.0f} bpm ({cut:g} %HRR) is at or below the aerobic "
            f"band's floor {t.lo:g} %HRR ({pct_to_bpm(p, t.lo):.0f} bpm): no band fits under "
            "it; raise the ceiling after an exercise test, or prescribe a lower band"
        )
    return replace(t, hi=cut, at_least=False, hi_from=None, kind=TargetKind.RANGE)


def cut_text(before: Target, after: Target, p: Patient, ceiling_bpm: float) -> str:
    """The stated warning of a cut band."""
    return (
        f"aerobic.hrr_pct cut at the HR ceiling {ceiling_bpm:.0f} bpm: "
        f"{band_problem(before, p, ceiling_bpm)}; the band is now {after.text('%HRR')}"
    )


def check_band(
    r: Checker, m: ModalityRx, p: Patient, safety: Safety, warnings: list[str] | None
) -> ModalityRx:
    """Refuse (warnings None) or cut (a snapshot: warnings collects the cut) every %HRR
    band of the aerobic modality that reaches above the HR ceiling."""
    ceiling = safety.hr_ceiling_bpm

    def fix(t: Target | None, path: str) -> Target | None:
        if t is None or not band_problem(t, p, ceiling):
            return t
        if warnings is None:
            r.fail(
                path,
                band_problem(t, p, ceiling) + ": lower the band's max to "
                f"{bpm_to_pct(p, ceiling):.1f} %HRR or raise the ceiling",
            )
            return t
        try:
            cut = cut_band(t, p, ceiling)
        except PrescriptionError as exc:
            warnings.append(f"{path} dropped: {exc}")
            return None
        warnings.append(cut_text(t, cut, p, ceiling))
        return cut

    def fixed(targets: dict[str, Target], path: str) -> dict[str, Target]:
        out = dict(targets)
        t = fix(out.get("hrr_pct"), path)
        if t is None:
            out.pop("hrr_pct", None)
        else:
            out["hrr_pct"] = t
        return out

    phases = tuple(
        replace(ph, targets=fixed(dict(ph.targets), f"aerobic.phases[{i}].hrr_pct"))
        for i, ph in enumerate(m.phases)
    )
    return replace(m, targets=fixed(dict(m.targets), "aerobic.hrr_pct"), phases=phases)
