"""Steps and cadence."""

from __future__ import annotations

import numpy as np
import pytest

from osteomonitor.analysis.steps import StepCounter, detect_steps, gait_summary

from .synth import walking_signal


@pytest.mark.parametrize("cadence", [90.0, 110.0, 130.0])
def test_known_cadence(cadence: float) -> None:
    r = detect_steps(walking_signal(100.0, cadence, 60), 100.0)
    assert r.cadence_spm == pytest.approx(cadence, abs=2)
    assert r.step_times_s.size == pytest.approx(cadence * 59 / 60, abs=3)
    assert r.walking_s > 50


def test_standing_and_cycling_give_no_steps() -> None:
    n = 6000
    still = np.tile([0.0, 0.0, 1.0], (n, 1)) + np.random.default_rng(0).normal(0, 0.01, (n, 3))
    assert detect_steps(still, 100.0).step_times_s.size == 0
    t = np.arange(n) / 100
    cycling = still.copy()
    cycling[:, 2] += 0.05 * np.sin(2 * np.pi * 1.2 * t)  # smooth trunk sway at 72 rpm
    assert gait_summary(detect_steps(cycling, 100.0)).steps == 0


def test_streaming_equals_batch() -> None:
    acc = walking_signal(100.0, 105, 40, seed=2)
    batch = detect_steps(acc, 100.0)
    c, got = StepCounter(100.0), []
    for k in range(0, len(acc), 37):
        got += c.feed(acc[k : k + 37])
    got += c.flush()
    assert np.array_equal(np.asarray(got), batch.step_times_s)
    assert c.result().cadence_spm == batch.cadence_spm
