"""The accelerometer detectors' fast paths give exactly what their reference forms give.

Fast paths (issue 15, batch speed): the screened smoothing of the jump and fall
detectors, the contexts of many jump candidates measured as arrays, the sparse peak
search of `ImpactCounter` (clipping judged at the peaks only), the step peaks taken from
the impact search (`ImpactCounter(wide=…)`), the step run rule and the live step-overlap
and impact-tally counters updated as arrays. References: the detectors with the fast
paths switched off (`_screen`, `_batch_contexts`), and below, the former whole-array
impact finder and the former one-peak-at-a-time step rule. Compared on synthetic and
random signals and on the real datasets (USC-HAD hip 100 Hz, SisFall waist 200 Hz),
fed at once and in several chunkings.
"""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np
import pytest

from osteomonitor.analysis.falls import FallDetector
from osteomonitor.analysis.impacts import ImpactCounter
from osteomonitor.analysis.jumps import JumpDetector
from osteomonitor.analysis.signal import check_acc, local_peaks, magnitude
from osteomonitor.analysis.steps import (
    FOOT_RATIO_MAX,
    MIN_RUN_STEPS,
    REGULARITY,
    RUN_INTERVAL_S,
    STEP_INTERVAL_S,
    STEP_MERGE_S,
    STEP_MIN_PEAK_G,
    StepCounter,
)
from osteomonitor.analysis.thresholds import CLIP_FRACTION, IMPACT_MERGE_S, IMPACT_MIN_PEAK_G
from osteomonitor.model import Impact, Jump
from osteomonitor.session.acc_track import AccTrack, _StepOverlap
from osteomonitor.session.impact_tally import ImpactTally

from .synth import chunks, jumps_signal, running_signal, walking_signal, with_blips

#: SisFall ADXL345: g = counts · 32 / 8192 (its Readme), 200 Hz, ±16 g.
SISFALL_G_PER_COUNT = 32 / 8192
#: Whole, live-sized (smoothed whole, peaks one by one) and long chunks mixed with short
#: ones (screened and not, arrays and loops, carrying state across).
CHUNKINGS = ([1_000_000], [37], [400, 13, 250], [1, 2, 3, 500], [3000, 500, 2100])
#: For the long real recordings: at once, and in live-sized chunks of uneven length.
LONG_CHUNKINGS = ([10_000_000], [400, 130, 1000], [5000, 300])


class _RefJumps(JumpDetector):
    _screen = False
    _batch_contexts = False


class _RefFalls(FallDetector):
    _screen = False


def _ref_impacts(acc: np.ndarray, fs: float, range_g: float | None) -> list[Impact]:
    """The former `ImpactCounter` over a whole signal: `local_peaks` on ‖a‖, the
    clipping flag of every sample."""
    a = check_acc(acc, "ref")
    mag = magnitude(a)
    r = max(1, round(IMPACT_MERGE_S * fs))
    lb = max(1, round(0.1 * fs))
    jj = local_peaks(mag, 0, mag.size, IMPACT_MIN_PEAK_G, r)
    if not jj.size:
        return []
    idx = jj[:, None] + np.arange(-lb, 1)
    pre = mag[np.maximum(idx, 0)]
    pre[idx < 0] = np.inf
    kmin = np.argmin(pre, axis=1)
    v = mag[jj]
    low = pre[np.arange(jj.size), kmin]
    rise = (v - low) * fs / np.maximum(1, lb - kmin)
    clip = np.zeros(a.shape[0], dtype=bool)
    if range_g is not None:
        clip = np.asarray((np.abs(a) >= CLIP_FRACTION * range_g).any(axis=1), dtype=bool)
    last = clip.shape[0] - 1
    clipped = clip[np.maximum(jj - 1, 0)] | clip[jj] | clip[np.minimum(jj + 1, last)]
    t = jj / fs
    return [
        Impact(*row)
        for row in zip(t.tolist(), v.tolist(), rise.tolist(), clipped.tolist(), strict=True)
    ]


class _RefRuns:
    """The former step run rule, one peak at a time (`StepCounter._take`)."""

    def __init__(self) -> None:
        self.run: list[float] = []
        self.counted = False
        self.start: float | None = None
        self.segments: list[tuple[float, float]] = []
        self.hist = np.zeros(241, dtype=np.int64)
        self.walking_s = 0.0

    def close(self) -> None:
        if self.counted and self.start is not None and self.run:
            self.segments.append((self.start, self.run[-1]))
        self.run, self.start, self.counted = [], None, False

    def take(self, times: list[float]) -> list[float]:
        out: list[float] = []
        lo, hi = STEP_INTERVAL_S
        for t in times:
            if self.run:
                dt = t - self.run[-1]
                run = self.run
                if len(run) >= 3:
                    ref = run[-2] - run[-3]
                    regular = abs(dt - ref) <= REGULARITY * ref
                elif len(run) == 2:
                    prev = run[-1] - run[-2]
                    regular = max(dt, prev) <= FOOT_RATIO_MAX * min(dt, prev)
                else:
                    regular = True
                if not (lo <= dt <= hi and regular):
                    self.close()
            if not self.run:
                self.run, self.start = [t], t
                continue
            self.run.append(t)
            new: list[float] = []
            if not self.counted and len(self.run) > MIN_RUN_STEPS:
                self.counted = True
                new = list(self.run)
                for k in range(1, len(new)):
                    self.interval(new[k] - new[k - 1], new[k - 2] if k >= 2 else None, new[k])
            elif self.counted:
                new = [t]
                self.interval(t - self.run[-2], self.run[-3], t)
            if self.counted:
                self.run = self.run[-3:]
            out.extend(new)
        return out

    def interval(self, dt: float, two_back: float | None, t: float) -> None:
        step = (t - two_back) / 2.0 if two_back is not None else dt
        if step >= RUN_INTERVAL_S:
            self.walking_s += dt
            self.hist[min(240, round(60.0 / step))] += 1


def _ref_steps(acc: np.ndarray, fs: float) -> tuple[list[float], _RefRuns]:
    mag = magnitude(check_acc(acc, "ref"))
    r = max(1, round(STEP_MERGE_S * fs))
    runs = _RefRuns()
    steps = runs.take((local_peaks(mag, 0, mag.size, STEP_MIN_PEAK_G, r) / fs).tolist())
    runs.close()
    return steps, runs


def _run_jumps(
    det: JumpDetector, parts: list[np.ndarray]
) -> tuple[list[Jump], tuple[int, float, int]]:
    jumps = [j for p in parts for j in det.feed(p)] + det.flush()
    return jumps, (det.running_strides, det.running_s, det.stepping_flights)


def _run_falls(det: FallDetector, parts: list[np.ndarray]) -> list[object]:
    falls = [f for p in parts for f in det.feed(p)] + det.flush()
    return [*falls, det.candidates]


def _assert_all_equal(
    acc: np.ndarray, fs: float, range_g: float | None, chunkings: tuple[list[int], ...] = CHUNKINGS
) -> None:
    """Every fast path against its reference on one signal, fed whole and chunked."""
    ref_peaks = _ref_impacts(acc, fs, range_g)
    ref_steps, ref_runs = _ref_steps(acc, fs)
    ref_jumps = _run_jumps(_RefJumps(fs, range_g), [acc])
    ref_falls = _run_falls(_RefFalls(fs, keep_candidates=True), [acc])
    for sizes in chunkings:
        parts = chunks(acc, sizes)
        ic = ImpactCounter(fs, range_g)
        assert [i for p in parts for i in ic.feed(p)] + ic.flush() == ref_peaks
        sc = StepCounter(fs)
        assert [t for p in parts for t in sc.feed(p)] + sc.flush() == ref_steps
        res = sc.result()
        assert res.walking_s == ref_runs.walking_s and res.segments_s == ref_runs.segments
        assert np.array_equal(sc._cad_hist, ref_runs.hist)
        # one search for both: the step peaks among the impact peaks
        both, wide = ImpactCounter(fs, range_g, wide=(STEP_MIN_PEAK_G, STEP_MERGE_S)), []
        got = []
        for p in parts:
            got += both.feed(p, magnitude(check_acc(p, "t")))
            wide += both.take_wide()
        got += both.flush()
        wide += both.take_wide()
        assert got == ref_peaks
        mag = magnitude(check_acc(acc, "t"))
        r = max(1, round(STEP_MERGE_S * fs))
        assert wide == (local_peaks(mag, 0, mag.size, STEP_MIN_PEAK_G, r) / fs).tolist()
        assert _run_jumps(JumpDetector(fs, range_g), parts) == ref_jumps
        assert _run_falls(FallDetector(fs, keep_candidates=True), parts) == ref_falls


@pytest.mark.parametrize("fs", [50.0, 100.0, 200.0])
def test_fast_paths_equal_references_on_synthetic_sessions(fs: float) -> None:
    hops, _ = jumps_signal(fs, [0.3, 0.35, 0.4, 0.3, 0.5, 0.25])
    walk = walking_signal(fs, 110.0, 40.0, seed=3)
    run = running_signal(fs, 0.33, 20.0, seed=4)
    acc = np.concatenate((walk, hops, run, hops, walk[: int(5 * fs)]))
    acc = with_blips(acc, fs, [3.0, 20.5, 41.0], 0.05, 7.0)  # hard knocks: falls' candidates
    _assert_all_equal(acc, fs, 8.0)


@pytest.mark.parametrize("seed", range(4))
def test_fast_paths_equal_references_on_random_signals(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 12_000
    # quiet stretches, bursts of movement, free falls and impacts, some clipped
    level = rng.choice([0.02, 0.3, 1.2], size=n // 200).repeat(200)
    acc = rng.normal(0.0, 1.0, (n, 3)) * level[:, None] + (0.0, 0.0, 1.0)
    for t in rng.integers(300, n - 300, 25):
        acc[t : t + int(rng.integers(10, 60))] *= 0.05  # near free fall
        acc[t + 60 : t + 63] = (0.0, 0.0, rng.uniform(2.0, 16.0))
    if seed == 1:
        acc[[50, 4000, 4001]] = (np.nan, np.inf, 0.0)  # non-finite rows: 1 g at rest
    _assert_all_equal(acc, 100.0, 8.0 if seed % 2 else None)


def test_many_candidates_due_together_equal_one_by_one() -> None:
    # a long hopping bout analysed at once: every context measured as arrays
    fs = 100.0
    hops, _ = jumps_signal(fs, [0.3 + 0.01 * (k % 7) for k in range(60)], gap_s=0.4)
    rot = np.linalg.qr(np.random.default_rng(5).normal(size=(3, 3)))[0]
    acc = hops @ rot.T + np.random.default_rng(6).normal(0, 0.05, hops.shape)
    fast = JumpDetector(fs, 16.0)
    ref = _RefJumps(fs, 16.0)
    assert _run_jumps(fast, [acc]) == _run_jumps(ref, [acc])
    assert fast.jumps_total + fast.running_strides + fast.stepping_flights > 30


def test_step_overlap_as_arrays_equals_one_step_at_a_time() -> None:
    rng = np.random.default_rng(7)
    times = np.cumsum(rng.uniform(0.2, 1.3, 400)).tolist()
    jumps = [Jump(t, t + 0.3, 0.3, 0.1, 3.0, 50.0) for t in times[::37]]
    one, many = _StepOverlap(), _StepOverlap()
    seen_one, seen_many = array("d"), array("d")
    i = 0
    for k, j in zip([1, 5, 40, 2, 100, 3, 70, 179], jumps, strict=False):
        for t in times[i : i + k]:
            seen_one.append(t)
            one.step(seen_one)
        seen_many.extend(times[i : i + k])
        many.steps(seen_many, len(times[i : i + k]))
        i += k
        one.jump(seen_one, j)
        many.jump(seen_many, j)
        assert many.inside == one.inside and many.n_inside == one.n_inside
        assert many.walking_inside_s == one.walking_inside_s
        assert many._credit == one._credit


def test_impact_tally_as_arrays_equals_one_peak_at_a_time() -> None:
    rng = np.random.default_rng(8)
    peaks = [
        Impact(float(t), float(v), float(s), bool(c))
        for t, v, s, c in zip(
            np.arange(3000) * 0.3,
            rng.gamma(2.0, 1.0, 3000) + 1.1,
            rng.uniform(0, 200, 3000),
            rng.random(3000) < 0.05,
            strict=True,
        )
    ]
    one, many = ImpactTally("vainionpaa", "hip"), ImpactTally("vainionpaa", "hip")
    for p in peaks:
        one.add([p])
    many.add(peaks[:10])  # the loop
    many.add(peaks[10:2000])  # arrays
    many.add(peaks[2000:])
    assert many.summary() == one.summary()


def test_acc_track_equals_the_reference_detectors() -> None:
    fs = 200.0
    hops, _ = jumps_signal(fs, [0.3, 0.35, 0.4, 0.3])
    acc = np.concatenate((walking_signal(fs, 110.0, 60.0, seed=2), hops))
    acc = with_blips(acc, fs, [10.0, 30.0], 0.05, 9.0)
    t = np.zeros(len(acc), dtype=np.int64)
    from osteomonitor.model import NS_PER_S, AccBlock

    t[-1] = int((len(acc) - 1) / fs * NS_PER_S)
    track = AccTrack("dev", "chest", origin_ns=0)
    track.feed(AccBlock("dev", t, acc, fs, 16.0))
    track.finish()
    steps, _ = _ref_steps(acc, fs)
    assert track.peaks == _ref_impacts(acc, fs, 16.0)
    assert list(track.step_times_s) == steps
    assert track.jumps == _run_jumps(_RefJumps(fs, 16.0), [acc])[0]
    assert track.trunk is not None
    ref_falls = _RefFalls(fs)
    falls = ref_falls.feed(acc) + ref_falls.flush()
    assert [f.t_s for f in track.trunk.falls] == [f.t_s for f in falls]


# ---------------------------------------------------------------- real recordings


@pytest.mark.datasets
def test_fast_paths_equal_references_on_usc_had(datasets_dir: Path) -> None:
    """Every activity of three subjects (walking, running, jumping, stairs, sitting…),
    one long hip signal per subject at 100 Hz."""
    from scipy.io import loadmat

    usc = datasets_dir / "usc-had"
    if not usc.is_dir():
        pytest.skip(f"USC-HAD not found at {usc}")
    for subj in (1, 5, 10):
        trials = [
            np.asarray(loadmat(usc / f"Subject{subj}/a{a}t1.mat")["sensor_readings"])[:, :3]
            for a in range(1, 13)
        ]
        _assert_all_equal(np.concatenate(trials).astype(np.float64), 100.0, 6.0, LONG_CHUNKINGS)


@pytest.mark.datasets
def test_fast_paths_equal_references_on_sisfall(datasets_dir: Path) -> None:
    """Falls and daily activities of a young and an older adult, one waist signal each
    (200 Hz, ±16 g)."""
    sis = datasets_dir / "sisfall"
    if not sis.is_dir():
        pytest.skip(f"SisFall not found at {sis}")
    for subject in ("SA01", "SE06"):
        with np.load(sis / f"{subject}.npz") as z:
            keys = sorted(k for k in z.files if k.endswith("_R01"))
            acc = np.concatenate([z[k][:, :3] for k in keys]).astype(np.float64)
        _assert_all_equal(acc * SISFALL_G_PER_COUNT, 200.0, 16.0, LONG_CHUNKINGS)
