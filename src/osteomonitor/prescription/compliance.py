"""Session compliance: each FITT element of the session's modality against its target.

`evaluate_session` is a pure function of a `SessionSummary` and a `Prescription`. For
each element it gives the target, the measured value, a `Status` and the evidence in
words ("38 jumps, 31 ≥ 3.9 g; target 10–50"). Resistance sets and balance blocks come
from what the patient marked (SET_DONE, BALANCE_START/END events); RPE and pain reports
are part of the record. Measurers are looked up by target key in `MEASURERS`.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import statistics
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from osteomonitor.model import EventKind, SessionSummary
from osteomonitor.prescription.fitt import (
    MODALITY_LABELS,
    TARGET_SPECS,
    Element,
    ModalityRx,
    Prescription,
    Target,
)
from osteomonitor.prescription.limits import THRESHOLDS
from osteomonitor.prescription.safety import Alert, check_safety
from osteomonitor.prescription.strength import pct_of_1rm

NS_PER_S = 1_000_000_000


class Status(enum.StrEnum):
    """Outcome of one FITT element."""

    MET = "met"
    BELOW = "below"
    ABOVE = "above"
    NOT_MEASURABLE = "not-measurable"  # these sensors cannot measure it
    INDETERMINATE = "indeterminate"  # data coverage too poor, or nothing was marked
    NO_TARGET = "no-target"  # the prescription sets no target; shown for information
    WEEKLY = "weekly"  # judged over weeks (frequency, programme length)


SCORED = frozenset({Status.MET, Status.BELOW, Status.ABOVE})


@dataclass(frozen=True, slots=True)
class ElementResult:
    """One FITT element of one session.

    Attributes:
        key: target key ("jumps_per_session") or "types" / "intensity_text".
        element: `Element` value. label: human label.
        target: the target in words ("10–50 jumps"), "–" without one.
        measured: the measured value in `unit`, None when not measured.
        status: `Status` value. evidence: what was measured, in words.
        source: citation of the target.
    """

    key: str
    element: str
    label: str
    target: str
    measured: float | None
    unit: str
    status: str
    evidence: str
    source: str


@dataclass(frozen=True, slots=True)
class SetRecord:
    """A resistance set the patient marked (t_s from session start; load %1RM if known)."""

    t_s: float
    exercise: str
    reps: int | None
    load_kg: float | None
    pct_1rm: float | None


@dataclass(frozen=True, slots=True)
class BalanceBlock:
    """A balance block the patient marked (session seconds; eyes "open"/"closed")."""

    start_s: float
    end_s: float
    eyes: str


@dataclass(frozen=True, slots=True)
class Report:
    """An RPE or pain report: t_s from session start, value, scale, free text."""

    t_s: float
    value: float | None
    scale: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class ModalityCompliance:
    """Compliance of one session with one modality.

    Attributes:
        modality: `Modality` value; label: its name.
        prescribed: the prescription has this modality.
        phase: active phase index (0 = base).
        elements: per-element results.
        volume_met: the time/volume targets were all met (None: could not be judged or
            no such target).
        minutes: time credited to the modality, min (None if unknown).
        jumps / jumps_osteogenic: jump counts (impact), else None.
    """

    modality: str
    label: str
    prescribed: bool
    phase: int
    elements: tuple[ElementResult, ...]
    volume_met: bool | None
    minutes: float | None
    jumps: int | None = None
    jumps_osteogenic: int | None = None


@dataclass(frozen=True, slots=True)
class SessionCompliance:
    """A session against the prescription.

    Attributes:
        local_date: session date in the patient's time zone; iso_year / iso_week of it.
        program_week: 1-based programme week (≤ 0 before the prescription's start).
        kind: session kind. duration_s: session length, s.
        modalities: one entry per modality the session trained.
        alerts: safety alerts (see `safety.check_safety`).
        rpe / pain: the patient's reports. sets / balance_blocks: what they marked.
        notes: anything a reader should know (e.g. session before the programme).
    """

    local_date: dt.date
    iso_year: int
    iso_week: int
    program_week: int
    kind: str
    duration_s: float
    modalities: tuple[ModalityCompliance, ...]
    alerts: tuple[Alert, ...]
    rpe: tuple[Report, ...]
    pain: tuple[Report, ...]
    sets: tuple[SetRecord, ...]
    balance_blocks: tuple[BalanceBlock, ...]
    notes: tuple[str, ...] = ()


# ------------------------------------------------------------------------ context


@dataclass(frozen=True, slots=True)
class _Ctx:
    summary: SessionSummary
    rx: Prescription
    m: ModalityRx
    targets: dict[str, Target]
    week: int
    sets: tuple[SetRecord, ...]
    blocks: tuple[BalanceBlock, ...]
    rpe: tuple[Report, ...]

    def rel_s(self, t_ns: int) -> float:
        return (t_ns - self.summary.start_t_ns) / NS_PER_S


@dataclass(frozen=True, slots=True)
class _Measure:
    value: float | None
    evidence: str
    status: Status | None = None  # forced status (indeterminate, not measurable …)


_Measurer = Callable[[_Ctx, Target | None], _Measure]


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


def _weekly(ctx: _Ctx, t: Target | None) -> _Measure:
    return _Measure(None, "judged in the week view", Status.WEEKLY)


def _programme(ctx: _Ctx, t: Target | None) -> _Measure:
    return _Measure(None, f"programme week {ctx.week}; judged over the programme", Status.WEEKLY)


def _jumps(ctx: _Ctx, t: Target | None) -> _Measure:
    s = ctx.summary
    thr = THRESHOLDS["osteogenic_peak_g"].value
    n = len(s.jumps)
    n_hi = sum(1 for j in s.jumps if j.peak_g >= thr)
    text = f"{n} jumps, {n_hi} ≥ {thr:g} g; {_cov_text('accelerometer', s.acc_coverage)}"
    if s.acc_s <= 0:
        return _Measure(None, "no accelerometer data", Status.INDETERMINATE)
    if not _coverage_ok(s.acc_coverage):
        return _Measure(float(n), text, Status.INDETERMINATE)
    return _Measure(float(n), text)


def _landing_peak(ctx: _Ctx, t: Target | None) -> _Measure:
    s = ctx.summary
    if not s.jumps:
        if s.acc_s <= 0:
            return _Measure(None, "no accelerometer data", Status.INDETERMINATE)
        return _Measure(None, "no jumps detected", Status.INDETERMINATE)
    peaks = [j.peak_g for j in s.jumps]
    med = statistics.median(peaks)
    text = f"median landing {med:.1f} g, max {max(peaks):.1f} g over {len(peaks)} jumps"
    if t is not None and t.lo is not None:
        text += f"; {sum(1 for p in peaks if p >= t.lo)} ≥ {t.lo:g} g"
    status = None if _coverage_ok(s.acc_coverage) else Status.INDETERMINATE
    return _Measure(med, text, status)


def _hr_band(ctx: _Ctx) -> tuple[float, float] | None:
    t = ctx.targets.get("hrr_pct")
    if t is None or t.lo is None:
        return None
    return t.lo, t.hi if t.hi is not None else 100.0


def _seconds_in_band(ctx: _Ctx, lo: float, hi: float) -> float | None:
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


def _hrr(ctx: _Ctx, t: Target | None) -> _Measure:
    h, p = ctx.summary.heart, ctx.rx.patient
    if h.hr_mean_bpm is None:
        return _Measure(None, "no valid heart rate", Status.INDETERMINATE)
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
        return _Measure(
            mean,
            text + "; HR-modulating medication with a predicted HRmax: for information "
            "only, RPE is the criterion",
            Status.NOT_MEASURABLE,
        )
    return _Measure(mean, text, None if _coverage_ok(h.coverage) else Status.INDETERMINATE)


def _minutes(ctx: _Ctx, t: Target | None) -> _Measure:
    s, mod = ctx.summary, ctx.m.modality
    if mod == "balance":
        if not ctx.blocks:
            return _Measure(
                None,
                f"no balance blocks were marked (session {s.duration_s / 60:.1f} min)",
                Status.INDETERMINATE,
            )
        mins = sum(b.end_s - b.start_s for b in ctx.blocks) / 60.0
        return _Measure(mins, f"{mins:.1f} min in {len(ctx.blocks)} marked balance block(s)")
    band = _hr_band(ctx) if mod == "aerobic" else None
    if band is not None and ctx.rx.patient.hr_trusted:
        h = s.heart
        sec = _seconds_in_band(ctx, *band)
        if sec is None:
            return _Measure(
                None,
                f"the summary's HR zones do not resolve {_n(band[0])}–{_n(band[1])} %HRR",
                Status.INDETERMINATE,
            )
        text = (
            f"{sec / 60:.1f} min at {_n(band[0])}–{_n(band[1])} %HRR "
            f"(longest bout {h.longest_bout_s / 60:.1f} min), {_cov_text('HR', h.coverage)}"
        )
        return _Measure(
            sec / 60.0, text, None if _coverage_ok(h.coverage) else Status.INDETERMINATE
        )
    cov = max(s.acc_coverage, s.heart.coverage)
    mins = s.duration_s / 60.0
    text = f"session {mins:.1f} min, sensor coverage {_pct(cov)}"
    if band is not None:
        text += " (RPE-first: HR-modulating medication)"
    return _Measure(mins, text, None if _coverage_ok(cov) else Status.INDETERMINATE)


def _rpe(ctx: _Ctx, t: Target | None) -> _Measure:
    borg = [r for r in ctx.rpe if r.scale == "borg" and r.value is not None]
    if not borg:
        return _Measure(None, "no RPE (Borg 6-20) reported", Status.INDETERMINATE)
    vals = ", ".join(_n(r.value) for r in borg if r.value is not None)
    last = borg[-1].value
    return _Measure(last, f"session RPE {_n(last or 0)} (reports: {vals})")


def _cr10(ctx: _Ctx, t: Target | None) -> _Measure:
    cr = [r for r in ctx.rpe if r.scale == "cr10" and r.value is not None]
    if cr:
        return _Measure(cr[-1].value, f"session CR-10 {_n(cr[-1].value or 0)}")
    if any(r.scale == "borg" for r in ctx.rpe):
        return _Measure(
            None, "effort was rated on the Borg 6-20 scale, not CR-10", Status.NOT_MEASURABLE
        )
    return _Measure(None, "no CR-10 effort reported", Status.INDETERMINATE)


def _not_measurable(why: str) -> _Measurer:
    def m(ctx: _Ctx, t: Target | None) -> _Measure:
        return _Measure(None, why, Status.NOT_MEASURABLE)

    return m


def _no_sets(ctx: _Ctx) -> _Measure | None:
    if not ctx.sets:
        return _Measure(None, "no sets were marked during the session", Status.INDETERMINATE)
    return None


def _per_set(values: Sequence[float], t: Target | None, unit: str, what: str) -> _Measure:
    med = statistics.median(values)
    text = f"{len(values)} {what}: " + ", ".join(_n(v) for v in values) + f" {unit}"
    if t is not None:
        below = sum(1 for v in values if t.lo is not None and v < t.lo)
        above = sum(1 for v in values if t.caps and t.hi is not None and v > t.hi)
        text += f" ({len(values) - below - above} within, {below} below, {above} above)"
    return _Measure(med, text)


def _pct_1rm(ctx: _Ctx, t: Target | None) -> _Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    known = [s.pct_1rm for s in ctx.sets if s.pct_1rm is not None]
    if not known:
        missing = sorted({s.exercise for s in ctx.sets})
        return _Measure(
            None,
            "no 1RM estimate for " + ", ".join(missing) + ": add [[resistance.exercises]]",
            Status.INDETERMINATE,
        )
    return _per_set(known, t, "%1RM", "sets with a known 1RM")


def _reps(ctx: _Ctx, t: Target | None) -> _Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    reps = [float(s.reps) for s in ctx.sets if s.reps is not None]
    if not reps:
        return _Measure(None, "no repetitions marked", Status.INDETERMINATE)
    return _per_set(reps, t, "reps", "sets")


def _sets_per_exercise(ctx: _Ctx, t: Target | None) -> _Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    counts: dict[str, int] = {}
    for s in ctx.sets:
        counts[s.exercise] = counts.get(s.exercise, 0) + 1
    text = ", ".join(f"{k} {v}" for k, v in counts.items()) + " sets"
    lo_fail = t is not None and t.lo is not None and min(counts.values()) < t.lo
    value = min(counts.values()) if lo_fail or t is None or not t.caps else max(counts.values())
    return _Measure(float(value), text)


def _exercises(ctx: _Ctx, t: Target | None) -> _Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    names = sorted({s.exercise for s in ctx.sets})
    return _Measure(float(len(names)), f"{len(names)} exercises: " + ", ".join(names))


#: Target key → measurer. Keys absent here are not measurable from these sensors.
MEASURERS: dict[str, _Measurer] = {
    "days_per_week": _weekly,
    "program_months": _programme,
    "jumps_per_session": _jumps,
    "landing_peak_g": _landing_peak,
    "hrr_pct": _hrr,
    "minutes_per_session": _minutes,
    "rpe_borg": _rpe,
    "cr10": _cr10,
    "mets": _not_measurable("METs need gas exchange or a validated model; not measured"),
    "pct_1rm": _pct_1rm,
    "reps_per_set": _reps,
    "sets_per_exercise": _sets_per_exercise,
    "exercises_per_session": _exercises,
    "challenging_last_reps": _not_measurable("rated by the patient; not measured"),
    "muscle_groups": _not_measurable("muscle groups are not recorded"),
    "hold_s": _not_measurable("stretch holds are not detected by these sensors"),
    "reps_per_stretch": _not_measurable("stretch repetitions are not detected"),
}


def _status(value: float | None, t: Target) -> Status:
    if value is None:
        return Status.INDETERMINATE
    if t.lo is not None and value < t.lo:
        return Status.BELOW
    if t.caps and t.hi is not None and value > t.hi:
        return Status.ABOVE
    return Status.MET


def _type_evidence(ctx: _Ctx) -> str:
    s, mod = ctx.summary, ctx.m.modality
    if mod in ("aerobic", "activity"):
        g = s.gait
        if g.steps == 0 and g.running_s == 0:
            return "no steps detected (not weight-bearing, or no accelerometer)"
        return f"weight-bearing: {g.steps} steps, walking {g.walking_s / 60:.1f} min"
    if mod == "balance":
        closed = sum(1 for b in ctx.blocks if b.eyes == "closed")
        return f"{len(ctx.blocks) - closed} block(s) eyes open, {closed} eyes closed"
    if mod == "impact":
        return "jump type is not identified from body-worn acceleration"
    if mod == "resistance":
        return "exercises marked: " + (", ".join(sorted({x.exercise for x in ctx.sets})) or "none")
    return "exercise type is not identified by these sensors"


def _no_target_intensity(ctx: _Ctx) -> str:
    s = ctx.summary
    if ctx.m.modality == "impact" and s.jumps:
        peaks = [j.peak_g for j in s.jumps]
        return f"landing peaks median {statistics.median(peaks):.1f} g, max {max(peaks):.1f} g"
    if s.heart.hr_mean_bpm is not None:
        return f"mean HR {s.heart.hr_mean_bpm:.0f} bpm"
    return "the guideline sets no intensity for this modality"


def _elements(ctx: _Ctx) -> list[ElementResult]:
    out: list[ElementResult] = []
    has_intensity = False
    for spec in TARGET_SPECS[ctx.m.modality]:
        t = ctx.targets.get(spec.key)
        if t is None:
            continue
        has_intensity |= spec.element == Element.INTENSITY
        meas = MEASURERS[spec.key](ctx, t)
        status = meas.status or _status(meas.value, t)
        out.append(
            ElementResult(
                spec.key,
                spec.element,
                spec.label,
                t.text(spec.unit),
                meas.value,
                spec.unit,
                status,
                f"{meas.evidence}; target {t.text(spec.unit)}"
                if status in SCORED
                else meas.evidence,
                t.source.cite(),
            )
        )
    m = ctx.m
    if m.intensity_text:
        has_intensity = True
        src = m.intensity_source.cite() if m.intensity_source else ""
        out.append(
            ElementResult(
                "intensity_text",
                Element.INTENSITY,
                "intensity",
                m.intensity_text,
                None,
                "",
                Status.NOT_MEASURABLE,
                "rated by the patient; not measured",
                src,
            )
        )
    if not has_intensity:
        out.append(
            ElementResult(
                "intensity",
                Element.INTENSITY,
                "intensity",
                "–",
                None,
                "",
                Status.NO_TARGET,
                _no_target_intensity(ctx),
                "",
            )
        )
    out.append(
        ElementResult(
            "types",
            Element.TYPE,
            "type",
            ", ".join(m.types) or "–",
            None,
            "",
            Status.NOT_MEASURABLE,
            _type_evidence(ctx),
            m.types_source.cite() if m.types_source else "",
        )
    )
    order = list(Element)
    out.sort(key=lambda e: order.index(Element(e.element)))
    return out


# ------------------------------------------------------------------------ records


def _records(
    summary: SessionSummary, rx: Prescription
) -> tuple[tuple[SetRecord, ...], tuple[BalanceBlock, ...], tuple[Report, ...], tuple[Report, ...]]:
    res = rx.modalities.get("resistance")
    sets: list[SetRecord] = []
    blocks: list[BalanceBlock] = []
    rpe: list[Report] = []
    pain: list[Report] = []
    open_block: tuple[float, str] | None = None
    for ev in summary.events:
        t_s = (ev.t_ns - summary.start_t_ns) / NS_PER_S
        d = ev.data
        if ev.kind == EventKind.SET_DONE:
            name = str(d.get("exercise") or "unnamed")
            reps = d.get("reps")
            load = d.get("load_kg")
            reps_i = (
                int(reps) if isinstance(reps, int | float) and not isinstance(reps, bool) else None
            )
            load_f = (
                float(load)
                if isinstance(load, int | float) and not isinstance(load, bool)
                else None
            )
            ex = res.exercise(name) if res is not None else None
            pct = (
                pct_of_1rm(load_f, ex.one_rm_kg) if ex is not None and load_f is not None else None
            )
            sets.append(SetRecord(t_s, name, reps_i, load_f, pct))
        elif ev.kind == EventKind.BALANCE_START:
            if open_block is not None:
                blocks.append(BalanceBlock(open_block[0], t_s, open_block[1]))
            open_block = (t_s, str(d.get("eyes", "open")))
        elif ev.kind == EventKind.BALANCE_END and open_block is not None:
            blocks.append(BalanceBlock(open_block[0], t_s, open_block[1]))
            open_block = None
        elif ev.kind == EventKind.RPE:
            for scale, key in (("borg", "rpe"), ("cr10", "cr10")):
                v = d.get(key)
                if isinstance(v, int | float) and not isinstance(v, bool):
                    rpe.append(Report(t_s, float(v), scale, str(d.get("note", ""))))
        elif ev.kind == EventKind.PAIN:
            lvl = d.get("level")
            value = (
                float(lvl) if isinstance(lvl, int | float) and not isinstance(lvl, bool) else None
            )
            pain.append(Report(t_s, value, "pain 0-10", str(d.get("where", ""))))
    if open_block is not None:  # block still open at the end: it ends with the session
        blocks.append(BalanceBlock(open_block[0], summary.duration_s, open_block[1]))
    return tuple(sets), tuple(blocks), tuple(rpe), tuple(pain)


def local_date(t_ns: int, timezone: str) -> dt.date:
    """The calendar date of a host time (ns since the epoch) in an IANA time zone."""
    utc = dt.datetime.fromtimestamp(t_ns / NS_PER_S, tz=dt.UTC)
    return utc.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def _as_date(when: dt.date | dt.datetime | None, summary: SessionSummary, tz: str) -> dt.date:
    if when is None:
        return local_date(summary.start_t_ns, tz)
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            return when.date()
        return when.astimezone(zoneinfo.ZoneInfo(tz)).date()
    return when


def _modalities_of(summary: SessionSummary, rx: Prescription, sets: int, blocks: int) -> list[str]:
    if summary.kind in TARGET_SPECS:
        return [summary.kind]
    if summary.kind != "mixed":
        return []
    found = []
    if summary.jumps:
        found.append("impact")
    if summary.heart.target_s >= 60 or summary.gait.walking_s >= 60:
        found.append("aerobic")
    if sets:
        found.append("resistance")
    if blocks:
        found.append("balance")
    return [m for m in TARGET_SPECS if m in found]


def _volume_met(elements: Sequence[ElementResult]) -> bool | None:
    vol = [e for e in elements if e.element == Element.TIME and e.status != Status.NOT_MEASURABLE]
    if not vol or any(e.status not in SCORED for e in vol):
        return None
    return all(e.status == Status.MET for e in vol)


def evaluate_session(
    summary: SessionSummary,
    rx: Prescription,
    when: dt.date | dt.datetime | None = None,
) -> SessionCompliance:
    """Compare one session with the prescription in force.

    Args:
        summary: everything measured in the session.
        rx: the prescription.
        when: the session's date (or an aware datetime, converted to the patient's
            time zone); None takes the summary's start time in the patient's zone.

    Returns:
        Per-modality, per-element results, safety alerts and the patient's reports.
    """
    day = _as_date(when, summary, rx.patient.timezone)
    week = rx.week_of(day)
    notes: list[str] = []
    if week < 1:
        notes.append(
            f"session on {day} is before the programme start {rx.start_date}: judged against "
            "the week-1 targets"
        )
    sets, blocks, rpe, pain = _records(summary, rx)
    results: list[ModalityCompliance] = []
    for mod in _modalities_of(summary, rx, len(sets), len(blocks)):
        m = rx.modalities.get(mod)
        if m is None:
            notes.append(f"{MODALITY_LABELS[mod].lower()} is not in this prescription")
            results.append(
                ModalityCompliance(
                    mod, MODALITY_LABELS[mod], False, 0, (), None, summary.duration_s / 60.0
                )
            )
            continue
        targets, _ = m.active(max(week, 1))
        ctx = _Ctx(summary, rx, m, targets, max(week, 1), sets, blocks, rpe)
        elements = tuple(_elements(ctx))
        minutes = next((e.measured for e in elements if e.key == "minutes_per_session"), None)
        if minutes is None and summary.kind == mod:
            minutes = summary.duration_s / 60.0
        thr = THRESHOLDS["osteogenic_peak_g"].value
        jumps = len(summary.jumps) if mod == "impact" else None
        jumps_hi = sum(1 for j in summary.jumps if j.peak_g >= thr) if mod == "impact" else None
        results.append(
            ModalityCompliance(
                mod,
                MODALITY_LABELS[mod],
                True,
                m.phase_index(max(week, 1)),
                elements,
                _volume_met(elements),
                minutes,
                jumps,
                jumps_hi,
            )
        )
    iso = day.isocalendar()
    return SessionCompliance(
        local_date=day,
        iso_year=iso.year,
        iso_week=iso.week,
        program_week=week,
        kind=summary.kind,
        duration_s=summary.duration_s,
        modalities=tuple(results),
        alerts=tuple(check_safety(summary, rx)),
        rpe=rpe,
        pain=pain,
        sets=sets,
        balance_blocks=blocks,
        notes=tuple(notes),
    )


__all__ = [
    "BalanceBlock",
    "ElementResult",
    "ModalityCompliance",
    "Report",
    "SessionCompliance",
    "SetRecord",
    "Status",
    "evaluate_session",
    "local_date",
]
