"""Today's plan: the session's steps in order, from the prescription, and where the
patient stands in it ("now", "next", the rest before the next set).

A plan is a tuple of `Step`s (warm-up walk, jump sets, strength sets per exercise,
balance, stretches, aerobic minutes in the band, cool-down), derived from the
prescription in force on the session's day and the session's kind. Progress comes from
what the sensors and the logged events say (`PlanFacts`): jumps counted, sets marked
done, balance seconds, stretch holds, minutes in the heart-rate band. Pure: no Textual,
no I/O, so the CLI and the TUI share it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from osteomonitor.model import NS_PER_S, Event, EventKind
from osteomonitor.session.blocks import balance_seconds, hold_plan, kg_text, target_loads
from osteomonitor.timefmt import clock

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription.fitt import Prescription
    from osteomonitor.session.state import SessionState

#: How a day's plan is laid out where the guidelines leave it to the physio. Each value
#: is an osteomonitor design choice [B] with the reason beside it; change them here.
PLAN_RULES: dict[str, float] = {
    # ACSM's Guidelines for Exercise Testing and Prescription (11th ed.), the exercise
    # session: warm-up and cool-down of 5-10 min of light aerobic activity; the lower end.
    "warmup_s": 300.0,
    "cooldown_s": 300.0,
    # Jumps in sets of 10: the 10-jump unit of the KSBMR 10 -> 50 jumps/session
    # progression (reference/fitt-targets.md), and the simulated wearable's jump blocks
    # (30 s at one jump per 3 s); a minute's rest between sets.
    "jumps_per_set": 10.0,
    "jump_rest_s": 60.0,
    # A jump range (KSBMR: 10-50 jumps/session) is met at its lower bound, yet more sets
    # up to the upper bound still count: the jump step stays "now" for the rest between
    # sets plus half a minute to start the next one, then the plan moves on.
    "more_jumps_s": 90.0,
    # ACSM position stand, progression models in resistance training (MSSE 2009;41:687):
    # at least 2-3 min of rest between sets of heavier multi-joint exercises; the lower end.
    "set_rest_s": 120.0,
    # Between stretch holds: as long as a short hold (ACSM flexibility: hold 10-30 s).
    "hold_rest_s": 15.0,
}

#: Session kinds and the modality steps they hold, in the order they are done.
KIND_STEPS: dict[str, tuple[str, ...]] = {
    "impact": ("impact",),
    "aerobic": ("aerobic",),
    "activity": ("activity",),
    "resistance": ("resistance",),
    "balance": ("balance",),
    "flexibility": ("flexibility",),
    "mixed": ("impact", "aerobic", "resistance", "balance", "flexibility"),
}


@dataclass(frozen=True, slots=True)
class Step:
    """One step of today's plan.

    Attributes:
        kind: "warmup", "jumps", "sets", "aerobic", "balance", "stretch" or "cooldown".
        title: what the patient reads ("Jumps", "Squat", "Warm-up walk").
        target: the step's target as text ("10 jumps", "25.5 kg × 8 reps × 3 sets").
        amount: how much the step asks: jumps (jumps), sets (sets), holds (stretch),
            seconds (warm-up, cool-down, balance, aerobic minutes in band).
        rest_s: the rest after each unit (jump set, strength set, hold), s (0: none).
        exercise: the exercise a set is marked with ("" for any).
        upto: the most the step counts, same unit as `amount` (a prescribed range's
            upper bound; 0: `amount`).
    """

    kind: str
    title: str
    target: str
    amount: float
    rest_s: float = 0.0
    exercise: str = ""
    upto: float = 0.0

    @property
    def most(self) -> float:
        """The most the step counts (its range's upper bound, else `amount`)."""
        return max(self.amount, self.upto)


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """What has been done so far in the session.

    Attributes:
        now_s: session time, s.
        jumps: jumps counted; last_jump_s: landing time of the latest, s (None: none).
        sets: (t_s, exercise) of each set marked done, in time order.
        balance_s: seconds in balance blocks; holds: (t_s, exercise) of each finished
            stretch hold; in_band_s: seconds credited in the heart-rate band.
    """

    now_s: float = 0.0
    jumps: int = 0
    last_jump_s: float | None = None
    sets: tuple[tuple[float, str], ...] = ()
    balance_s: float = 0.0
    holds: tuple[tuple[float, str], ...] = ()
    in_band_s: float = 0.0


@dataclass(frozen=True, slots=True)
class PlanStatus:
    """Where the patient stands in the plan.

    Attributes:
        index: the step being done now (len(plan) once every step is done).
        done: per step, how much of its `amount` is done (same unit).
        rest_left_s: seconds of rest left before the next set or step (None: no rest).
    """

    index: int
    done: tuple[float, ...]
    rest_left_s: float | None = None


def _week(rx: Prescription, day: dt.date) -> int:
    return max(1, int(rx.week_of(day)))


def _lo(rx: Prescription, modality: str, key: str, day: dt.date) -> float | None:
    mod = rx.modalities.get(modality)
    if mod is None:
        return None
    t = mod.active(_week(rx, day))[0].get(key)
    return float(t.lo) if t is not None and t.lo is not None else None


def _clock_words(seconds: float) -> str:
    minutes = seconds / 60.0
    return f"{minutes:.0f} min" if minutes >= 1 else f"{seconds:.0f} s"


def _hi(rx: Prescription, modality: str, key: str, day: dt.date) -> float | None:
    t = rx.modalities[modality].active(_week(rx, day))[0].get(key)
    return float(t.hi) if t is not None and t.hi is not None else None


def _impact_steps(rx: Prescription, day: dt.date) -> list[Step]:
    jumps = _lo(rx, "impact", "jumps_per_session", day)
    if not jumps:
        return []
    per_set = int(PLAN_RULES["jumps_per_set"])
    total = round(jumps)
    most = round(max(jumps, _hi(rx, "impact", "jumps_per_session", day) or jumps))
    if most > total:
        target = f"{total}-{most} jumps in sets of {per_set}"
    else:
        n_sets = max(1, math.ceil(jumps / per_set))
        target = f"{total} jumps" + (f" in {n_sets} sets" if n_sets > 1 else "")
    rest = PLAN_RULES["jump_rest_s"]
    return [Step("jumps", "Jumps", target, float(total), rest, upto=float(most))]


def _resistance_steps(rx: Prescription, day: dt.date) -> list[Step]:
    if "resistance" not in rx.modalities:
        return []
    reps = _lo(rx, "resistance", "reps_per_set", day)
    sets = _lo(rx, "resistance", "sets_per_exercise", day) or 1.0
    rep_text = f" × {reps:.0f} reps" if reps else ""
    loads = dict(target_loads(rx, day))
    names = [ex.name for ex in rx.modalities["resistance"].exercises]
    steps = []
    for name in names or [""]:
        kg = loads.get(name)
        load = f"{kg_text(kg)}" if kg is not None else ""
        target = f"{load}{rep_text} × {sets:.0f} sets".lstrip(" ×")
        title = name.capitalize() if name else "Strength sets"
        steps.append(Step("sets", title, target, sets, PLAN_RULES["set_rest_s"], name))
    return steps


def _modality_steps(rx: Prescription, modality: str, day: dt.date) -> list[Step]:
    if modality == "impact":
        return _impact_steps(rx, day)
    if modality == "resistance":
        return _resistance_steps(rx, day)
    if modality in ("aerobic", "activity"):
        minutes = _lo(rx, modality, "minutes_per_session", day)
        if not minutes:
            return []
        title = "Walk in your band" if modality == "aerobic" else "Activity in your band"
        return [Step("aerobic", title, f"{minutes:.0f} min in the band", minutes * 60.0)]
    if modality == "balance":
        minutes = _lo(rx, "balance", "minutes_per_session", day)
        if not minutes:
            return []
        return [Step("balance", "Balance", f"{minutes:.0f} min", minutes * 60.0)]
    if modality == "flexibility" and "flexibility" in rx.modalities:
        hp = hold_plan(rx, day)
        target = f"{hp.reps[0]} holds of {hp.hold_s[0]:.0f}-{hp.hold_s[1]:.0f} s"
        rest = PLAN_RULES["hold_rest_s"]
        return [Step("stretch", "Stretches", target, float(hp.reps[0]), rest)]
    return []


def plan_for(rx: Prescription | None, kind: str, day: dt.date) -> tuple[Step, ...]:
    """Today's steps for a session of `kind` on `day` under `rx` (empty without one).

    A warm-up walk comes first and a cool-down walk last (`PLAN_RULES`); in between,
    the steps of the modalities the session kind trains (`KIND_STEPS`), each only
    when the prescription sets its target.
    """
    if rx is None:
        return ()
    body: list[Step] = []
    for modality in KIND_STEPS.get(kind, ()):
        body.extend(_modality_steps(rx, modality, day))
    if not body:
        return ()
    warm, cool = PLAN_RULES["warmup_s"], PLAN_RULES["cooldown_s"]
    return (
        Step("warmup", "Warm-up walk", _clock_words(warm), warm),
        *body,
        Step("cooldown", "Cool-down walk", _clock_words(cool), cool),
    )


def plan_facts(state: SessionState, start_ns: int | None) -> PlanFacts:
    """The facts of a live snapshot (events timed from `start_ns`, ns)."""
    events: Sequence[Event] = state.events
    origin = start_ns if start_ns is not None else (events[0].t_ns if events else 0)

    def rel(e: Event) -> float:
        return (e.t_ns - origin) / NS_PER_S

    def named(kind: str) -> tuple[tuple[float, str], ...]:
        return tuple((rel(e), str(e.data.get("exercise") or "")) for e in events if e.kind == kind)

    now_ns = origin + int(state.elapsed_s * NS_PER_S)
    return PlanFacts(
        now_s=state.elapsed_s,
        jumps=int(state.jumps),
        last_jump_s=state.last_jumps[-1].landing_s if state.last_jumps else None,
        sets=named(EventKind.SET_DONE),
        balance_s=balance_seconds(events, now_ns),
        holds=named(EventKind.STRETCH_HOLD),
        in_band_s=float(state.in_band_s or 0.0),
    )


def _matching(items: tuple[tuple[float, str], ...], exercise: str) -> list[float]:
    if not exercise:
        return [t for t, _ in items]
    return [t for t, name in items if name.casefold() == exercise.casefold()]


def plan_status(plan: Sequence[Step], facts: PlanFacts) -> PlanStatus:
    """Where `facts` put the patient in `plan`.

    Each step draws on what was done: jump steps share the jumps counted, set steps
    count the sets marked with their exercise (any set when the step names none),
    balance, stretch and aerobic steps their seconds or holds. The warm-up is done once
    its minutes have passed or any later step has begun; the cool-down once its minutes
    have passed after the last exercise step. The rest runs after a jump set or a
    strength set or hold, until the next one starts.
    """
    done: list[float] = []
    last_t: list[float | None] = []
    jumps_left = float(facts.jumps)
    for step in plan:
        t: float | None = None
        if step.kind == "jumps":
            n = min(jumps_left, step.most)
            jumps_left -= n
            t = facts.last_jump_s if n > 0 else None
        elif step.kind == "sets":
            times = _matching(facts.sets, step.exercise)
            n, t = float(len(times)), (times[-1] if times else None)
        elif step.kind == "stretch":
            times = _matching(facts.holds, "")
            n, t = float(len(times)), (times[-1] if times else None)
        elif step.kind == "balance":
            n = facts.balance_s
        elif step.kind == "aerobic":
            n = facts.in_band_s
        else:
            n = 0.0
        done.append(n)
        last_t.append(t)
    # Time-based steps: the warm-up until any later step begins; the cool-down after
    # the last exercise step is complete.
    body_started = any(d > 0 for d, s in zip(done, plan, strict=True) if s.kind != "warmup")
    for i, step in enumerate(plan):
        if step.kind == "warmup":
            done[i] = step.amount if body_started else min(facts.now_s, step.amount)
    index = next((i for i, s in enumerate(plan) if _open(s, done[i], last_t[i], facts)), len(plan))
    if index < len(plan) and plan[index].kind == "cooldown":
        ends = [t for t in last_t if t is not None]
        began = max(ends) if ends else facts.now_s
        done[index] = min(plan[index].amount, max(0.0, facts.now_s - began))
        if done[index] >= plan[index].amount:
            index += 1
    return PlanStatus(index, tuple(done), _rest_left(plan, index, done, last_t, facts))


def _open(step: Step, done: float, last_t: float | None, facts: PlanFacts) -> bool:
    """Whether `step` is still to be done: short of its amount or, for jumps over a
    range, more sets may still come (`PLAN_RULES["more_jumps_s"]` since the last jump)."""
    if done < step.amount:
        return True
    if step.kind != "jumps" or done >= step.most or last_t is None:
        return False
    return facts.now_s - last_t < PLAN_RULES["more_jumps_s"]


def _rest_left(
    plan: Sequence[Step],
    index: int,
    done: list[float],
    last_t: list[float | None],
    facts: PlanFacts,
) -> float | None:
    """Rest left after the latest unit of the current step, or after the step before."""
    if index >= len(plan):
        return None
    step = plan[index]
    per_unit = PLAN_RULES["jumps_per_set"] if step.kind == "jumps" else 1.0
    units_done = done[index] / per_unit if step.kind in ("jumps", "sets", "stretch") else 0.0
    mid_unit = step.kind == "jumps" and not float(units_done).is_integer()
    if units_done > 0 and not mid_unit and step.rest_s:
        t, rest = last_t[index], step.rest_s
    elif done[index] == 0 and index > 0 and plan[index - 1].rest_s:
        t, rest = last_t[index - 1], plan[index - 1].rest_s
    else:
        return None
    if t is None:
        return None
    left = rest - (facts.now_s - t)
    return left if left > 0 else None


def unit_text(step: Step, done: float) -> str:
    """Progress through `step` in its own unit ("12 of 20 jumps", "set 2 of 3")."""
    if step.kind == "jumps":
        per_set = PLAN_RULES["jumps_per_set"]
        if step.most > step.amount:  # a range: "12 of 10-50 jumps, set 2"
            text = f"{done:.0f} of {step.amount:.0f}-{step.most:.0f} jumps"
            return text + f", set {min(math.ceil(step.most / per_set), int(done // per_set) + 1)}"
        n_sets = max(1, math.ceil(step.amount / per_set))
        text = f"{done:.0f} of {step.amount:.0f} jumps"
        if n_sets > 1:
            current = min(n_sets, int(done // per_set) + 1)
            text += f", set {current} of {n_sets}"
        return text
    if step.kind == "sets":
        return f"{done:.0f} of {step.amount:.0f} sets"
    if step.kind == "stretch":
        return f"{done:.0f} of {step.amount:.0f} holds"
    # whole seconds elapsed, as the session clock counts them (never ahead of it)
    return f"{clock(math.floor(done))} of {clock(step.amount)}"
