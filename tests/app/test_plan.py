"""Today's plan from a prescription, and where a session stands in it (app.plan)."""

from __future__ import annotations

import datetime as dt

import pytest

from osteomonitor.app.plan import (
    PLAN_RULES,
    PlanFacts,
    Step,
    plan_for,
    plan_status,
    unit_text,
)
from osteomonitor.cli.demo import demo_prescription_toml
from osteomonitor.prescription import Prescription, parse_prescription

DAY = dt.date(2025, 3, 3)


@pytest.fixture(scope="module")
def rx() -> Prescription:
    return parse_prescription(demo_prescription_toml(start_date=DAY - dt.timedelta(days=7)), "t")


def kinds(plan: tuple[Step, ...]) -> list[str]:
    return [s.kind for s in plan]


def test_no_prescription_no_plan() -> None:
    assert plan_for(None, "impact", DAY) == ()


def test_impact_day_is_warm_up_jumps_cool_down(rx: Prescription) -> None:
    plan = plan_for(rx, "impact", DAY)
    assert kinds(plan) == ["warmup", "jumps", "cooldown"]
    jumps = rx.modalities["impact"].active(1)[0]["jumps_per_session"].lo
    assert plan[1].amount == jumps
    assert plan[1].rest_s == PLAN_RULES["jump_rest_s"]
    assert plan[0].amount == PLAN_RULES["warmup_s"]


def test_mixed_day_keeps_the_order_of_a_session(rx: Prescription) -> None:
    order = kinds(plan_for(rx, "mixed", DAY))
    present = [k for k in ("warmup", "jumps", "sets", "balance", "cooldown") if k in order]
    assert [k for k in order if k in present] == present
    assert order[0] == "warmup" and order[-1] == "cooldown"


def test_resistance_steps_name_the_reps_and_sets(rx: Prescription) -> None:
    sets = [s for s in plan_for(rx, "resistance", DAY) if s.kind == "sets"]
    assert sets
    res = rx.modalities["resistance"].active(1)[0]
    assert f"{res['reps_per_set'].lo:.0f} reps" in sets[0].target
    assert sets[0].amount == res["sets_per_exercise"].lo


PLAN = (
    Step("warmup", "Warm-up walk", "5 min", 300.0),
    Step("jumps", "Jumps", "20 jumps in 2 sets", 20.0, 60.0),
    Step("sets", "Squat", "25 kg × 8 reps × 2 sets", 2.0, 120.0, "squat"),
    Step("cooldown", "Cool-down walk", "5 min", 300.0),
)


def test_warm_up_runs_on_time_until_the_first_jump() -> None:
    st = plan_status(PLAN, PlanFacts(now_s=100.0))
    assert st.index == 0 and st.done[0] == 100.0
    st = plan_status(PLAN, PlanFacts(now_s=100.0, jumps=1, last_jump_s=99.0))
    assert st.index == 1 and st.done[0] == 300.0


def test_a_rest_follows_a_full_jump_set_and_ends_with_the_next_jump() -> None:
    st = plan_status(PLAN, PlanFacts(now_s=130.0, jumps=10, last_jump_s=100.0))
    assert st.index == 1
    assert st.rest_left_s == pytest.approx(PLAN_RULES["jump_rest_s"] - 30.0)
    assert unit_text(PLAN[1], st.done[1]) == "10 of 20 jumps, set 2 of 2"
    mid = plan_status(PLAN, PlanFacts(now_s=131.0, jumps=11, last_jump_s=131.0))
    assert mid.rest_left_s is None
    late = plan_status(PLAN, PlanFacts(now_s=200.0, jumps=10, last_jump_s=100.0))
    assert late.rest_left_s is None  # the rest is over: the screen says "now", not "rest"


def test_sets_count_by_exercise_and_rest_between_them() -> None:
    sets = ((200.0, "Squat"), (210.0, "row"))
    st = plan_status(PLAN, PlanFacts(now_s=230.0, jumps=20, last_jump_s=150.0, sets=sets))
    assert st.index == 2 and st.done[2] == 1.0  # the row is not a squat
    assert st.rest_left_s == pytest.approx(PLAN_RULES["set_rest_s"] - 30.0)


def test_cool_down_then_done() -> None:
    sets = ((200.0, "squat"), (400.0, "squat"))
    facts = PlanFacts(now_s=500.0, jumps=20, last_jump_s=150.0, sets=sets)
    st = plan_status(PLAN, facts)
    assert st.index == 3 and st.done[3] == pytest.approx(100.0)
    done = plan_status(PLAN, PlanFacts(now_s=800.0, jumps=20, last_jump_s=150.0, sets=sets))
    assert done.index == len(PLAN) and done.rest_left_s is None
