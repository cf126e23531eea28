"""Measurers: one function per target key, from a session summary to a measured value.

Each measurer returns the value in the target's unit, the evidence in words, and a
forced status when the value cannot be judged (indeterminate for poor coverage or
nothing marked, not-measurable for what these sensors cannot see). Thresholds come from
`limits.THRESHOLDS`; %HRR uses the analysis layer's formula.

This module holds the measurers of what the sensors see (jumps, landings, heart rate,
minutes, effort reports, METs) and the `MEASURERS` table; the types are in
`measure_types.py` and the measurers of marked sets and holds in `marked_measures.py`.
"""

from __future__ import annotations

import itertools
import statistics

from osteomonitor import timefmt
from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G, is_osteogenic
from osteomonitor.prescription.fitt import Target
from osteomonitor.prescription.limits import THRESHOLDS
from osteomonitor.prescription.marked_measures import (
    exercises_per_session,
    hold_s,
    pct_1rm,
    reps_per_set,
    reps_per_stretch,
    sets_per_exercise,
)
from osteomonitor.prescription.measure_types import (
    REACHED,
    SCORED,
    Measure,
    MeasureContext,
    Measurer,
    Status,
    status_of,
)
from osteomonitor.prescription.measure_types import number_text as _n
from osteomonitor.prescription.measure_types import pct_text as _pct

__all__ = [
    "MEASURERS",
    "REACHED",
    "SCORED",
    "Measure",
    "MeasureContext",
    "Measurer",
    "Status",
    "no_target_intensity",
    "status_of",
    "type_evidence",
]


def _hrr_pct(hr_bpm: float, rest_bpm: float, max_bpm: float) -> float:
    from osteomonitor.analysis.intensity import hrr_pct

    return float(hrr_pct(hr_bpm, rest_bpm, max_bpm))


def _coverage_ok(cov: float) -> bool:
    return cov >= THRESHOLDS["coverage_min"].value


def _cov_text(what: str, cov: float) -> str:
    return f"{what} coverage {_pct(cov)}"


# ---------------------------------------------------------------------- measurers


def _weekly(ctx: MeasureContext, t: Target | None) -> Measure:
    return Measure(None, "judged in the week view", Status.WEEKLY)


def _programme(ctx: MeasureContext, t: Target | None) -> Measure:
    return Measure(None, f"programme week {ctx.week}; judged over the programme", Status.WEEKLY)


def _jumps(ctx: MeasureContext, t: Target | None) -> Measure:
    s = ctx.summary
    thr = OSTEOGENIC_PEAK_G
    n = len(s.jumps)
    n_hi = sum(1 for j in s.jumps if is_osteogenic(j.peak_g))
    text = f"{n} jumps, {n_hi} ≥ {thr:g} g; {_cov_text('accelerometer', s.acc_coverage)}"
    if s.acc_s <= 0:
        return Measure(None, "no accelerometer data", Status.INDETERMINATE)
    if not _coverage_ok(s.acc_coverage):
        return Measure(float(n), text, Status.INDETERMINATE)
    return Measure(float(n), text)


def _landing_peak(ctx: MeasureContext, t: Target | None) -> Measure:
    s = ctx.summary
    if not s.jumps:
        if s.acc_s <= 0:
            return Measure(None, "no accelerometer data", Status.INDETERMINATE)
        return Measure(None, "no jumps detected", Status.INDETERMINATE)
    peaks = [j.peak_g for j in s.jumps]
    med = statistics.median(peaks)
    text = f"median landing {med:.1f} g, max {max(peaks):.1f} g over {len(peaks)} jumps"
    if t is not None and t.lo is not None:
        text += f"; {sum(1 for p in peaks if p >= t.lo)} ≥ {t.lo:g} g"
    status = None if _coverage_ok(s.acc_coverage) else Status.INDETERMINATE
    return Measure(med, text, status)


def _hr_band(ctx: MeasureContext) -> tuple[float, float] | None:
    t = ctx.targets.get("hrr_pct")
    if t is None or t.lo is None:
        return None
    return t.lo, t.hi if t.hi is not None else 100.0


def _seconds_in_band(ctx: MeasureContext, lo: float, hi: float) -> float | None:
    """Seconds in [lo, hi] %HRR from the summary, None when its zones cannot tell."""
    h = ctx.summary.heart
    if h.target_lo_pct == lo and h.target_hi_pct == hi:
        return h.target_s
    inside = [z for z in h.zones if z.lo_pct >= lo and z.hi_pct <= hi]
    covered = sorted((z.lo_pct, z.hi_pct) for z in inside)
    if not covered or covered[0][0] != lo or covered[-1][1] != hi:
        return None
    for (_, a_hi), (b_lo, _) in itertools.pairwise(covered):
        if a_hi != b_lo:
            return None
    return sum(z.seconds for z in inside)


def _hrr(ctx: MeasureContext, t: Target | None) -> Measure:
    h, p = ctx.summary.heart, ctx.rx.patient
    if h.hr_mean_bpm is None:
        return Measure(None, "no valid heart rate", Status.INDETERMINATE)
    mean = _hrr_pct(h.hr_mean_bpm, p.resting_hr_bpm, p.hrmax_bpm)
    text = f"mean {mean:.0f} %HRR (HR {h.hr_mean_bpm:.0f} bpm"
    text += f"; HRrest {p.resting_hr_bpm:g}, HRmax {p.hrmax_bpm:.0f} {p.hrmax_method})"
    band = _hr_band(ctx)
    if band is not None:
        sec = _seconds_in_band(ctx, *band)
        if sec is not None:
            text += f"; {timefmt.duration(sec)} at {_n(band[0])}–{_n(band[1])} %HRR"
    text += f", {_cov_text('HR', h.coverage)}"
    if not p.hr_trusted:
        return Measure(
            mean,
            text + "; HR-modulating medication with a predicted HRmax: for information "
            "only, RPE is the criterion",
            Status.NOT_MEASURABLE,
        )
    return Measure(mean, text, None if _coverage_ok(h.coverage) else Status.INDETERMINATE)


def _minutes(ctx: MeasureContext, t: Target | None) -> Measure:
    s, mod = ctx.summary, ctx.m.modality
    if mod == "balance":
        if not ctx.blocks:
            return Measure(
                None,
                f"no balance blocks were marked (session {timefmt.duration(s.duration_s)})",
                Status.INDETERMINATE,
            )
        mins = sum(b.end_s - b.start_s for b in ctx.blocks) / 60.0
        return Measure(
            mins,
            f"{timefmt.duration(mins * 60)} in "
            f"{timefmt.plural(len(ctx.blocks), 'marked balance block')}",
        )
    band = _hr_band(ctx) if mod == "aerobic" else None
    if band is not None and ctx.rx.patient.hr_trusted:
        h = s.heart
        sec = _seconds_in_band(ctx, *band)
        if sec is None:
            return Measure(
                None,
                f"the summary's HR zones do not resolve {_n(band[0])}–{_n(band[1])} %HRR",
                Status.INDETERMINATE,
            )
        text = (
            f"{timefmt.duration(sec)} at {_n(band[0])}–{_n(band[1])} %HRR "
            f"(longest bout {timefmt.duration(h.longest_bout_s)}), {_cov_text('HR', h.coverage)}"
        )
        return Measure(sec / 60.0, text, None if _coverage_ok(h.coverage) else Status.INDETERMINATE)
    cov = max(s.acc_coverage, s.heart.coverage)
    mins = s.duration_s / 60.0
    text = f"session {timefmt.duration(s.duration_s)}, sensor coverage {_pct(cov)}"
    if band is not None:
        text += " (RPE-first: HR-modulating medication)"
    return Measure(mins, text, None if _coverage_ok(cov) else Status.INDETERMINATE)


def _effort(ctx: MeasureContext, scale: str) -> Measure:
    from osteomonitor.prescription.fitt import EFFORT_SCALES
    from osteomonitor.prescription.session_record import REPORT_SCALE

    label = EFFORT_SCALES[scale][2]
    by_report = {v: k for k, v in REPORT_SCALE.items()}
    on_scale = [r for r in ctx.rpe if r.scale == REPORT_SCALE[scale] and r.value is not None]
    if on_scale:
        vals = ", ".join(_n(r.value) for r in on_scale if r.value is not None)
        last = on_scale[-1].value
        return Measure(last, f"session {label} {_n(last or 0)} (reports: {vals})")
    other = [r for r in ctx.rpe if r.scale != REPORT_SCALE[scale]]
    if other:
        return Measure(
            None,
            f"effort was rated on {EFFORT_SCALES[by_report[other[-1].scale]][2]}, but this "
            "prescription "
            f"uses {label}",
            Status.NOT_MEASURABLE,
        )
    return Measure(None, f"no {label} reported", Status.INDETERMINATE)


def _rpe(ctx: MeasureContext, t: Target | None) -> Measure:
    return _effort(ctx, "borg6-20")


def _cr10(ctx: MeasureContext, t: Target | None) -> Measure:
    return _effort(ctx, "cr10")


def _mets(ctx: MeasureContext, t: Target | None) -> Measure:
    from osteomonitor.analysis import mets

    g = ctx.summary.gait
    if g.cadence_spm is None or g.walking_s < THRESHOLDS["mets_min_walking_s"].value:
        return Measure(
            None,
            "METs are estimated from walking cadence; no walking measured (cycling and "
            "other non-stepping work have no cadence)",
            Status.NOT_MEASURABLE,
        )
    age = ctx.rx.patient.age_y
    lo_age, hi_age = mets.VALID_AGE_Y
    caveat = "" if lo_age <= age <= hi_age else f"; fitted on {lo_age}-{hi_age} y, patient {age} y"
    cad = g.cadence_spm
    where = f"walking cadence {cad:.0f} steps/min over {timefmt.duration(g.walking_s)}"
    if mets.below_moderate(cad):
        return Measure(None, f"{where}: below 3 METs ({mets.SOURCE}){caveat}", Status.BELOW)
    est = mets.mets_from_cadence(cad)
    if est is None:
        return Measure(
            None,
            f"{where}: above the relation's range {mets.VALID_SPM[1]:g} steps/min ({mets.SOURCE})",
            Status.NOT_MEASURABLE,
        )
    return Measure(est, f"{where} ≈ {est:.1f} METs ({mets.SOURCE}){caveat}")


def _not_measurable(why: str) -> Measurer:
    def m(ctx: MeasureContext, t: Target | None) -> Measure:
        return Measure(None, why, Status.NOT_MEASURABLE)

    return m


#: Target key → measurer. Keys absent here are not measurable from these sensors.
MEASURERS: dict[str, Measurer] = {
    "days_per_week": _weekly,
    "program_months": _programme,
    "jumps_per_session": _jumps,
    "landing_peak_g": _landing_peak,
    "hrr_pct": _hrr,
    "minutes_per_session": _minutes,
    "rpe_borg": _rpe,
    "cr10": _cr10,
    "mets": _mets,
    "pct_1rm": pct_1rm,
    "reps_per_set": reps_per_set,
    "sets_per_exercise": sets_per_exercise,
    "exercises_per_session": exercises_per_session,
    "challenging_last_reps": _not_measurable("rated by the patient; not measured"),
    "muscle_groups": _not_measurable("muscle groups are not recorded"),
    "hold_s": hold_s,
    "reps_per_stretch": reps_per_stretch,
}


def type_evidence(ctx: MeasureContext) -> str:
    s, mod = ctx.summary, ctx.m.modality
    if mod in ("aerobic", "activity"):
        g = s.gait
        if g.steps == 0 and g.running_s == 0:
            why = "no accelerometer" if s.acc_s <= 0 else "no steps detected"
            return (
                f"not weight-bearing ({why}): counts as aerobic work, not as weight-bearing "
                "(cycling and other seated work have no steps)"
            )
        return f"weight-bearing: {g.steps} steps, walking {timefmt.duration(g.walking_s)}"
    if mod == "balance":
        closed = sum(1 for b in ctx.blocks if b.eyes == "closed")
        return (
            f"{timefmt.plural(len(ctx.blocks) - closed, 'block')} eyes open, {closed} eyes closed"
        )
    if mod == "impact":
        return "jump type is not identified from body-worn acceleration"
    if mod == "resistance":
        return "exercises marked: " + (", ".join(sorted({x.exercise for x in ctx.sets})) or "none")
    if mod == "flexibility":
        return "stretches timed: " + (", ".join(sorted({h.exercise for h in ctx.holds})) or "none")
    return "exercise type is not identified by these sensors"


def no_target_intensity(ctx: MeasureContext) -> str:
    s = ctx.summary
    if ctx.m.modality == "impact" and s.jumps:
        peaks = [j.peak_g for j in s.jumps]
        return f"landing peaks median {statistics.median(peaks):.1f} g, max {max(peaks):.1f} g"
    if s.heart.hr_mean_bpm is not None:
        return f"mean HR {s.heart.hr_mean_bpm:.0f} bpm"
    return "the guideline sets no intensity for this modality"
