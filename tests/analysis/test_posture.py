"""Trunk posture: bend angles at any sensor orientation and rate, the automatic
reference, episodes beyond the limit, rotation, streaming == batch, SisFall bends."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.posture import PostureParams, PostureTracker, analyse_posture
from osteomonitor.analysis.signal import SignalError

from .synth import rotation
from .trunk_synth import bend_signal


@pytest.mark.parametrize("fs", [25.0, 52.0, 100.0, 200.0, 416.0])
@pytest.mark.parametrize("bend", [20.0, 45.0, 70.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_bend_angle_within_a_few_degrees_at_any_orientation(
    fs: float, bend: float, seed: int
) -> None:
    acc = bend_signal(fs, bend) @ rotation(seed).T
    a = analyse_posture(acc, fs)
    assert a.summary.reference_known
    hold = (a.t_s > 5.5) & (a.t_s < 9.0)  # inside the hold (4.5-9.5 s), window settled
    assert np.abs(a.inclination_deg[hold] - bend).max() < 2.0
    standing = a.t_s < 2.4  # windows ending before the bend begins at 3 s
    assert a.inclination_deg[standing].max() < 2.0


def test_given_reference_is_used_before_any_stillness() -> None:
    fs = 100.0
    acc = bend_signal(fs, 60.0, lead_s=0.0)  # bends at once
    acc = acc + np.random.default_rng(0).normal(0, 0.1, acc.shape)  # and never keeps still
    assert not analyse_posture(acc, fs).summary.reference_known
    a = analyse_posture(acc, fs, reference_g=(0.0, 0.0, 9.81))
    assert a.summary.p95_deg == pytest.approx(60.0, abs=3.0)


def test_time_beyond_the_limit_and_episodes() -> None:
    fs = 100.0
    acc = np.concatenate((bend_signal(fs, 70.0), bend_signal(fs, 70.0, hold_s=0.5)))
    s = analyse_posture(acc, fs, params=PostureParams(limit_deg=45.0)).summary
    # first bend: beyond 45° for the hold plus part of each ramp (≈ 5 + 2·0.54 s);
    # second bend: ≈ 1.6 s beyond, shorter than the 2 s an episode needs
    assert s.episodes == 1
    assert 5.5 < s.longest_episode_s < 7.5
    assert 7.0 < s.beyond_s < 9.5
    assert s.p95_deg == pytest.approx(70.0, abs=2.0)
    assert s.limit_deg == 45.0


def test_rotation_rate_about_the_vertical_from_the_gyroscope() -> None:
    fs = 100.0
    n = 600
    acc = np.tile([0.0, 0.0, 1.0], (n, 1))
    gyro = np.zeros((n, 3))
    gyro[300:, 2] = 45.0  # turning about the vertical at 45°/s
    gyro[300:, 0] = 20.0  # plus a roll, which is not rotation about the vertical
    R = rotation(9)
    a = analyse_posture(acc @ R.T, fs, gyro @ R.T)
    assert a.rotation_dps[-1] == pytest.approx(45.0, abs=0.5)
    assert abs(a.rotation_dps[5]) < 0.5
    assert np.isnan(analyse_posture(acc, fs).rotation_dps).all()


@settings(max_examples=20, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 300), min_size=1, max_size=30), fs=st.sampled_from([50.0, 200.0])
)
def test_streaming_equals_batch(cuts: list[int], fs: float) -> None:
    acc = np.concatenate((bend_signal(fs, 70.0), bend_signal(fs, 30.0))) @ rotation(2).T
    gyro = np.random.default_rng(0).normal(0, 5, acc.shape)
    batch = analyse_posture(acc, fs, gyro)
    tr, got, i = PostureTracker(fs), [], 0
    for c in cuts * 200:
        if i >= len(acc):
            break
        got += tr.feed(acc[i : i + c], gyro[i : i + c])
        i += c
    got += tr.feed(acc[i:], gyro[i:])
    assert [s.inclination_deg for s in got] == batch.inclination_deg.tolist()
    assert [s.t_s for s in got] == batch.t_s.tolist()
    assert [s.rotation_dps for s in got] == batch.rotation_dps.tolist()
    assert tr.summary() == batch.summary


def test_bad_input_raises_project_error() -> None:
    with pytest.raises(SignalError):
        PostureTracker(500.0)
    with pytest.raises(SignalError):
        PostureTracker(100.0, reference_g=(0.0, 0.0, 0.0))
    tr = PostureTracker(100.0)
    with pytest.raises(SignalError):
        tr.feed(np.ones((10, 3)), np.ones((9, 3)))


@pytest.mark.datasets
def test_sisfall_stoop_bends_beyond_knee_bends(datasets_dir) -> None:  # type: ignore[no-untyped-def]
    """Bending without bending the knees (D16) tilts the waist further than bending at
    the knees (D15) for each of a few people; standing starts give the reference."""
    for subj in ("SA05", "SA09", "SE01"):  # SA01, by contrast, stoops only ~20° at the waist
        data = np.load(datasets_dir / "sisfall" / f"{subj}.npz")
        stoop, squat = [], []
        for r in range(1, 4):
            for code, out in (("D16", stoop), ("D15", squat)):
                acc = data[f"{code}_{subj}_R{r:02d}"][:, :3] * (32 / 8192)
                s = analyse_posture(acc, 200.0).summary
                assert s.reference_known, (subj, code, r)
                out.append(s.max_deg)
        assert np.median(stoop) > np.median(squat) + 10, (subj, stoop, squat)


def test_restart_keeps_reference_and_counts_and_shifts_time() -> None:
    fs = 100.0
    acc = bend_signal(fs, 70.0)
    tr = PostureTracker(fs)
    first = tr.feed(acc)
    assert tr.reference_sample is not None and tr.reference_sample > 0
    tr.restart(50.0, 100.0)
    assert tr.reference_sample == 0
    again = tr.feed(bend_signal(50.0, 70.0, lead_s=0.5))  # too short a still start
    assert again[0].t_s > 100.0
    assert max(s.inclination_deg for s in again) == pytest.approx(70.0, abs=2.0)
    s = tr.summary()
    assert s.episodes == 2
    assert s.episode_starts_s[1] > 100.0
    assert len(first) > 0


def test_trunk_tracker_stretches_shift_times_and_agree_whatever_the_chunking() -> None:
    from osteomonitor.analysis.trunk import TrunkTracker

    from .trunk_synth import transition_signal

    fs = 100.0
    fall, t_imp = transition_signal(fs, 90.0, lead_s=6.0)
    bend = bend_signal(fs, 70.0)
    results = []
    for chunk in (37, 1000, 10_000):
        tr = TrunkTracker()
        found = tr.start(fs, 0.0)
        for i in range(0, len(bend), chunk):
            tr.feed(bend[i : i + chunk])
        found += tr.start(50.0, 100.0)  # a gap, then another rate
        fall50 = fall[::2]
        for i in range(0, len(fall50), chunk):
            found += tr.feed(fall50[i : i + chunk])
        found += tr.end()
        results.append((found, tr.posture()))
    assert results[0] == results[1] == results[2]
    found, posture = results[0]
    assert len(found) == 1 and found[0].t_s == pytest.approx(100.0 + t_imp, abs=0.1)
    # the bend, and the 5 s of lying after the fall (shorter than bend_max_s: by time
    # alone it reads as a bend)
    assert posture is not None and posture.episodes == 2


def test_lying_long_is_reclined_not_a_bend() -> None:
    fs = 50.0
    acc = bend_signal(fs, 90.0, hold_s=60.0)  # down to horizontal for a minute
    tr = PostureTracker(fs)
    tr.feed(acc[: round(10 * fs)])
    live = tr.summary()
    assert live.episodes == 1  # while it lasts < 30 s it is a bend (and the live caution)
    tr.feed(acc[round(10 * fs) :])
    s = tr.summary()
    assert s.episodes == 0
    assert s.reclined_s > 55.0
    assert s.beyond_s < 1.0


def test_bend_episodes_do_not_depend_on_chunk_boundaries() -> None:
    """A bend that ends exactly where a chunk ends is closed by the next chunk's first
    sample, as in one pass (the tracker only visits samples near the limit)."""
    from osteomonitor.analysis.posture import PostureTracker

    fs = 100.0
    t = np.arange(int(60 * fs)) / fs
    tilt = np.where((t % 12) < 4, np.radians(70.0), 0.0)  # 4 s bends every 12 s
    acc = np.stack([np.sin(tilt), np.zeros_like(t), np.cos(tilt)], axis=1)
    whole = PostureTracker(fs)
    whole.feed(acc)
    for step in (1, 7, 100, 410):  # 410 samples: chunks end right where bends end
        chunked = PostureTracker(fs)
        for k in range(0, len(acc), step):
            chunked.feed(acc[k : k + step])
        assert chunked.summary() == whole.summary(), step
    assert whole.summary().episodes >= 4  # every bend counted
