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


def test_a_jump_range_stays_open_for_more_sets_then_moves_on(rx: Prescription) -> None:
    """The demo's impact session: sets of 10 at 20-50 s, 110-140 s and 200-230 s under
    a 10-50 jumps/session range. Every set counts and the plan reads "Jumps" until the
    patient stops jumping, then the cool-down (it used to read "Cool-down walk" after
    the first set while two more were still played)."""
    plan = plan_for(rx, "impact", DAY)
    jumps = plan[1]
    target = rx.modalities["impact"].active(1)[0]["jumps_per_session"]
    assert (jumps.amount, jumps.most) == (target.lo, target.hi)
    assert jumps.target == f"{target.lo:.0f}-{target.hi:.0f} jumps in sets of 10"
    resting = plan_status(plan, PlanFacts(now_s=100.0, jumps=10, last_jump_s=50.0))
    assert resting.index == 1 and resting.rest_left_s == pytest.approx(10.0)
    second = plan_status(plan, PlanFacts(now_s=116.0, jumps=12, last_jump_s=116.0))
    assert second.index == 1 and second.done[1] == 12
    assert unit_text(jumps, second.done[1]) == f"12 of {target.lo:.0f}-{target.hi:.0f} jumps, set 2"
    third = plan_status(plan, PlanFacts(now_s=235.0, jumps=30, last_jump_s=230.0))
    assert third.index == 1 and third.done[1] == 30
    window = PLAN_RULES["more_jumps_s"]
    cool = plan_status(plan, PlanFacts(now_s=230.0 + window + 1, jumps=30, last_jump_s=230.0))
    assert plan[cool.index].kind == "cooldown" and cool.done[cool.index] == pytest.approx(
        window + 1
    )


def test_jumps_count_up_to_the_range_top_and_no_further() -> None:
    step = Step("jumps", "Jumps", "10-20 jumps in sets of 10", 10.0, 60.0, upto=20.0)
    plan = (step, Step("cooldown", "Cool-down walk", "5 min", 300.0))
    full = plan_status(plan, PlanFacts(now_s=100.0, jumps=25, last_jump_s=99.0))
    assert full.done[0] == 20 and full.index == 1
