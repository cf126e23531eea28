"""Simulated time: one session clock shared by the virtual wearables and the collector.

With `speed` > 1 the simulated session runs faster than real time (a 10-minute session
at speed 20 takes 30 s of wall time). The virtual devices schedule their samples on
simulated seconds, and `host_ns()` gives the collector a host clock on the same time
base, so a recording made at any speed carries the timestamps a real-time session
would have had and the analysis finds the same answers.
"""

from __future__ import annotations

import asyncio
import time

NS_PER_S = 1_000_000_000


class SimClock:
    """Simulated session time, started at construction.

    Args:
        speed: simulated seconds per wall-clock second (> 0).
        epoch_ns: host time (ns since the Unix epoch) of simulated second 0;
            defaults to the wall clock at construction.
    """

    def __init__(self, speed: float = 1.0, epoch_ns: int | None = None) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0, got {speed!r}")
        self.speed = float(speed)
        self._t0 = time.perf_counter()
        self.epoch_ns = time.time_ns() if epoch_ns is None else int(epoch_ns)

    def now_s(self) -> float:
        """Simulated seconds since the session clock started."""
        return (time.perf_counter() - self._t0) * self.speed

    def host_ns(self) -> int:
        """Host time on the simulated time base, ns since the Unix epoch."""
        return self.epoch_ns + int(self.now_s() * NS_PER_S)

    def wall_s(self, sim_s: float) -> float:
        """Wall-clock seconds that `sim_s` simulated seconds take."""
        return sim_s / self.speed

    async def sleep_until(self, sim_s: float) -> None:
        """Sleep until simulated time `sim_s` (returns at once if it has passed)."""
        delay = (sim_s - self.now_s()) / self.speed
        if delay > 0:
            await asyncio.sleep(delay)
        else:
            await asyncio.sleep(0)

    async def sleep(self, sim_s: float) -> None:
        """Sleep for `sim_s` simulated seconds."""
        await asyncio.sleep(max(0.0, sim_s) / self.speed)
