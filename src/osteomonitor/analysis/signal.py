"""Input checks and small exact signal primitives shared by the analysis modules.

The primitives are written so that each output sample depends only on a fixed set of
input samples combined in a fixed order: the streaming forms then reproduce the batch
results bit for bit whatever the chunking (no cumulative sums, no BLAS dot products).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from osteomonitor.errors import OsteomonitorError

from .thresholds import FS_RANGE_HZ

FloatArray = npt.NDArray[np.float64]


class SignalError(OsteomonitorError):
    """An array handed to the analysis layer has the wrong shape, rate or values."""


def check_fs(fs_hz: float, where: str) -> float:
    """Return `fs_hz` as float after checking it lies in `FS_RANGE_HZ`.

    Raises:
        SignalError: naming `where` when the rate is not a finite number in range.
    """
    try:
        fs = float(fs_hz)
    except (TypeError, ValueError) as exc:
        raise SignalError(f"{where}: sample rate {fs_hz!r} is not a number") from exc
    lo, hi = FS_RANGE_HZ
    if not math.isfinite(fs) or not lo <= fs <= hi:
        raise SignalError(
            f"{where}: sample rate {fs_hz!r} Hz is outside {lo:g}-{hi:g} Hz; "
            "resample the accelerometer stream into that range"
        )
    return fs


def check_acc(acc_g: object, where: str) -> FloatArray:
    """Return `acc_g` as a C-contiguous (n, 3) float64 array with NaN rows kept.

    Raises:
        SignalError: when the array is not (n, 3) numeric.
    """
    try:
        arr = np.ascontiguousarray(acc_g, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SignalError(f"{where}: acceleration is not numeric: {exc}") from exc
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 3)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise SignalError(
            f"{where}: acceleration must have shape (n, 3) in g, got {arr.shape}; "
            "pass x, y, z columns"
        )
    if not np.isfinite(arr).all():
        # A NaN would poison every window it touches; treat it as 1 g at rest.
        arr = arr.copy()
        bad = ~np.isfinite(arr).all(axis=1)
        arr[bad] = (0.0, 0.0, 1.0)
    return arr


def check_range(range_g: float | None, where: str) -> float | None:
    """Validate an optional full-scale range, ±g."""
    if range_g is None:
        return None
    r = float(range_g)
    if not math.isfinite(r) or r <= 0:
        raise SignalError(f"{where}: range_g {range_g!r} must be a positive number of g or None")
    return r


def magnitude(acc_g: FloatArray) -> FloatArray:
    """Resultant ‖a‖ per sample, g: (n, 3) → (n,)."""
    x, y, z = acc_g[:, 0], acc_g[:, 1], acc_g[:, 2]
    return np.sqrt(x * x + y * y + z * z)


def odd_width(seconds: float, fs_hz: float) -> int:
    """Number of samples (odd, ≥ 1) closest to `seconds` at `fs_hz`."""
    n = max(1, round(seconds * fs_hz))
    return n if n % 2 == 1 else n + 1


#: `moving_mean_valid` adds a block of this many outputs at a time (its passes stay in
#: the cache; longer signals were several times slower per sample).
_MEAN_BLOCK = 16_384


def moving_mean_valid(x: FloatArray, width: int) -> FloatArray:
    """Moving mean over `width` samples, 'valid' part only: len(x) − width + 1 outputs.

    Each output is the sum of the same `width` inputs added in the same order, so the
    value does not depend on where the window sits in a buffer.
    """
    n = x.shape[0] - width + 1
    if n <= 0:
        return np.empty(0, dtype=np.float64)
    if n <= _MEAN_BLOCK or x.dtype != np.float64:
        acc = x[0:n].copy()
        for k in range(1, width):
            acc += x[k : k + n]
        return acc / width
    # a cache-sized block of outputs at a time (the same additions in the same order)
    out = np.empty(n, dtype=np.float64)
    for i in range(0, n, _MEAN_BLOCK):
        m = min(_MEAN_BLOCK, n - i)
        acc = out[i : i + m]
        np.copyto(acc, x[i : i + m])
        for k in range(1, width):
            acc += x[i + k : i + k + m]
    out /= width
    return out


IndexArray = npt.NDArray[np.intp]


def runs_below(x: FloatArray, threshold: float) -> tuple[IndexArray, IndexArray]:
    """Start and end (exclusive) indices of maximal runs where `x < threshold`."""
    low = np.concatenate(([False], x < threshold, [False]))
    d = np.diff(low.astype(np.int8))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def window_max(x: FloatArray, width: int) -> FloatArray:
    """Sliding maximum: out[s] = max(x[s : s + width]) for s in 0 … len(x) − width.

    Doubling (sparse-table) form: ⌈log2 width⌉ + 1 vectorised passes, O(n log width),
    exact (a maximum does not round), and no (n, width) window array.
    """
    n = x.shape[0] - width + 1
    if n <= 0 or width < 1:
        return np.empty(0, dtype=np.float64)
    cur = x
    span = 1
    while 2 * span <= width:
        cur = np.maximum(cur[:-span], cur[span:])  # cur[s] = max(x[s : s + 2·span])
        span *= 2
    if span == width:
        return cur[:n].copy() if cur is x else cur[:n]
    return np.maximum(cur[:n], cur[width - span : width - span + n])


def local_peaks(x: FloatArray, lo: int, hi: int, threshold: float, r: int) -> IndexArray:
    """Indices i in [lo, hi) where x[i] ≥ threshold, x[i] > max(x[i−r:i]) and
    x[i] ≥ max(x[i+1:i+r+1]) (ties go to the earlier sample).

    Neighbours outside `x` count as −∞; callers hand in `x` with at least `r` samples
    of real context either side of [lo, hi) except at the true ends of the signal.
    Only the samples at or above `threshold` are examined, so quiet signal costs one
    comparison per sample.
    """
    cand = lo + np.flatnonzero(x[lo:hi] >= threshold)
    if cand.size == 0:
        return cand
    a, b = max(0, int(cand[0]) - r), min(x.shape[0], int(cand[-1]) + r + 1)
    pad_l, pad_r = r - (int(cand[0]) - a), r - (b - 1 - int(cand[-1]))
    seg = x[a:b]
    if pad_l or pad_r:
        seg = np.concatenate((np.full(pad_l, -np.inf), seg, np.full(pad_r, -np.inf)))
    wm = window_max(seg, r)  # wm[s] = max(seg[s : s + r])
    j = cand - (a - pad_l)  # position of each candidate in seg
    ok = (seg[j] > wm[j - r]) & (seg[j] >= wm[j + 1])
    return cand[ok]
