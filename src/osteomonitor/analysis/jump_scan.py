"""Many flight candidates of the jump detector judged as arrays (`jumps.JumpDetector`).

A long signal analysed at once has hundreds of runs below the flight threshold; the
detector's one-run-at-a-time tests (`JumpDetector._flight_of_group`, `_consider`) cost
a few numpy calls each. These helpers give, bit for bit, what those tests give for many
runs together (tests/analysis/test_acc_fast_paths.py compares the two forms):

- `free_fall_means`: which single runs are free fall (mean of the smoothed ‖a‖ below
  `flight_g`), decided by a numpy sum wherever its rounding cannot change the answer and
  by the reference's exact `math.fsum` where it could;
- `landings`: the take-off and touchdown refined on the raw ‖a‖, the landing test and
  the landing peak, slope and clipping flag of every flight, as arrays.
"""

from __future__ import annotations

import math

import numpy as np

from .screen import moving_mean_runs, ranges
from .signal import FloatArray, IndexArray

#: Relative margin of the free-fall screen: a sum of k ≤ 10⁴ values in float64 is within
#: k·2⁻⁵³·Σ|x| < 1e-12·Σ|x| of the exact sum, so a numpy mean this far from the
#: threshold decides as the exactly rounded mean does.
_MEAN_MARGIN = 1e-12


def free_fall_means(m: FloatArray, s: IndexArray, e: IndexArray, flight_g: float) -> list[bool]:
    """For each run m[s[j] : e[j]] (non-empty), `math.fsum(run) / len(run) < flight_g`."""
    n = e - s
    vals = m[ranges(s, n)]
    heads = np.cumsum(n) - n
    mean = np.add.reduceat(vals, heads) / n
    size = np.add.reduceat(np.abs(vals), heads) / n
    tol = _MEAN_MARGIN * (size + abs(flight_g))
    out: list[bool] = (mean < flight_g - tol).tolist()
    unsure = np.flatnonzero((mean >= flight_g - tol) & (mean < flight_g + tol)).tolist()
    for j in unsure:
        a, b = int(s[j]), int(e[j])
        out[j] = math.fsum(m[a:b].tolist()) / (b - a) < flight_g
    return out


def landings(
    mag: FloatArray,
    raw: FloatArray,
    b0: int,
    n: int,
    s: IndexArray,
    e: IndexArray,
    h: int,
    lw: int,
    hyst_g: float,
    landing_min_g: float,
    clip_g: float | None,
) -> tuple[list[int], list[int], list[int], list[float], list[float], list[bool]]:
    """`JumpDetector._consider` of the flights [s[j], e[j]) as arrays.

    Args:
        mag / raw: the buffered ‖a‖ and samples, whose first row is global sample `b0`.
        n: samples fed so far (the signal's end so far), global.
        s / e: the flights' first sample and first sample after, global.
        h / lw / hyst_g / landing_min_g: the detector's smoothing half-width and landing
            window (samples), flight threshold and landing floor (g).
        clip_g: the clipping level, g, or None (range unknown).

    Returns (s, e, k, peak, base, clipped) of the flights that pass the landing test:
    take-off and touchdown refined on the raw ‖a‖ (the first and last sample below
    `hyst_g` within ± h), the landing peak's offset k after touchdown and its ‖a‖, the
    ‖a‖ of the last flight sample, and whether a landing sample reached `clip_g`.
    """
    if h:
        lo_r, hi_r = np.maximum(1, s - h), np.minimum(n - 1, e + h)
        ln = hi_r - lo_r
        heads = np.cumsum(ln) - ln
        below = np.flatnonzero(mag[ranges(lo_r - b0, ln)] < hyst_g)
        if below.size:
            first = np.searchsorted(below, heads)
            last = np.searchsorted(below, heads + ln) - 1
            has = first <= last
            f = below[np.minimum(first, below.size - 1)] - heads
            g = below[np.maximum(last, 0)] - heads
            s = np.where(has, lo_r + f, s)
            e = np.where(has, lo_r + g + 1, e)
    hi = np.minimum(n, e + lw + 1)
    width = hi - e
    sm = moving_mean_runs(mag, e - b0, hi - b0, h, 0, n - b0)
    top = np.maximum.reduceat(sm, np.cumsum(width) - width)
    ok = ~(top < landing_min_g)
    s, e, hi = s[ok], e[ok], hi[ok]
    if not s.size:
        return [], [], [], [], [], []
    idx = e[:, None] + np.arange(lw + 1)
    valid = idx < hi[:, None]
    idx = np.minimum(idx, n - 1) - b0
    win = mag[idx]
    win[~valid] = -np.inf
    k = np.argmax(win, axis=1)
    peak = win[np.arange(k.size), k]
    if clip_g is None:
        clipped = [False] * s.size
    else:
        hit = (np.abs(raw[idx]) >= clip_g).any(axis=2) & valid
        clipped = hit.any(axis=1).tolist()
    return s.tolist(), e.tolist(), k.tolist(), peak.tolist(), mag[e - 1 - b0].tolist(), clipped
