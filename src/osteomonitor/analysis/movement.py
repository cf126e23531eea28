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

from .signal import FloatArray

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
        """Take (n, 3) samples in g; returns `still_s` after them."""
        a = np.asarray(acc_g, dtype=np.float64)
        acc = np.concatenate([self._partial, a]) if len(self._partial) else a
        whole = (len(acc) // self.bin_n) * self.bin_n
        self._partial = acc[whole:]
        if whole == 0:
            return self.still_s
        # per-bin sums, each bin's samples added in order (the same for any chunking)
        sums, sqs = _bin_sums(acc[:whole], self.bin_n)
        k = self.bins_per_window
        prior = list(self._bins)[max(0, len(self._bins) - (k - 1)) :]  # a new window's first
        s_all = np.concatenate([np.asarray([b[0] for b in prior]).reshape(-1, 3), sums])
        q_all = np.concatenate([np.asarray([b[1] for b in prior]).reshape(-1, 3), sqs])
        for s, q in zip(sums[-k:], sqs[-k:], strict=True):
            self._bins.append((s, q))
        m = len(s_all) - k + 1  # windows completed by this feed (each ends on a new bin)
        if m <= 0:
            return self.still_s
        # window sums in the order the one-bin-at-a-time form adds them (0 + b0 + b1 …)
        ws, wq = np.zeros((m, 3)), np.zeros((m, 3))
        for j in range(k):
            ws = ws + s_all[j : j + m]
            wq = wq + q_all[j : j + m]
        n = self.bin_n * k
        with np.errstate(invalid="ignore"):  # a non-finite sample: never still
            mean = ws / n
            var = wq / n - mean * mean
        still = np.all(var < STILL_SD_G**2, axis=1)
        if not still[-1]:
            self._run_bins = 0
            return self.still_s
        moving = np.flatnonzero(~still)
        trailing = m - 1 - int(moving[-1]) if moving.size else m  # still windows at the end
        if trailing == m and self._run_bins:
            self._run_bins += m
        else:
            self._run_bins = k + trailing - 1
        return self.still_s


#: Bins summed per pass of `_bin_sums` (its squares stay in the cache; any value gives
#: the same sums: each bin is reduced on its own).
_PASS_BINS = 64


def _bin_sums(acc: FloatArray, bin_n: int) -> tuple[FloatArray, FloatArray]:
    """Per-bin sums of the samples and of their squares, (len(acc) // bin_n, 3) each:
    `np.add.reduceat` over bins of `bin_n` rows (`len(acc)` a multiple of it), a pass of
    `_PASS_BINS` bins at a time so the squares are never a whole-signal array."""
    bins = acc.shape[0] // bin_n
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
