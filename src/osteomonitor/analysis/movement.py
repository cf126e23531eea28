"""Stillness: how long the wearer has not moved (a detected rest).

A window of `STILL_WINDOW_S` is still when the standard deviation of every
accelerometer axis stays below `STILL_SD_G`: the non-movement criterion of van Hees
et al. (J Appl Physiol 2014;117:738, auto-calibration: 10 s windows, SD < 13 mg per
axis). The window slides in whole seconds; the still time is how long the latest
windows have been still, counted from the start of the first of them. Quiet sitting,
standing or lying is still; walking, stepping, jumping and lifting are not.

`StillnessMeter` is the incremental form; `still_run_s` runs it over a whole signal.
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

from .signal import FloatArray

BoolArray = npt.NDArray[np.bool_]

#: Window length, s, and the per-axis SD below which a window is still, g
#: (van Hees et al., J Appl Physiol 2014;117:738).
STILL_WINDOW_S = 10.0
STILL_SD_G = 0.013
#: The window slides by this step, s (the resolution of the still time).
STILL_STEP_S = 1.0


class StillnessMeter:
    """Incremental stillness of one accelerometer stream.

    Args:
        fs_hz: sample rate, Hz.

    Memory: the sums of the last `STILL_WINDOW_S / STILL_STEP_S` one-second bins.
    """

    def __init__(self, fs_hz: float) -> None:
        self.bin_n = max(1, round(fs_hz * STILL_STEP_S))
        self.bins_per_window = round(STILL_WINDOW_S / STILL_STEP_S)
        self._bins: deque[tuple[FloatArray, FloatArray]] = deque(maxlen=self.bins_per_window)
        self._partial = np.empty((0, 3))
        self._run_bins = 0  # whole bins since the start of the first still window

    @property
    def still_s(self) -> float:
        """How long the signal has been still up to the last whole second, s (0: moving)."""
        return self._run_bins * STILL_STEP_S

    def feed(self, acc_g: FloatArray) -> float:
        """Take (n, 3) samples in g; returns `still_s` after them.

        Only the still time after the feed is kept, and it depends only on the run of
        still windows at its end: the feed's windows are judged from the newest back,
        `_BACK_BINS` bins at first and twice as many each further step, until a moving
        one is found (an hour fed at once judges a minute or so, not the hour). Each
        bin's sums and each window's are the same numbers, in the same order, as
        judging every window oldest first (`tests/analysis/test_movement.py`).
        """
        a = np.asarray(acc_g, dtype=np.float64)
        acc = np.concatenate([self._partial, a]) if len(self._partial) else a
        whole = (len(acc) // self.bin_n) * self.bin_n
        self._partial = acc[whole:]
        if whole == 0:
            return self.still_s
        nb, k, bn = whole // self.bin_n, self.bins_per_window, self.bin_n
        # a new window's first bins may lie before this feed: the last k − 1 kept
        prior = list(self._bins)[max(0, len(self._bins) - (k - 1)) :]
        p = len(prior)
        first = max(0, k - 1 - p)  # the first new bin that ends a whole window
        if first >= nb:  # no window completed: keep the bins
            sums, sqs = _bin_sums(acc[:whole], bn)
            self._bins.extend(zip(sums, sqs, strict=True))
            return self.still_s
        m = nb - first  # windows completed by this feed (each ends on a new bin)
        trailing, hi, span = 0, nb, _BACK_BINS
        while True:
            lo = max(first, hi - span)  # judge the windows ending on new bins lo … hi − 1
            b0 = max(0, lo - (k - 1))
            sums, sqs = _bin_sums(acc[b0 * bn : hi * bn], bn)
            if hi == nb:  # the newest bins: kept for the next feed's first windows
                self._bins.extend(zip(sums[-k:], sqs[-k:], strict=True))
            before = prior[p - (k - 1 - lo) :] if lo < k - 1 else []
            s_all = np.concatenate([np.asarray([x[0] for x in before]).reshape(-1, 3), sums])
            q_all = np.concatenate([np.asarray([x[1] for x in before]).reshape(-1, 3), sqs])
            still = _still_windows(s_all, q_all, hi - lo, k, bn * k)
            if not still[-1]:  # the newest window of this step moves (live: mostly)
                break
            moving = np.flatnonzero(~still)
            if moving.size:
                trailing += hi - lo - 1 - int(moving[-1])
                break
            trailing += hi - lo
            if lo == first:
                break
            hi, span = lo, span * 2
        if trailing == 0:
            self._run_bins = 0
        elif trailing == m and self._run_bins:
            self._run_bins += m
        else:
            self._run_bins = k + trailing - 1
        return self.still_s


#: Bins of a feed judged in the first step back from its newest (doubling after):
#: about a minute at 1-s bins, which a moving session rarely stays still through.
_BACK_BINS = 64


def _still_windows(s_all: FloatArray, q_all: FloatArray, m: int, k: int, n: int) -> BoolArray:
    """Whether each of the `m` windows of `k` bins (ending on the last `m` of the bins
    whose per-bin sums and sums of squares are `s_all`, `q_all`) is still: every axis'
    variance below `STILL_SD_G`²; `n` samples per window.

    A window's sums add its bins oldest first, ((b0 + b1) + b2) …, as running sums
    (`np.cumsum` along the window: sequential by definition) over a strided view of
    the windows. The one-bin-at-a-time form starts from 0 (0 + b0 + …): the same
    numbers, but for the sign of a zero sum, which squares away in the variance.
    """
    ws = np.cumsum(_windows(s_all, m, k), axis=1)[:, -1]
    wq = np.cumsum(_windows(q_all, m, k), axis=1)[:, -1]
    with np.errstate(invalid="ignore"):  # a non-finite sample: never still
        mean = ws / n
        var = wq / n - mean * mean
    still: BoolArray = np.logical_and.reduce(var < STILL_SD_G**2, axis=1)
    return still


def _windows(x: FloatArray, m: int, k: int) -> FloatArray:
    """(m, k, 3) read-only view of the `m` runs of `k` consecutive rows of contiguous
    (m + k − 1, 3) `x`."""
    row = x.strides[0]
    v: FloatArray = np.ndarray((m, k, 3), np.float64, x, 0, (row, row, x.strides[1]))
    v.flags.writeable = False
    return v


#: Bins summed per pass of `_bin_sums` (its squares stay in the cache; any value gives
#: the same sums: each bin is reduced on its own).
_PASS_BINS = 64


def _bin_sums(acc: FloatArray, bin_n: int) -> tuple[FloatArray, FloatArray]:
    """Per-bin sums of the samples and of their squares, (len(acc) // bin_n, 3) each:
    `np.add.reduceat` over bins of `bin_n` rows (`len(acc)` a multiple of it), a pass of
    `_PASS_BINS` bins at a time so the squares are never a whole-signal array."""
    bins = acc.shape[0] // bin_n
    if 0 < bins <= _PASS_BINS:  # one pass (a live chunk): the whole-signal form itself
        heads = np.arange(0, bins * bin_n, bin_n)
        return np.add.reduceat(acc, heads, axis=0), np.add.reduceat(acc * acc, heads, axis=0)
    sums, sqs = np.empty((bins, 3)), np.empty((bins, 3))
    step = _PASS_BINS * bin_n
    heads = np.arange(0, min(step, acc.shape[0]), bin_n)
    sq = np.empty((heads.size * bin_n, 3))
    for b in range(0, bins, _PASS_BINS):
        part = acc[b * bin_n : (b + _PASS_BINS) * bin_n]
        k = part.shape[0] // bin_n
        np.multiply(part, part, out=sq[: part.shape[0]])
        sums[b : b + k] = np.add.reduceat(part, heads[:k], axis=0)
        sqs[b : b + k] = np.add.reduceat(sq[: part.shape[0]], heads[:k], axis=0)
    return sums, sqs


def still_run_s(acc_g: FloatArray, fs_hz: float) -> FloatArray:
    """The still time after every whole second of a signal, s.

    Args:
        acc_g: (n, 3) acceleration, g. fs_hz: sample rate, Hz.

    Returns:
        (n // round(fs_hz),) still time at the end of each second, s.
    """
    meter = StillnessMeter(fs_hz)
    out = [meter.feed(acc_g[i : i + meter.bin_n]) for i in range(0, len(acc_g), meter.bin_n)]
    return np.asarray(out[: len(acc_g) // meter.bin_n], dtype=np.float64)
