"""The screened shortcuts (`analysis.screen`) give exactly what the whole-array forms
give: the detectors built on them stay equal to their reference forms bit for bit."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis import screen
from osteomonitor.analysis.impacts import wider_peaks
from osteomonitor.analysis.screen import (
    checked_with_magnitude,
    local_maxima_peaks,
    magnitude_blocked,
    moving_mean_runs,
    runs_below_fast,
    screened_moving_mean,
    true_runs,
)
from osteomonitor.analysis.signal import (
    check_acc,
    local_peaks,
    magnitude,
    moving_mean_valid,
    runs_below,
)

ties = st.lists(st.integers(0, 16), min_size=0, max_size=300).map(
    lambda v: np.asarray(v, dtype=float) / 8.0  # many ties, ‖a‖-like (≥ 0)
)
smooth = st.lists(st.floats(0.0, 4.0), min_size=1, max_size=400).map(np.asarray)


@settings(max_examples=120, deadline=None)
@given(x=ties, r=st.integers(1, 60), data=st.data())
def test_local_maxima_peaks_equal_local_peaks(x: np.ndarray, r: int, data: st.DataObject) -> None:
    lo = data.draw(st.integers(0, x.size))
    hi = data.draw(st.integers(lo, x.size))
    want = local_peaks(x, lo, hi, 1.0, r).tolist()
    saved, few, screen._SCREEN_FROM = screen._SCREEN_FROM, screen._FEW, 0
    try:
        for screen._FEW in (0, 1000):  # one offset at a time, whole windows at once
            assert local_maxima_peaks(x, lo, hi, 1.0, r).tolist() == want
    finally:
        screen._SCREEN_FROM, screen._FEW = saved, few


@settings(max_examples=80, deadline=None)
@given(x=ties, r=st.integers(1, 20), wide=st.integers(0, 40), thr=st.sampled_from([1.0, 1.25]))
def test_wider_peaks_equal_a_wide_search(x: np.ndarray, r: int, wide: int, thr: float) -> None:
    narrow = local_peaks(x, 0, x.size, 1.0, r)
    want = local_peaks(x, 0, x.size, thr, r + wide).tolist()
    few = screen._FEW
    try:
        for screen._FEW in (0, 1000):
            assert wider_peaks(x, narrow, thr, r + wide).tolist() == want
    finally:
        screen._FEW = few


def _edge_mean(x: np.ndarray, i: int, h: int, lo: int, hi: int) -> float:
    acc = x[min(max(i - h, lo), hi - 1)]
    for k in range(1 - h, h + 1):
        acc = acc + x[min(max(i + k, lo), hi - 1)]
    return float(acc / (2 * h + 1))


@settings(max_examples=60, deadline=None)
@given(x=smooth, h=st.integers(0, 9), data=st.data())
def test_moving_mean_runs_add_as_the_whole_array_form(
    x: np.ndarray, h: int, data: st.DataObject
) -> None:
    mask = np.asarray(data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size)))
    starts, ends = true_runs(mask)
    got = moving_mean_runs(x, starts, ends, h, 0, x.size)
    pos = np.flatnonzero(mask)
    assert got.tolist() == [_edge_mean(x, int(i), h, 0, x.size) for i in pos]
    if x.size > 2 * h:  # inside the signal: the same as `moving_mean_valid`
        full = moving_mean_valid(x, 2 * h + 1)
        inner = pos[(pos >= h) & (pos < x.size - h)]
        sel = np.isin(pos, inner)
        assert got[sel].tolist() == full[inner - h].tolist()


@settings(max_examples=80, deadline=None)
@given(x=smooth, h=st.integers(0, 9), above=st.floats(0.5, 3.5), below=st.floats(0.1, 2.0))
def test_screened_mean_is_exact_wherever_the_threshold_can_be_met(
    x: np.ndarray, h: int, above: float, below: float
) -> None:
    n = x.size
    full = np.array([_edge_mean(x, i, h, 0, n) for i in range(n)])
    for kw, fill in ((dict(keep_above=above), -np.inf), (dict(keep_below=below), np.inf)):
        got = _screened(x, 0, n, h, fill, **kw)
        exact = got != fill
        assert got[exact].tolist() == full[exact].tolist()
        if "keep_above" in kw:
            assert (full[~exact] < above).all()
        else:
            assert (full[~exact] >= below).all()


def _screened(
    x: np.ndarray,
    lo: int,
    hi: int,
    h: int,
    fill: float,
    keep_above: float | None = None,
    keep_below: float | None = None,
) -> np.ndarray:
    """`screened_moving_mean` with the screen on at any length (it smooths ranges shorter
    than `_SCREEN_FROM` whole)."""
    saved, screen._SCREEN_FROM = screen._SCREEN_FROM, 0
    try:
        return screened_moving_mean(
            x, lo, hi, h, 0, x.size, keep_above=keep_above, keep_below=keep_below, fill=fill
        )
    finally:
        screen._SCREEN_FROM = saved


def test_screened_mean_without_a_screen_hit_is_all_fill() -> None:
    x = np.ones(50)
    assert np.isinf(_screened(x, 0, 50, 3, -np.inf, keep_above=1.6)).all()
    x[20] = np.nan  # a non-finite sample: every position exact
    got = _screened(x, 10, 40, 3, -np.inf, keep_above=1.6)
    assert np.isnan(got[7:14]).all() and (got[:7] == 1.0).all()
    # a short range (a live chunk) is smoothed whole: exact everywhere
    y = np.ones(100)
    assert (screened_moving_mean(y, 3, 97, 3, 0, 100, keep_above=1.6, fill=-np.inf) == 1.0).all()


@settings(max_examples=80, deadline=None)
@given(x=smooth, thr=st.floats(0.0, 4.0))
def test_runs_below_fast_equals_runs_below(x: np.ndarray, thr: float) -> None:
    a, b = runs_below(x, thr)
    c, d = runs_below_fast(x, thr)
    assert a.tolist() == c.tolist() and b.tolist() == d.tolist()


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 40_000), seed=st.integers(0, 9), bad=st.booleans())
def test_magnitude_blocked_and_the_check_equal_the_plain_forms(
    n: int, seed: int, bad: bool
) -> None:
    rng = np.random.default_rng(seed)
    acc = rng.normal(size=(n, 3)) * 10 ** rng.uniform(-3, 3, (n, 1))
    if bad and n > 3:
        acc[[1, 2]] = (np.nan, np.inf, 0.0)  # cleaned to 1 g at rest by the check
    assert np.array_equal(magnitude_blocked(acc), magnitude(acc), equal_nan=True)
    got, mag = checked_with_magnitude(acc, "test")
    want = check_acc(acc, "test")
    assert got.tolist() == want.tolist() and mag.tolist() == magnitude(want).tolist()
