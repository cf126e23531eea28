"""Target load per exercise for the live screen (1RM estimate x the week's %1RM)."""

from __future__ import annotations

import datetime as dt

import pytest
from rx_builders import EXERCISES_TOML, START, make_rx

from osteomonitor.prescription.strength import epley_1rm, target_load_kg


def test_target_load_is_the_estimated_1rm_times_the_weeks_pct() -> None:
    rx = make_rx(extra=EXERCISES_TOML)
    pct = rx.modalities["resistance"].active(1)[0]["pct_1rm"].lo
    assert pct is not None
    want = epley_1rm(40.0, 8) * pct / 100.0
    assert target_load_kg(rx, "Squat", START) == pytest.approx(round(want, 1))  # 0.1 kg


def test_no_target_load_for_an_unknown_exercise_or_without_exercises() -> None:
    assert target_load_kg(make_rx(extra=EXERCISES_TOML), "lunge", START) is None
    assert target_load_kg(make_rx(), "squat", START + dt.timedelta(days=3)) is None
