"""Timed blocks of a live session: stretch holds, balance blocks, and resistance loads.

What the live screen times and shows beside the sensors: a stretch hold counts up
against the prescribed hold (ACSM: hold 10-30 s, 2-4 repetitions per stretch) and
records one `stretch_hold` event when it ends; a balance block (the existing
`balance_start` / `balance_end` events) counts toward the day's balance minutes; a
resistance session shows the target load of each exercise. Pure: the screen owns a
`StretchHolds` and feeds it its clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from osteomonitor.model import NS_PER_S, Event, EventKind

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription.fitt import Prescription


@dataclass(frozen=True, slots=True)
class HoldPlan:
    """How each stretch is held.

    Attributes:
        hold_s: (lo, hi) seconds per hold.
        reps: (lo, hi) holds per stretch.
        source: where the numbers come from.
    """

    hold_s: tuple[float, float]
    reps: tuple[int, int]
    source: str


#: Without a flexibility prescription: ACSM Guidelines (11th ed.), osteoporosis FITT,
#: flexibility "hold 10-30 s, 2-4 repetitions each" (reference/fitt-targets.md).
DEFAULT_HOLD_PLAN = HoldPlan((10.0, 30.0), (2, 4), "ACSM osteoporosis FITT, flexibility")

#: A press-and-release shorter than this is not a hold (a key pressed twice), s.
MIN_HOLD_S = 1.0


def _week(rx: Prescription, day: dt.date) -> int:
    return max(1, int(rx.week_of(day)))


def hold_plan(rx: Prescription | None, day: dt.date) -> HoldPlan:
    """The stretch-hold plan of programme day `day` (the ACSM default without one)."""
    flex = rx.modalities.get("flexibility") if rx is not None else None
    if rx is None or flex is None:
        return DEFAULT_HOLD_PLAN
    targets = flex.active(_week(rx, day))[0]
    hold, reps = targets.get("hold_s"), targets.get("reps_per_stretch")
    d = DEFAULT_HOLD_PLAN
    hold_s = (
        (float(hold.lo), float(hold.hi if hold.hi is not None else hold.lo))
        if hold is not None and hold.lo is not None
        else d.hold_s
    )
    rep_n = (
        (int(reps.lo), int(reps.hi if reps.hi is not None else reps.lo))
        if reps is not None and reps.lo is not None
        else d.reps
    )
    source = d.source if hold is None else f"prescription ({rx.template or 'file'})"
    return HoldPlan(hold_s, rep_n, source)


def balance_target_min(rx: Prescription | None, day: dt.date) -> float | None:
    """The balance minutes prescribed per day (the modality's session minimum), or None."""
    bal = rx.modalities.get("balance") if rx is not None else None
    if rx is None or bal is None:
        return None
    t = bal.active(_week(rx, day))[0].get("minutes_per_session")
    return float(t.lo) if t is not None and t.lo is not None else None


def balance_seconds(events: Sequence[Event], now_ns: int) -> float:
    """Seconds spent in balance blocks so far; an open block counts up to `now_ns`."""
    total_ns = 0
    start: int | None = None
    for e in events:
        if e.kind == EventKind.BALANCE_START and start is None:
            start = e.t_ns
        elif e.kind == EventKind.BALANCE_END and start is not None:
            total_ns += max(0, e.t_ns - start)
            start = None
    if start is not None:
        total_ns += max(0, now_ns - start)
    return total_ns / NS_PER_S


def target_loads(rx: Prescription | None, day: dt.date) -> tuple[tuple[str, float], ...]:
    """(exercise, target kg) for every resistance exercise with an estimated 1RM."""
    from osteomonitor.prescription.strength import target_load_kg

    res = rx.modalities.get("resistance") if rx is not None else None
    if rx is None or res is None:
        return ()
    out = []
    for ex in res.exercises:
        kg = target_load_kg(rx, ex.name, day)
        if kg is not None:
            out.append((ex.name, kg))
    return tuple(out)


def load_text(loads: Sequence[tuple[str, float]], exercise: str = "") -> str:
    """Target loads for the screen, the current `exercise` first ("squat 25.5 kg")."""
    ordered = sorted(loads, key=lambda nl: nl[0].casefold() != exercise.casefold())
    return "   ".join(f"{name} {kg_text(kg)}" for name, kg in ordered)


def kg_text(kg: float) -> str:
    """A load rounded to the 0.5 kg a gym's plates and dumbbells allow."""
    return f"{round(kg * 2) / 2:g} kg"


@dataclass(frozen=True, slots=True)
class Hold:
    """The hold running now: `exercise`, started at host `start_ns`."""

    exercise: str
    start_ns: int


class StretchHolds:
    """Stretch holds of one session: the running hold and the holds done per stretch.

    Args:
        plan: the hold plan in force.
    """

    def __init__(self, plan: HoldPlan = DEFAULT_HOLD_PLAN) -> None:
        self.plan = plan
        self.running: Hold | None = None
        self.done: dict[str, int] = {}

    def start(self, exercise: str, t_ns: int) -> None:
        """Start holding `exercise` at host time `t_ns`."""
        self.running = Hold(exercise.strip() or "stretch", t_ns)

    def end(self, t_ns: int) -> Event | None:
        """End the running hold at `t_ns`: the `stretch_hold` event to record, or None
        when nothing was held (no hold running, or shorter than `MIN_HOLD_S`)."""
        hold, self.running = self.running, None
        if hold is None:
            return None
        held = (t_ns - hold.start_ns) / NS_PER_S
        if held < MIN_HOLD_S:
            return None
        self.done[hold.exercise] = self.done.get(hold.exercise, 0) + 1
        data = {"exercise": hold.exercise, "hold_s": round(held, 1)}
        return Event(t_ns, EventKind.STRETCH_HOLD, data)

    def held_s(self, now_ns: int) -> float | None:
        """Seconds held so far (None without a running hold)."""
        return None if self.running is None else (now_ns - self.running.start_ns) / NS_PER_S

    def text(self, now_ns: int) -> str:
        """One line for the screen: the running hold against the plan, or the last count."""
        lo, hi = self.plan.hold_s
        r_lo, r_hi = self.plan.reps
        if self.running is None:
            if not self.done:
                return ""
            name, n = list(self.done.items())[-1]
            return f"{name}: {n} of {r_lo}-{r_hi} holds"
        held = self.held_s(now_ns) or 0.0
        n = self.done.get(self.running.exercise, 0) + 1
        cue = "hold" if held < lo else ("release now" if held >= hi else "hold - release any time")
        return f"{self.running.exercise} hold {n}: {held:.0f} s of {lo:.0f}-{hi:.0f} s - {cue}"
