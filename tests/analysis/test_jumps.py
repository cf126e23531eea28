"""Jump detector: analytic signals, invariances, streaming == batch, USC-HAD trials."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.jumps import (
    JumpAnalysis,
    JumpDetector,
    analyse_jumps,
    detect_jumps,
    jump_height_m,
)
from osteomonitor.analysis.signal import SignalError

from .synth import (
    chair_signal,
    drop_landing_signal,
    jumps_signal,
    rotation,
    running_signal,
    slow_jog_signal,
    walking_signal,
    with_blips,
)


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
    _streamed_equals_batch(acc, fs, 8.0, cuts)


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
def test_usc_had_jump_trials_match_labels(datasets_dir: Path) -> None:
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
def test_usc_had_walking_standing_no_jumps_running_is_strides(datasets_dir: Path) -> None:
    from scipy.io import loadmat

    usc = datasets_dir / "usc-had"
    for rel in ["Subject1/a1t1.mat", "Subject2/a9t1.mat", "Subject3/a4t1.mat"]:
        acc = loadmat(usc / rel)["sensor_readings"][:, :3].astype(float)
        assert detect_jumps(acc, 100.0, 6.0) == [], rel
    acc = loadmat(usc / "Subject3/a6t1.mat")["sensor_readings"][:, :3].astype(float)
    res = analyse_jumps(acc, 100.0, 6.0)
    assert res.running_strides > 10 * max(1, len(res.jumps))


@pytest.mark.parametrize("fs", [100.0, 200.0])
def test_brief_rise_inside_a_flight_keeps_one_flight(fs: float) -> None:
    # body rotation lifts ‖a‖ to 0.9 g for 30 ms in the middle of each 0.3 s flight
    acc, touchdowns = jumps_signal(fs, [0.3] * 5)
    mids = [td - 0.15 for td in touchdowns]
    jumps = detect_jumps(with_blips(acc, fs, mids, 0.03, 0.9), fs)
    assert len(jumps) == 5
    for j, td in zip(jumps, touchdowns, strict=True):
        assert j.flight_s == pytest.approx(0.3, abs=2.5 / fs)
        assert abs(j.landing_s - td) <= 2 / fs


def test_a_ground_contact_splits_flights() -> None:
    # 0.1 s at 1.8 g between two low phases is a contact: not one long flight
    fs = 100.0
    acc, touchdowns = jumps_signal(fs, [0.4] * 4)
    jumps = detect_jumps(with_blips(acc, fs, [td - 0.2 for td in touchdowns], 0.1, 1.8), fs)
    assert all(j.flight_s < 0.25 for j in jumps)


def test_dip_before_take_off_is_not_part_of_the_flight() -> None:
    # an unweighting dip (0.6 g, 60 ms) 40 ms before take-off
    fs = 100.0
    acc, touchdowns = jumps_signal(fs, [0.25] * 5)
    for td in touchdowns:
        t0 = td - 0.25  # take-off
        i = round((t0 - 0.1) * fs)
        acc[i : i + 6] = (0.0, 0.0, 0.6)
    jumps = detect_jumps(acc, fs)
    assert len(jumps) == 5
    assert all(j.flight_s == pytest.approx(0.25, abs=0.03) for j in jumps)


@pytest.mark.parametrize("fs", [100.0, 200.0])
def test_running_with_one_strong_foot_is_strides(fs: float) -> None:
    # impacts come once per stride (0.66 s) as in USC-HAD subject 5's running; the
    # step cadence (0.33 s) shows in the autocorrelation, so these are strides
    res = analyse_jumps(running_signal(fs, 0.33, 30.0), fs, 8.0)
    assert res.jumps == []
    assert res.running_strides > 30


def test_continuous_hops_moving_forward_are_jumps() -> None:
    # continuous rebound hops (0.15 s flights, 0.5 s cycle), each pushed forward at
    # take-off (+0.9 g along x) and braked at landing (−0.9 g), as USC-HAD subjects 1
    # and 2 hop: h/v ratio above bout_hv_max but no running cadence, so still jumps.
    # (Square-wave hops with 0.1-0.3 s flat pauses do show an autocorrelation peak at
    # half their cycle and are called running; see docs/metrics.md.)
    fs = 100.0
    acc, touchdowns = jumps_signal(fs, [0.15] * 12, gap_s=0.05)
    for td in touchdowns:
        i = round(td * fs)
        acc[i - 30 : i - 15, 0] = 0.9  # the 0.15 s push before the flight
        acc[i : i + 10, 0] = -0.9  # braking during the landing
    assert len(detect_jumps(acc, fs)) == 12


def test_jumping_in_place_is_jumps_whatever_the_cadence() -> None:
    # rebound hops every 0.4 s (a running-like cadence) without horizontal motion
    fs = 100.0
    acc, _ = jumps_signal(fs, [0.2] * 15, gap_s=0.0)
    assert len(detect_jumps(acc, fs)) == 15


def _mixed_signal(fs: float) -> np.ndarray:
    """Split flights, a 1.2 s free fall whose end is joined by a short second low phase
    (both rejected as too long), hops, and running: every path of the flight grouping."""
    hops, tds = jumps_signal(fs, [0.3, 0.25, 0.35, 0.3], lead_s=1.0, tail_s=1.0)
    hops = with_blips(hops, fs, [td - 0.12 for td in tds], 0.03, 0.95)
    drop = np.tile([0.0, 0.0, 1.0], (round(2.0 * fs), 1))
    drop[round(0.3 * fs) : round(1.5 * fs)] = 0.0
    drop[round(1.53 * fs) : round(1.68 * fs)] = 0.0  # would pass as a flight on its own
    drop[round(1.68 * fs) : round(1.75 * fs)] = (0.0, 0.0, 3.0)
    return np.concatenate((hops, drop, running_signal(fs, 0.33, 6.0), hops))


@settings(max_examples=30, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 300), min_size=1, max_size=30), fs=st.sampled_from([50.0, 100.0])
)
def test_streaming_equals_batch_with_split_and_long_flights(cuts: list[int], fs: float) -> None:
    acc = _mixed_signal(fs) + np.random.default_rng(len(cuts)).normal(0, 0.03, (1, 3))
    batch = _streamed_equals_batch(acc, fs, 8.0, cuts)
    assert len(batch.jumps) >= 8


def _streamed_equals_batch(
    acc: npt.NDArray[np.float64], fs: float, range_g: float, cuts: list[int]
) -> JumpAnalysis:
    """Feed `acc` in chunks of the sizes in `cuts` (repeated), check every result equals
    the batch analysis, and return the batch analysis."""
    batch = analyse_jumps(acc, fs, range_g)
    det = JumpDetector(fs, range_g)
    got, i = [], 0
    while i < len(acc):
        for c in cuts:
            got += det.feed(acc[i : i + c])
            i += c
    got += det.flush()
    assert got == batch.jumps
    assert (det.running_strides, det.stepping_flights, det.running_s) == (
        batch.running_strides,
        batch.stepping_flights,
        batch.running_s,
    )
    return batch


@pytest.mark.parametrize("fs", [25.0, 100.0, 416.0])
@pytest.mark.parametrize("seed", [0, 3])
def test_drop_landing_is_a_jump_at_any_rate_and_orientation(fs: float, seed: int) -> None:
    # stepping off a 40 cm box: no push-off, 0.29 s of free fall, a hard landing
    acc, touchdown = drop_landing_signal(fs)
    (jump,) = detect_jumps(acc @ rotation(seed).T, fs)
    assert jump.landing_s == pytest.approx(touchdown, abs=2.5 / fs + 0.01)
    assert jump.flight_s == pytest.approx(0.29, abs=0.1 + 2 / fs)


@pytest.mark.parametrize("fs", [25.0, 100.0, 200.0, 416.0])
def test_slow_jog_on_the_spot_is_running_not_jumps(fs: float) -> None:
    # SisFall SE04's slow jog gave 253 "jumps" in 100 s: little horizontal motion made it
    # "jumping in place"; the left/right alternation makes it running
    res = analyse_jumps(slow_jog_signal(fs, 30.0) @ rotation(7).T, fs, 16.0)
    assert res.jumps == []
    assert res.running_strides > 60


def test_same_rhythm_two_footed_is_jumps() -> None:
    # the slow jog without the alternation (both feet together) is rebound hopping
    fs = 100.0
    acc = slow_jog_signal(fs, 20.0)
    acc[:, 1] = np.abs(acc[:, 1])
    assert len(detect_jumps(acc, fs)) > 40


@pytest.mark.parametrize("fs", [25.0, 100.0, 200.0])
@pytest.mark.parametrize("hard", [False, True])
def test_sitting_down_hard_or_collapsing_into_a_chair_is_no_jump(fs: float, hard: bool) -> None:
    assert detect_jumps(chair_signal(fs, hard) @ rotation(5).T, fs) == []


def _mixed_new_classes(fs: float) -> np.ndarray:
    drop, _ = drop_landing_signal(fs)
    hops, _ = jumps_signal(fs, [0.3, 0.25, 0.35])
    return np.concatenate(
        (
            hops,
            slow_jog_signal(fs, 8.0),
            drop,
            chair_signal(fs, True),
            chair_signal(fs, False),
            hops,
        )
    )


@settings(max_examples=20, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 300), min_size=1, max_size=30), fs=st.sampled_from([25.0, 100.0])
)
def test_streaming_equals_batch_with_drops_jogs_and_chairs(cuts: list[int], fs: float) -> None:
    acc = _mixed_new_classes(fs)
    batch = _streamed_equals_batch(acc, fs, 16.0, cuts)
    assert len(batch.jumps) == 7  # 3 + 3 hops and the drop landing
