"""Rolling window statistics of the RR classification, exactly as numpy computes them.

Lipponen JA, Tarvainen MP. J Med Eng Technol 2019;43:173 (constants below). The
classification (`rr_classify`) normalises dRR and mRR by α × the quartile deviation over
a centred 91-beat window and compares RR with its 11-beat median; every window shrinks at
the ends of its series. The values here equal `np.quantile` (method "linear") over each
window bit for bit:

- `quantiles_at` / `threshold_at`: the windows of chosen positions, each sorted (full
  91-beat windows read numpy's one virtual index per quartile);
- `threshold_floor`: a certain lower bound of the threshold at every position, from
  one sorted core per `BOUND_CHUNK` positions (no exact threshold is needed where |dRR|
  is below it);
- `median_11`: the 11-beat median by a selection network (min/max on whole columns).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .signal import FloatArray

#: Lipponen & Tarvainen 2019 constants.
KUBIOS_ALPHA = 5.2
KUBIOS_C1 = 0.13
KUBIOS_C2 = 0.17
KUBIOS_QD_WINDOW = 91
KUBIOS_MEDIAN_WINDOW = 11
#: Positions per chunk sharing one sorted core for the threshold's lower bound (design
#: choice: 8 keeps the core ≥ 84 of 91 beats, so the bound sits close to the threshold
#: while sorting 1/8 as many rows; 4, 12, 16 and 24 measured no faster).
BOUND_CHUNK = 8

IntArray = npt.NDArray[np.intp]


def sorted_quantiles(rows: FloatArray, length: IntArray, qs: FloatArray) -> FloatArray:
    """Quantiles `qs` of each sorted row's first `length` values: (len(qs), len(rows)).

    numpy's "linear" method step by step: virtual index (L − 1)·q, neighbours floor and
    floor + 1 (the last value when at or past it), then numpy's `_lerp`: a + (b − a)·γ,
    or b − (b − a)·(1 − γ) when γ ≥ 0.5.
    """
    last = length - 1
    vi = last[None, :] * qs[:, None]
    above = vi >= last[None, :]
    prev = np.floor(vi)
    if not above.any():  # (every window here: q < 1 and two values or more)
        pi = prev.astype(np.intp)
        ni = pi + 1
        gamma = vi - prev
    else:
        pi = np.where(above, last[None, :], prev).astype(np.intp)
        ni = np.where(above, last[None, :], prev + 1).astype(np.intp)
        gamma = vi - np.where(above, -1.0, prev)
    r = np.arange(rows.shape[0])[None, :]
    a, b = rows[r, pi], rows[r, ni]
    diff = b - a
    res = a + diff * gamma
    return np.asarray(np.where(gamma >= 0.5, b - diff * (1 - gamma), res), dtype=np.float64)


def padded(x: FloatArray) -> FloatArray:
    """x followed by `KUBIOS_QD_WINDOW` +∞ (what the window functions below read)."""
    return np.concatenate((x, np.full(KUBIOS_QD_WINDOW, np.inf)))


def _view(x: FloatArray, width: int) -> FloatArray:
    """Read-only (len(x) − width + 1, width) view of x's sliding windows.

    Made by the ndarray constructor over x's buffer when x is contiguous (a microsecond;
    `as_strided` takes about ten, and each pass of the classification makes ~10 views)."""
    step = x.strides[0]
    shape = (x.size - width + 1, width)
    if x.flags.c_contiguous and x.dtype == np.float64:
        v: FloatArray = np.ndarray(shape, np.float64, x, 0, (step, step))
        v.flags.writeable = False
        return v
    return np.lib.stride_tricks.as_strided(x, shape, (step, step), writeable=False)


def _rows(xp: FloatArray, lo: IntArray, length: IntArray, width: int) -> FloatArray:
    """Rows xp[lo:lo + length], +∞ beyond each length, `width` wide (a gathered copy);
    `xp` is `padded`."""
    if not lo.size:
        return np.empty((0, width))
    rows = _view(xp, width)[lo]
    if int(length.min()) < width:
        rows[np.arange(width) >= length[:, None]] = np.inf
    return rows


def quantiles_at(
    xp: FloatArray, lo: IntArray, hi: IntArray, pos: IntArray, qs: Sequence[float]
) -> FloatArray:
    """Quantiles `qs` ("linear", as `np.quantile`) of xp[lo[p]:hi[p]] for each p in
    `pos`: (len(qs), len(pos)). Each window is sorted on its own; `xp` is `padded`."""
    q = np.asarray(qs, dtype=float)
    if not pos.size:
        return np.empty((q.size, 0))
    length = hi[pos] - lo[pos]
    rows = _rows(xp, lo[pos], length, int(length.max()))
    rows.sort(axis=1)
    return sorted_quantiles(rows, length, q)


def _full_quantile(rows: FloatArray, q: float) -> FloatArray:
    """`sorted_quantiles` of full sorted rows, whose index and γ are one for all rows."""
    vi = (rows.shape[1] - 1) * q
    k = int(np.floor(vi))
    gamma = vi - k
    a, b = rows[:, k], rows[:, min(k + 1, rows.shape[1] - 1)]
    diff = b - a
    return np.asarray(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma)


def threshold_at(absx: FloatArray, lo: IntArray, hi: IntArray, pos: IntArray) -> FloatArray:
    """α × quartile deviation of `absx` (`padded`) over each position's window (ε where ≤ 0).

    Full 91-beat windows share one virtual index per quartile (`_full_quantile`).
    """
    w = KUBIOS_QD_WINDOW
    length = hi[pos] - lo[pos]
    full = length == w
    th = np.empty(pos.size)
    if full.any():
        rows = _view(absx, w)[lo[pos[full]]]
        rows.sort(axis=1)
        q1, q3 = (_full_quantile(rows, q) for q in (0.25, 0.75))
        th[full] = KUBIOS_ALPHA * (q3 - q1) / 2.0
    if not full.all():
        q1, q3 = quantiles_at(absx, lo, hi, pos[~full], (0.25, 0.75))
        th[~full] = KUBIOS_ALPHA * (q3 - q1) / 2.0
    th[th <= 0] = np.finfo(float).eps
    return th


def threshold_floor(
    absx: FloatArray, first_of_seg: IntArray, lo: IntArray, hi: IntArray, want: IntArray
) -> tuple[IntArray, FloatArray]:
    """A value ≤ `threshold_at` at positions covering `want` (every chunk holding one of
    them), from one sorted core per chunk: (positions, floors). `absx` is `padded`;
    `first_of_seg`, `lo` and `hi` are given for all n = len(lo) positions.

    The windows of a chunk's positions all contain the core [lo(last), hi(first)) of
    `a` values; a window of L values has L − a more. So its k-th smallest is at most the
    core's k-th (k < a) and at least the core's (k − (L − a))-th. numpy's quartiles lie
    between the sorted neighbours they interpolate (q1 ≤ s[⌊v1⌋ + 1], q3 ≥ s[⌊v3⌋]) and
    the threshold's arithmetic is monotone, so α·(lb(q3) − ub(q1))/2 is a floor (less a
    relative margin, for safety); −∞ where the core says nothing.
    """
    n = lo.size
    local = np.arange(n) - first_of_seg
    starts = np.flatnonzero(local % BOUND_CHUNK == 0)
    ends = np.append(starts[1:], n)
    hit = np.zeros(n + 1, np.intp)
    hit[1:][want] = 1
    hit = np.cumsum(hit)
    pick = hit[ends] > hit[starts]
    first, last = starts[pick], ends[pick] - 1
    if not first.size:
        return np.zeros(0, np.intp), np.zeros(0)
    # chunks of BOUND_CHUNK full windows share one core size: fixed ranks, one floor each
    w, c = KUBIOS_QD_WINDOW, BOUND_CHUNK
    full = (last - first + 1 == c) & (hi[first] - lo[first] == w) & (hi[last] - lo[last] == w)
    out_pos, out_val = [], []
    if full.any():
        core = _view(absx, w - c + 1)[lo[last[full]]]
        core.sort(axis=1)
        k1, k3 = (w - 1) // 4 + 1, 3 * (w - 1) // 4 - (c - 1)
        out_pos.append((first[full][:, None] + np.arange(c)).ravel())
        out_val.append(np.repeat(_floor_of(core[:, k3], core[:, k1]), c))
    if not full.all():
        p, v = _floor_generic(absx, lo, hi, first[~full], last[~full])
        out_pos.append(p)
        out_val.append(v)
    return np.concatenate(out_pos), np.concatenate(out_val)


def _floor_of(lb3: FloatArray, ub1: FloatArray) -> FloatArray:
    """α·(lb(q3) − ub(q1))/2 less a relative margin (−∞ where a bound is missing)."""
    floor = KUBIOS_ALPHA * (lb3 - ub1) / 2.0
    margin = 1e-9 * (np.abs(lb3) + np.abs(ub1))
    return np.asarray(floor * (1 - 1e-9) - margin, dtype=np.float64)


def _floor_generic(
    absx: FloatArray, lo: IntArray, hi: IntArray, first: IntArray, last: IntArray
) -> tuple[IntArray, FloatArray]:
    """`threshold_floor` for chunks of any window sizes (the ends of a window)."""
    core_lo, core_hi = lo[last], hi[first]
    a = core_hi - core_lo
    width = int(a.max())
    core = _rows(absx, core_lo, a, width)
    core.sort(axis=1)
    counts = last - first + 1
    chunk = np.repeat(np.arange(first.size), counts)
    pos = np.repeat(first - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) + np.arange(
        int(counts.sum())
    )
    a_p = a[chunk]
    top = hi[pos] - lo[pos] - 1
    k1 = np.minimum(top // 4 + 1, top)  # ⌊0.25·top⌋ + 1, capped at the last
    ub1 = np.where(k1 < a_p, core[chunk, np.minimum(k1, width - 1)], np.inf)
    k3 = (3 * top) // 4 - (top + 1 - a_p)  # ⌊0.75·top⌋ less the values beyond the core
    lb3 = np.where(k3 >= 0, core[chunk, np.maximum(k3, 0)], -np.inf)
    return pos, _floor_of(lb3, ub1)


def _network(n: int) -> list[tuple[int, int]]:
    """Batcher's odd-even merge sort comparators for 16 ≥ n inputs, restricted to n."""

    def merge(lo: int, hi: int, r: int) -> list[tuple[int, int]]:
        step = r * 2
        if step < hi - lo:
            out = merge(lo, hi, step) + merge(lo + r, hi, step)
            return out + [(i, i + r) for i in range(lo + r, hi - r, step)]
        return [(lo, lo + r)]

    def sort(lo: int, hi: int) -> list[tuple[int, int]]:
        if hi - lo < 1:
            return []
        mid = lo + (hi - lo) // 2
        return sort(lo, mid) + sort(mid + 1, hi) + merge(lo, hi, 1)

    # a comparator reaching past n only meets +∞ padding: a no-op
    return [(i, j) for i, j in sort(0, 15) if j < n]


def selection_network(n: int, k: int) -> list[tuple[int, int]]:
    """Comparators (i < j: min to i, max to j) that leave the k-th smallest of n at k."""
    need, keep = {k}, []
    for i, j in reversed(_network(n)):
        if i in need or j in need:
            keep.append((i, j))
            need |= {i, j}
    return keep[::-1]


MEDIAN_11_NETWORK = selection_network(KUBIOS_MEDIAN_WINDOW, KUBIOS_MEDIAN_WINDOW // 2)


def median_11(x: FloatArray, lo: IntArray) -> FloatArray:
    """Median of the full 11-value windows x[lo:lo + 11] (numpy's value: s[5] + 0·(s[6] − s[5]))."""
    v = [x[lo + c] for c in range(KUBIOS_MEDIAN_WINDOW)]
    for i, j in MEDIAN_11_NETWORK:
        v[i], v[j] = np.minimum(v[i], v[j]), np.maximum(v[i], v[j])
    return np.asarray(v[KUBIOS_MEDIAN_WINDOW // 2] + 0.0, dtype=np.float64)
