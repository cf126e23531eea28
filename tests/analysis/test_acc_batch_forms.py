"""The array forms added for a long signal analysed at once (issue 15, round 2) give
exactly what the forms they replace give.

- `jump_scan`: the flight runs found together judged as arrays (`JumpDetector` with
  `_batch_scan` off is the reference), and the posture and flight-mean rows of
  `_contexts_together` (`_batch_contexts` off);
- `screen.windows` (strided whole-window gathers), `true_runs` from a sparse mask's
  indices, `screened_moving_mean(nan_free=True)`, `signal.moving_mean_valid` a block at
  a time, `checked_acc_mag` (a detector never keeps a NaN ‖a‖);
- `StepCounter`'s run rule a stretch at a time, `impact_summary` and `ImpactTally`
  counting as arrays.

Compared on random and synthetic signals fed at once and in several chunkings; the
real recordings (USC-HAD, SisFall) go through `test_acc_fast_paths.py`, whose
references have every fast path off.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from osteomonitor.analysis import screen
from osteomonitor.analysis.falls import FallDetector
from osteomonitor.analysis.impacts import ImpactCounter, impact_summary
from osteomonitor.analysis.jump_scan import free_fall_means
from osteomonitor.analysis.jumps import JumpDetector
from osteomonitor.analysis.screen import checked_with_magnitude
from osteomonitor.analysis.signal import magnitude, moving_mean_valid
from osteomonitor.analysis.steps import StepCounter
from osteomonitor.analysis.thresholds import (
    BAND_SETS,
    OSTEOGENIC_SLOPE_G_S,
    OSTEOGENIC_THRESHOLDS_G,
    is_osteogenic,
)
from osteomonitor.model import Impact

from .synth import chunks, jumps_signal
from .test_acc_fast_paths import _RefRuns

CHUNKINGS = ([10_000_000], [37], [400, 13, 250], [3000, 500, 2100], [9000, 7])


class _OneByOneScan(JumpDetector):
    _batch_scan = False


class _OneByOneContexts(JumpDetector):
    _batch_contexts = False


def _jumps(det: JumpDetector, parts: list[np.ndarray]) -> tuple[object, ...]:
    jumps = [j for p in parts for j in det.feed(p)] + det.flush()
    return jumps, det.running_strides, det.running_s, det.stepping_flights


def _dips(seed: int, n: int = 40_000, fs: float = 100.0) -> np.ndarray:
    """Movement with many dips below the flight threshold: lone runs, runs a gap or two
    apart (one flight group), too short, too long, at the very start and end, landings
    soft and hard (some clipped)."""
    rng = np.random.default_rng(seed)
    level = rng.choice([0.05, 0.3, 0.8], size=n // 100).repeat(100)
    acc = rng.normal(0.0, 1.0, (n, 3)) * level[:, None] + (0.0, 0.0, 1.0)
    acc[: int(rng.integers(5, 40))] *= 0.05  # a run with the signal's first sample
    for t in rng.integers(50, n - 300, 160):
        k = int(rng.integers(3, 90))
        acc[t : t + k] *= rng.uniform(0.0, 0.4)
        if rng.random() < 0.4:  # a second run after a short gap
            g = int(rng.integers(1, 6))
            acc[t + k + g : t + 2 * k + g] *= rng.uniform(0.0, 0.4)
        land = t + 2 * k + 8
        acc[land : land + 3] = (0.0, 0.0, rng.uniform(1.0, 9.0))
    acc[-int(rng.integers(5, 60)) :] *= 0.05  # a run cut by the end
    out: np.ndarray = acc
    return out


@pytest.mark.parametrize("seed", range(5))
def test_flight_runs_judged_together_equal_one_by_one(seed: int) -> None:
    acc = _dips(seed)
    range_g = None if seed % 2 else 8.0
    want = _jumps(_OneByOneScan(100.0, range_g), [acc])
    assert want[0] or want[1] or want[3]  # the signal has flights to judge
    for sizes in CHUNKINGS:
        assert _jumps(JumpDetector(100.0, range_g), chunks(acc, sizes)) == want


def test_candidates_with_cut_posture_windows_equal_one_by_one() -> None:
    # hops from the first half second (posture and push windows cut by the start) to
    # the last (cut by the end), many due together
    fs = 200.0
    hops, _ = jumps_signal(fs, [0.3 + 0.02 * (k % 5) for k in range(40)], lead_s=0.3, tail_s=0.6)
    rng = np.random.default_rng(3)
    acc = hops + rng.normal(0.0, 0.03, hops.shape)
    want = _jumps(_OneByOneContexts(fs, 16.0), [acc])
    assert want[0]
    assert _jumps(JumpDetector(fs, 16.0), [acc]) == want
    assert _jumps(_OneByOneScan(fs, 16.0), [acc]) == want


def test_free_fall_means_decide_as_the_exact_sum_at_the_threshold() -> None:
    rng = np.random.default_rng(4)
    thr = 0.3
    runs: list[tuple[int, int]] = []
    m: list[float] = []
    for _ in range(300):
        k = int(rng.integers(1, 200))
        v = rng.uniform(0.0, 0.7, k)
        if rng.random() < 0.5:  # a mean at the threshold to the last bits
            v += thr - math.fsum(v.tolist()) / k
            v = np.abs(v)
        runs.append((len(m), len(m) + k))
        m.extend(v.tolist())
    x = np.asarray(m)
    s = np.asarray([a for a, _ in runs])
    e = np.asarray([b for _, b in runs])
    want = [math.fsum(x[a:b].tolist()) / (b - a) < thr for a, b in runs]
    assert free_fall_means(x, s, e, thr) == want
    assert 0 < sum(want) < len(want)
    # runs whose float sum loses the small terms: a mean exactly at the threshold is
    # not below it, though the rounded sum says so
    for k in (7, 8, 9, 16, 33, 100):
        v = np.asarray([0.5] + [2.0**-55] * k)
        at = math.fsum(v.tolist()) / v.size
        assert float(v.sum()) / v.size < at
        assert free_fall_means(v, np.array([0]), np.array([v.size]), at) == [False]


def test_windows_equal_a_fancy_gather() -> None:
    rng = np.random.default_rng(5)
    long = rng.normal(size=(10_013, 3))
    for x in (rng.normal(size=5000), long[13:5013], long[13:10013:2], long[13:5013, 1]):
        for width in (1, 7, 401):
            starts = np.concatenate(([0, x.shape[0] - width], rng.integers(0, 5000 - width, 50)))
            want = x[starts[:, None] + np.arange(width)]
            got = screen.windows(x, starts, width)
            assert got.shape == want.shape and np.array_equal(got, want)
    with pytest.raises(IndexError, match="outside"):
        screen.windows(np.zeros(10), np.array([5]), 6)
    with pytest.raises(IndexError, match="outside"):
        screen.windows(np.zeros(10), np.array([-1]), 3)


def test_window_sums_add_each_windows_rows_in_order() -> None:
    rng = np.random.default_rng(15)
    x = rng.normal(size=(20_000, 3)) * rng.choice([1e-3, 1.0, 1e6], size=(20_000, 1))
    for width in (1, 2, 100, 300, 625):
        starts = rng.integers(0, x.shape[0] - width, 200)
        want = np.array([x[s : s + width].sum(axis=0) for s in starts])
        assert np.array_equal(screen.window_sums(x, starts, width), want)


def test_true_runs_of_a_sparse_mask_equal_its_edges() -> None:
    rng = np.random.default_rng(6)
    for n in (4096, 5000, 70_000):
        for density in (0.0, 0.001, 0.03, 0.5):
            mask = rng.random(n) < density
            mask[: int(rng.integers(0, 3))] = True  # runs at both ends, sometimes
            mask[n - int(rng.integers(0, 3)) :] = True
            edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(int), [0]))))
            s, e = screen.true_runs(mask)
            assert s.tolist() == edges[0::2].tolist() and e.tolist() == edges[1::2].tolist()


def test_screened_mean_without_the_nan_scan_is_the_same() -> None:
    rng = np.random.default_rng(7)
    x = np.abs(rng.normal(1.0, 0.5, 20_000))
    x[[100, 9000, 9001]] = np.inf  # overflowed ‖a‖: no NaN
    n = x.size
    for below in (True, False):
        # with the scan, a non-finite value smooths every position exactly: the same
        # answer to the threshold test, the same values where it passes
        above_g, below_g = (None, 0.7) if below else (1.6, None)
        fill = np.inf if below else -np.inf
        want = screen.screened_moving_mean(x, 8, n - 8, 8, 0, n, above_g, below_g, fill)
        got = screen.screened_moving_mean(x, 8, n - 8, 8, 0, n, above_g, below_g, fill, True)
        ok_want, ok_got = (want < 0.7, got < 0.7) if below else (want >= 1.6, got >= 1.6)
        assert np.array_equal(ok_got, ok_want)
        assert np.array_equal(got[ok_got], want[ok_want])
        assert ok_got.sum() > 10


def test_moving_mean_a_block_at_a_time_equals_the_whole_sums() -> None:
    rng = np.random.default_rng(8)
    for n in (screen_block := 16_384, screen_block + 1, 3 * screen_block + 17, 100_000):
        x = rng.normal(1.0, 0.4, n) * rng.uniform(0.1, 1e4)
        for width in (1, 7, 17, 51):
            acc = x[: n - width + 1].copy()
            for k in range(1, width):
                acc += x[k : k + n - width + 1]
            assert np.array_equal(moving_mean_valid(x, width), acc / width)


def test_a_non_finite_given_magnitude_is_recomputed_from_the_checked_rows() -> None:
    fs = 100.0
    acc, _ = jumps_signal(fs, [0.3, 0.35, 0.4])
    acc = acc.copy()
    acc[[40, 300, 301]] = (np.nan, np.inf, 0.0)
    mag = magnitude(acc)  # NaN / inf where the rows are
    a_j, b_j = JumpDetector(fs, 8.0), JumpDetector(fs, 8.0)
    assert a_j.feed(acc, mag) + a_j.flush() == b_j.feed(acc) + b_j.flush()
    a_f, b_f = FallDetector(fs), FallDetector(fs)
    assert a_f.feed(acc, mag) + a_f.flush() == b_f.feed(acc) + b_f.flush()
    a_ic, b_ic = ImpactCounter(fs, 8.0), ImpactCounter(fs, 8.0)
    assert a_ic.feed(acc, mag) + a_ic.flush() == b_ic.feed(acc) + b_ic.flush()


def test_rows_said_checked_give_what_checking_them_gives() -> None:
    fs = 100.0
    raw, _ = jumps_signal(fs, [0.3, 0.35, 0.4, 0.3])
    acc, mag = checked_with_magnitude(raw, "test")
    a_j, b_j = JumpDetector(fs, 8.0), JumpDetector(fs, 8.0)
    assert a_j.feed(acc, mag, checked=True) + a_j.flush() == b_j.feed(acc, mag) + b_j.flush()
    a_f, b_f = FallDetector(fs), FallDetector(fs)
    assert a_f.feed(acc, mag, checked=True) + a_f.flush() == b_f.feed(acc, mag) + b_f.flush()
    a_i, b_i = ImpactCounter(fs, 8.0), ImpactCounter(fs, 8.0)
    assert a_i.feed(acc, mag, checked=True) + a_i.flush() == b_i.feed(acc, mag) + b_i.flush()


@pytest.mark.parametrize("seed", range(4))
def test_step_runs_a_stretch_at_a_time_equal_one_peak_at_a_time(seed: int) -> None:
    rng = np.random.default_rng(seed)
    # walking bouts of regular steps (alternating feet), broken by odd intervals
    gaps: list[float] = []
    while len(gaps) < 3000:
        a, b = rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)
        gaps += [a, b] * int(rng.integers(0, 40))
        gaps += rng.uniform(0.05, 2.0, int(rng.integers(1, 6))).tolist()
    times = np.cumsum(gaps).tolist()
    ref = _RefRuns()
    want = ref.take(times)
    ref.close()
    for k in (1, 3, 50, 10_000):
        sc = StepCounter(100.0)
        got = [t for i in range(0, len(times), k) for t in sc.feed_peak_times(times[i : i + k])]
        sc.end()
        res = sc.result()
        assert got == want
        assert res.segments_s == ref.segments and res.walking_s == ref.walking_s
        assert np.array_equal(sc._cad_hist, ref.hist)


def test_impact_summary_counts_as_the_peak_by_peak_rule() -> None:
    rng = np.random.default_rng(9)
    peaks = [
        Impact(float(t), float(v), float(s), bool(c))
        for t, v, s, c in zip(
            np.arange(2000) * 0.3,
            np.concatenate(([3.9, 4.2, 3.8999], rng.gamma(2.0, 1.0, 1997) + 1.1)),
            np.concatenate(([OSTEOGENIC_SLOPE_G_S] * 3, rng.uniform(0, 200, 1997))),
            rng.random(2000) < 0.05,
            strict=True,
        )
    ]
    got = impact_summary(peaks, "vainionpaa", "hip")
    t42 = OSTEOGENIC_THRESHOLDS_G["deere_4_2"][0]
    assert got.n_above_3_9g == sum(1 for p in peaks if is_osteogenic(p.peak_g))
    assert got.n_above_4_2g == sum(1 for p in peaks if p.peak_g > t42)
    assert got.n_slope_above_100 == sum(1 for p in peaks if p.slope_g_s > OSTEOGENIC_SLOPE_G_S)
    assert got.clipped == sum(1 for p in peaks if p.clipped)
    assert got.band_edges_g == BAND_SETS["vainionpaa"].edges_g
    assert impact_summary([], "vainionpaa", "hip").n_above_3_9g == 0


class _FallsUnscreened(FallDetector):
    _screen = False


def test_overflowing_rows_keep_the_screened_falls_equal_to_the_reference() -> None:
    # finite rows whose ‖a‖ overflows to +inf (no NaN anywhere): the screen's reasoning
    # and the candidate search's NaN-free shortcut hold
    fs = 100.0
    acc, _ = jumps_signal(fs, [0.3, 0.35, 0.4, 0.3, 0.5])
    acc = acc.copy()
    acc[[250, 251, 900]] = (1e200, 0.0, 1e200)
    with np.errstate(over="ignore"):
        assert np.isinf(magnitude(acc)).sum() == 3
    for sizes in CHUNKINGS:
        parts = chunks(acc, sizes)
        _falls_alike(parts, acc, fs)


def _falls_alike(parts: list[np.ndarray], acc: np.ndarray, fs: float) -> None:
    with np.errstate(over="ignore", invalid="ignore"):  # the squares overflow on purpose
        fast, ref = (
            FallDetector(fs, keep_candidates=True),
            _FallsUnscreened(fs, keep_candidates=True),
        )
        got = [f for p in parts for f in fast.feed(p)] + fast.flush()
        assert got == ref.feed(acc) + ref.flush()
    assert repr(fast.candidates) == repr(ref.candidates)  # (a NaN spread after +inf)
