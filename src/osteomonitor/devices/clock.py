"""Device clock → host clock: offset and drift from frame arrival times.

A frame stamped `device_ns` by the wearable arrives on the host at
`arrival_ns = true_host_ns + latency`, with latency ≥ 0 (connection interval, retries,
OS queues). Fitting an ordinary regression would bias the offset by the mean latency
and let latency spikes tilt the slope, so the fit follows the *lower envelope*: the
line below every (device, arrival) point that minimises the summed distance to them.
Its solution is the edge of the points' lower convex hull above the mean device time
(Moon, Skelly & Towsley, "Estimation and removal of clock skew from network delay
measurements", IEEE INFOCOM 1999). The hull is kept incrementally (device times
increase), so each frame costs O(1) amortised.

The fitted line maps onto "arrival of a minimum-latency frame"; the minimum latency
itself is not observable and stays in the offset (a few ms on BLE).

`ClockMapper` and its array forms stay in one module so live and batch fits share their
helpers and stay bit-identical (tested). Devices that send no timestamp count samples
instead: `sample_clock.SampleClock`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]

#: Largest believable relative rate difference between two crystal clocks, ppm. 32 kHz
#: crystals are specified ±20 ppm (polar-ble-sdk issue #580) and Linux NTP slews at most
#: 500 ppm; a fit beyond this is clamped.
MAX_DRIFT_PPM = 1000.0
#: Device-time span before drift is fitted at all; shorter spans fix the drift at 0
#: and track only the minimum-latency offset (a 30 ms latency swing over 60 s is 500 ppm).
MIN_FIT_SPAN_NS = 60_000_000_000
#: A frame arriving this far *before* the fitted line means the host or device clock
#: stepped (NTP step, device clock set): the fit restarts.
STEP_THRESHOLD_NS = 100_000_000
#: The slope is re-solved when the fit's device-time span first reaches
#: `min_span_ns` and then each time it has grown by this factor (60 s, 75 s, 94 s …):
#: about 18 solves over an hour, each from every frame so far, and the last one has
#: seen 80 % of the session.
SOLVE_GROWTH = 1.25
#: Device-time spacing above this multiple of the expected frame interval is a gap
#: (lost frames): one lost frame doubles the spacing, jitter stays well below 1.5×.
GAP_FACTOR = 1.5


@dataclass(frozen=True, slots=True)
class Gap:
    """Lost data between two frames.

    Attributes:
        device_start_ns: device time of the last frame before the gap.
        device_end_ns: device time of the first frame after it.
        missing_ns: device time not covered by any frame, ns.
    """

    device_start_ns: int
    device_end_ns: int
    missing_ns: int


class ClockMapper:
    """Online lower-envelope fit of host_ns ≈ offset + (1 + drift)·device_ns.

    The drift (slope) is re-solved from every frame of the current fit when the
    device-time span first reaches `min_span_ns` and then each time it has grown by
    `SOLVE_GROWTH` (60 s, 75 s, 94 s …): a crystal's rate does not wander, so a slope
    learnt over 80 % of the session is nearly as good as one re-learnt every frame
    (tests/devices/test_clock.py: an hour's worst error p99 0.7 ms, the rarest draws
    ~1.1 ms), and it makes the fit an array operation. Between re-solves the offset is
    the running minimum of arrival − slope·device (the highest line of that slope under
    every point). Before the first re-solve the slope is 1 (offset only). `add` (one
    frame, live) and `add_many` (a whole recording, batch) give bit-identical fits.

    Args:
        max_drift_ppm: clamp for the fitted drift.
        min_span_ns: device-time span needed before the drift is fitted.
        step_threshold_ns: restart when a frame arrives this far before the line.
        latency_floor_ns: known minimum transport latency, subtracted from arrivals
            (0 = unknown: the minimum latency then stays in the offset).
    """

    def __init__(
        self,
        max_drift_ppm: float = MAX_DRIFT_PPM,
        min_span_ns: int = MIN_FIT_SPAN_NS,
        step_threshold_ns: int = STEP_THRESHOLD_NS,
        latency_floor_ns: int = 0,
    ) -> None:
        self.latency_floor_ns = latency_floor_ns
        self.max_drift_ppm = max_drift_ppm
        self.min_span_ns = min_span_ns
        self.step_threshold_ns = step_threshold_ns
        self.gaps: list[Gap] = []
        self.resets = 0
        self.n_points = 0
        self._x0 = 0
        self._y0 = 0
        self._px = np.empty(64, dtype=np.int64)  # the current fit's points, x = device − x0
        self._py = np.empty(64, dtype=np.int64)  # y = arrival − y0
        self._sum_x = 0
        self._n = 0
        self._last_x: int | None = None
        self._a = 0.0  # y_rel ≈ a + b·x_rel
        self._b = 1.0
        self._next_solve = max(1, min_span_ns)

    # --- feeding ---------------------------------------------------------------------
    def add(self, device_ns: int, arrival_ns: int, expected_interval_ns: int | None = None) -> None:
        """Add one frame: device time of a sample and the host arrival of its frame.

        Args:
            device_ns: device clock time (any epoch), ns.
            arrival_ns: host arrival time, ns since the Unix epoch.
            expected_interval_ns: device time the frame should follow its predecessor
                by (samples × period); spacing over `GAP_FACTOR` × this is a gap.
        """
        self.n_points += 1
        arrival_ns -= self.latency_floor_ns
        if self._n and self._last_x is not None:
            last_dev = self._x0 + self._last_x
            if device_ns < last_dev or self._stepped(device_ns, arrival_ns):
                self._restart()
            elif expected_interval_ns and device_ns - last_dev > GAP_FACTOR * expected_interval_ns:
                self.gaps.append(
                    Gap(last_dev, device_ns, device_ns - last_dev - expected_interval_ns)
                )
        if not self._n:
            self._x0, self._y0 = device_ns, arrival_ns
        x, y = device_ns - self._x0, arrival_ns - self._y0
        self._push(x, y)
        if x >= self._next_solve and self._n >= 2:
            self._solve()
        else:
            self._a = min(self._a, y - self._b * x) if self._n > 1 else y - self._b * x

    def add_many(
        self,
        device_ns: IntArray,
        arrival_ns: IntArray,
        expected_interval_ns: IntArray | None = None,
    ) -> FrameFits:
        """Add many frames at once (exactly as `add` one by one) and return the fit each
        frame's samples are mapped with (the fit just after that frame was added).

        Args:
            device_ns / arrival_ns: (n,) int64 device time and host arrival per frame.
            expected_interval_ns: (n,) int64 expected spacing per frame, or None.
        """
        dev = np.asarray(device_ns, dtype=np.int64)
        arr = np.asarray(arrival_ns, dtype=np.int64) - self.latency_floor_ns
        exp = None if expected_interval_ns is None else np.asarray(expected_interval_ns)
        n = dev.size
        fits = FrameFits(
            np.empty(n, np.float64), np.empty(n, np.float64), np.empty(n, np.int64),
            np.empty(n, np.int64),
        )  # fmt: skip
        i = 0
        while i < n:
            if not self._n or self._last_x is None:
                self._scalar(fits, i, dev, arr, exp)
                i += 1
                continue
            chunk = 4096  # look ahead in growing chunks: a restart stops a run early
            while i < n:
                e = min(n, i + chunk)
                # a re-solve stops the run at the first frame that far along: end the
                # chunk there (device times rise, as a rule; any end gives the same)
                due = self._x0 + self._next_solve
                e = min(e, i + 1 + int(np.searchsorted(dev[i:e], due)))
                m = self._run(dev[i:e], arr[i:e], None if exp is None else exp[i:e], fits, i)
                i += m
                if m < e - (i - m):  # a restart or a re-solve: one frame the slow way
                    self._scalar(fits, i, dev, arr, exp)
                    i += 1
                    break
                chunk *= 2
        return fits

    def _scalar(
        self, fits: FrameFits, k: int, dev: IntArray, arr: IntArray, exp: IntArray | None
    ) -> None:
        e = int(exp[k]) if exp is not None else None
        self.add(int(dev[k]), int(arr[k]) + self.latency_floor_ns, e)
        fits.a[k], fits.b[k], fits.x0[k], fits.y0[k] = self._a, self._b, self._x0, self._y0

    def _run(
        self, dev: IntArray, arr: IntArray, exp: IntArray | None, fits: FrameFits, at: int
    ) -> int:
        """Add frames while nothing but the running offset changes; returns how many."""
        assert self._last_x is not None
        b, x0, y0 = self._b, self._x0, self._y0
        x = dev - x0
        y = arr - y0
        xf = x.astype(np.float64)
        a_seq = np.minimum.accumulate(y.astype(np.float64) - b * xf)
        np.minimum(a_seq, self._a, out=a_seq)
        prev_x = np.concatenate(([self._last_x], x[:-1]))
        a_prev = np.concatenate(([self._a], a_seq[:-1]))
        stop = (x < prev_x) | (x >= self._next_solve)
        spanned = prev_x >= self.min_span_ns
        if spanned.any():
            line = np.rint(a_prev + b * xf).astype(np.int64)
            stop |= spanned & (y < line - self.step_threshold_ns)
        hit = np.flatnonzero(stop)
        m = int(hit[0]) if hit.size else x.size
        if m == 0:
            return 0
        if exp is not None:
            gap = (x[:m] - prev_x[:m]) > GAP_FACTOR * exp[:m]
            gap &= exp[:m] > 0
            for j in np.flatnonzero(gap).tolist():
                last, cur = x0 + int(prev_x[j]), x0 + int(x[j])
                self.gaps.append(Gap(last, cur, cur - last - int(exp[j])))
        self._extend(x[:m], y[:m])
        self.n_points += m
        self._a = float(a_seq[m - 1])
        fits.a[at : at + m] = a_seq[:m]
        fits.b[at : at + m] = b
        fits.x0[at : at + m] = x0
        fits.y0[at : at + m] = y0
        return m

    def _stepped(self, device_ns: int, arrival_ns: int) -> bool:
        if self._span() < self.min_span_ns:
            return False
        return arrival_ns < self.to_host(device_ns) - self.step_threshold_ns

    def _restart(self) -> None:
        self.resets += 1
        self._sum_x = 0
        self._n = 0
        self._last_x = None
        self._a, self._b = 0.0, 1.0
        self._next_solve = max(1, self.min_span_ns)

    def _push(self, x: int, y: int) -> None:
        n = self._n
        if n >= self._px.size:
            self._px = np.concatenate((self._px, np.empty(n, np.int64)))
            self._py = np.concatenate((self._py, np.empty(n, np.int64)))
        self._px[n] = x
        self._py[n] = y
        self._n = n + 1
        self._sum_x += x
        self._last_x = x

    def _extend(self, x: IntArray, y: IntArray) -> None:
        n, k = self._n, x.size
        if n + k > self._px.size:
            cap = max(2 * self._px.size, n + k)
            self._px = np.concatenate((self._px[:n], np.empty(cap - n, np.int64)))
            self._py = np.concatenate((self._py[:n], np.empty(cap - n, np.int64)))
        self._px[n : n + k] = x
        self._py[n : n + k] = y
        self._n += k
        self._sum_x += int(x.sum()) if k > 1 else int(x[0])
        self._last_x = int(x[-1])

    # --- the fit ---------------------------------------------------------------------
    def _span(self) -> int:
        return self._last_x or 0

    def _solve(self) -> None:
        """Re-learn the slope (lower-envelope edge above the mean device time, clamped)
        and the offset from every point of the current fit."""
        x, y = self._px[: self._n], self._py[: self._n]
        mean_x = self._sum_x / self._n
        lim = self.max_drift_ppm * 1e-6
        b = _envelope_slope(x, y, mean_x)
        self._b = min(max(b, 1.0 - lim), 1.0 + lim)
        self._a = float((y.astype(np.float64) - self._b * x.astype(np.float64)).min())
        while self._next_solve <= int(x[-1]):
            self._next_solve = math.ceil(self._next_solve * SOLVE_GROWTH)

    @property
    def ready(self) -> bool:
        """At least one frame has been added."""
        return self._n > 0

    @property
    def drift_ppm(self) -> float:
        """Host-minus-device rate difference, ppm (positive: the device clock runs slow)."""
        self._need()
        return (self._b - 1.0) * 1e6

    @property
    def offset_ns(self) -> int:
        """Host time at device time 0 by the fitted line, ns (host = offset + (1+drift)·device)."""
        self._need()
        return round(self._y0 + self._a - self._b * self._x0)

    def _need(self) -> None:
        if not self._n:
            raise RuntimeError("ClockMapper has no frames yet")

    @overload
    def to_host(self, device_ns: int) -> int: ...
    @overload
    def to_host(self, device_ns: IntArray) -> IntArray: ...
    def to_host(self, device_ns: int | IntArray) -> int | IntArray:
        """Host time(s) of device time(s), ns since the Unix epoch."""
        self._need()
        a, b = self._a, self._b
        if isinstance(device_ns, np.ndarray):
            rel = (device_ns.astype(np.int64) - self._x0).astype(np.float64)
            return self._y0 + np.rint(a + b * rel).astype(np.int64)
        return self._y0 + round(a + b * (device_ns - self._x0))


@dataclass(frozen=True, slots=True)
class FrameFits:
    """The fit each frame was mapped with: host = y0 + rint(a + b·(device − x0)).

    Attributes:
        a, b: (n,) float64 offset (ns) and slope; x0, y0: (n,) int64 origins, ns.
    """

    a: FloatArray
    b: FloatArray
    x0: IntArray
    y0: IntArray

    def to_host(self, device_ns: IntArray, frame: IntArray) -> IntArray:
        """Host times of samples `device_ns` belonging to frames `frame` (indices)."""
        rel = (device_ns - self.x0[frame]).astype(np.float64)
        return self.y0[frame] + np.rint(self.a[frame] + self.b[frame] * rel).astype(np.int64)


def _envelope_slope(x: IntArray, y: IntArray, mean_x: float) -> float:
    """Slope of the lower convex hull's edge above `mean_x` (the line under every point
    that is closest to them on average; Moon et al. 1999). `x` is non-decreasing.

    Narrows a chord: from the leftmost and rightmost points (hull vertices on either
    side of the mean), the point a line of the chord's slope rests on replaces the
    end on its side of the mean, until the chord rests on its own ends: a hull edge.
    Each step is one pass over the points; a few steps suffice.
    """
    xf, yf = x.astype(np.float64), y.astype(np.float64)
    lo = int(np.argmin(y[: int(np.searchsorted(x, x[0], side="right"))]))
    r0 = int(np.searchsorted(x, x[-1], side="left"))
    hi = r0 + int(np.argmin(y[r0:]))
    while True:
        c = float(y[hi] - y[lo]) / float(x[hi] - x[lo])
        s = int(np.argmin(yf - c * xf))
        if s in (lo, hi) or not x[lo] < x[s] < x[hi]:
            return c
        if xf[s] <= mean_x:
            lo = s
        else:
            hi = s


@dataclass(frozen=True, slots=True)
class ClockFit:
    """A batch fit: host_ns ≈ offset_ns + (1 + drift_ppm·1e-6)·device_ns."""

    offset_ns: int
    drift_ppm: float
    gaps: tuple[Gap, ...]


def fit_clock(
    device_ns: IntArray,
    arrival_ns: IntArray,
    expected_interval_ns: int | None = None,
    max_drift_ppm: float = MAX_DRIFT_PPM,
    min_span_ns: int = MIN_FIT_SPAN_NS,
    latency_floor_ns: int = 0,
) -> ClockFit:
    """Fit a whole recording at once (same lower-envelope estimator as `ClockMapper`).

    Args:
        device_ns: (n,) device times of frames, increasing.
        arrival_ns: (n,) host arrival times of the same frames.
    """
    m = ClockMapper(
        max_drift_ppm=max_drift_ppm, min_span_ns=min_span_ns, latency_floor_ns=latency_floor_ns
    )
    dev = np.asarray(device_ns, dtype=np.int64)
    exp = None if not expected_interval_ns else np.full(dev.size, expected_interval_ns, np.int64)
    m.add_many(dev, np.asarray(arrival_ns, dtype=np.int64), exp)
    return ClockFit(m.offset_ns, m.drift_ppm, tuple(m.gaps))
