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
import numpy.typing as npt

from .signal import FloatArray, IndexArray


def ranges(starts: IndexArray, lengths: IndexArray) -> IndexArray:
    """Concatenated aranges [starts[j], starts[j] + lengths[j])."""
    heads = np.cumsum(lengths) - lengths
    out: IndexArray = np.arange(int(lengths.sum())) + np.repeat(starts - heads, lengths)
    return out


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
    return _beating_the_others(c, v, keep, lo, hi, r)


def _beating_the_others(
    pos: IndexArray, v: FloatArray, keep: npt.NDArray[np.bool_], lo: int, hi: int, r: int
) -> IndexArray:
    """The maxima at positions `pos` (in order, values `v`) in [lo, hi) that `keep`
    holds and that beat every other maximum within ± r: strictly above an earlier one,
    not below a later one (`keep` is narrowed in place)."""
    for k in range(1, r + 1):  # the maxima k places apart in the list, while any is near
        near = (pos[k:] - pos[:-k]) <= r
        if not near.any():
            break
        keep[k:] &= ~near | (v[k:] > v[:-k])  # strictly above the earlier one
        keep[:-k] &= ~near | (v[:-k] >= v[k:])  # not below the later one
    i0, i1 = np.searchsorted(pos, [lo, hi])
    out: IndexArray = pos[i0:i1][keep[i0:i1]]
    return out


def peaks_of_runs(
    starts: IndexArray,
    ends: IndexArray,
    values: FloatArray,
    lo: int,
    hi: int,
    threshold: float,
    r: int,
) -> IndexArray:
    """`peaks_from_maxima` of a signal known only on the runs [starts[j], ends[j])
    (in order, disjoint, possibly touching; `values` their samples side by side) and
    −∞ everywhere else: the peaks in [lo, hi), as positions of that signal.

    The runs are laid side by side with a −∞ after each: a sample at a run's edge may
    then count as a maximum where its true neighbour would not let it, which only adds
    a real sample of the window to the comparisons (never removes a maximum: a −∞
    neighbour makes both of its tests easier). The window tests use the runs' positions.
    A smoothed ‖a‖ computed only where it can reach a threshold (`screen.
    screened_mean_runs`) is searched this way without a full-length array of fills.
    """
    if not starts.size or hi <= lo:
        return np.empty(0, dtype=np.intp)
    lengths = ends - starts
    off = np.cumsum(lengths + 1) - (lengths + 1)  # each run's first slot
    head = np.cumsum(lengths) - lengths  # each run's first value in `values`
    y = np.full(int(off[-1] + lengths[-1] + 1), -np.inf)
    y[ranges(off, lengths)] = values
    c = maxima_at_least(y, 0, y.shape[0], threshold)
    k = np.searchsorted(off, c, side="right") - 1  # the run of each maximum
    g: IndexArray = starts[k] + (c - off[k])  # its position
    sel = (g >= lo - r) & (g < hi + r)
    g, v = g[sel], y[c[sel]]
    if not g.size:
        return g

    def at(q: IndexArray) -> FloatArray:
        """The signal at positions q (−∞ off the runs)."""
        j = np.searchsorted(starts, q, side="right") - 1
        jc = np.maximum(j, 0)
        inside = (j >= 0) & (q < ends[jc])
        out: FloatArray = np.where(
            inside, values[np.where(inside, head[jc] + q - starts[jc], 0)], -np.inf
        )
        return out

    keep = v > at(g - r)
    keep &= v >= at(g + r)
    return _beating_the_others(g, v, keep, lo, hi, r)


def runs_dense(
    starts: IndexArray,
    ends: IndexArray,
    values: FloatArray,
    t0: int,
    t1: int,
    fill: float = -np.inf,
) -> FloatArray:
    """The signal of `peaks_of_runs` (the runs' values, `fill` elsewhere) over [t0, t1),
    as an array (a short stretch: the part a later search still reads)."""
    out = np.full(max(0, t1 - t0), fill)
    head = np.cumsum(ends - starts) - (ends - starts)
    for j in range(int(np.searchsorted(ends, t0, side="right")), starts.size):
        s, e = int(starts[j]), int(ends[j])
        if s >= t1:
            break
        a, b = max(s, t0), min(e, t1)
        out[a - t0 : b - t0] = values[int(head[j]) + a - s : int(head[j]) + b - s]
    return out
