"""Exact signal primitives: sliding maximum, local peaks, rolling quantiles.

Each fast form is checked against the obvious slow definition; equality is exact
because streaming == batch relies on each value not depending on where it is computed.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.rr_stats import padded, quantiles_at
from osteomonitor.analysis.signal import local_peaks, window_max

values = st.lists(st.integers(-20, 20), min_size=0, max_size=200).map(
    lambda v: np.asarray(v, dtype=float) / 4.0  # many ties
)


@settings(max_examples=80, deadline=None)
@given(x=values, width=st.integers(1, 70))
def test_window_max_is_the_sliding_maximum(x: np.ndarray, width: int) -> None:
    want = [max(x[s : s + width]) for s in range(x.size - width + 1)]
    assert window_max(x, width).tolist() == want


@settings(max_examples=80, deadline=None)
@given(x=values, r=st.integers(1, 30), data=st.data())
def test_local_peaks_follow_the_definition(x: np.ndarray, r: int, data: st.DataObject) -> None:
    lo = data.draw(st.integers(0, x.size))
    hi = data.draw(st.integers(lo, x.size))
    want = [
        i
        for i in range(lo, hi)
        if x[i] >= 1.0
        and all(x[i] > v for v in x[max(0, i - r) : i])
        and all(x[i] >= v for v in x[i + 1 : i + r + 1])
    ]
    assert local_peaks(x, lo, hi, 1.0, r).tolist() == want


@settings(max_examples=60, deadline=None)
@given(
    x=st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=150).map(np.asarray),
    width=st.sampled_from([1, 2, 5, 10, 11, 91]),
)
def test_rolling_quantiles_equal_numpy_per_window(x: np.ndarray, width: int) -> None:
    h = width // 2
    windows = [x[max(0, i - h) : i + width - h] for i in range(x.size)]
    med = np.array([np.quantile(w, 0.5) for w in windows])
    quart = np.array([np.quantile(w, [0.25, 0.75]) for w in windows]).T
    p = np.arange(x.size)
    lo, hi = np.maximum(0, p - h), np.minimum(x.size, p - h + width)
    assert np.array_equal(quantiles_at(padded(x), lo, hi, p, (0.5,))[0], med)
    assert np.array_equal(quantiles_at(padded(x), lo, hi, p, (0.25, 0.75)), quart)
