"""Live: the collector's packets into the dashboard.

    BLE callback ─► collector queue ─► consumer ─► recording
                                           └─► the collector's analysis thread (the one
                                               session driver) ─► snapshot ─► SessionUpdated

The feed analyses nothing itself: it watches the collector's one session driver
(`Collector.watch`), the same driver whose counters the device strip shows, so each
packet is decoded once and the dashboard shows what replaying the recording shows.
The consumer only appends to the analysis thread's queue, so a slow analysis or a slow
terminal can never block the collector.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from textual.message_pump import MessagePump

from osteomonitor.model import DeviceInfo, Event, SessionMeta
from osteomonitor.tui.feeds.base import STATE_PERIOD_S
from osteomonitor.tui.messages import (
    DeviceLine,
    DevicesUpdated,
    FeedFailed,
    FeedFinished,
    FeedStarted,
    SessionUpdated,
)

# How often the device strip is refreshed from `collector.status()`, s.
STATUS_PERIOD_S = 0.5
# Collector link states as the device strip words them.
LINK_STATES: dict[str, str] = {
    "connecting": "connecting",
    "starting": "connecting",
    "streaming": "connected",
    "reconnecting": "reconnecting",
    "stopping": "stopped",
    "stopped": "stopped",
    "failed": "lost",
}


def device_line(status: Any, simulated: bool) -> DeviceLine:
    """The strip's view of a collector `DeviceStatus`."""
    state = LINK_STATES.get(status.state, status.state)
    if status.outage_s is not None:
        state = "reconnecting"
    return DeviceLine(
        key=status.key,
        name=status.name,
        state=state,
        battery_pct=status.battery_pct,
        contact=status.contact,
        packets=status.packets,
        dropped=status.dropped,
        simulated=simulated,
    )


def device_infos(collector: Any) -> list[DeviceInfo]:
    """The session's devices as the recording knows them (after `collector.start()`)."""
    return [
        DeviceInfo(
            key=d.key,
            address=d.address,
            name=d.name,
            profile=d.profile,
            battery_pct=d.battery_pct,
            settings=dict(d.settings),
        )
        for d in collector.status().devices
    ]


class LiveFeed:
    """Feeds a screen from a started collector.

    Args:
        collector: a started `collect.Collector` (its recording open); its analysis
            (`collector.driver`, with the prescription it was given) is what is shown.
        subscription: a collector queue subscribed before it started; the feed does not
            need it and unsubscribes it (kept for callers that pass one).
        meta: the session metadata; prescription: the prescription in force.
        on_stop: awaited by `stop` to end the streams and close the recording
            (default `collector.stop()`).
        state_period_s / status_period_s: refresh periods, s.
        clock: monotonic seconds.
    """

    can_log_events = True

    def __init__(
        self,
        collector: Any,
        meta: SessionMeta,
        prescription: Any = None,
        *,
        subscription: asyncio.Queue[Any] | None = None,
        on_stop: Callable[[], Any] | None = None,
        state_period_s: float = STATE_PERIOD_S,
        status_period_s: float = STATUS_PERIOD_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.collector = collector
        self.meta = meta
        self.prescription = prescription
        self.subscription = subscription
        self._on_stop = on_stop
        self.state_period_s = state_period_s
        self.status_period_s = status_period_s
        self._clock = clock
        self._tasks: list[asyncio.Task[None]] = []
        self._target: MessagePump | None = None
        self.summary: Any = None
        self._stopped = False

    def start(self, target: MessagePump) -> None:
        """Start the analysis thread and the pump and status tasks (in the app's loop)."""
        self._target = target
        if self.subscription is not None:
            self.collector.unsubscribe(self.subscription)
        self.collector.watch(
            lambda snapshot: target.post_message(SessionUpdated.of(snapshot)),
            on_finished=self._finished,
            on_failed=lambda text: target.post_message(FeedFailed(text)),
        )
        target.post_message(FeedStarted(self.meta))
        self._post_devices()
        self._tasks = [asyncio.create_task(self._status_loop(), name="live-feed-status")]

    @property
    def items(self) -> int:
        """Packets and events analysed so far."""
        driver = self.collector.driver
        return driver.items if driver is not None else 0

    def _finished(self, summary: Any) -> None:
        self.summary = summary
        if self._target is not None:
            self._target.post_message(FeedFinished(summary))

    def log_event(self, event: Event) -> None:
        """Record an event the person entered; it reaches the analysis via the collector."""
        if not self._stopped:
            self.collector.event(event.kind, event.data, event.device)

    def _post_devices(self) -> None:
        if self._target is None:
            return
        simulated = bool(self.meta.simulated)
        lines = tuple(device_line(d, simulated) for d in self.collector.status().devices)
        self._target.post_message(DevicesUpdated(lines))

    async def _status_loop(self) -> None:
        while True:
            await asyncio.sleep(self.status_period_s)
            self._post_devices()

    async def stop(self) -> None:
        """Stop the streams and close the recording, then let the analysis finish."""
        if self._stopped:
            return
        self._stopped = True
        if self._on_stop is not None:
            await self._on_stop()
        else:
            await self.collector.stop()
        # the collector's stop finished its analysis: the summary is in
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.summary = self.collector.summary
        self._post_devices()
