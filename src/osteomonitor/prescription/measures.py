"""Measurers: one function per target key, from a session summary to a measured value.

Each measurer returns the value in the target's unit, the evidence in words, and a
forced status when the value cannot be judged (indeterminate for poor coverage or
nothing marked, not-measurable for what these sensors cannot see). Thresholds come from
`limits.THRESHOLDS`; %HRR uses the analysis layer's formula.
"""

from __future__ import annotations

import enum
import itertools
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from osteomonitor import timefmt
from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G, is_osteogenic
from osteomonitor.model import NS_PER_S, SessionSummary
from osteomonitor.prescription.fitt import ModalityRx, Prescription, Target
from osteomonitor.prescription.limits import THRESHOLDS
from osteomonitor.prescription.session_record import (
    BalanceBlock,
    Report,
    SetRecord,
    StretchHold,
)


class Status(enum.StrEnum):
    """Outcome of one FITT element."""

    MET = "met"
    BELOW = "below"
    ABOVE = "above"  # above a cap the source states: spoils the day
    ABOVE_RANGE = "above-range"  # above a range's top: information, the dose is there
    NOT_MEASURABLE = "not-measurable"  # these sensors cannot measure it
    INDETERMINATE = "indeterminate"  # data coverage too poor, or nothing was marked
    NO_TARGET = "no-target"  # the prescription sets no target; shown for information
    WEEKLY = "weekly"  # judged over weeks (frequency, programme length)


SCORED = frozenset({Status.MET, Status.BELOW, Status.ABOVE, Status.ABOVE_RANGE})
#: Statuses that mean the prescribed amount is there.
REACHED = frozenset({Status.MET, Status.ABOVE_RANGE})


# ------------------------------------------------------------------------ context


@dataclass(frozen=True, slots=True)
class MeasureContext:
    summary: SessionSummary
    rx: Prescription
    m: ModalityRx
    targets: dict[str, Target]
    week: int
    sets: tuple[SetRecord, ...]
    blocks: tuple[BalanceBlock, ...]
    rpe: tuple[Report, ...]
    holds: tuple[StretchHold, ...] = ()

    def rel_s(self, t_ns: int) -> float:
        return (t_ns - self.summary.start_t_ns) / NS_PER_S


@dataclass(frozen=True, slots=True)
class Measure:
    value: float | None
    evidence: str
    status: Status | None = None  # forced status (indeterminate, not measurable …)


Measurer = Callable[[MeasureContext, Target | None], Measure]


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _n(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


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
            text += f"; {sec / 60:.1f} min at {_n(band[0])}–{_n(band[1])} %HRR"
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
                f"no balance blocks were marked (session {s.duration_s / 60:.1f} min)",
                Status.INDETERMINATE,
            )
        mins = sum(b.end_s - b.start_s for b in ctx.blocks) / 60.0
        return Measure(
            mins, f"{mins:.1f} min in {timefmt.plural(len(ctx.blocks), 'marked balance block')}"
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
            f"{sec / 60:.1f} min at {_n(band[0])}–{_n(band[1])} %HRR "
            f"(longest bout {h.longest_bout_s / 60:.1f} min), {_cov_text('HR', h.coverage)}"
        )
        return Measure(sec / 60.0, text, None if _coverage_ok(h.coverage) else Status.INDETERMINATE)
    cov = max(s.acc_coverage, s.heart.coverage)
    mins = s.duration_s / 60.0
    text = f"session {mins:.1f} min, sensor coverage {_pct(cov)}"
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
    where = f"walking cadence {cad:.0f} steps/min over {g.walking_s / 60:.1f} min"
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


def _no_holds(ctx: MeasureContext) -> Measure | None:
    if not ctx.holds:
        return Measure(None, "no stretch holds were timed", Status.INDETERMINATE)
    return None


def _hold_s(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_holds(ctx)) is not None:
        return none
    return _per_set([h.hold_s for h in ctx.holds], t, "s", "holds")


def _reps_per_stretch(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_holds(ctx)) is not None:
        return none
    counts: dict[str, int] = {}
    floor = _hold_floor(ctx)
    for h in ctx.holds:  # a hold shorter than the prescribed hold is not a repetition
        counts[h.exercise] = counts.get(h.exercise, 0) + (1 if h.hold_s >= floor else 0)
    text = ", ".join(f"{k} {v}" for k, v in counts.items()) + " holds"
    if floor:
        text += f" of ≥ {floor:g} s"
    return Measure(float(min(counts.values())), text)


def _hold_floor(ctx: MeasureContext) -> float:
    """The shortest hold that counts as a repetition (the hold target's minimum)."""
    t = ctx.targets.get("hold_s")
    return t.lo if t is not None and t.lo is not None else 0.0


def _not_measurable(why: str) -> Measurer:
    def m(ctx: MeasureContext, t: Target | None) -> Measure:
        return Measure(None, why, Status.NOT_MEASURABLE)

    return m


def _no_sets(ctx: MeasureContext) -> Measure | None:
    if not ctx.sets:
        return Measure(None, "no sets were marked during the session", Status.INDETERMINATE)
    return None


def _per_set(values: Sequence[float], t: Target | None, unit: str, what: str) -> Measure:
    med = statistics.median(values)
    text = f"{len(values)} {what}: " + ", ".join(_n(v) for v in values) + f" {unit}"
    if t is not None:
        below = sum(1 for v in values if t.lo is not None and v < t.lo)
        above = sum(1 for v in values if t.hi is not None and t.kind != "minimum" and v > t.hi)
        word = "above the cap" if t.caps else "above the range"
        text += f" ({len(values) - below - above} within, {below} below, {above} {word})"
    return Measure(med, text)


def _pct_1rm(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    known = [s.pct_1rm for s in ctx.sets if s.pct_1rm is not None]
    if not known:
        missing = sorted({s.exercise for s in ctx.sets})
        return Measure(
            None,
            "no 1RM estimate for " + ", ".join(missing) + ": add [[resistance.exercises]]",
            Status.INDETERMINATE,
        )
    return _per_set(known, t, "%1RM", "sets with a known 1RM")


def _reps(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    reps = [float(s.reps) for s in ctx.sets if s.reps is not None]
    if not reps:
        return Measure(None, "no repetitions marked", Status.INDETERMINATE)
    return _per_set(reps, t, "reps", "sets")


def _sets_per_exercise(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    counts: dict[str, int] = {}
    for s in ctx.sets:
        counts[s.exercise] = counts.get(s.exercise, 0) + 1
    text = ", ".join(f"{k} {v}" for k, v in counts.items()) + " sets"
    lo_fail = t is not None and t.lo is not None and min(counts.values()) < t.lo
    value = min(counts.values()) if lo_fail or t is None or t.hi is None else max(counts.values())
    return Measure(float(value), text)


def _exercises(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    names = sorted({s.exercise for s in ctx.sets})
    return Measure(float(len(names)), f"{len(names)} exercises: " + ", ".join(names))


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
    "pct_1rm": _pct_1rm,
    "reps_per_set": _reps,
    "sets_per_exercise": _sets_per_exercise,
    "exercises_per_session": _exercises,
    "challenging_last_reps": _not_measurable("rated by the patient; not measured"),
    "muscle_groups": _not_measurable("muscle groups are not recorded"),
    "hold_s": _hold_s,
    "reps_per_stretch": _reps_per_stretch,
}


def status_of(value: float | None, t: Target) -> Status:
    """A value against a target: below a minimum, above a cap (spoils the day), above a
    range (information), else met."""
    if value is None:
        return Status.INDETERMINATE
    if t.lo is not None and value < t.lo:
        return Status.BELOW
    if t.caps and t.hi is not None and value > t.hi:
        return Status.ABOVE
    if t.ranged and t.hi is not None and value > t.hi:
        return Status.ABOVE_RANGE
    return Status.MET


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
        return f"weight-bearing: {g.steps} steps, walking {g.walking_s / 60:.1f} min"
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
