"""Host times for devices that send no timestamp: samples counted at the nominal rate,
the count mapped to host time by a `clock.ClockMapper` over packet arrivals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.devices.clock import ClockMapper, Gap

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]


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
