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
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]

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
        self._hx: list[int] = []
        self._hy: list[int] = []
        self._sum_x = 0
        self._n = 0
        self._last_x: int | None = None
        self._fit: tuple[float, float] | None = None  # (a, b): y_rel = a + b·x_rel

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
        self._sum_x += x
        self._n += 1
        self._last_x = x
        self._fit = None

    def _stepped(self, device_ns: int, arrival_ns: int) -> bool:
        if self._span() < self.min_span_ns:
            return False
        return arrival_ns < self.to_host(device_ns) - self.step_threshold_ns

    def _restart(self) -> None:
        self.resets += 1
        self._hx.clear()
        self._hy.clear()
        self._sum_x = 0
        self._n = 0
        self._last_x = None
        self._fit = None

    def _push(self, x: int, y: int) -> None:
        hx, hy = self._hx, self._hy
        if hx and x == hx[-1]:
            if y >= hy[-1]:
                return
            hx.pop()
            hy.pop()
        # Lower hull (monotone chain): drop the last vertex while it is not below the
        # segment from the one before it to the new point (cross product ≤ 0).
        while len(hx) >= 2:
            x1, y1, x2, y2 = hx[-2], hy[-2], hx[-1], hy[-1]
            if (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1) > 0:
                break
            hx.pop()
            hy.pop()
        hx.append(x)
        hy.append(y)

    # --- the fit ---------------------------------------------------------------------
    def _span(self) -> int:
        return self._hx[-1] - self._hx[0] if self._hx else 0

    def _solve(self) -> tuple[float, float]:
        if self._fit is not None:
            return self._fit
        hx, hy = self._hx, self._hy
        if not hx:
            raise RuntimeError("ClockMapper has no frames yet")
        lim = self.max_drift_ppm * 1e-6
        if self._span() < self.min_span_ns or len(hx) < 2:
            b = 1.0
        else:
            mean_x = self._sum_x / self._n
            i = min(max(bisect.bisect_right(hx, mean_x) - 1, 0), len(hx) - 2)
            b = (hy[i + 1] - hy[i]) / (hx[i + 1] - hx[i])
            b = min(max(b, 1.0 - lim), 1.0 + lim)
        # Highest line of slope b under every hull vertex (exact for the hull edge).
        a = min(y - b * x for x, y in zip(hx, hy, strict=True))
        self._fit = (a, b)
        return self._fit

    @property
    def ready(self) -> bool:
        """At least one frame has been added."""
        return bool(self._hx)

    @property
    def drift_ppm(self) -> float:
        """Host-minus-device rate difference, ppm (positive: the device clock runs slow)."""
        return (self._solve()[1] - 1.0) * 1e6

    @property
    def offset_ns(self) -> int:
        """Host time at device time 0 by the fitted line, ns (host = offset + (1+drift)·device)."""
        a, b = self._solve()
        return round(self._y0 + a - b * self._x0)

    @overload
    def to_host(self, device_ns: int) -> int: ...
    @overload
    def to_host(self, device_ns: IntArray) -> IntArray: ...
    def to_host(self, device_ns: int | IntArray) -> int | IntArray:
        """Host time(s) of device time(s), ns since the Unix epoch."""
        a, b = self._solve()
        if isinstance(device_ns, np.ndarray):
            rel = (device_ns.astype(np.int64) - self._x0).astype(np.float64)
            return self._y0 + np.rint(a + b * rel).astype(np.int64)
        return self._y0 + round(a + b * (device_ns - self._x0))


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
    for d, a in zip(np.asarray(device_ns).tolist(), np.asarray(arrival_ns).tolist(), strict=True):
        m.add(int(d), int(a), expected_interval_ns)
    return ClockFit(m.offset_ns, m.drift_ppm, tuple(m.gaps))


class SampleClock:
    """Host times for devices that send no timestamp (MetaWear, Thingy:52).

    Samples are counted at the nominal rate and the count is mapped to host time with
    a `ClockMapper` over packet arrivals, so the true rate (which differs from the
    nominal by up to a few %) is learnt as drift and latency jitter is ignored. When
    every packet of a window arrives later than the counter predicts by more than
    `loss_ns`, packets were lost: the counter jumps forward and a `Gap` is recorded.

    Args:
        rate_hz: nominal sample rate, Hz.
        max_drift_ppm: accepted rate error (MEMS output data rates are ±several %).
        loss_ns: minimum lateness, sustained over `window` packets, that means loss.
        window: packets that must all be late before declaring a loss.
    """

    def __init__(
        self,
        rate_hz: float,
        max_drift_ppm: float = 50_000.0,
        min_span_ns: int = 1_000_000_000,
        loss_ns: int = 60_000_000,
        window: int = 8,
    ) -> None:
        self.period_ns = 1e9 / rate_hz
        self.mapper = ClockMapper(max_drift_ppm=max_drift_ppm, min_span_ns=min_span_ns)
        self.loss_ns = loss_ns
        self.window = window
        self.count = 0
        self._late: list[int] = []

    @property
    def gaps(self) -> list[Gap]:
        """Detected losses (device times are the sample counter × nominal period)."""
        return self.mapper.gaps

    def stamp(self, n: int, arrival_ns: int) -> tuple[IntArray, IntArray]:
        """Times of `n` samples that arrived together at `arrival_ns`.

        Returns:
            (host_ns, counter_ns): (n,) int64 host times and the counter times they map from.
        """
        counter = self.count + np.arange(n, dtype=np.int64)
        last_dev = round((self.count + n - 1) * self.period_ns)
        if self.mapper.ready:
            late = arrival_ns - self.mapper.to_host(last_dev)
            self._late.append(late)
            if len(self._late) > self.window:
                self._late.pop(0)
            if len(self._late) == self.window and min(self._late) > self.loss_ns:
                skip = round(min(self._late) / self.period_ns)
                before = round((self.count - 1) * self.period_ns)
                self.count += skip
                counter = counter + skip
                last_dev = round((self.count + n - 1) * self.period_ns)
                self.mapper.gaps.append(
                    Gap(before, round(self.count * self.period_ns), round(skip * self.period_ns))
                )
                self._late.clear()
        self.mapper.add(last_dev, arrival_ns)
        self.count += n
        counter_ns = np.rint(counter * self.period_ns).astype(np.int64)
        return self.mapper.to_host(counter_ns), counter_ns
