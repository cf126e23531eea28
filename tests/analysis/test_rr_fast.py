"""The batched RR correction gives exactly what the window-by-window reference gives.

`rr_reference.py` is the implementation before issue 15 (one window classified at a
time, every beat's 91-beat window sorted). The fast one classifies a pass's windows
together, bounds the threshold before computing it, and takes over values from the
previous pass where a window did not change; none of that may change one bit.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.heart_rate import build_hr_series
from osteomonitor.analysis.rr import BLOCK_BEATS, CONTEXT_BEATS, RrCorrector, correct_rr
from osteomonitor.analysis.rr_classify import classify_many
from osteomonitor.analysis.rr_stats import (
    KUBIOS_MEDIAN_WINDOW,
    MEDIAN_11_NETWORK,
    median_11,
    padded,
    threshold_at,
    threshold_floor,
)

from . import rr_reference as ref

DATA = Path(os.environ.get("OSTEOMONITOR_SHARED", Path(__file__).resolve().parents[3] / "shared"))
DATASETS = DATA / "datasets"


def noisy_rr(n: int, seed: int, rate: float = 0.03, quantised: bool = False) -> np.ndarray:
    """RR (ms) with a slow drift, beat noise and `rate` artifacts of every kind."""
    rng = np.random.default_rng(seed)
    x = 800 + np.cumsum(rng.normal(0, 5, n)) * 0.1 + rng.normal(0, 20, n)
    bad = rng.random(n) < rate
    x[bad] *= rng.choice([0.05, 0.4, 0.5, 1.5, 1.9, 3.0], bad.sum())
    if quantised:  # H10 RR come in 1/1024 s: many equal values and dRR
        x = np.round(x * 1.024) / 1.024
    return x


def assert_same(x: np.ndarray) -> None:
    want = ref.correct_rr(x)
    got = correct_rr(x)
    np.testing.assert_array_equal(got.rr_ms_corrected, want.rr_ms_corrected)
    assert got.kinds.tolist() == want.kinds.tolist()
    assert got.kinds.dtype == want.kinds.dtype
    assert got.n_artifacts == want.n_artifacts
    np.testing.assert_array_equal(got.artifact_mask, want.artifact_mask)


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.sampled_from([0, 1, 3, 4, 5, 50, 90, 91, 92, 319, 320, 321, 700, 1500]),
    rate=st.sampled_from([0.0, 0.01, 0.05, 0.2]),
    quantised=st.booleans(),
)
def test_fast_correction_equals_the_reference(
    seed: int, n: int, rate: float, quantised: bool
) -> None:
    assert_same(noisy_rr(n, seed, rate, quantised))


def test_fast_correction_equals_the_reference_on_awkward_series() -> None:
    rng = np.random.default_rng(7)
    assert_same(np.full(900, 800.0))  # every dRR 0: thresholds ε
    assert_same(np.tile([600.0, 1200.0], 400))  # alternating: every beat flagged
    x = noisy_rr(1200, 3)
    x[rng.random(1200) < 0.05] = np.nan  # dropped as implausible, like out-of-range values
    x[[10, 500, 501]] = [5000.0, 100.0, -3.0]
    assert_same(x)
    assert_same(np.round(rng.uniform(300, 2000, 1000)))  # no rhythm at all


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 1000), cuts=st.lists(st.integers(1, 400), min_size=1, max_size=8))
def test_streaming_in_any_chunks_equals_the_reference(seed: int, cuts: list[int]) -> None:
    x = noisy_rr(1400, seed, 0.04)
    want = ref.correct_rr(x)
    c, outs, kinds, i = RrCorrector(), [], [], 0
    for k in itertools.cycle(cuts):
        if i >= x.size:
            break
        o, kk = c.feed(x[i : i + k])
        outs.append(o)
        kinds += kk
        i += k
    o, kk = c.flush()
    np.testing.assert_array_equal(np.concatenate([*outs, o]), want.rr_ms_corrected)
    assert kinds + kk == want.kinds.tolist()
    assert (c.rr_count, c.n_artifacts) == (x.size, want.n_artifacts)


def test_a_copy_flushed_midway_equals_the_reference_prefix() -> None:
    """The live snapshot flushes a copy of the corrector: the prefix's exact answer."""
    import copy

    x = noisy_rr(1000, 11, 0.04)
    c = RrCorrector()
    got_out, got_kinds = [], []
    for i in range(0, 1000, 37):
        o, k = c.feed(x[i : i + 37])
        got_out.append(o)
        got_kinds += k
        if i % 5 == 0:
            o2, k2 = copy.deepcopy(c).flush()
            want = ref.correct_rr(x[: i + 37])
            np.testing.assert_array_equal(np.concatenate([*got_out, o2]), want.rr_ms_corrected)
            assert got_kinds + k2 == want.kinds.tolist()


def test_windows_classified_together_equal_one_by_one() -> None:
    rng = np.random.default_rng(5)
    windows = [
        np.concatenate(([0.0], np.cumsum(noisy_rr(int(m), int(s), 0.05))))
        for m, s in zip(rng.integers(0, 400, 12), rng.integers(0, 99, 12), strict=True)
    ]
    arts, _ = classify_many(windows)
    for w, art in zip(windows, arts, strict=True):
        assert art == ref._classify(w)


@settings(max_examples=40, deadline=None)
@given(
    x=st.lists(st.integers(0, 30), min_size=4, max_size=300).map(
        lambda v: np.asarray(v, dtype=float) * 3.5  # many ties
    ),
    cut=st.integers(0, 300),
)
def test_the_threshold_floor_is_below_the_threshold(x: np.ndarray, cut: int) -> None:
    n = x.size
    cut = min(cut, n)
    s = np.where(np.arange(n) < cut, 0, cut)  # two windows laid end to end
    e = np.where(np.arange(n) < cut, cut, n)
    p = np.arange(n)
    lo, hi = np.maximum(s, p - 45), np.minimum(e, p + 46)
    pos, floor = threshold_floor(padded(x), s, lo, hi, p)
    assert sorted(pos.tolist()) == p.tolist()
    assert np.all(floor <= threshold_at(padded(x), lo, hi, pos))


def test_the_median_network_selects_the_median() -> None:
    # 0-1 principle: a comparator network that selects rank k from every 0/1 input does
    # so from every input
    for bits in itertools.product((0.0, 1.0), repeat=KUBIOS_MEDIAN_WINDOW):
        v = list(bits)
        for i, j in MEDIAN_11_NETWORK:
            v[i], v[j] = min(v[i], v[j]), max(v[i], v[j])
        assert v[5] == sorted(bits)[5]
    x = np.random.default_rng(2).normal(size=500)
    lo = np.arange(x.size - 10)
    want = [np.quantile(x[i : i + 11], 0.5) for i in lo]
    np.testing.assert_array_equal(median_11(padded(x), lo), want)


def _notifications(
    seed: int, n: int
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, ...]], np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.uniform(0.9, 1.1, n))
    hr = 70 + 30 * np.sin(np.arange(n) / 200)
    rr = []
    for h in hr:
        k = int(rng.choice([0, 1, 1, 1, 2]))
        beats = [round((60000.0 / h + rng.normal(0, 15)) * 1.024) for _ in range(k)]
        if beats and rng.random() < 0.03:
            beats[0] = round(beats[0] * rng.choice([0.4, 1.9, 3.0]))
        rr.append(tuple(beats))
    contact = np.where(rng.random(n) < 0.01, 0, 1).astype(np.int8)
    return t, np.round(hr), rr, contact


@pytest.mark.parametrize("seed", [0, 1])
def test_hr_series_equals_the_reference_build(seed: int) -> None:
    t, hr, rr, contact = _notifications(seed, 2400)
    want = ref.build_hr_series_reference(t, hr, rr, contact, earliest_s=-5.0)
    got = build_hr_series(t, hr, rr, contact, earliest_s=-5.0)
    for f in ("t_s", "hr_bpm", "valid", "from_rr"):
        a, b = getattr(got, f), getattr(want, f)
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    assert (got.rr_count, got.rr_artifacts) == (want.rr_count, want.rr_artifacts)


def _real_rr() -> list[tuple[str, np.ndarray]]:
    out = []
    mmash = DATASETS / "mmash" / "subject_1" / "heartbeats.txt"
    if mmash.exists():
        ibi = np.loadtxt(mmash, delimiter=",", skiprows=1, usecols=[2]) * 1000.0
        out.append(("mmash subject 1, 6 h", ibi[: 6 * 3600]))
    vu = DATASETS / "wearablehrv" / "test_vu.txt"
    if vu.exists():
        ibi = np.loadtxt(vu, skiprows=2, usecols=[2], dtype=float)
        out.append(("wearablehrv chest ECG", ibi[1:]))
    return out


def test_fast_correction_equals_the_reference_on_real_rr() -> None:
    real = _real_rr()
    if not real:
        pytest.skip(f"real RR data not found under {DATASETS} (../shared/datasets)")
    for _name, x in real:
        assert x.size > BLOCK_BEATS + CONTEXT_BEATS
        assert_same(x)


def _visited_one_by_one(f: list[int], s: list[int], step: list[int]) -> list[bool]:
    """The walk's visits as the reference decides them, beat by beat."""
    visit, i_next, cur = [], -1, -1
    for i, w, k in zip(f, s, step, strict=True):
        if w != cur:
            cur, i_next = w, -1
        if i < i_next:
            visit.append(False)  # stepped over as the second beat of a candidate pair
            continue
        visit.append(True)
        i_next = i + k
    return visit


@settings(max_examples=60, deadline=None)
@given(
    gaps=st.lists(st.sampled_from([1, 1, 1, 2, 3, 7]), min_size=0, max_size=120),
    two=st.lists(st.booleans(), min_size=120, max_size=120),
    cuts=st.sets(st.integers(1, 119), max_size=4),
)
def test_the_walks_visits_as_arrays_equal_one_by_one(
    gaps: list[int], two: list[bool], cuts: set[int]
) -> None:
    from osteomonitor.analysis.rr_classify import _visited

    f = np.cumsum([0, *gaps]).astype(np.intp)  # flagged beats, ascending, many neighbours
    s = np.zeros(f.size, np.intp)
    for c in sorted(cuts):  # windows laid end to end: a new start from beat c on
        s[c:] = f[c] if c < f.size else 0
    steps = np.where(np.asarray(two[: f.size]), 2, 1)
    got = _visited(f, s, steps == 2)
    assert got.dtype == np.bool_
    assert got.tolist() == _visited_one_by_one(f.tolist(), s.tolist(), steps.tolist())


def test_sliding_views_equal_as_strided() -> None:
    from osteomonitor.analysis.rr_stats import _view

    x = np.random.default_rng(3).normal(size=300)
    inputs: list[np.ndarray] = [x, x[5:], x[::2], x.astype(np.float32)]
    for arr in inputs:
        for width in (1, 11, 91):
            want = np.lib.stride_tricks.sliding_window_view(arr, width)
            got = _view(arr, width)
            np.testing.assert_array_equal(got, want)
            assert not got.flags.writeable


def test_hr_series_where_every_notification_lays_beats_equals_the_reference() -> None:
    """Every notification with RR and contact: the beats are laid from the RR lists as
    given (no selection); still the reference's series."""
    t, hr, rr, _ = _notifications(4, 1500)
    rr = [r if r else (round(60000.0 / h * 1.024),) for r, h in zip(rr, hr, strict=True)]
    contact = np.ones(t.size, np.int8)
    want = ref.build_hr_series_reference(t, hr, rr, contact, earliest_s=-5.0)
    got = build_hr_series(t, hr, rr, contact, earliest_s=-5.0)
    for f in ("t_s", "hr_bpm", "valid", "from_rr"):
        np.testing.assert_array_equal(getattr(got, f), getattr(want, f))
    assert (got.rr_count, got.rr_artifacts) == (want.rr_count, want.rr_artifacts)


@pytest.mark.parametrize("floor_from", [0, 300, 10**9])
def test_floors_or_exact_thresholds_everywhere_classify_alike(
    floor_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a pass bounds thresholds first (`threshold_floor`) or takes every walked
    beat's exact threshold (`FLOOR_FROM`) changes no artifact, no corrected interval."""
    import osteomonitor.analysis.rr_classify as rc

    monkeypatch.setattr(rc, "FLOOR_FROM", floor_from)
    rng = np.random.default_rng(floor_from % 97)
    windows = [
        np.concatenate(([0.0], np.cumsum(noisy_rr(int(m), int(s), 0.05, bool(s % 2)))))
        for m, s in zip(rng.integers(0, 400, 10), rng.integers(0, 99, 10), strict=True)
    ]
    arts, _ = classify_many(windows)
    for w, art in zip(windows, arts, strict=True):
        assert art == ref._classify(w)
    for seed in range(3):
        assert_same(noisy_rr(1300, seed, 0.05, quantised=seed == 1))


def test_sorted_quantiles_equal_numpys_for_any_length_and_quantile() -> None:
    """Rows of one value (the virtual index at the last value) and of many, every
    quantile from 0 to 1: numpy's "linear" values, bit for bit."""
    from osteomonitor.analysis.rr_stats import sorted_quantiles

    rng = np.random.default_rng(12)
    qs = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0])
    for lengths in ([1, 1, 1], [1, 2, 5, 91], [4, 46, 90, 91], list(range(2, 40))):
        length = np.asarray(lengths, dtype=np.intp)
        rows = np.sort(np.round(rng.normal(0, 30, (length.size, 91))), axis=1)
        rows[np.arange(91) >= length[:, None]] = np.inf
        rows.sort(axis=1)
        for q_set in (qs, qs[1:-1], qs[:1], qs[-1:]):
            got = sorted_quantiles(rows, length, q_set)
            want = np.array(
                [[np.quantile(r[:L], q) for r, L in zip(rows, length, strict=True)] for q in q_set]
            )
            assert got.tobytes() == want.tobytes()


def test_live_flushes_equal_the_reference_prefix_on_real_rr() -> None:
    """The live snapshot's flush (one open block: exact thresholds, no floors) on real RR,
    every ~100 beats: the reference's answer for the beats so far."""
    import copy

    real = _real_rr()
    if not real:
        pytest.skip(f"real RR data not found under {DATASETS} (../shared/datasets)")
    x = real[0][1][:1400]
    c = RrCorrector()
    out: list[np.ndarray] = []
    kinds: list[str] = []
    for i in range(0, x.size, 97):
        o, k = c.feed(x[i : i + 97])
        out.append(o)
        kinds += k
        o2, k2 = copy.deepcopy(c).flush()
        want = ref.correct_rr(x[: i + 97])
        np.testing.assert_array_equal(np.concatenate([*out, o2]), want.rr_ms_corrected)
        assert kinds + k2 == want.kinds.tolist()
