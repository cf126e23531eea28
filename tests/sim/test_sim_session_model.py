"""The built-in session model: deterministic, realistic, and a known answer."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import signal

from osteomonitor.sim.session_model import (
    FLIGHT_S,
    PEAK_G,
    STEP_HZ,
    SessionModel,
)

FS = 200.0


@pytest.fixture(scope="module")
def model() -> SessionModel:
    return SessionModel(seed=3)


def test_same_seed_same_samples_whatever_the_chunking(model: SessionModel) -> None:
    t = np.arange(0, 300, 1 / FS)
    whole = model.acc_g(t)
    chunks = np.concatenate([model.acc_g(c) for c in np.array_split(t, 37)])
    np.testing.assert_array_equal(whole, chunks)
    np.testing.assert_array_equal(whole, SessionModel(seed=3).acc_g(t))
    assert not np.array_equal(whole, SessionModel(seed=4).acc_g(t))


def test_rest_reads_one_g(model: SessionModel) -> None:
    mag = np.linalg.norm(model.acc_g(np.arange(1, 29, 1 / FS)), axis=1)
    assert mag.mean() == pytest.approx(1.0, abs=0.005)
    assert mag.std() < 0.02


def test_walking_cadence_is_the_step_frequency(model: SessionModel) -> None:
    t = np.arange(40, 200, 1 / FS)
    mag = np.linalg.norm(model.acc_g(t), axis=1)
    f, p = signal.welch(mag - mag.mean(), fs=FS, nperseg=4096)
    assert f[np.argmax(p)] == pytest.approx(STEP_HZ, abs=0.05)
    assert 1.3 < mag.max() < 2.0  # heel-strike peaks of walking at the chest
    assert model.steps() == int((180 + 120) * STEP_HZ)


def test_jumps_have_flight_near_zero_g_and_landing_peaks(model: SessionModel) -> None:
    jumps = model.jumps()
    assert len(jumps) == 20  # two blocks of 10
    for j in jumps:
        assert FLIGHT_S[0] <= j.flight_s <= FLIGHT_S[1]
        assert PEAK_G[0] <= j.peak_g <= PEAK_G[1]
        assert j.height_m == pytest.approx(9.80665 * j.flight_s**2 / 8)
        fly = np.arange(j.takeoff_s + 0.01, j.landing_s - 0.01, 1 / FS)
        assert np.linalg.norm(model.acc_g(fly), axis=1).max() < 0.1
        land = np.arange(j.landing_s, j.landing_s + 0.1, 1 / FS)
        peak = np.linalg.norm(model.acc_g(land), axis=1).max()
        assert peak == pytest.approx(j.peak_g, rel=0.02)


def test_heart_rate_rises_during_exercise_and_recovers(model: SessionModel) -> None:
    assert model.hr_bpm(0) == pytest.approx(70, abs=1)
    peak = max(model.hr_bpm(t) for t in np.arange(240, 360, 1.0))
    assert 110 <= peak <= 130
    assert model.hr_bpm(209) > 95  # end of the warm-up walk
    assert model.hr_bpm(600) < 85  # recovered in the cool-down


def test_rr_intervals_match_beat_times_and_heart_rate(model: SessionModel) -> None:
    beats = model.beat_times_s()
    rr = np.diff(beats) * 1024
    np.testing.assert_allclose(rr, np.rint(rr), atol=1e-6)  # integral 1/1024 s units
    window = model.rr_1024_between(100.0, 160.0)
    assert window == [round(x) for x in rr[(beats[1:] > 100) & (beats[1:] <= 160)]]
    mean_hr = 60 * 1024 / np.mean(window)
    assert mean_hr == pytest.approx(np.mean([model.hr_bpm(t) for t in range(100, 160)]), rel=0.03)
    sd_rel = np.std(np.diff(window)) / np.mean(window)
    assert 0.005 < sd_rel < 0.05  # beat-to-beat variability, not a metronome


def test_energy_grows_with_time(model: SessionModel) -> None:
    e = [model.energy_kj(t) for t in (0, 60, 300, 600)]
    assert e[0] == 0 and all(b > a for a, b in itertools.pairwise(e))


def test_long_sessions_repeat_the_plan() -> None:
    m = SessionModel(seed=1, duration_s=3600)
    assert len(m.jumps()) == 6 * 20
    assert m.segment_at(600 + 250).kind == "jumps"
