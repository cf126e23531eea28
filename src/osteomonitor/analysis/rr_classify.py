"""Lipponen-Tarvainen beat classification of many windows at once, exactly as one by one.

Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time series
artefact correction using novel beat classification. J Med Eng Technol 2019;43:173.
`rr.py` states the method; this module makes one classification pass over a list of
beat-time windows (the corrector's blocks) and returns, for each, the artifact indices a
window-by-window pass gives (`tests/analysis/rr_reference.py`), bit for bit.

Where the time goes, and how it is saved without changing a result:

- the 91-beat threshold of |dRR| decides which beats are *flagged* (|dRR| > threshold).
  Most beats sit far below it, so each beat first gets a certain lower bound: the
  windows of `BOUND_CHUNK` neighbouring beats share a core of at least 91 − 7 beats,
  sorted once, and rank inequalities between a window and its core bound its quartiles
  (`_threshold_floor`). Only beats above their floor get the exact threshold (their own
  window sorted, numpy's quantile formula), and so do the neighbours a flagged beat's
  tests read;
- the 11-beat median of RR and the 91-beat threshold of mRR are needed only around
  candidate beats: the median by a selection network over the windows that reach a
  candidate, the threshold at the candidates alone;
- the walk over flagged beats (which skips as the reference does) runs on plain floats.
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
#: Beats per chunk sharing one sorted core for the threshold's lower bound (design
#: choice: 8 keeps the core ≥ 84 of 91 beats, so the bound sits close to the threshold
#: while sorting 1/8 as many rows).
BOUND_CHUNK = 8

IntArray = npt.NDArray[np.intp]
Artifacts = dict[str, list[int]]


def empty_artifacts() -> Artifacts:
    """No artifact of any kind."""
    return {"ectopic": [], "longshort": [], "missed": [], "extra": []}


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


def _rows(xp: FloatArray, lo: IntArray, length: IntArray, width: int) -> FloatArray:
    """Rows xp[lo:lo + length], +∞ beyond each length, `width` wide (a gathered copy);
    `xp` is `padded`."""
    if not lo.size:
        return np.empty((0, width))
    rows = np.lib.stride_tricks.sliding_window_view(xp, width)[lo]
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
        rows = np.lib.stride_tricks.sliding_window_view(absx, w)[lo[pos[full]]]
        rows.sort(axis=1)
        q1, q3 = (_full_quantile(rows, q) for q in (0.25, 0.75))
        th[full] = KUBIOS_ALPHA * (q3 - q1) / 2.0
    if not full.all():
        q1, q3 = quantiles_at(absx, lo, hi, pos[~full], (0.25, 0.75))
        th[~full] = KUBIOS_ALPHA * (q3 - q1) / 2.0
    th[th <= 0] = np.finfo(float).eps
    return th


def _threshold_floor(
    absx: FloatArray, first_of_seg: IntArray, lo: IntArray, hi: IntArray
) -> FloatArray:
    """A value ≤ `threshold_at` at each of the n = len(lo) positions, from one sorted
    core per chunk (`absx` is `padded`).

    The windows of a chunk's positions all contain the core [lo(last), hi(first)) of
    `a` values; a window of L values has L − a more. So its k-th smallest is at most the
    core's k-th (k < a) and at least the core's (k − (L − a))-th. numpy's quartiles lie
    between the sorted neighbours they interpolate (q1 ≤ s[⌊v1⌋ + 1], q3 ≥ s[⌊v3⌋]) and
    the threshold's arithmetic is monotone, so α·(lb(q3) − ub(q1))/2 is a floor (less a
    relative margin, for safety); +∞/−∞ where the core says nothing.
    """
    n = lo.size
    local = np.arange(n) - first_of_seg
    first = np.flatnonzero(local % BOUND_CHUNK == 0)
    last = np.append(first[1:], n) - 1
    core_lo, core_hi = lo[last], hi[first]
    a = core_hi - core_lo
    width = int(a.max())
    core = _rows(absx, core_lo, a, width)
    core.sort(axis=1)
    chunk = np.repeat(np.arange(first.size), last - first + 1)
    a_p = a[chunk]
    top = hi - lo - 1
    k1 = np.minimum(top // 4 + 1, top)  # ⌊0.25·top⌋ + 1, capped at the last
    ub1 = np.where(k1 < a_p, core[chunk, np.minimum(k1, width - 1)], np.inf)
    k3 = (3 * top) // 4 - (top + 1 - a_p)  # ⌊0.75·top⌋ less the values beyond the core
    lb3 = np.where(k3 >= 0, core[chunk, np.maximum(k3, 0)], -np.inf)
    floor = KUBIOS_ALPHA * (lb3 - ub1) / 2.0
    return np.asarray(floor * (1 - 1e-9) - 1e-9 * (np.abs(lb3) + np.abs(ub1)), dtype=np.float64)


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


_MEDIAN_11 = selection_network(KUBIOS_MEDIAN_WINDOW, KUBIOS_MEDIAN_WINDOW // 2)


def _median_11(x: FloatArray, lo: IntArray) -> FloatArray:
    """Median of the full 11-value windows x[lo:lo + 11] (numpy's value: s[5] + 0·(s[6] − s[5]))."""
    v = [x[lo + c] for c in range(KUBIOS_MEDIAN_WINDOW)]
    for i, j in _MEDIAN_11:
        v[i], v[j] = np.minimum(v[i], v[j]), np.maximum(v[i], v[j])
    return np.asarray(v[KUBIOS_MEDIAN_WINDOW // 2] + 0.0, dtype=np.float64)


def _mean_into_first(v: FloatArray, bounds: IntArray) -> None:
    """v[a] = v[a + 1:b].mean() for each window [a, b): numpy's pairwise mean, taken
    row by row over the windows of one length at a time."""
    first, rest = bounds[:-1], np.diff(bounds) - 1
    for length in np.unique(rest).tolist():
        sel = first[rest == length]
        v[sel] = v[sel[:, None] + 1 + np.arange(length)].mean(axis=1)


def _mask(n: int, *parts: IntArray) -> IntArray:
    """The distinct positions in `parts`, ascending."""
    m = np.zeros(n, dtype=bool)
    for part in parts:
        m[part] = True
    return np.flatnonzero(m)


def classify_many(windows: Sequence[FloatArray]) -> list[Artifacts]:
    """Artifact indices by kind for each window of beat times (one pass each).

    Equal, window by window, to the reference's `_classify`. The windows are laid end
    to end; every rolling window stays inside its own.
    """
    outs = [empty_artifacts() for _ in windows]
    use = [b for b, w in enumerate(windows) if w.size >= 4]
    if not use:
        return outs
    sizes = np.asarray([windows[b].size for b in use])
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    pk = np.concatenate([windows[b] for b in use]).astype(np.float64, copy=False)
    n = pk.size
    seg = np.repeat(np.arange(len(use)), sizes)
    s, e = bounds[:-1][seg], bounds[1:][seg]
    rr = np.empty(n)
    rr[1:] = pk[1:] - pk[:-1]
    _mean_into_first(rr, bounds)
    d = np.empty(n)
    d[1:] = rr[1:] - rr[:-1]
    _mean_into_first(d, bounds)
    p = np.arange(n)
    h = KUBIOS_QD_WINDOW // 2
    lo, hi = np.maximum(s, p - h), np.minimum(e, p - h + KUBIOS_QD_WINDOW)
    absd = padded(np.abs(d))
    walk = p - s < e - s - 2
    unsure = np.flatnonzero(walk & ~(absd[:n] <= _threshold_floor(absd, s, lo, hi)))
    dn_unsure = d[unsure] / threshold_at(absd, lo, hi, unsure)
    bad = ~(np.abs(dn_unsure) <= 1)
    flagged = unsure[bad]
    if not flagged.size:
        return outs
    # neighbours the tests read: d at i-1, i+1, i+2, i+3 (reflected at the window's ends)
    size = (e - s)[flagged][:, None]
    k = (flagged - s[flagged])[:, None] + np.array([-1, 1, 2, 3])
    k = np.where(k < 0, -k, np.where(k >= size, 2 * (size - 1) - k, k))
    known = np.zeros(n, dtype=bool)
    known[unsure] = True
    near = _mask(n, (s[flagged][:, None] + k).ravel())
    near = near[~known[near]]
    dn_near = d[near] / threshold_at(absd, lo, hi, near)
    d_ = dict(zip(unsure.tolist(), dn_unsure.tolist(), strict=True))
    d_.update(zip(near.tolist(), dn_near.tolist(), strict=True))
    # candidates i and i + 1: the 11-beat median and the mRR threshold around them
    cand = _mask(n, flagged, flagged + 1)
    reach = np.bincount(lo[cand], minlength=n + 1) - np.bincount(hi[cand], minlength=n + 1)
    need = np.flatnonzero(np.cumsum(reach[:n]) > 0)
    hm = KUBIOS_MEDIAN_WINDOW // 2
    lo11 = np.maximum(s, p - hm)
    hi11 = np.minimum(e, p - hm + KUBIOS_MEDIAN_WINDOW)
    full = hi11[need] - lo11[need] == KUBIOS_MEDIAN_WINDOW
    med = np.full(n, np.nan)
    med[need[full]] = _median_11(rr, lo11[need[full]])
    med[need[~full]] = quantiles_at(padded(rr), lo11, hi11, need[~full], (0.5,))[0]
    mrrs = rr - med
    mrrs[mrrs < 0] *= 2.0
    th2 = threshold_at(padded(np.abs(mrrs)), lo, hi, cand)
    c = cand.tolist()
    both = _mask(n, cand, cand + 1)
    _walk(
        outs,
        use,
        bounds,
        flagged,
        d_,
        dict(zip(both.tolist(), rr[both].tolist(), strict=True)),
        dict(zip(c, med[cand].tolist(), strict=True)),
        dict(zip(c, th2.tolist(), strict=True)),
        dict(zip(c, (mrrs[cand] / th2).tolist(), strict=True)),
    )
    return outs


def _walk(
    outs: list[Artifacts],
    use: list[int],
    bounds: IntArray,
    flagged: IntArray,
    d_: dict[int, float],
    rr_: dict[int, float],
    med_: dict[int, float],
    th2_: dict[int, float],
    m_: dict[int, float],
) -> None:
    """The reference's walk over each window's flagged beats (same order, same skips)."""
    c1, c2 = KUBIOS_C1, KUBIOS_C2
    starts = bounds[:-1]
    owner = np.searchsorted(starts, flagged, side="right") - 1
    i_next = -1
    cur = -1
    s0 = size = 0
    out = empty_artifacts()
    for i, w in zip(flagged.tolist(), owner.tolist(), strict=True):
        if w != cur:
            cur, i_next = w, -1
            s0, size = int(bounds[w]), int(bounds[w + 1] - bounds[w])
            out = outs[use[w]]
        if i < i_next:
            continue  # stepped over as the second beat of a candidate pair
        d = d_[i]
        prev = d_[s0 + 1] if i == s0 else d_[i - 1]
        nxt = d_[i + 1]
        s12 = max(prev, nxt) if d > 0 else (min(prev, nxt) if d < 0 else 0.0)
        if (d > 1 and s12 < -c1 * d - c2) or (d < -1 and s12 > -c1 * d + c2):
            out["ectopic"].append(i - s0)
            i_next = i + 1
            continue
        cands = [i]
        if abs(d_[i + 1]) < abs(d_[i + 2]):
            cands.append(i + 1)
        for j in cands:
            dj = d_[j]
            n1 = d_[j + 1]
            n2 = d_[j + 2] if j + 2 - s0 < size else d_[s0 + size - 2]
            s22 = min(n1, n2) if dj >= 0 else max(n1, n2)
            long_ = dj > 1 and s22 < -1
            short = dj < -1 and s22 > 1
            if long_ or short or abs(m_[j]) > 3:
                if short and abs(rr_[j] + rr_[j + 1] - med_[j]) < th2_[j]:
                    out["extra"].append(j - s0)
                elif long_ and abs(rr_[j] / 2 - med_[j]) < th2_[j]:
                    out["missed"].append(j - s0)
                else:
                    out["longshort"].append(j - s0)
        i_next = i + len(cands)  # as in the reference flow (NeuroKit2): one step per candidate
