"""The patient view's words (tui/views/patient.py): symbols beside colours, a plan that
waits during a safety alert, the rest countdown between sets."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from osteomonitor.app.coaching import HR_WORDS, Coaching
from osteomonitor.app.plan import PLAN_RULES, PlanStatus, Step
from osteomonitor.session.coaching import Level
from osteomonitor.tui.views.patient import (
    HR_SYMBOLS,
    exercise_text,
    heart_text,
    plan_text,
    rest_text,
)

PLAN = (
    Step("warmup", "Warm-up walk", "5 min", 300.0),
    Step("jumps", "Jumps", "20 jumps in 2 sets", 20.0, PLAN_RULES["jump_rest_s"]),
    Step("cooldown", "Cool-down walk", "5 min", 300.0),
)


@dataclass
class State:
    hr_bpm: float | None = 112.0
    hr_valid: bool = True
    jumps: int = 10


def coaching(tone: str, level: Level = Level.EXERCISE) -> Coaching:
    return Coaching(level, tone, HR_WORDS[tone])


def test_every_tone_has_a_symbol_and_the_symbols_differ() -> None:
    assert set(HR_SYMBOLS) == set(HR_WORDS)
    shown = {t: HR_SYMBOLS[t] for t in ("in", "below", "above", "ceiling", "stop")}
    assert len(set(shown.values())) == len(shown)


@pytest.mark.parametrize("tone", sorted(HR_WORDS))
def test_heart_words_carry_symbol_and_words(tone: str) -> None:
    h = heart_text(State(), coaching(tone), (98.0, 119.0), 135.0)
    assert h.words == f"{HR_SYMBOLS[tone]} {HR_WORDS[tone]}"
    assert h.bpm == "112" and h.band == "band 98-119 bpm   limit 135"


def test_no_valid_heart_rate_shows_dashes() -> None:
    h = heart_text(State(hr_valid=False), coaching("invalid"), None, None)
    assert h.bpm == "--" and h.band == ""


def test_a_safety_alert_pauses_the_plan() -> None:
    status = PlanStatus(1, (300.0, 5.0, 0.0))
    text = plan_text(PLAN, status, coaching("stop", Level.SAFETY), 125.0)
    assert "Plan paused" in text.now and text.next == "" and text.steps == ""
    assert "2:05" in text.now


def test_now_next_and_rest() -> None:
    status = PlanStatus(1, (300.0, 10.0, 0.0), rest_left_s=42.0)
    text = plan_text(PLAN, status, coaching("in"), 125.0)
    assert "▶ Now: Jumps, 10 of 20 jumps, set 2 of 2" in text.now
    assert text.next.startswith("○ Rest 0:42") and "Next: Cool-down walk" in text.next
    rest = rest_text(PLAN, status)
    assert (rest.title, rest.big) == ("REST", "0:42")
    assert "10 of 20 jumps" in rest.detail


def test_the_exercise_panel_shows_jumps_during_the_warm_up_and_after() -> None:
    early = exercise_text(PLAN, PlanStatus(0, (60.0, 0.0, 0.0)), State(jumps=0), (10, 50), 60.0)
    assert (early.title, early.big) == ("JUMPS", "0") and "10-50 prescribed" in early.detail
    done = exercise_text(PLAN, PlanStatus(3, (300.0, 20.0, 300.0)), State(jumps=22), None, 900)
    assert done.big == "22" and done.done and "✓ done" in done.target


def test_without_a_plan_the_session_clock_is_shown() -> None:
    ex = exercise_text((), PlanStatus(0, ()), State(), None, 75.0)
    assert (ex.title, ex.big) == ("SESSION", "1:15")
    text = plan_text((), PlanStatus(0, ()), coaching("in"), 75.0, "impact")
    assert "no steps for an impact session" in text.now
