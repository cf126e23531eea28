"""`StillnessMeter.feed` before issue 15's round 2: every window of a feed judged, oldest
first (the reference the backward search must equal)."""

from __future__ import annotations

import numpy as np

from osteomonitor.analysis.movement import STILL_SD_G, StillnessMeter, _bin_sums


def feed_forward(meter: StillnessMeter, acc_g: np.ndarray) -> float:
    """The former `StillnessMeter.feed`, on `meter`'s state."""
    a = np.asarray(acc_g, dtype=np.float64)
    acc = np.concatenate([meter._partial, a]) if len(meter._partial) else a
    whole = (len(acc) // meter.bin_n) * meter.bin_n
    meter._partial = acc[whole:]
    if whole == 0:
        return meter.still_s
    sums, sqs = _bin_sums(acc[:whole], meter.bin_n)
    k = meter.bins_per_window
    prior = list(meter._bins)[max(0, len(meter._bins) - (k - 1)) :]
    s_all = np.concatenate([np.asarray([b[0] for b in prior]).reshape(-1, 3), sums])
    q_all = np.concatenate([np.asarray([b[1] for b in prior]).reshape(-1, 3), sqs])
    for s, q in zip(sums[-k:], sqs[-k:], strict=True):
        meter._bins.append((s, q))
    m = len(s_all) - k + 1
    if m <= 0:
        return meter.still_s
    ws, wq = np.zeros((m, 3)), np.zeros((m, 3))
    for j in range(k):
        ws = ws + s_all[j : j + m]
        wq = wq + q_all[j : j + m]
    n = meter.bin_n * k
    with np.errstate(invalid="ignore"):
        mean = ws / n
        var = wq / n - mean * mean
    still = np.all(var < STILL_SD_G**2, axis=1)
    if not still[-1]:
        meter._run_bins = 0
        return meter.still_s
    moving = np.flatnonzero(~still)
    trailing = m - 1 - int(moving[-1]) if moving.size else m
    if trailing == m and meter._run_bins:
        meter._run_bins += m
    else:
        meter._run_bins = k + trailing - 1
    return meter.still_s
