"""What the patient screen says: from a snapshot, the coaching and today's plan to text.

Pure functions, no Textual. Every state is written in words and marked with a symbol as
well as a colour, so the screen reads in monochrome and for colour-blind people; every
word about effort comes from the one `Coaching` the staff tiles show too, so the two
views never disagree, and while a safety alert shows the plan says it is paused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from osteomonitor.app.coaching import Coaching
from osteomonitor.app.plan import PlanStatus, Step, plan_facts, plan_status, unit_text
from osteomonitor.tui.views.dashboard import SessionTargets, heart_series
from osteomonitor.tui.views.display import NO_VALUE, clock_text

#: A symbol per heart tone (`session.coaching.HR_WORDS` keys): shape carries the state
#: without colour (✓ in band, ▼ below, ▲ above, ▲▲ above the safety ceiling, ■ stop).
HR_SYMBOLS: dict[str, str] = {
    "in": "✓",
    "below": "▼",
    "above": "▲",
    "ceiling": "▲▲",
    "stop": "■",
    "caution": "!",
    "block": "◆",
    "rest": "○",
    "none": "·",
    "capped": "▲",
    "invalid": "?",
}

#: Step kinds whose figure is a time (m:ss) rather than a count.
TIMED_STEPS = frozenset({"warmup", "cooldown", "balance", "aerobic"})
#: Step kinds that are not the exercise itself (the exercise panel shows the main step).
EDGE_STEPS = frozenset({"warmup", "cooldown"})
#: Marks of the plan line: done, now, to come.
STEP_MARKS = {"done": "✓", "now": "▶", "todo": "○"}


@dataclass(frozen=True, slots=True)
class HeartText:
    """The heart panel: big number, the words with their symbol, the band in bpm."""

    bpm: str
    words: str
    band: str
    tone: str


@dataclass(frozen=True, slots=True)
class ExerciseText:
    """The exercise panel: its title, the big figure and the target lines."""

    title: str
    big: str
    target: str
    detail: str
    done: bool = False


@dataclass(frozen=True, slots=True)
class PlanText:
    """The plan lines: the clock and "now", "next" (with the rest), every step."""

    now: str
    next: str
    steps: str


def heart_text(
    state: Any, coaching: Coaching, band_bpm: tuple[float, float] | None, ceiling: float | None
) -> HeartText:
    """The heart panel from a snapshot, its coaching and the band and ceiling in bpm."""
    valid = bool(state.hr_valid) and state.hr_bpm is not None
    bpm = f"{state.hr_bpm:.0f}" if valid else NO_VALUE
    symbol = HR_SYMBOLS.get(coaching.hr_tone, "·")
    parts = []
    if band_bpm is not None:
        parts.append(f"band {band_bpm[0]:.0f}-{band_bpm[1]:.0f} bpm")
    if ceiling is not None:
        parts.append(f"limit {ceiling:.0f}")
    return HeartText(bpm, f"{symbol} {coaching.hr_words}", "   ".join(parts), coaching.hr_tone)


def focus_index(plan: Sequence[Step], status: PlanStatus) -> int | None:
    """The step the exercise panel shows: the step now, or during the warm-up the first
    exercise step and from the cool-down on the last one (None: no exercise step)."""
    body = [i for i, s in enumerate(plan) if s.kind not in EDGE_STEPS]
    if not body:
        return None
    if status.index < len(plan) and plan[status.index].kind not in EDGE_STEPS:
        return status.index
    return body[0] if status.index < body[0] else body[-1]


def exercise_text(
    plan: Sequence[Step],
    status: PlanStatus,
    state: Any,
    jumps_range: tuple[float, float] | None,
    elapsed_s: float,
) -> ExerciseText:
    """The exercise panel: the focus step's figure against its target."""
    i = focus_index(plan, status)
    if i is None:
        return ExerciseText("SESSION", clock_text(elapsed_s), "no plan for this session", "")
    step, done = plan[i], status.done[i]
    complete = done >= step.amount
    mark = f"  {STEP_MARKS['done']} done" if complete else ""
    if step.kind == "jumps":
        detail = unit_text(step, done).partition(", ")[2]  # "set 2 of 3"
        if jumps_range is not None and jumps_range[1] != jumps_range[0]:
            lo, hi = jumps_range
            detail = ", ".join(p for p in (detail, f"{lo:.0f}-{hi:.0f} prescribed") if p)
        return ExerciseText(
            "JUMPS", str(int(state.jumps)), f"of {step.amount:.0f} jumps{mark}", detail, complete
        )
    if step.kind in TIMED_STEPS:
        return ExerciseText(
            step.title.upper(),
            clock_text(done),
            f"of {clock_text(step.amount)}{mark}",
            "time in your heart-rate band" if step.kind == "aerobic" else "",
            complete,
        )
    unit = "sets" if step.kind == "sets" else "holds"
    return ExerciseText(
        step.title.upper(),
        f"{done:.0f}",
        f"of {step.amount:.0f} {unit}{mark}",
        step.target,
        complete,
    )


def steps_text(plan: Sequence[Step], status: PlanStatus) -> str:
    """Today's steps in order, each marked done, now or to come (the targets of "now"
    and "next" are on their own lines)."""
    if not plan:
        return ""
    return "Today: " + "  ".join(
        f"{STEP_MARKS['done' if i < status.index else 'now' if i == status.index else 'todo']}"
        f" {s.title}"
        for i, s in enumerate(plan)
    )


def plan_text(
    plan: Sequence[Step], status: PlanStatus, coaching: Coaching, elapsed_s: float, kind: str = ""
) -> PlanText:
    """The session clock, "now" and "next" with the rest timer, and the steps in order.

    While a safety alert shows (the coaching's safety level) the plan is paused: the
    "now" line repeats the heart panel's action; no next step and no steps are shown.
    """
    clock = f"Session {clock_text(elapsed_s)}"
    if str(coaching.level) == "safety":
        # Only the pause: the banner above may need every row of a small terminal.
        return PlanText(f"{clock}   ■ Plan paused: {coaching.hr_words}", "", "")
    if not plan:
        what = f"an {kind} session" if kind[:1] in "aeiou" else f"a {kind or 'this'} session"
        return PlanText(f"{clock}   No plan: the prescription sets no steps for {what}.", "", "")
    steps = steps_text(plan, status)
    if status.index >= len(plan):
        return PlanText(f"{clock}   ✓ Today's plan is done", "", steps)
    now = plan[status.index]
    progress = unit_text(now, status.done[status.index])
    now_line = f"{clock}   ▶ Now: {now.title}, {progress}"
    rest = ""
    if status.rest_left_s is not None:
        rest = f"○ Rest {clock_text(status.rest_left_s)}   "
    nxt = plan[status.index + 1] if status.index + 1 < len(plan) else None
    next_line = rest + (f"Next: {nxt.title} ({nxt.target})" if nxt else "Next: done for today")
    return PlanText(now_line, next_line, steps)


def hold_text(exercise: str, held_s: float, hold_s: tuple[float, float]) -> ExerciseText:
    """The exercise panel while a stretch hold runs: its timer against the plan's hold."""
    lo, hi = hold_s
    done = held_s >= lo
    mark = f"  {STEP_MARKS['done']} long enough" if done else ""
    return ExerciseText(
        f"STRETCH: {exercise.upper()}",
        clock_text(held_s),
        f"hold {lo:.0f}-{hi:.0f} s{mark}",
        "press h to end the hold",
        done,
    )


def rest_text(plan: Sequence[Step], status: PlanStatus) -> ExerciseText:
    """The exercise panel during a rest between sets: the countdown and what follows."""
    step = plan[status.index]
    progress = unit_text(step, status.done[status.index])
    return ExerciseText(
        "REST",
        clock_text(status.rest_left_s),
        f"then {step.title.lower()}",
        f"so far: {progress}" if status.done[status.index] else "",
    )


def patient_texts(
    state: Any,
    coaching: Coaching,
    targets: SessionTargets,
    start_ns: int | None,
    hold: tuple[str, float] | None = None,
) -> tuple[HeartText, ExerciseText, PlanText]:
    """Everything the patient view shows for one snapshot.

    Args:
        state: the processor's snapshot; coaching: what the hierarchy decided for it.
        targets: the session's targets and plan.
        start_ns: host time of the session start, ns (events are timed from it).
        hold: (exercise, seconds held) of the stretch hold running now, or None.
    """
    status = plan_status(targets.plan, plan_facts(state, start_ns))
    band = heart_series(state, targets).band_bpm
    if hold is not None:
        exercise = hold_text(hold[0], hold[1], targets.hold_plan.hold_s)
    elif status.rest_left_s is not None and str(coaching.level) != "safety":
        exercise = rest_text(targets.plan, status)
    else:
        exercise = exercise_text(targets.plan, status, state, targets.jumps, state.elapsed_s)
    return (
        heart_text(state, coaching, band, targets.hr_ceiling_bpm),
        exercise,
        plan_text(targets.plan, status, coaching, state.elapsed_s, targets.kind),
    )
