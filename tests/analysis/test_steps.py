"""Steps and cadence."""

from __future__ import annotations

from pathlib import Path

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


def test_asymmetric_hip_walk_counts_every_step() -> None:
    # a hip sensor sees its own foot's strike 0.35 s after the far foot's, then 0.70 s
    # to the next: each foot keeps a 1.05 s stride (USC-HAD subjects 5 and 10 walk so)
    fs, stride, seconds = 100.0, 1.05, 60.0
    n = int(seconds * fs)
    t = np.arange(n) / fs
    strikes = sorted([*np.arange(0.5, seconds - 1, stride), *np.arange(0.85, seconds - 1, stride)])
    mag = np.ones(n)
    for ts in strikes:
        mag += 0.6 * np.exp(-0.5 * ((t - ts) / 0.03) ** 2)
    acc = np.zeros((n, 3))
    acc[:, 2] = mag + np.random.default_rng(1).normal(0, 0.02, n)
    r = detect_steps(acc, fs)
    assert r.step_times_s.size >= len(strikes) - 1
    assert r.cadence_spm == pytest.approx(2 * 60 / stride, abs=2)  # 114 steps/min
    assert r.walking_s > 0.9 * (strikes[-1] - strikes[0])


@pytest.mark.datasets
def test_usc_had_walking_matches_the_gyro_stride_rhythm(datasets_dir: Path) -> None:
    """Steps and cadence against an independent channel: the hip gyroscope's stride
    period (bench/bench_gait.py), on one trial per subject."""
    import sys

    from scipy.io import loadmat

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from bench_gait import gyro_stride_cadence_spm

    steps = expected = 0.0
    for subj in range(1, 11):
        d = loadmat(datasets_dir / f"usc-had/Subject{subj}/a1t2.mat")["sensor_readings"]
        d = np.asarray(d, dtype=np.float64)
        ref = gyro_stride_cadence_spm(d[:, 3:6], 100.0)
        assert 95 <= ref <= 140, subj  # adult walking (Tudor-Locke 2018)
        r = detect_steps(d[:, :3], 100.0)
        assert r.cadence_spm is not None and abs(r.cadence_spm - ref) <= 3, subj
        steps += r.step_times_s.size
        expected += ref * len(d) / 100.0 / 60.0
    assert steps >= 0.9 * expected


def test_recent_cadence_takes_the_trailing_run_only() -> None:
    from osteomonitor.analysis.steps import recent_cadence_spm

    walk = [i * 0.5 for i in range(40)]  # 120 steps/min for 19.5 s
    assert recent_cadence_spm(walk) == pytest.approx(120.0)
    later = [*walk, 40.0, 40.6, 41.2, 41.8]  # a new run at 100 steps/min after a pause
    assert recent_cadence_spm(later) == pytest.approx(100.0)
    assert recent_cadence_spm([1.0, 1.5]) is None
    assert recent_cadence_spm([*walk, 30.0]) is None  # one step after a pause: no run
