"""The posture fast paths (issue 15) against the tracker as it was (`ref_posture`),
bit for bit: cache-chunked block sums, slice window sums, the ‖a‖ the caller passes,
the vectorised still-reference search, and `feed_latest`'s decision angles; on
random, synthetic and real (SisFall, USC-HAD) signals, whole and in several chunkings."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis import posture_blocks as pb
from osteomonitor.analysis.posture import PostureParams, PostureTracker
from osteomonitor.analysis.signal import magnitude
from osteomonitor.analysis.trunk import TrunkTracker

from . import ref_posture, ref_posture_blocks
from .synth import rotation
from .trunk_synth import bend_signal


@pytest.mark.parametrize("b", [1, 2, 5, 20, 42])
@pytest.mark.parametrize("nb", [0, 1, 63, 5000])  # 5000 blocks: several cache chunks
def test_block_sums_equal_sequential_sums(b: int, nb: int) -> None:
    """Both forms: one cumsum (up to `_SMALL_SUMS` values) and chunked passes."""
    rng = np.random.default_rng(b * 7 + nb)
    x = rng.normal(0, 3, (nb * b + b // 2, 3))
    sizes = {n * w * 3 <= pb._SMALL_SUMS for n in (63, 5000) for w in (1, 2, 5, 20, 42)}
    assert sizes == {True, False}  # the parameters reach both forms
    got = pb.block_sums(x, b)
    want = ref_posture_blocks.seq_sum(x[: nb * b].reshape(nb, b, 3))
    assert got.shape == (3, nb)
    assert np.array_equal(got.T, want)
    m = magnitude(x)
    assert np.array_equal(
        pb.block_sums(m, b), ref_posture_blocks.seq_sum(m[: nb * b].reshape(nb, b))
    )


def test_decision_degrees_decide_like_libm() -> None:
    """Bins, comparisons with the marks, the maximum and the last value are libm's,
    also for cosines that land on whole degrees and on the marks."""
    rng = np.random.default_rng(3)
    edges = np.cos(np.radians(np.arange(0.0, 181.0)))
    near = np.concatenate([np.nextafter(edges, 2.0), np.nextafter(edges, -2.0)])
    c = np.clip(np.concatenate([rng.uniform(-1, 1, 20_000), edges, near, [1.0, -1.0]]), -1, 1)
    rng.shuffle(c)
    marks = (45.0, 40.0, 37.3)
    exact = pb.exact_degrees(c)
    fast = pb.decision_degrees(c, marks)
    assert np.array_equal(fast.astype(np.int64), exact.astype(np.int64))
    for mark in marks:
        assert np.array_equal(fast > mark, exact > mark)
    assert fast.max() == exact.max()
    assert fast[-1] == exact[-1]
    assert np.abs(fast - exact).max() < 1e-11


Out = list[tuple[np.ndarray, np.ndarray, np.ndarray, list[float]]]


def _feed_both(
    acc: np.ndarray,
    fs: float,
    cuts: list[int],
    gyro: np.ndarray | None = None,
    with_mag: bool = False,
    reference_g: tuple[float, float, float] | None = None,
) -> tuple[PostureTracker, ref_posture.PostureTracker, Out, Out]:
    """Feed the same chunks to the new and the old tracker; return both outputs."""
    new = PostureTracker(fs, reference_g)
    old = ref_posture.PostureTracker(fs, reference_g)
    got: Out = []
    want: Out = []
    i = 0
    for c in cuts:
        if i >= len(acc):
            break
        a = acc[i : i + c]
        g = None if gyro is None else gyro[i : i + c]
        mag = magnitude(a) if with_mag else None
        got.append((*new.feed_arrays(a, g, mag), new.new_episodes))
        want.append((*old.feed_arrays(a, g), old.new_episodes))
        i += c
    return new, old, got, want


def _same(got: Out, want: Out) -> None:
    for (t, d, r, e), (t0, d0, r0, e0) in zip(got, want, strict=True):
        assert t.tolist() == t0.tolist()
        assert d.tolist() == d0.tolist()
        assert np.array_equal(r, r0, equal_nan=True)
        assert e == e0


def _signal(fs: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    acc = (
        np.concatenate(
            (bend_signal(fs, 70.0), bend_signal(fs, 30.0), bend_signal(fs, 55.0, hold_s=3.0))
        )
        @ rotation(seed).T
    )
    acc = acc + rng.normal(0, 0.02, acc.shape)
    gyro = rng.normal(0, 5, acc.shape)
    return acc, gyro


@settings(max_examples=25, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 700), min_size=1, max_size=20),
    fs=st.sampled_from([25.0, 50.0, 200.0, 416.0]),
    seed=st.integers(0, 50),
    with_mag=st.booleans(),
    with_gyro=st.booleans(),
)
def test_feed_arrays_equals_the_old_tracker(
    cuts: list[int], fs: float, seed: int, with_mag: bool, with_gyro: bool
) -> None:
    acc, gyro = _signal(fs, seed)
    new, old, got, want = _feed_both(
        acc, fs, cuts * 400 + [len(acc)], gyro if with_gyro else None, with_mag
    )
    _same(got, want)
    assert new.summary() == old.summary()
    assert new.reference_g == old.reference_g
    assert new.reference_sample == old.reference_sample


@settings(max_examples=25, deadline=None)
@given(
    cuts=st.lists(st.integers(1, 700), min_size=1, max_size=20),
    fs=st.sampled_from([25.0, 100.0, 200.0]),
    seed=st.integers(0, 50),
    with_mag=st.booleans(),
)
def test_feed_latest_keeps_the_old_totals(
    cuts: list[int], fs: float, seed: int, with_mag: bool
) -> None:
    acc, _ = _signal(fs, seed)
    new, old = PostureTracker(fs), ref_posture.PostureTracker(fs)
    i = 0
    for c in cuts * 400 + [len(acc)]:
        if i >= len(acc):
            break
        a = acc[i : i + c]
        latest = new.feed_latest(a, magnitude(a) if with_mag else None)
        _, deg, _ = old.feed_arrays(a)
        assert latest == (float(deg[-1]) if deg.size else None)
        assert new.new_episodes == old.new_episodes
        i += c
    assert new.summary() == old.summary()


def test_reference_found_late_after_several_looks() -> None:
    """Moving for 3 minutes (several `_FIRST_LOOK_BLOCKS` spans at 200 Hz), then still:
    the reference block, and everything after, as the old block-by-block search."""
    fs = 200.0
    rng = np.random.default_rng(5)
    n_move = int(180 * fs)
    moving = np.tile([0.0, 0.0, 1.0], (n_move, 1)) + rng.normal(0, 0.3, (n_move, 3))
    acc = np.concatenate((moving, bend_signal(fs, 70.0)))
    for cuts in ([len(acc)], [400], [777, 13], [n_move - 3, 5]):
        new, old, got, want = _feed_both(acc, fs, cuts * (len(acc) // sum(cuts) + 1), None, True)
        _same(got, want)
        assert old.reference_sample is not None
        assert new.reference_sample == old.reference_sample
        assert new.summary() == old.summary()
    never = PostureTracker(fs)
    never.feed_latest(moving, magnitude(moving))
    assert not never.summary().reference_known


def test_nonfinite_samples_with_mag_fall_back_to_the_checked_path() -> None:
    fs = 100.0
    acc, _ = _signal(fs, 1)
    acc[500:520] = np.nan  # read as 1 g at rest, whatever ‖a‖ the caller computed
    acc[900, 1] = np.inf
    new, old, got, want = _feed_both(acc, fs, [333] * 100, None, True)
    _same(got, want)
    assert new.summary() == old.summary()


@pytest.mark.parametrize("chunk", [37, 400, 5000, 10**9])
def test_trunk_tracker_posture_equals_the_old_tracker(chunk: int) -> None:
    """TrunkTracker (feed_latest with ‖a‖, stretches) against the old tracker fed the
    same stretches."""
    rng = np.random.default_rng(chunk % 97)
    parts = [
        (100.0, bend_signal(100.0, 70.0) + rng.normal(0, 0.01, (1, 3))),
        (50.0, bend_signal(50.0, 80.0, hold_s=40.0)),  # reclined, not a bend
        (200.0, bend_signal(200.0, 50.0, lead_s=0.5)),
    ]
    tr = TrunkTracker()
    old = ref_posture.PostureTracker(parts[0][0])
    t0 = 0.0
    for fs, acc in parts:
        tr.start(fs, t0)
        old.restart(fs, t0)
        for i in range(0, len(acc), chunk):
            a = acc[i : i + chunk]
            tr.feed(a, magnitude(a))
            _, deg, _ = old.feed_arrays(a)
            assert tr.new_episode_starts_s == old.new_episodes
            if deg.size:
                assert tr.inclination_deg == float(deg[-1])
        t0 += len(acc) / fs + 10.0
    tr.end()
    assert tr.posture() == old.summary()


def _sisfall(datasets_dir: Path, subj: str) -> list[np.ndarray]:
    data = np.load(datasets_dir / "sisfall" / f"{subj}.npz")
    return [data[k] for k in sorted(data.files)]


@pytest.mark.datasets
@pytest.mark.parametrize("subj", ["SA05", "SE01"])
def test_sisfall_fast_paths_equal_the_old_tracker(datasets_dir: Path, subj: str) -> None:
    """Every trial of two people (falls, bends, sitting, walking; 200 Hz, with the
    gyroscope), one after another: whole, 2-s chunks, odd chunks; with and without ‖a‖."""
    fs = 200.0
    trials = _sisfall(datasets_dir, subj)
    acc = np.concatenate([t[:, :3] * (32 / 8192) for t in trials])
    gyro = np.concatenate([t[:, 3:6] * (2000 / 32768) for t in trials])
    for cuts, with_mag in (([len(acc)], True), ([400], True), ([333, 71], False)):
        rep = cuts * (len(acc) // sum(cuts) + 1)
        new, old, got, want = _feed_both(acc, fs, rep, gyro, with_mag)
        _same(got, want)
        assert new.summary() == old.summary()
        lean = PostureTracker(fs)
        i = 0
        for c in rep:
            a = acc[i : i + c]
            lean.feed_latest(a, magnitude(a) if with_mag else None)
            i += c
        old_lean = ref_posture.PostureTracker(fs)
        old_lean.feed_arrays(acc)
        assert lean.summary() == old_lean.summary()
        assert new.summary().episodes + new.summary().reclined_s > 0  # something happened


@pytest.mark.datasets
def test_usc_had_fast_paths_equal_the_old_tracker(datasets_dir: Path) -> None:
    """Every activity of one person at the hip (100 Hz), one trial after another."""
    loadmat = pytest.importorskip("scipy.io").loadmat
    fs = 100.0
    files = sorted((datasets_dir / "usc-had" / "Subject1").glob("a*t1.mat"))
    assert files, "USC-HAD Subject1 has no trials"
    rows = [loadmat(f)["sensor_readings"].astype(float) for f in files]
    acc = np.concatenate([r[:, :3] for r in rows])
    gyro = np.concatenate([r[:, 3:6] for r in rows])
    for cuts in ([len(acc)], [200], [1234, 5]):
        rep = cuts * (len(acc) // sum(cuts) + 1)
        new, old, got, want = _feed_both(acc, fs, rep, gyro, True)
        _same(got, want)
        assert new.summary() == old.summary()
        assert new.summary().reference_known


def test_params_other_than_default_agree() -> None:
    fs = 52.0
    p_new = PostureParams(limit_deg=30.5, hysteresis_deg=2.25, episode_min_s=1.0, step_s=0.2)
    p_old = ref_posture.PostureParams(
        limit_deg=30.5, hysteresis_deg=2.25, episode_min_s=1.0, step_s=0.2
    )
    acc, _ = _signal(fs, 9)
    new, old = PostureTracker(fs, params=p_new), ref_posture.PostureTracker(fs, params=p_old)
    for i in range(0, len(acc), 101):
        a = acc[i : i + 101]
        latest = new.feed_latest(a, magnitude(a))
        _, deg, _ = old.feed_arrays(a)
        assert latest == (float(deg[-1]) if deg.size else None)
    assert new.summary() == old.summary()
    assert math.isfinite(new.summary().max_deg or math.nan)
