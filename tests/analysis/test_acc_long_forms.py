"""The forms added for a long signal analysed at once (issue 15, round 3) give exactly
what the forms they replace give.

- `maxima.peaks_from_maxima` (impact peaks and the falls' screened candidates from the
  local maxima alone) == `signal.local_peaks`, and `maxima_at_least` == its definition;
- `screen._magnitude_blocks` (what `checked_with_magnitude` runs) == `signal.magnitude`
  and its finiteness;
- `flights.autocorr_peak_rows` a block of rows at a time == `autocorr_peak` per row;
- `JumpDetector` measuring more contexts than one block at once == its references;
- `TrunkTracker.feed(checked=True)` == unchecked feeding.

Random signals (ties, ±∞, ranges at the edges, long enough to cross the block size),
several chunkings, and the real recordings (USC-HAD, SisFall) when ../shared is there.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from osteomonitor.analysis import maxima
from osteomonitor.analysis.falls import FallDetector
from osteomonitor.analysis.flights import autocorr_peak, autocorr_peak_rows
from osteomonitor.analysis.impacts import ImpactCounter
from osteomonitor.analysis.jump_context import _CONTEXT_ROWS
from osteomonitor.analysis.jumps import JumpDetector
from osteomonitor.analysis.maxima import maxima_at_least, peaks_from_maxima
from osteomonitor.analysis.screen import (
    _magnitude_blocks,
    checked_with_magnitude,
    local_maxima_peaks,
)
from osteomonitor.analysis.signal import check_acc, local_peaks, magnitude, runs_below
from osteomonitor.analysis.trunk import TrunkTracker

from .synth import chunks, jumps_signal, walking_signal, with_blips
from .test_acc_fast_paths import SISFALL_G_PER_COUNT, _RefJumps

SIZES = ([10_000_000], [37], [400, 13, 250], [3000, 500, 2100], [9000, 7])


def _maxima_ref(x: np.ndarray, lo: int, hi: int, thr: float) -> np.ndarray:
    """x[j] ≥ thr, above the sample before, not below the one after (−∞ outside)."""
    pad = np.concatenate(([-np.inf], x, [-np.inf]))
    j = np.arange(max(lo, 0), min(hi, x.size))
    ok = (x[j] >= thr) & (x[j] > pad[j]) & (x[j] >= pad[j + 2])
    return j[ok]


def _random_signal(rng: np.random.Generator, n: int) -> np.ndarray:
    kind = int(rng.integers(0, 3))
    if kind == 0:  # few distinct values: ties, plateaus, ±∞
        return rng.choice(np.array([0.5, 1.0, 1.1, 1.2, 2.0, np.inf, -np.inf]), n)
    if kind == 1:  # rounded: ties among near values
        return np.round(rng.normal(1.1, 0.4, n), int(rng.integers(0, 3)))
    return rng.normal(1.1, 0.4, n)


def test_peaks_from_maxima_equal_local_peaks_on_random_signals() -> None:
    rng = np.random.default_rng(11)
    for _ in range(600):
        n = int(rng.integers(1, 300))
        x = _random_signal(rng, n)
        lo = int(rng.integers(0, n))
        hi = int(rng.integers(lo, n + 1))
        r = int(rng.integers(1, 40))
        thr = float(rng.choice([1.0, 1.1, 1.5, np.inf]))
        want = local_peaks(x, lo, hi, thr, r)
        assert peaks_from_maxima(x, lo, hi, thr, r).tolist() == want.tolist(), (x, lo, hi, r)
        assert maxima_at_least(x, lo, hi, thr).tolist() == _maxima_ref(x, lo, hi, thr).tolist()


def test_peaks_from_maxima_edge_cases() -> None:
    empty = np.empty(0)
    assert peaks_from_maxima(empty, 0, 0, 1.0, 3).size == 0
    assert maxima_at_least(empty, 0, 0, 1.0).size == 0
    one = np.array([2.0])
    assert peaks_from_maxima(one, 0, 1, 1.0, 3).tolist() == [0] == local_peaks(one, 0, 1, 1.0, 3)
    assert peaks_from_maxima(one, 0, 1, 3.0, 3).size == 0
    flat = np.full(50, 1.5)  # a plateau: only its first sample (ties go earlier)
    assert (
        peaks_from_maxima(flat, 0, 50, 1.0, 5).tolist() == local_peaks(flat, 0, 50, 1.0, 5).tolist()
    )
    inf = np.array([1.0, np.inf, np.inf, 2.0, np.inf, 0.0])
    for r in (1, 2, 5):
        assert (
            peaks_from_maxima(inf, 0, 6, 1.0, r).tolist() == local_peaks(inf, 0, 6, 1.0, r).tolist()
        )


def test_long_signals_cross_the_blocks_as_local_peaks() -> None:
    rng = np.random.default_rng(12)
    n = 3 * maxima._BLOCK + 777
    x = np.abs(rng.normal(1.0, 0.5, n))
    b = maxima._BLOCK
    x[[b - 1, b, 2 * b - 1, 2 * b, 2 * b + 1]] = [3.0, 3.0, 2.5, 2.5, 4.0]  # at block edges
    x[:3] = [5.0, 1.0, 5.0]
    x[-2:] = [6.0, 6.0]
    for lo, hi, r in ((0, n, 20), (1, n - 1, 1), (b - 5, 2 * b + 3, 40), (5000, n, 7)):
        want = local_peaks(x, lo, hi, 1.1, r).tolist()
        assert peaks_from_maxima(x, lo, hi, 1.1, r).tolist() == want
        assert local_maxima_peaks(x, lo, hi, 1.1, r, nan_free=True).tolist() == want
        assert local_maxima_peaks(x, lo, hi, 1.1, r).tolist() == want
        assert maxima_at_least(x, lo, hi, 1.1).tolist() == _maxima_ref(x, lo, hi, 1.1).tolist()


def _magnitudes(datasets_dir: Path) -> list[tuple[np.ndarray, float]]:
    from scipy.io import loadmat

    out = []
    usc = datasets_dir / "usc-had"
    if usc.is_dir():
        trials = [
            np.asarray(loadmat(usc / f"Subject3/a{a}t1.mat")["sensor_readings"])[:, :3]
            for a in range(1, 13)
        ]
        out.append((magnitude(np.concatenate(trials).astype(np.float64)), 100.0))
    sis = datasets_dir / "sisfall"
    if sis.is_dir():
        with np.load(sis / "SA02.npz") as z:
            keys = sorted(k for k in z.files if k.endswith("_R01"))
            acc = np.concatenate([z[k][:, :3] for k in keys]).astype(np.float64)
        out.append((magnitude(acc * SISFALL_G_PER_COUNT), 200.0))
    if not out:
        pytest.skip(f"neither USC-HAD nor SisFall found in {datasets_dir}")
    return out


@pytest.mark.datasets
def test_peaks_from_maxima_equal_local_peaks_on_real_recordings(datasets_dir: Path) -> None:
    for mag, fs in _magnitudes(datasets_dir):
        for thr, r_s in ((1.1, 0.1), (1.2, 0.25), (1.6, 0.05), (3.0, 1.0)):
            r = max(1, round(r_s * fs))
            want = local_peaks(mag, 0, mag.size, thr, r)
            assert want.size  # peaks to find
            assert peaks_from_maxima(mag, 0, mag.size, thr, r).tolist() == want.tolist()


@pytest.mark.datasets
def test_impacts_from_maxima_equal_the_gathered_screen_on_real_recordings(
    datasets_dir: Path,
) -> None:
    for mag, fs in _magnitudes(datasets_dir):
        acc = np.zeros((mag.size, 3))
        acc[:, 2] = mag  # the same ‖a‖
        want = None
        for sizes in ([10_000_000], [400, 130, 1000], [5000, 300]):
            ic = ImpactCounter(fs, None)
            got = [i for p in chunks(acc, sizes) for i in ic.feed(p)] + ic.flush()
            want = got if want is None else want
            assert got == want
        assert want


# rows of ±1e200 on purpose
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
def test_magnitude_finite_is_the_magnitude_and_its_finiteness() -> None:
    rng = np.random.default_rng(13)
    for n in (0, 1, 5, 16_384, 16_385, 40_000):
        acc = rng.normal(0.0, 2.0, (n, 3))
        mag, ok = _magnitude_blocks(acc, True)[:2]
        assert ok and mag.tobytes() == magnitude(acc).tobytes()
        for bad in (np.nan, np.inf, -np.inf, 1e200):  # 1e200: ‖a‖ overflows to +∞
            if n == 0:
                continue
            for at in {0, n // 2, n - 1}:
                a = acc.copy()
                a[at, at % 3] = bad
                mag, ok = _magnitude_blocks(a, True)[:2]
                assert not ok
                assert np.array_equal(mag, magnitude(a), equal_nan=True)
                checked, m = checked_with_magnitude(a, "test")
                assert np.array_equal(checked, check_acc(a, "test"))
                assert m.tobytes() == magnitude(check_acc(a, "test")).tobytes()


@pytest.mark.parametrize("k", [1, 7, 21, 50, 130])
def test_autocorr_rows_a_block_at_a_time_equal_each_row(k: int) -> None:
    rng = np.random.default_rng(k)
    t = np.arange(201)
    x = 1.0 + 0.3 * np.sin(2 * np.pi * t / rng.uniform(20, 45, (k, 1)))
    x = np.ascontiguousarray(x + rng.normal(0.0, 0.1, (k, 201)))
    x[k // 2] = 1.0  # a constant row: no denominator
    for lo, hi in ((25, 42), (25, 50), (2, 99)):
        rs, lags = autocorr_peak_rows(x, lo, hi)
        assert list(zip(rs, lags, strict=True)) == [autocorr_peak(row, lo, hi) for row in x]


class _OneByOneContexts(JumpDetector):
    _batch_contexts = False


def test_more_contexts_than_one_block_equal_one_by_one() -> None:
    fs = 100.0
    n_hops = 2 * _CONTEXT_ROWS + 23
    hops, _ = jumps_signal(fs, [0.3 + 0.01 * (k % 7) for k in range(n_hops)], gap_s=0.4)
    rot = np.linalg.qr(np.random.default_rng(8).normal(size=(3, 3)))[0]
    acc = hops @ rot.T + np.random.default_rng(9).normal(0, 0.05, hops.shape)

    def run(det: JumpDetector, parts: list[np.ndarray]) -> tuple[object, ...]:
        jumps = [j for p in parts for j in det.feed(p)] + det.flush()
        return jumps, det.running_strides, det.running_s, det.stepping_flights

    want = run(_RefJumps(fs, 16.0), [acc])
    ref = _RefJumps(fs, 16.0)
    n_jumps = len(ref.feed(acc) + ref.flush())
    assert n_jumps + ref.running_strides + ref.stepping_flights > 2 * _CONTEXT_ROWS
    assert run(_OneByOneContexts(fs, 16.0), [acc]) == want
    for sizes in SIZES:
        assert run(JumpDetector(fs, 16.0), chunks(acc, sizes)) == want


def _trunk(parts: list[np.ndarray], checked: bool) -> tuple[object, ...]:
    t = TrunkTracker()
    falls = t.start(200.0, 5.0)
    incl = []
    for p in parts:
        if checked:
            a, m = checked_with_magnitude(p, "test")
            falls += t.feed(a, m, checked=True)
        else:
            falls += t.feed(p)
        incl.append(t.inclination_deg)
    falls += t.end()
    return falls, incl, t.posture()


# a row of 1e200 on purpose (its ‖a‖ overflows; then ∞ − ∞)
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_trunk_fed_checked_rows_equals_checking_them() -> None:
    fs = 200.0
    walk = walking_signal(fs, 105.0, 120.0, seed=5)
    acc = with_blips(walk, fs, [10.0, 61.0, 100.5], 0.05, 7.0)
    acc[[300, 9000]] = (np.nan, np.inf, 0.0)  # non-finite rows: 1 g at rest
    acc[12_000] = (1e200, 0.0, 0.0)  # finite, but its ‖a‖ overflows
    for sizes in SIZES:
        parts = chunks(acc, sizes)
        assert _trunk(parts, checked=True) == _trunk(parts, checked=False)


def test_falls_from_maxima_equal_the_reference_on_a_long_signal() -> None:
    fs = 200.0
    walk = walking_signal(fs, 110.0, 400.0, seed=6)
    acc = with_blips(walk, fs, [float(t) for t in range(7, 395, 13)], 0.05, 6.0)

    class _Ref(FallDetector):
        _screen = False

    def run(det: FallDetector, parts: list[np.ndarray]) -> list[object]:
        return [*[f for p in parts for f in det.feed(p)], *det.flush(), det.candidates]

    want = run(_Ref(fs, keep_candidates=True), [acc])
    assert want[-1]  # candidates judged
    # long stretches (searched from the runs) mixed with live-sized ones
    for sizes in (*SIZES, [20_000, 7, 300], [17_000, 16_500], [100, 30_000, 2], [16_384]):
        assert run(FallDetector(fs, keep_candidates=True), chunks(acc, sizes)) == want


def test_peaks_of_runs_equal_local_peaks_of_the_filled_signal() -> None:
    rng = np.random.default_rng(14)
    for _ in range(400):
        n = int(rng.integers(1, 400))
        x = _random_signal(rng, n)
        off = rng.random(n) < rng.uniform(0.0, 0.9)  # off the runs: −∞
        x[off] = -np.inf
        on = ~off
        edges = np.flatnonzero(np.diff(np.concatenate(([False], on, [False])).astype(int)))
        starts, ends = edges[0::2], edges[1::2]
        if starts.size > 1 and rng.random() < 0.5:  # split a run: two runs that touch
            j = int(rng.integers(0, starts.size))
            if ends[j] - starts[j] > 1:
                mid = int(rng.integers(starts[j] + 1, ends[j]))
                starts = np.insert(starts, j + 1, mid)
                ends = np.insert(ends, j, mid)
        lo = int(rng.integers(0, n))
        hi = int(rng.integers(lo, n + 1))
        r = int(rng.integers(1, 30))
        thr = float(rng.choice([1.0, 1.1, 1.5]))
        got = maxima.peaks_of_runs(starts, ends, x[on], lo, hi, thr, r)
        assert got.tolist() == local_peaks(x, lo, hi, thr, r).tolist(), (x, lo, hi, r)
        t0, t1 = sorted(int(v) for v in rng.integers(0, n + 1, 2))
        dense = maxima.runs_dense(starts, ends, x[on], t0, t1)
        assert dense.tolist() == x[t0:t1].tolist()


@pytest.mark.parametrize("first", [20_000, 5000])
def test_a_candidate_just_after_a_chunk_sees_the_higher_value_r_before(first: int) -> None:
    # the search after the first chunk starts at s = first − h − r; a lower smoothed
    # peak at s (a spike) has, exactly r − 2 samples before it, the last smoothed
    # value above it (the end of a 5 g stretch): the dense values kept between chunks
    # (`FallDetector._search_runs`) must reach back that far, and no further is needed
    fs = 200.0
    det = FallDetector(fs)
    h, r = det._h, det._r
    s = first - h - r
    mag = np.ones(first + 30_000)
    c = s - r + 3  # smoothed ‖a‖ at s − r + 2: 5 − 4·8/17 = 3.12 g; at s − r + 3: 2.88 g
    mag[c - 300 : c] = 5.0
    mag[s + h] = 3.0 * (2 * h + 1) - 2 * h  # smoothed 3.0 g from s to s + 2h
    acc = np.zeros((mag.size, 3))
    acc[:, 2] = mag

    class _Ref(FallDetector):
        _screen = False

    def run(det: FallDetector, parts: list[np.ndarray]) -> list[object]:
        return [*[f for p in parts for f in det.feed(p)], *det.flush(), det.candidates]

    want = run(_Ref(fs, keep_candidates=True), [acc])
    assert want[-1]
    for sizes in ([first, 1000], [first, 7], [first, 20_000, 3000, 1], [first, 17_000]):
        assert run(FallDetector(fs, keep_candidates=True), chunks(acc, sizes)) == want


@pytest.mark.parametrize("seed", range(4))
def test_jumps_from_runs_of_long_chunks_equal_the_reference(seed: int) -> None:
    # long chunks (their smoothed ‖a‖ kept as runs and scanned laid side by side)
    # ending anywhere: inside a dip, a gap or a landing window, mixed with short ones;
    # noisy movement (seeds 0-2) and clean hops on still ground (seed 3: ‖a‖ far from
    # the threshold between flights, where only the runs are smoothed)
    from .test_acc_batch_forms import _dips

    if seed < 3:
        acc = _dips(seed, n=60_000)
    else:
        flights = [0.2 + 0.05 * (k % 7) for k in range(240)]
        acc, _ = jumps_signal(100.0, flights, gap_s=0.35)
        acc = acc + np.random.default_rng(seed).normal(0.0, 0.005, acc.shape)
    range_g = None if seed % 2 else 8.0

    def run(det: JumpDetector, parts: list[np.ndarray]) -> tuple[object, ...]:
        jumps = [j for p in parts for j in det.feed(p)] + det.flush()
        return jumps, det.running_strides, det.running_s, det.stepping_flights

    want = run(_RefJumps(100.0, range_g), [acc])
    assert want[0] or want[1] or want[3]
    rng = np.random.default_rng(seed)
    firsts = [int(f) for f in rng.integers(16_384, 40_000, 4)]
    # and ending inside a dip (a run still open) or just after one (landing to come)
    dips = [(a, b) for a, b in zip(*runs_below(magnitude(acc), 0.5), strict=True) if a > 17_000]
    for a, b in dips[:60:10]:
        firsts += [int(a) + 2, int(b) + 3, int(b) + 9]
    for sizes in (
        [20_000, 7, 300],
        [17_000, 16_500],
        [100, 30_000, 2],
        [16_384],
        *([f, int(rng.integers(1, 20_000))] for f in firsts),
    ):
        assert run(JumpDetector(100.0, range_g), chunks(acc, sizes)) == want, sizes


def test_compact_runs_keep_every_run_below_and_its_values() -> None:
    from osteomonitor.analysis.jump_scan import compact_runs

    rng = np.random.default_rng(16)
    for _ in range(300):
        n = int(rng.integers(1, 300))
        x = np.where(rng.random(n) < 0.5, rng.uniform(0.0, 1.0, n), np.inf)
        on = x < np.inf
        on |= rng.random(n) < 0.2  # exact values at or above the threshold too
        x = np.where(on & (x == np.inf), rng.uniform(0.7, 2.0, n), x)
        edges = np.flatnonzero(np.diff(np.concatenate(([False], on, [False])).astype(int)))
        starts, ends = edges[0::2], edges[1::2]
        if starts.size and rng.random() < 0.5:  # a run split in two that touch
            j = int(rng.integers(0, starts.size))
            if ends[j] - starts[j] > 1:
                mid = int(rng.integers(starts[j] + 1, ends[j]))
                starts, ends = np.insert(starts, j + 1, mid), np.insert(ends, j, mid)
        m, pos = compact_runs(starts, ends, x[on], np.inf)
        cs, ce = runs_below(m, 0.7)
        ws, we = runs_below(x, 0.7)
        assert pos.to_global(cs).tolist() == ws.tolist()
        assert (pos.to_global(ce - 1) + 1).tolist() == we.tolist()
        for a, b in zip(ws.tolist(), we.tolist(), strict=True):
            i = pos.at(a)
            assert m[i : pos.at(b - 1) + 1].tolist() == x[a:b].tolist()
            assert pos.many(np.array([a, b - 1])).tolist() == [i, pos.at(b - 1)]


@pytest.mark.parametrize("edge", ["none", "first", "last"])
def test_clipping_flags_from_windows_equal_the_reference(edge: str) -> None:
    from .test_acc_fast_paths import _ref_impacts

    rng = np.random.default_rng(17)
    n = 6000
    acc = rng.normal(0.0, 0.05, (n, 3))
    acc[:, 2] += 1.0
    peaks = np.arange(40, n - 40, 97)
    acc[peaks, 2] = rng.uniform(1.5, 3.0, peaks.size)
    # a clipped row just before or after the peak, the peak itself not clipped
    # (‖a‖ 8.5 g from two axes at 6 g; the clipped neighbour's ‖a‖ is lower)
    acc[peaks[::5]] = acc[peaks[2::5]] = acc[peaks[4::5]] = (6.0, 6.0, 0.0)
    acc[peaks[::5] - 1] = (7.9, 0.0, 0.0)
    acc[peaks[2::5] + 1] = (0.0, -7.9, 0.0)
    acc[peaks[3::5], 2] = 7.95  # the peak itself
    if edge == "first":
        acc[0] = (0.0, 0.0, 7.95)
    elif edge == "last":
        acc[-1] = (0.0, 7.9, 3.0)
    want = _ref_impacts(acc, 100.0, 8.0)
    assert sum(i.clipped for i in want) >= 20
    for sizes in ([10_000_000], [37], [3000, 500, 2100]):
        ic = ImpactCounter(100.0, 8.0)
        assert [i for p in chunks(acc, sizes) for i in ic.feed(p)] + ic.flush() == want


def test_block_sums_in_the_magnitude_pass_equal_block_sums() -> None:
    from osteomonitor.analysis.posture_blocks import block_sums
    from osteomonitor.analysis.screen import checked_with_block_sums

    rng = np.random.default_rng(18)
    for n in (0, 1, 19, 20, 21, 16_379, 16_380, 16_400, 50_003):
        acc = rng.normal(0.0, 3.0, (n, 3)) * rng.choice([1e-3, 1.0, 1e3], (n, 1))
        for b in (1, 7, 20, 40):
            a, mag, sums = checked_with_block_sums(acc, "test", b)
            assert sums is not None
            assert sums.tobytes() == block_sums(acc, b).tobytes()
            assert mag.tobytes() == magnitude(acc).tobytes() and a is not None
        a, mag, none = checked_with_block_sums(acc, "test", None)
        assert none is None and mag.tobytes() == magnitude(acc).tobytes()
    bad = rng.normal(0.0, 1.0, (30_000, 3))
    bad[20_000, 1] = np.nan
    a, mag, sums = checked_with_block_sums(bad, "test", 20)
    assert sums is None  # rows cleaned: the posture tracker sums them itself
    assert a.tobytes() == check_acc(bad, "test").tobytes()


def test_trunk_given_block_sums_equals_summing_itself() -> None:
    from osteomonitor.analysis.screen import checked_with_block_sums

    from .trunk_synth import bend_signal, transition_signal

    fs = 200.0
    # standing (the upright reference), bends, walking, a fall: posture samples throughout
    parts = [bend_signal(fs, 40.0 + 10 * k) for k in range(12)]
    parts.append(walking_signal(fs, 100.0, 60.0, seed=7))
    parts.append(transition_signal(fs, 85.0, seed=2)[0])
    parts += [bend_signal(fs, 70.0) for _ in range(6)]
    acc = np.concatenate(parts)
    for sizes in ([10_000_000], [20_000, 7, 30_000], [13, 40_000], [16_384, 401]):
        got, want = TrunkTracker(), TrunkTracker()
        falls_g, falls_w = got.start(fs, 1.0), want.start(fs, 1.0)
        for p in chunks(acc, sizes):
            b = got.aligned_block
            a, m, sums = checked_with_block_sums(p, "test", 20 if b is None else b)
            falls_g += got.feed(a, m, checked=True, sums=sums)  # (unaligned: ignored)
            falls_w += want.feed(a, m, checked=True)
            assert got.inclination_deg == want.inclination_deg
        assert want.inclination_deg is not None
        falls_g += got.end()
        falls_w += want.end()
        assert falls_g == falls_w and got.posture() == want.posture()
