"""Stretch holds, balance minutes and target loads of the live screen (pure parts)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "prescription"))
from rx_builders import EXERCISES_TOML, START, make_rx

from osteomonitor.model import NS_PER_S, Event, EventKind
from osteomonitor.session.blocks import (
    DEFAULT_HOLD_PLAN,
    StretchHolds,
    balance_seconds,
    balance_target_min,
    hold_plan,
    kg_text,
    load_text,
    target_loads,
)


def test_a_hold_records_one_event_with_its_duration() -> None:
    holds = StretchHolds()
    holds.start("calf", 0)
    assert holds.text(5 * NS_PER_S) == "calf hold 1: 5 s of 10-30 s - hold"
    assert "release any time" in holds.text(12 * NS_PER_S)
    assert "release now" in holds.text(31 * NS_PER_S)
    ev = holds.end(int(15.04 * NS_PER_S))
    assert ev is not None
    assert (ev.kind, dict(ev.data)) == (
        EventKind.STRETCH_HOLD,
        {"exercise": "calf", "hold_s": 15.0},
    )
    assert holds.text(16 * NS_PER_S) == "calf: 1 of 2-4 holds"
    holds.start("calf", 20 * NS_PER_S)
    assert holds.text(21 * NS_PER_S).startswith("calf hold 2:")


def test_a_double_press_is_not_a_hold() -> None:
    holds = StretchHolds()
    assert holds.end(5) is None  # nothing running
    holds.start("calf", 0)
    assert holds.end(NS_PER_S // 2) is None
    assert holds.done == {}


def test_hold_plan_from_the_prescription_or_the_acsm_default() -> None:
    acsm = hold_plan(make_rx("acsm-osteoporosis"), START)
    assert (acsm.hold_s, acsm.reps) == ((10.0, 30.0), (2, 4))
    assert hold_plan(make_rx("ksbmr-2023"), START) == DEFAULT_HOLD_PLAN  # no flexibility


def test_balance_seconds_sum_blocks_and_count_an_open_one_to_now() -> None:
    ev = [
        Event(10 * NS_PER_S, EventKind.BALANCE_START, {"eyes": "open"}),
        Event(70 * NS_PER_S, EventKind.BALANCE_END),
        Event(100 * NS_PER_S, EventKind.BALANCE_START, {"eyes": "open"}),
    ]
    assert balance_seconds(ev, 130 * NS_PER_S) == pytest.approx(90.0)
    assert balance_target_min(make_rx("ksbmr-2023"), START) == 15.0


def test_target_loads_rounded_to_half_kilos_current_exercise_first() -> None:
    loads = target_loads(make_rx(extra=EXERCISES_TOML), START)
    assert [n for n, _ in loads] == ["squat", "row"]
    assert kg_text(25.33) == "25.5 kg"
    assert load_text(loads, "row").startswith("row ")
