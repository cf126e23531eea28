"""Jump detector: analytic signals, invariances, streaming == batch, USC-HAD trials."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.jumps import JumpDetector, analyse_jumps, detect_jumps, jump_height_m
from osteomonitor.analysis.signal import SignalError

from .synth import jumps_signal, rotation, walking_signal


@pytest.mark.parametrize("fs", [25.0, 100.0, 200.0, 416.0])
@pytest.mark.parametrize("flight", [0.2, 0.3, 0.45])
def test_square_wave_flight_of_known_length(fs: float, flight: float) -> None:
    acc, touchdowns = jumps_signal(fs, [flight] * 6)
    jumps = detect_jumps(acc, fs, range_g=8.0)
    assert len(jumps) == 6
    tol = 2.0 / fs + 0.01
    for j, td in zip(jumps, touchdowns, strict=True):
        assert abs(j.landing_s - td) <= tol
        assert abs(j.flight_s - flight) <= tol
        assert j.height_m == pytest.approx(jump_height_m(j.flight_s))
        assert j.peak_g == pytest.approx(5.0, abs=0.05)
        assert j.slope_g_s > 0
        assert not j.clipped


def test_height_formula() -> None:
    # t = sqrt(8h/g): 0.286 s ↔ 10 cm (domain §1.1 table)
    assert jump_height_m(0.2856) == pytest.approx(0.10, abs=0.001)


def test_clipped_flag() -> None:
    acc, _ = jumps_signal(100.0, [0.3] * 3)
    assert all(j.clipped for j in detect_jumps(acc, 100.0, range_g=4.0))


def test_walking_and_standing_give_no_jumps() -> None:
    assert detect_jumps(walking_signal(100.0, 110, 30), 100.0) == []
    still = np.tile([0.0, 0.0, 1.0], (3000, 1))
    assert detect_jumps(still, 100.0) == []


def test_bad_input_raises_project_error() -> None:
    with pytest.raises(SignalError):
        detect_jumps(np.zeros((10, 2)), 100.0)
    with pytest.raises(SignalError):
        detect_jumps(np.zeros((10, 3)), 10.0)


@settings(max_examples=25, deadline=None)
@given(shift=st.integers(0, 300), seed=st.integers(0, 10_000))
def test_count_invariant_to_time_shift_and_rotation(shift: int, seed: int) -> None:
    acc, _ = jumps_signal(100.0, [0.22, 0.3, 0.35, 0.25, 0.4])
    base = len(detect_jumps(acc, 100.0))
    shifted = np.concatenate((np.tile([0.0, 0.0, 1.0], (shift, 1)), acc)) @ rotation(seed).T
    assert len(detect_jumps(shifted, 100.0)) == base == 5


@settings(max_examples=30, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 400), min_size=1, max_size=40), fs=st.sampled_from([50.0, 100.0])
)
def test_streaming_equals_batch(cuts: list[int], fs: float) -> None:
    acc, _ = jumps_signal(fs, [0.25, 0.3, 0.15, 0.35, 0.28, 0.3])
    acc = acc + np.random.default_rng(len(cuts)).normal(0, 0.05, acc.shape)
    batch = analyse_jumps(acc, fs, 8.0)
    det = JumpDetector(fs, 8.0)
    got, i = [], 0
    for c in cuts * 50:
        if i >= len(acc):
            break
        got += det.feed(acc[i : i + c])
        i += c
    got += det.feed(acc[i:]) + det.flush()
    assert got == batch.jumps
    assert det.running_strides == batch.running_strides


def test_state_stays_bounded() -> None:
    acc, _ = jumps_signal(100.0, [0.3] * 40)
    det = JumpDetector(100.0)
    sizes = []
    for k in range(0, len(acc), 10):
        det.feed(acc[k : k + 10])
        sizes.append(det._buf.shape[0])
    assert max(sizes) < 100.0 * 8  # a few seconds of samples, not the session


USC_FEW = ["Subject1/a7t1.mat", "Subject5/a7t2.mat", "Subject10/a7t3.mat"]


@pytest.mark.datasets
def test_usc_had_jump_trials_match_labels(datasets_dir) -> None:  # type: ignore[no-untyped-def]
    from scipy.io import loadmat

    usc = datasets_dir / "usc-had"
    labels = {t["file"]: t for t in json.loads((usc / "labels.json").read_text())["trials"]}
    for rel in USC_FEW:
        acc = loadmat(usc / rel)["sensor_readings"][:, :3].astype(float)
        jumps = detect_jumps(acc, 100.0, 6.0)
        lab = labels[rel]
        assert abs(len(jumps) - lab["jumps"]) <= 2, rel
        td = np.asarray(lab["touchdown_indices"]) / 100.0
        hits = sum(np.min(np.abs(td - j.landing_s)) <= 0.1 for j in jumps)
        assert hits >= 0.9 * lab["jumps"], rel


@pytest.mark.datasets
def test_usc_had_walking_standing_no_jumps_running_is_strides(datasets_dir) -> None:  # type: ignore[no-untyped-def]
    from scipy.io import loadmat

    usc = datasets_dir / "usc-had"
    for rel in ["Subject1/a1t1.mat", "Subject2/a9t1.mat", "Subject3/a4t1.mat"]:
        acc = loadmat(usc / rel)["sensor_readings"][:, :3].astype(float)
        assert detect_jumps(acc, 100.0, 6.0) == [], rel
    acc = loadmat(usc / "Subject3/a6t1.mat")["sensor_readings"][:, :3].astype(float)
    res = analyse_jumps(acc, 100.0, 6.0)
    assert res.running_strides > 10 * max(1, len(res.jumps))
