"""The dose of a day: a modality's sessions and bouts of one local date, summed and judged.

A day counts toward adherence only when the prescribed dose is there (docs/prescription.md
"Dose days"):

- impact: jumps landing at or above the osteogenic threshold (the prescription's
  `landing_peak_g` minimum, else 3.9 g, Vainionpää 2006) reach `jumps_per_session`'s
  minimum (≥ 1 without one); all jumps are shown beside them;
- aerobic: minutes in the %HRR band reach `minutes_per_session`'s minimum; where effort
  is the criterion (HR-modulating medication with a predicted HRmax, or no band), the
  minutes of sessions whose effort rating on the prescription's scale is in range;
- resistance: sets at the phase's %1RM or more (when it sets one) with the prescribed
  repetitions, `sets_per_exercise`'s minimum of them for at least one exercise;
- balance: marked balance blocks; activity: session minutes; flexibility: every timed
  stretch held ≥ the hold minimum at least `reps_per_stretch`'s minimum times;
- a safety cap spoils the day: an HR-ceiling, impact-ceiling or flight-phase alert in
  one of the day's sessions, or a value above a cap the source states (ACSM's "max
  45–60 min"). Above a range is information and never spoils a day.

Per-day targets are summed over the day's sessions in the patient's time zone (two
8-min balance sessions make 16 min of "≥ 15 min/day").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from osteomonitor import timefmt
from osteomonitor.model import SessionSummary
from osteomonitor.prescription.compliance import SessionCompliance, osteogenic_threshold_g
from osteomonitor.prescription.fitt import Prescription, Target
from osteomonitor.prescription.measures import SCORED, Status
from osteomonitor.prescription.safety import Rule

#: Alerts that break a safety cap: the day is not a dose day.
CAP_RULES = frozenset({Rule.HR_CEILING, Rule.IMPACT_CEILING, Rule.FLIGHT_PHASE})


@dataclass(frozen=True, slots=True)
class DayDose:
    """One modality on one local date.

    Attributes:
        date: local date; modality: `Modality` value.
        sessions: sessions of the modality that day (supervised ones: `supervised`).
        value / unit: the dose summed over the day (jumps at threshold, minutes, sets).
        target: the per-day minimum in words ("≥ 20 min"), "–" without one.
        met: the dose is there and no safety cap was broken.
        weight_bearing: aerobic/activity: the day's dose came with step evidence
            (None for other modalities).
        evidence: what was summed and why the day counts or not.
    """

    date: dt.date
    modality: str
    sessions: int
    value: float
    unit: str
    target: str
    met: bool
    weight_bearing: bool | None
    evidence: str


Item = tuple[SessionSummary, SessionCompliance]


def _element(sc: SessionCompliance, mod: str, key: str) -> tuple[float | None, str] | None:
    for mc in sc.modalities:
        if mc.modality == mod:
            for e in mc.elements:
                if e.key == key:
                    return e.measured, e.status
    return None


def _targets(rx: Prescription, mod: str, sc: SessionCompliance) -> dict[str, Target]:
    return rx.modalities[mod].active(max(sc.program_week, 1))[0]


def _broken_caps(items: Sequence[Item], mod: str) -> list[str]:
    out = []
    for _, sc in items:
        for a in sc.alerts:
            if a.rule in CAP_RULES:
                out.append(f"{a.rule} alert ({a.physio_message or a.rule})")
        for mc in sc.modalities:
            if mc.modality == mod:
                out += [f"{e.label} {e.evidence}" for e in mc.elements if e.status == Status.ABOVE]
    return out


def _n(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def day_dose(rx: Prescription, mod: str, items: Sequence[Item]) -> DayDose:
    """The dose of one modality over the sessions of one local date (`items` non-empty)."""
    day = items[0][1].local_date
    targets = _targets(rx, mod, items[-1][1])
    fn = {
        "impact": _impact,
        "aerobic": _aerobic,
        "resistance": _resistance,
        "balance": _balance,
        "activity": _activity,
        "flexibility": _flexibility,
    }[mod]
    value, unit, need, evidence, wb = fn(rx, targets, items)
    target = f"≥ {_n(need)} {unit}" if need else "–"
    reached = value >= need if need else value > 0
    caps = _broken_caps(items, mod)
    if caps:
        evidence += "; a safety cap was broken (" + "; ".join(caps) + "): not a dose day"
    met = reached and not caps
    return DayDose(day, mod, len(items), value, unit, target, met, wb, evidence)


# ----------------------------------------------------------------- per modality

Result = tuple[float, str, float, str, bool | None]


def _minimum(targets: dict[str, Target], key: str) -> float:
    t = targets.get(key)
    return t.lo if t is not None and t.lo is not None else 0.0


def _impact(rx: Prescription, targets: dict[str, Target], items: Sequence[Item]) -> Result:
    thr, src = osteogenic_threshold_g(targets)
    jumps = [j for s, _ in items for j in s.jumps]
    hi = sum(1 for j in jumps if j.peak_g >= thr)
    text = f"{hi} of {len(jumps)} jumps landed ≥ {thr:g} g ({src})"
    return float(hi), "jumps", _minimum(targets, "jumps_per_session"), text, None


def _effort_ok(rx: Prescription, sc: SessionCompliance) -> tuple[bool, str]:
    eff = rx.effort
    if eff is None:
        return True, "no effort target"
    el = _element(sc, "aerobic", eff.key)
    if el is None or el[1] not in SCORED:
        return False, f"no {eff.scale} rating"
    value, status = el
    return status in (Status.MET, Status.ABOVE_RANGE), f"{eff.scale} {_n(value or 0)}"


def _aerobic(rx: Prescription, targets: dict[str, Target], items: Sequence[Item]) -> Result:
    need = _minimum(targets, "minutes_per_session")
    band = targets.get("hrr_pct")
    total, wb_min, parts = 0.0, 0.0, []
    by_effort = not rx.patient.hr_trusted or band is None
    for s, sc in items:
        el = _element(sc, "aerobic", "minutes_per_session")
        mins = el[0] if el is not None and el[1] in SCORED else None
        if el is None:
            mins = s.duration_s / 60.0
        if mins is None:
            parts.append("a session's minutes could not be judged (coverage)")
            continue
        if by_effort:
            ok, why = _effort_ok(rx, sc)
            if not ok:
                parts.append(f"{timefmt.duration(mins * 60)} not counted ({why} out of range)")
                continue
            parts.append(f"{timefmt.duration(mins * 60)} at {why}")
        else:
            parts.append(f"{timefmt.duration(mins * 60)} in the band")
        total += mins
        if s.gait.steps > 0:
            wb_min += min(s.gait.walking_s / 60.0, mins)
    wb = total > 0 and wb_min >= (need or 1e-9)
    text = "; ".join(parts) + (
        f"; weight-bearing (steps) {timefmt.duration(wb_min * 60)}"
        if wb_min
        else "; no steps: not weight-bearing"
    )
    return total, "min", need, text, wb


def _resistance(rx: Prescription, targets: dict[str, Target], items: Sequence[Item]) -> Result:
    pct = _minimum(targets, "pct_1rm")
    reps_lo = _minimum(targets, "reps_per_set")
    need = _minimum(targets, "sets_per_exercise") or 1.0
    counts: dict[str, int] = {}
    unknown = 0
    for _, sc in items:
        for st in sc.sets:
            if st.reps is None or st.reps < reps_lo:
                continue
            if "pct_1rm" in targets:
                if st.pct_1rm is None:
                    unknown += 1
                    continue
                if st.pct_1rm < pct - 1e-9:
                    continue
            counts[st.exercise] = counts.get(st.exercise, 0) + 1
    best = max(counts.values(), default=0)
    rule = f"≥ {pct:g} % 1RM, " if "pct_1rm" in targets else ""
    text = f"sets at {rule}≥ {reps_lo:g} reps: " + (
        ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"
    )
    if unknown:
        text += f"; {timefmt.plural(unknown, 'set')} without a 1RM estimate not counted"
    return float(best), "sets", need, text, None


def _balance(rx: Prescription, targets: dict[str, Target], items: Sequence[Item]) -> Result:
    mins = sum(b.end_s - b.start_s for _, sc in items for b in sc.balance_blocks) / 60.0
    n = sum(len(sc.balance_blocks) for _, sc in items)
    text = (
        f"{timefmt.duration(mins * 60)} in {timefmt.plural(n, 'marked balance block')} over "
        f"{timefmt.plural(len(items), 'session')}"
    )
    return mins, "min", _minimum(targets, "minutes_per_session"), text, None


def _activity(rx: Prescription, targets: dict[str, Target], items: Sequence[Item]) -> Result:
    mins = sum(s.duration_s for s, _ in items) / 60.0
    wb = any(s.gait.steps > 0 for s, _ in items)
    text = f"{timefmt.duration(mins * 60)} over {timefmt.plural(len(items), 'session')}"
    return mins, "min", _minimum(targets, "minutes_per_session"), text, wb


def _flexibility(rx: Prescription, targets: dict[str, Target], items: Sequence[Item]) -> Result:
    floor = _minimum(targets, "hold_s")
    reps = _minimum(targets, "reps_per_stretch") or 1.0
    counts: dict[str, int] = {}
    for _, sc in items:
        for h in sc.stretch_holds:
            counts[h.exercise] = counts.get(h.exercise, 0) + (1 if h.hold_s >= floor else 0)
    done = [k for k, v in counts.items() if v >= reps]
    ok = bool(counts) and len(done) == len(counts)
    text = f"holds ≥ {floor:g} s per stretch: " + (
        ", ".join(f"{k} {v}" for k, v in counts.items()) or "none timed"
    )
    # value: stretches done fully when all are, else 0 (one stretch short spoils the set)
    return float(len(done) if ok else 0), "stretches", 1.0, text + f" (≥ {reps:g} each)", None


def day_doses(rx: Prescription, mod: str, items: Sequence[Item]) -> list[DayDose]:
    """Every local date with a session of `mod`, in date order."""
    by_day: dict[dt.date, list[Item]] = {}
    for s, sc in items:
        if any(mc.modality == mod for mc in sc.modalities):
            by_day.setdefault(sc.local_date, []).append((s, sc))
    return [day_dose(rx, mod, by_day[d]) for d in sorted(by_day)]
