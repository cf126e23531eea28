"""Exact shortcuts for long accelerometer signals: look only where a threshold can be met.

The detectors ask questions of ‖a‖ whose answer is "no" for most samples (is this a
peak of at least 1.1 g? is the smoothed ‖a‖ below 0.7 g here?). These helpers answer
them with a cheap screen over every sample and the full, unchanged arithmetic only on
the few samples the screen keeps, so each value is bit for bit what the whole-array
form (`signal.local_peaks`, `signal.moving_mean_valid`) gives: the detectors stay
chunking-invariant and equal to their reference forms (tests/analysis/test_screen.py).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .maxima import peaks_from_maxima, ranges
from .signal import FloatArray, IndexArray, check_acc, local_peaks, moving_mean_valid

#: `window_peaks` compares the nearest this many neighbours one offset at a time (most
#: candidates fall there), then the survivors' whole windows at once.
_NEAR_R = 8
#: `screened_moving_mean` screens ranges of at least this many samples; shorter ones
#: (live chunks) are smoothed whole, which is fewer array operations there.
_SCREEN_FROM = 2048
#: `window_peaks` gathers the whole windows of this many candidates or fewer at once.
_FEW = 64
#: `magnitude_blocked` works this many samples at a time (3 × 8 × 16 K bytes of input).
_MAG_BLOCK = 16_384
#: `true_runs` finds the runs of a mask at least this long from its True indices when
#: fewer than 1 in `_SPARSE_SHARE` samples are True (a screen's hits), else from its edges.
_SPARSE_RUNS_FROM = 4096
_SPARSE_SHARE = 16
#: Relative slack of a screen on a moving mean: the mean of w values, each ≤ M, rounds
#: to at most M·(1 + w·2⁻⁵³); 1e-9 covers any window of the detectors (w < 10⁶).
_MEAN_SLACK = 1e-9


def check_acc_mag(acc_g: object, mag: FloatArray | None, where: str) -> FloatArray:
    """`signal.check_acc`, cheaper when the caller hands ‖a‖ of the same rows too.

    A finite ‖a‖ (the square root of x² + y² + z²) means every component is finite
    (NaN and ±∞ survive the squares and the sum), so the (n, 3) finiteness scan is
    replaced by one over (n,); otherwise the full check runs and cleans the rows.
    """
    if mag is None:
        return check_acc(acc_g, where)
    arr = np.asarray(acc_g)
    if (
        arr.dtype == np.float64
        and arr.ndim == 2
        and arr.shape[1] == 3
        and arr.flags.c_contiguous
        and mag.shape == (arr.shape[0],)
        and bool(np.isfinite(mag).all())
    ):
        return arr
    return check_acc(acc_g, where)


def checked_acc_mag(
    acc_g: object, mag: FloatArray | None, where: str, checked: bool = False
) -> tuple[FloatArray, FloatArray]:
    """(`check_acc_mag(acc_g, mag, where)`, the ‖a‖ of those rows): `mag` when the caller
    gave it finite, else computed from the checked rows (a non-finite row reads as 1 g
    at rest either way), so the ‖a‖ a detector keeps is never NaN.

    `checked`: the rows and `mag` are what `checked_with_magnitude` returned (a finite
    ‖a‖ of contiguous float64 rows), so the finiteness scan is left out (the shapes are
    still checked).
    """
    if mag is None:
        a = check_acc(acc_g, where)
        return a, magnitude_blocked(a)
    arr = np.asarray(acc_g)
    finite = arr.ndim == 2 and mag.shape == (arr.shape[0],)
    finite = finite and (checked or bool(np.isfinite(mag).all()))
    if finite and arr.dtype == np.float64 and arr.shape[1] == 3 and arr.flags.c_contiguous:
        return arr, mag
    a = check_acc(acc_g, where)
    return a, (mag if finite else magnitude_blocked(a))


def magnitude_blocked(acc_g: FloatArray) -> FloatArray:
    """`signal.magnitude` (√(x·x + y·y + z·z), the same operations in the same order,
    so the same values), a cache-sized block at a time with no temporary arrays."""
    return _magnitude_blocks(acc_g, finite_check=False)[0]


def _magnitude_blocks(
    acc_g: FloatArray, finite_check: bool, b: int | None = None
) -> tuple[FloatArray, bool, FloatArray | None]:
    """‖a‖ a block at a time, its finiteness, and (`b` given) the sums of the whole
    blocks of `b` rows while each block of rows is in the cache (`posture_blocks.
    block_sums`: the same additions in the same order)."""
    n = acc_g.shape[0]
    step = _MAG_BLOCK if b is None else max(b, _MAG_BLOCK // b * b)  # whole blocks of b
    out = np.empty(n, dtype=np.float64)
    tmp = np.empty(min(n, step), dtype=np.float64)
    sums = None if b is None else np.empty((3, n // b))
    finite = True
    for i in range(0, n, step):
        a = acc_g[i : i + step]
        o, t = out[i : i + a.shape[0]], tmp[: a.shape[0]]
        x, y, z = a[:, 0], a[:, 1], a[:, 2]
        np.multiply(x, x, out=o)
        np.multiply(y, y, out=t)
        o += t
        np.multiply(z, z, out=t)
        o += t
        np.sqrt(o, out=o)
        if finite_check and finite:
            finite = bool(np.maximum.reduce(o) < np.inf)  # False for NaN and +∞
        if sums is not None and b is not None and a.shape[0] >= b:
            kb = a.shape[0] // b
            v = a[: kb * b].reshape(kb, b * 3).T  # row 3·j + c: column c of sample j
            so = sums[:, i // b : i // b + kb]
            np.copyto(so, v[:3])
            for j in range(3, 3 * b, 3):
                so += v[j : j + 3]
    return out, finite, sums


def checked_with_magnitude(acc_g: object, where: str) -> tuple[FloatArray, FloatArray]:
    """(`signal.check_acc(acc_g)`, its ‖a‖): the (n, 3) finiteness scan is left out when
    ‖a‖ comes out finite (see `check_acc_mag`)."""
    acc, mag, _ = checked_with_block_sums(acc_g, where, None)
    return acc, mag


def checked_with_block_sums(
    acc_g: object, where: str, b: int | None
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """`checked_with_magnitude`, and (`b` given) the (3, n // b) sums of the whole
    blocks of `b` rows of the checked samples from the first (`posture_blocks.
    block_sums`), taken in the same pass over the samples: a posture tracker's block
    sums without a second read of them (the rows of 3 hours are 52 MB, more than the
    cache holds; ~5 ms of ~28 there). None when the rows needed cleaning."""
    arr = np.asarray(acc_g)
    if arr.dtype == np.float64 and arr.ndim == 2 and arr.shape[1] == 3:
        arr = np.ascontiguousarray(arr)
        mag, finite, sums = _magnitude_blocks(arr, True, b)
        if finite:
            return arr, mag, sums
    acc = check_acc(acc_g, where)
    return acc, magnitude_blocked(acc), None


def local_maxima_peaks(
    x: FloatArray, lo: int, hi: int, threshold: float, r: int, nan_free: bool = False
) -> IndexArray:
    """`signal.local_peaks` (same definition, same result) for sparse peaks.

    Indices i in [lo, hi) with x[i] ≥ threshold, x[i] > max(x[i−r:i]) and
    x[i] ≥ max(x[i+1:i+r+1]); neighbours outside `x` count as −∞. Only samples at or
    above the threshold that beat their immediate neighbours (a necessary condition)
    have their ± r window gathered, a block at a time. `nan_free`: the caller knows `x`
    holds no NaN, so the peaks are decided from the local maxima alone
    (`maxima.peaks_from_maxima`, ~2x faster on a long signal).
    """
    n = x.shape[0]
    if hi <= lo:
        return np.empty(0, dtype=np.intp)
    if hi - lo < _SCREEN_FROM:  # a live chunk: the whole-window form takes fewer steps
        return local_peaks(x, lo, hi, threshold, r)
    if nan_free and r >= 1:
        return peaks_from_maxima(x, lo, hi, threshold, r)
    seg = x[lo:hi]
    ok = seg >= threshold
    ok[1:] &= seg[1:] > seg[:-1]  # above the sample before
    ok[:-1] &= seg[:-1] >= seg[1:]  # not below the sample after
    if lo > 0:
        ok[0] &= seg[0] > x[lo - 1]
    if hi < n:
        ok[-1] &= seg[-1] >= x[hi]
    cand = lo + np.flatnonzero(ok)
    if cand.size == 0 or r == 1:
        return cand
    out: IndexArray = cand[window_peaks(x, cand, r)]
    return out


def window_peaks(x: FloatArray, cand: IndexArray, r: int, known: int = 0) -> npt.NDArray[np.bool_]:
    """Which of the positions `cand` are strictly above the r samples before them and
    not below the r after them (outside `x` counts as −∞; NaN beats nothing).

    Neighbours are compared one offset at a time, nearest first, and the candidates
    already beaten are dropped as the offset grows: most fall within a few samples.
    `known`: every candidate is known to pass the test within ± `known` (peaks of a
    narrower search), so only the offsets beyond are compared.
    """
    n = x.shape[0]
    if cand.size <= _FEW:  # a few (live): each whole window at once
        idx = cand[:, None] + np.arange(-r, r + 1)
        win = x[np.clip(idx, 0, n - 1)]
        win[(idx < 0) | (idx >= n)] = -np.inf
        vc = win[:, r]
        keep_few: npt.NDArray[np.bool_] = (vc > win[:, :r].max(axis=1)) & (
            vc >= win[:, r + 1 :].max(axis=1)
        )
        return keep_few
    keep = np.zeros(cand.size, dtype=bool)
    live = np.arange(cand.size)  # candidates not beaten yet
    c = cand
    v = x[c]
    edge = bool(c.size) and (int(c.min()) < r or int(c.max()) + r >= n)
    known = min(known, r)
    near_r = min(r, known + _NEAR_R)
    for k in range(known + 1, near_r + 1):
        if not c.size:
            return keep
        if edge:
            li, ri = c - k, c + k
            lv = np.where(li >= 0, x[np.maximum(li, 0)], -np.inf)
            rv = np.where(ri < n, x[np.minimum(ri, n - 1)], -np.inf)
        else:
            lv, rv = x[c - k], x[c + k]
        ok = (v > lv) & (v >= rv)
        if not ok.all():
            live, c, v = live[ok], c[ok], v[ok]
    if r > near_r and c.size:  # the rest of each survivor's window at once
        offs = np.arange(near_r + 1, r + 1)
        li, ri = (c[:, None] - offs, c[:, None] + offs) if edge else (c, c)
        if edge:
            lw, rw = x[np.clip(li, 0, n - 1)], x[np.clip(ri, 0, n - 1)]
            lw[li < 0] = -np.inf
            rw[ri >= n] = -np.inf
        else:  # the same samples as x[li], x[ri] (in the other order: a maximum)
            lw = windows(x, c - r, r - near_r)
            rw = windows(x, c + near_r + 1, r - near_r)
        ok = (v > lw.max(axis=1)) & (v >= rw.max(axis=1))
        live = live[ok]
    keep[live] = True
    return keep


def windows(x: FloatArray, starts: IndexArray, width: int) -> FloatArray:
    """x[starts[k] : starts[k] + width] for every k, stacked: (k, width, *x.shape[1:]).

    The same values as `x[starts[:, None] + np.arange(width)]`, gathered as whole
    windows of a strided view (one block copy per window, not one per sample). Every
    window must lie inside `x` (0 ≤ start ≤ len(x) − width).
    """
    n = x.shape[0]
    if starts.size and (int(starts.min()) < 0 or int(starts.max()) > n - width):
        raise IndexError(f"windows: a window of {width} samples outside the {n} given")
    if width <= 0 or n < width:
        return np.empty((starts.size, max(width, 0), *x.shape[1:]), dtype=x.dtype)
    shape, strides = (n - width + 1, width, *x.shape[1:]), (x.strides[0], *x.strides)
    if x.flags.c_contiguous:  # (the quicker constructor: no wrapper object)
        view = np.ndarray(shape, x.dtype, x, 0, strides)
    else:
        view = np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)
    out: FloatArray = view[starts]
    return out


def window_sums(x: FloatArray, starts: IndexArray, width: int) -> FloatArray:
    """x[s : s + width].sum(axis=0) for every start s, (k, *x.shape[1:]): each window's
    rows added in order, first to last (as numpy sums a window's rows along axis 0),
    by a running sum over the gathered windows, in place."""
    if width <= 0:
        return np.zeros((starts.size, *x.shape[1:]), dtype=x.dtype)
    w = windows(x, starts, width)
    np.add.accumulate(w, axis=1, out=w)
    out: FloatArray = w[:, -1]
    return out


def moving_mean_runs(
    x: FloatArray, starts: IndexArray, ends: IndexArray, h: int, lo: int, hi: int
) -> FloatArray:
    """Centred moving mean of 2·h + 1 samples of `x` at the positions of the runs
    [starts[j], ends[j]) (in order), as `signal.moving_mean_valid` adds them (first to
    last, then ÷ width). A window reaching below `lo` or to `hi` and beyond repeats
    x[lo] or x[hi − 1] (the signal's edge samples), as the detectors' edge padding does.

    Each run's samples and their h-sample margins are laid side by side (one gather)
    and smoothed with contiguous passes; the outputs that straddle two runs are dropped.
    """
    lengths = ends - starts
    if not lengths.size or int(lengths.sum()) == 0:
        return np.empty(0, dtype=np.float64)
    src = ranges(starts - h, lengths + 2 * h)
    if int(starts.min()) - h < lo or int(ends.max()) + h > hi:  # a window past an edge
        src = np.clip(src, lo, hi - 1)
    mm = moving_mean_valid(x[src], 2 * h + 1)  # mm[k] centred on src[k + h]
    if lengths.size == 1:
        return mm
    offs = np.cumsum(lengths + 2 * h) - (lengths + 2 * h)  # each run's first window
    out: FloatArray = mm[ranges(offs, lengths)]
    return out


def moving_mean_span(x: FloatArray, start: int, stop: int, h: int, lo: int, hi: int) -> FloatArray:
    """`moving_mean_runs` for the one run [start, stop)."""
    if stop <= start:
        return np.empty(0, dtype=np.float64)
    a, b = start - h, stop + h
    if a >= lo and b <= hi:
        return moving_mean_valid(x[a:b], 2 * h + 1)
    return moving_mean_runs(x, np.array([start]), np.array([stop]), h, lo, hi)


def screened_moving_mean(
    x: FloatArray,
    lo: int,
    hi: int,
    h: int,
    sig_lo: int,
    sig_hi: int,
    keep_above: float | None = None,
    keep_below: float | None = None,
    fill: float = np.nan,
    nan_free: bool = False,
) -> FloatArray:
    """The centred moving mean (width 2·h + 1) of `x` for positions [lo, hi), exact
    (`moving_mean_runs`) wherever it can be ≥ `keep_above` or < `keep_below`, `fill`
    elsewhere (a value the caller's threshold test treats as "neither").

    The screen: a mean ≥ T needs a sample ≥ T·(1 − slack) within ± h; a mean < T
    needs one < T·(1 + slack) (for T > 0). Windows are clipped to the signal's
    [sig_lo, sig_hi) by repeating its edge samples. A NaN in range turns the screen off
    (every position exact), as does a range shorter than `_SCREEN_FROM`; `nan_free`:
    the caller knows `x` holds no NaN (±∞ keep the screen's reasoning: a window
    holding +∞ is a hit of `keep_above` and no mean below anything), so the scan is
    left out.
    """
    n = hi - lo
    out = np.full(n, fill, dtype=np.float64)
    if n <= 0:
        return out
    if n < _SCREEN_FROM:  # a live chunk: the screen's own passes would cost more
        return moving_mean_span(x, lo, hi, h, sig_lo, sig_hi)
    a, b = max(sig_lo, lo - h), min(sig_hi, hi + h)
    if not nan_free and not np.isfinite(x[a:b]).all():
        return moving_mean_span(x, lo, hi, h, sig_lo, sig_hi)
    starts, ends, values = screened_mean_runs(x, lo, hi, h, sig_lo, sig_hi, keep_above, keep_below)
    if starts.size:
        out[ranges(starts - lo, ends - starts)] = values
    return out


def screened_mean_runs(
    x: FloatArray,
    lo: int,
    hi: int,
    h: int,
    sig_lo: int,
    sig_hi: int,
    keep_above: float | None = None,
    keep_below: float | None = None,
) -> tuple[IndexArray, IndexArray, FloatArray]:
    """The exact part of `screened_moving_mean` (`x` must hold no NaN): the runs
    [starts[j], ends[j]) of [lo, hi) where the mean can be ≥ `keep_above` or
    < `keep_below` (in order, disjoint, possibly touching) and the moving mean there,
    laid side by side: what a caller that only looks where the threshold can be met
    needs, without a full-length array of fill values."""
    none = np.empty(0, dtype=np.intp)
    a, b = max(sig_lo, lo - h), min(sig_hi, hi + h)
    src = x[a:b]
    above = None if keep_above is None else src >= keep_above * (1.0 - _MEAN_SLACK) - _MEAN_SLACK
    below = None if keep_below is None else src < keep_below * (1.0 + _MEAN_SLACK) + _MEAN_SLACK
    hit = above if below is None else below if above is None else above | below
    if hit is None or hi <= lo:
        return none, none.copy(), np.empty(0, dtype=np.float64)
    # position i is exact when a hit lies in [i − h, i + h] ∩ [a, b) (the edge padding
    # repeats samples already inside [a, b)): the runs of hits, widened by h, merged
    hs, he = true_runs(hit)
    if not hs.size:
        return none, none.copy(), np.empty(0, dtype=np.float64)
    hs, he = hs + (a - h), he + (a + h)
    reach = np.maximum.accumulate(he)
    head = np.ones(hs.size, dtype=bool)
    head[1:] = hs[1:] > reach[:-1]
    last = np.append(np.flatnonzero(head)[1:] - 1, hs.size - 1)
    starts = np.maximum(hs[head], lo)
    ends = np.minimum(reach[last], hi)
    ok = ends > starts
    starts, ends = starts[ok], ends[ok]
    return starts, ends, moving_mean_runs(x, starts, ends, h, sig_lo, sig_hi)


def runs_below_fast(x: FloatArray, threshold: float) -> tuple[IndexArray, IndexArray]:
    """`signal.runs_below` (start and end, exclusive, of maximal runs where
    `x < threshold`) with fewer passes over the samples."""
    return true_runs(x < threshold)


def true_runs(mask: npt.NDArray[np.bool_]) -> tuple[IndexArray, IndexArray]:
    """Start and end (exclusive) indices of the maximal runs of True in `mask`."""
    n = mask.shape[0]
    if n == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty.copy()
    if n >= _SPARSE_RUNS_FROM and np.count_nonzero(mask) * _SPARSE_SHARE < n:
        # few True (a screen's hits): the runs from their indices, no pass over the edges
        idx = np.flatnonzero(mask)
        if not idx.size:
            return idx, idx.copy()
        brk = np.flatnonzero(np.diff(idx) != 1)
        return idx[np.concatenate(([0], brk + 1))], idx[np.append(brk, idx.size - 1)] + 1
    edges = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    if mask[0]:
        edges = np.concatenate(([0], edges))
    if mask[-1]:
        edges = np.concatenate((edges, [n]))
    return edges[0::2], edges[1::2]
