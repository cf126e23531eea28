"""Measurers of what is marked during a session rather than sensed: resistance sets
(%1RM, repetitions, sets per exercise, exercises) and timed stretch holds. Each is
looked up by its target key in `measures.MEASURERS`; a session with nothing marked is
indeterminate, not below.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from osteomonitor.prescription.fitt import Target
from osteomonitor.prescription.measure_types import Measure, MeasureContext, Status
from osteomonitor.prescription.measure_types import number_text as _n


def _no_holds(ctx: MeasureContext) -> Measure | None:
    if not ctx.holds:
        return Measure(None, "no stretch holds were timed", Status.INDETERMINATE)
    return None


def hold_s(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_holds(ctx)) is not None:
        return none
    return _per_set([h.hold_s for h in ctx.holds], t, "s", "holds")


def reps_per_stretch(ctx: MeasureContext, t: Target | None) -> Measure:
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


def pct_1rm(ctx: MeasureContext, t: Target | None) -> Measure:
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


def reps_per_set(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    reps = [float(s.reps) for s in ctx.sets if s.reps is not None]
    if not reps:
        return Measure(None, "no repetitions marked", Status.INDETERMINATE)
    return _per_set(reps, t, "reps", "sets")


def sets_per_exercise(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    counts: dict[str, int] = {}
    for s in ctx.sets:
        counts[s.exercise] = counts.get(s.exercise, 0) + 1
    text = ", ".join(f"{k} {v}" for k, v in counts.items()) + " sets"
    lo_fail = t is not None and t.lo is not None and min(counts.values()) < t.lo
    value = min(counts.values()) if lo_fail or t is None or t.hi is None else max(counts.values())
    return Measure(float(value), text)


def exercises_per_session(ctx: MeasureContext, t: Target | None) -> Measure:
    if (none := _no_sets(ctx)) is not None:
        return none
    names = sorted({s.exercise for s in ctx.sets})
    return Measure(float(len(names)), f"{len(names)} exercises: " + ", ".join(names))
