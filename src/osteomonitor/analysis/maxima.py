"""Peaks of a long NaN-free signal found from its local maxima alone (`screen.local_maxima_peaks`).

A peak of radius r at i (x[i] ≥ T, x[i] > max(x[i−r:i]), x[i] ≥ max(x[i+1:i+r+1]),
outside `x` read as −∞) can only be beaten by a sample of its window; the first
largest sample of the window is either the window's far end (i − r or i + r) or a
"maximum": x[j] > x[j−1] and x[j] ≥ x[j+1]. If that sample beats x[i] it is ≥ T, so
it is one of the maxima at or above T. Hence i is a peak exactly when it is a maximum
≥ T, beats the far ends of its window, and beats every other maximum ≥ T within ± r.

So the whole signal is read once, a cache-sized block at a time, for its maxima ≥ T
(a few % of the samples), and the window tests run on those compact arrays plus two
samples per maximum. For ‖a‖ of three hours at 200 Hz (57 000 maxima ≥ 1.1 g) this
took ~10 ms instead of ~20 ms for the screen that gathers every candidate's
neighbours from the whole signal. The argument needs a total order: NaN is not allowed
(±∞ are).
"""

from __future__ import annotations

import numpy as np

from .signal import FloatArray, IndexArray

#: `maxima_at_least` compares this many samples at a time (128 KB of float64: the
#: comparisons and their masks stay in a core's L2 cache).
_BLOCK = 16_384


def maxima_at_least(x: FloatArray, lo: int, hi: int, threshold: float) -> IndexArray:
    """Indices j in [lo, hi) with x[j] ≥ threshold, x[j] > x[j − 1] and x[j] ≥ x[j + 1]
    (neighbours outside `x` are −∞), in order. `x` must hold no NaN."""
    n = x.shape[0]
    lo, hi = max(0, lo), min(n, hi)
    if hi <= lo:
        return np.empty(0, dtype=np.intp)
    ok = np.empty(min(_BLOCK, hi - lo), dtype=bool)
    tmp = np.empty_like(ok)
    parts = []
    for s in range(lo, hi, _BLOCK):
        e = min(s + _BLOCK, hi)
        c, o, t = x[s:e], ok[: e - s], tmp[: e - s]
        np.greater_equal(c, threshold, out=o)
        if s > 0:
            np.greater(c, x[s - 1 : e - 1], out=t)
            o &= t
        else:  # x[−1] is −∞: the first sample rises
            np.greater(c[1:], c[:-1], out=t[1:])
            o[1:] &= t[1:]
        if e < n:
            np.greater_equal(c, x[s + 1 : e + 1], out=t)
            o &= t
        else:  # x[n] is −∞: the last sample does not fall short of it
            np.greater_equal(c[:-1], c[1:], out=t[:-1])
            o[:-1] &= t[:-1]
        parts.append(np.flatnonzero(o) + s)
    out: IndexArray = np.concatenate(parts) if len(parts) > 1 else parts[0]
    return out


def peaks_from_maxima(x: FloatArray, lo: int, hi: int, threshold: float, r: int) -> IndexArray:
    """`signal.local_peaks(x, lo, hi, threshold, r)` for NaN-free `x` (see the module's
    docstring for why the maxima ≥ threshold within [lo − r, hi + r) decide it)."""
    n = x.shape[0]
    c = maxima_at_least(x, lo - r, hi + r, threshold)
    if not c.size:
        return c
    v = x[c]
    a, b = c - r, c + r  # the window's far ends
    keep = (a < 0) | (v > x[np.maximum(a, 0)])
    keep &= (b >= n) | (v >= x[np.minimum(b, n - 1)])
    for k in range(1, r + 1):  # the maxima k places apart in the list, while any is near
        near = (c[k:] - c[:-k]) <= r
        if not near.any():
            break
        keep[k:] &= ~near | (v[k:] > v[:-k])  # strictly above the earlier one
        keep[:-k] &= ~near | (v[:-k] >= v[k:])  # not below the later one
    i0, i1 = np.searchsorted(c, [lo, hi])
    out: IndexArray = c[i0:i1][keep[i0:i1]]
    return out
