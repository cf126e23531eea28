"""Flight candidates of the jump detector and the rules that name them.

A candidate is a stretch of near free fall followed by a landing (`jumps.JumpDetector`
finds them and measures their features); `classify_flight` decides, from the candidate
and its bout (the candidates within `JumpParams.bout_half_s`), whether it is a jump, a
running stride, a stepping flight (stairs, a stumble), a soft lone landing or a drop onto
a seat. The rules and their thresholds are physical (flight time, landing peak, push-off,
posture change, horizontal motion, step rhythm and left/right alternation); each
threshold's source and tuning note is in `thresholds.JumpParams`, and
`bench/bench_jump_cv.py` judges them person by person (leave one subject out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

import numpy as np

from .signal import FloatArray
from .thresholds import JumpParams


@dataclass(slots=True)
class Candidate:
    """One flight candidate (sample indices are global: counted from the first sample).

    Attributes:
        s: first flight sample; e: first sample after it (touchdown); p: landing peak.
        flight_s: flight time, s. peak_g: landing peak ‖a‖, g. slope_g_s: loading slope,
            g/s. clipped: a landing sample reached the sensor's range.
        hv: horizontal/vertical dynamic RMS ratio over the context window; NaN = the
            feet were loaded (rejected); None = orientation unknown.
        cadence_r: strongest ‖a‖ autocorrelation peak at one running step (−1: none).
        gait_r: the same over the wider range of one jogging or running step.
        alternation: left/right alternation one step (the `gait_r` lag) apart, or None.
        push_g: highest ‖a‖ in the push-off window before take-off, g.
        tilt_deg: turn of the gravity direction from before take-off to after the
            landing, degrees, or None when unknown.
        context_done: the context features above are measured.
    """

    s: int
    e: int
    p: int
    flight_s: float
    peak_g: float
    slope_g_s: float
    clipped: bool
    hv: float | None = None
    cadence_r: float | None = None
    gait_r: float | None = None
    alternation: float | None = None
    push_g: float = math.inf
    tilt_deg: float | None = None
    context_done: bool = False


class FlightClass(Enum):
    """What a flight candidate is."""

    JUMP = "jump"
    STRIDE = "running stride"
    STEPPING = "stepping flight"
    SOFT_LANDING = "soft lone landing"
    SEATED = "drop onto a seat"


def classify_flight(c: Candidate, bout: list[Candidate], p: JumpParams) -> FlightClass:
    """Name a candidate from its features and its bout's medians (rules in order).

    1. Short flights with soft landings (bout medians below `bout_flight_min_s` and
       `stride_min_g`): stepping (stairs).
    2. A running rhythm (median cadence r ≥ `run_cadence_r_min` at a lag in
       `run_step_s`) with horizontal motion (median h/v ≥ `bout_hv_max`), or a step
       rhythm up to `gait_step_max_s` over at least `rhythm_bout_min` candidates with
       left/right alternation (median < `alternation_max`): running strides, also a
       slow jog and jogging on the spot.
    3. Horizontal motion, at most `passing_bout_max` candidates and a median flight
       below `moving_flight_min_s`: stepping (a hop in passing: fast stairs, a stumble).
    4. A lone candidate landing below `single_landing_min_g`: a soft landing (sitting
       down quickly), not a jump.
    5. A lone candidate without push-off (< `push_min_g`) whose gravity direction turns
       by `seated_tilt_min_deg` or more: a drop onto a seat (collapsing into a chair).
    6. Anything else is a jump: hops, jump rope, countermovement and drop jumps.
    """
    med_flight = median(sorted(o.flight_s for o in bout))
    med_peak = median(sorted(o.peak_g for o in bout))
    hvs = sorted(o.hv for o in bout if o.hv is not None)
    cads = sorted(o.cadence_r for o in bout if o.cadence_r is not None)
    gaits = sorted(o.gait_r for o in bout if o.gait_r is not None)
    alts = sorted(o.alternation for o in bout if o.alternation is not None)
    if med_flight < p.bout_flight_min_s and med_peak < p.stride_min_g:
        return FlightClass.STEPPING
    moving = not hvs or median(hvs) >= p.bout_hv_max
    rhythmic = bool(cads) and median(cads) >= p.run_cadence_r_min
    stepping_rhythm = (
        len(bout) >= p.rhythm_bout_min and bool(gaits) and median(gaits) >= p.run_cadence_r_min
    )
    alternating = bool(alts) and median(alts) < p.alternation_max
    if (rhythmic and moving) or (stepping_rhythm and alternating):
        return FlightClass.STRIDE
    if moving and len(bout) <= p.passing_bout_max and med_flight < p.moving_flight_min_s:
        return FlightClass.STEPPING
    if len(bout) == 1 and c.peak_g < p.single_landing_min_g:
        return FlightClass.SOFT_LANDING
    if (
        len(bout) == 1
        and c.push_g < p.push_min_g
        and c.tilt_deg is not None
        and c.tilt_deg >= p.seated_tilt_min_deg
    ):
        return FlightClass.SEATED
    return FlightClass.JUMP


def alternation(h: FloatArray, lag: int, step: int) -> float:
    """Left/right alternation of the horizontal acceleration one running step apart.

    Bipedal gait sways the pelvis to the side of the stance foot, so the mediolateral
    acceleration reverses from one step to the next; a two-footed hop repeats itself.
    The lag-`lag` covariance of the horizontal dynamic acceleration (every `step`-th
    sample), whitened by its lag-0 covariance, has eigenvalues in [−1, 1]; the smaller
    is returned: about −0.3 to −0.8 in jogging, fast stairs and jogging on the spot,
    −0.15 to 0 in rhythmic two-footed hopping (USC-HAD, SisFall; `bench/bench_jump_cv.py`).

    Args:
        h: (n, 3) horizontal dynamic acceleration, g.
        lag: one step, in samples of the decimated signal.
        step: decimation of `h`.
    """
    x = h[::step]
    m = x.shape[0] - lag
    if m <= lag:
        return 0.0
    a, b = x[:m], x[lag : lag + m]
    c0 = a.T @ a + b.T @ b
    cl = a.T @ b + b.T @ a
    w, v = np.linalg.eigh(c0)
    top = float(w[-1])
    if top <= 0.0:
        return 0.0
    keep = w > 1e-9 * top  # the vertical direction is empty after the projection
    white = v[:, keep] / np.sqrt(w[keep])
    return float(np.linalg.eigvalsh(white.T @ cl @ white)[0])


def autocorr_peak(x: FloatArray, lag_lo: int, lag_hi: int) -> tuple[float | None, int]:
    """Strongest local peak of the normalised autocorrelation at a lag in [lag_lo, lag_hi].

    r(L) = Σ x[i]·x[i+L] / √(Σ x[i]² · Σ x[i+L]²) over i < n − (lag_hi + 1), x with its
    mean removed, so every lag uses windows of the same length; a peak is at least as
    high as both neighbours (lags lag_lo − 1 and lag_hi + 1 are computed for that).

    Args:
        x: the signal (one window), contiguous float64.
        lag_lo / lag_hi: lag range in samples, lag_lo ≥ 2.

    Returns:
        (r, lag): r = −1 and lag 0 when there is no peak in the range; (None, 0) when
        the window is too short for the range.
    """
    lo, hi = lag_lo - 1, lag_hi + 1
    n = x.shape[0]
    m = n - hi
    if m < hi:
        return None, 0
    x = x - x.sum() / n  # a new contiguous array
    lags = hi - lo + 1
    # b[j] = x[lo + j : lo + j + m], a view (no copy)
    b = np.ndarray((lags, m), np.float64, x, lo * 8, (8, 8))
    num = (b * x[:m]).sum(axis=1)
    sq = np.cumsum(x * x)  # within this window only: independent of the chunking
    tail = sq[lo + m - 1 : hi + m] - np.concatenate(([0.0], sq))[lo : hi + 1]
    den = np.sqrt(tail * float(sq[m - 1]))
    r = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    mid = r[1:-1]
    peak = (mid >= r[:-2]) & (mid >= r[2:])
    if not peak.any():
        return -1.0, 0
    k = int(np.argmax(np.where(peak, mid, -np.inf)))
    return float(mid[k]), lo + 1 + k


#: `autocorr_peak_rows` multiplies this many bytes of lagged products at a time (stays in
#: a core's L2 cache, 1.25 MB here).
_PRODUCT_BYTES = 1 << 19


def autocorr_peak_rows(
    x: FloatArray, lag_lo: int, lag_hi: int
) -> tuple[list[float | None], list[int]]:
    """`autocorr_peak` of every row of `x` (k, n) at once, the same values: each row's
    sums are the same reductions over the same contiguous rows."""
    k, n = x.shape
    lo, hi = lag_lo - 1, lag_hi + 1
    m = n - hi
    if m < hi or k == 0:
        return [None] * k, [0] * k
    x = x - x.sum(axis=1, keepdims=True) / n  # a new contiguous array
    lags = hi - lo + 1
    rs = x.strides[0]
    b = np.ndarray((k, lags, m), np.float64, x, lo * 8, (rs, 8, 8))
    # the products a block of rows at a time into one reused buffer: all rows at once
    # made a (k, lags, m) temporary of ~34 KB per row (12 MB for the 360 candidates of
    # a 3-hour file: fresh pages, out of the cache; 20 ms there instead of ~6 ms)
    num = np.empty((k, lags))
    rows = max(1, min(k, _PRODUCT_BYTES // (lags * m * 8)))
    tmp = np.empty((rows, lags, m))
    for s in range(0, k, rows):
        t = tmp[: min(rows, k - s)]
        np.multiply(b[s : s + rows], x[s : s + rows, None, :m], out=t)
        np.add.reduce(t, axis=2, out=num[s : s + rows])  # each row's sum, as `.sum`
    sq = np.cumsum(x * x, axis=1)
    sq0 = np.concatenate((np.zeros((k, 1)), sq), axis=1)
    tail = sq[:, lo + m - 1 : hi + m] - sq0[:, lo : hi + 1]
    den = np.sqrt(tail * sq[:, m - 1 : m])
    r = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    mid = r[:, 1:-1]
    peak = (mid >= r[:, :-2]) & (mid >= r[:, 2:])
    best = np.argmax(np.where(peak, mid, -np.inf), axis=1)
    has: list[bool] = np.asarray(peak.any(axis=1), dtype=bool).tolist()
    vals = mid[np.arange(k), best]
    out_r: list[float | None] = [
        float(v) if h else -1.0 for v, h in zip(vals.tolist(), has, strict=True)
    ]
    out_lag = [lo + 1 + int(j) if h else 0 for j, h in zip(best.tolist(), has, strict=True)]
    return out_r, out_lag


def median(sorted_values: list[float]) -> float:
    """Median of an already sorted, non-empty list."""
    n = len(sorted_values)
    mid = n // 2
    return sorted_values[mid] if n % 2 else 0.5 * (sorted_values[mid - 1] + sorted_values[mid])
