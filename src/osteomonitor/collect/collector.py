"""The collector: several wearables at once, one bounded queue, one recording.

    links (notification callbacks) ──► bounded queue ──► consumer ──► recording (writer thread)
                                                             ├──► the session's QueueDriver (thread:
                                                             │    one decoder per device, analysis)
                                                             └──► subscribers (extra consumers)

The collector decodes nothing itself: its one `session.SessionDriver` (on its own
thread) decodes every packet once, with the settings the links reported and the
recording stores (the device rows replay reads), and `status()` reads that driver's
per-device counters (heart rate, contact, decode errors). The dashboard watches the
same driver's snapshots (`watch`), so live is the replay of what was recorded.

Usage::

    collector = Collector(specs, writer, stack)
    await collector.start()          # finds, connects and starts every device
    queue = collector.subscribe()    # Packet and Event objects, in recording order
    ...
    await collector.stop()           # streams stopped, then disconnect, then file closed

`status()` gives per-device state (connected, battery, contact, packets, dropped,
decode errors, link lost / reconnecting) for the one-line status and the dashboard.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from osteomonitor.collect.device_spec import DeviceSpec, profile_for, unique_keys
from osteomonitor.collect.link import DeviceLink
from osteomonitor.collect.live_analysis import LiveAnalysis
from osteomonitor.collect.recording_sink import RecordingSink
from osteomonitor.collect.scanner import find_device
from osteomonitor.collect.stack import SYSTEM_STACK, BleStack
from osteomonitor.collect.status import CollectorStatus, device_status
from osteomonitor.devices.profiles import Profile
from osteomonitor.model import DeviceInfo, Event, EventKind, Packet, SessionMeta, SessionSummary
from osteomonitor.prescription import Prescription
from osteomonitor.session import DeviceCount, SessionDriver, Snapshot
from osteomonitor.store import RecordingWriter

log = logging.getLogger(__name__)

_Item = tuple[int, str, str, bytes, int]


@dataclass(frozen=True)
class CollectorOptions:
    """Tunables of a collection session.

    Attributes:
        queue_size: packets the callback→consumer queue holds (H10 HR + ACC at 200 Hz
            is ~7 packets/s, so the default rides out ~20 min of a stalled consumer).
        subscriber_queue_size: items each subscriber's queue holds.
        batch_max: packets the consumer moves per batch.
        find_timeout_s: seconds to find each device by scanning.
        counters_every_s: session seconds between DROPPED/DECODE_ERROR events while
            the counts grow (a final one is written at stop).
    """

    queue_size: int = 10_000
    subscriber_queue_size: int = 10_000
    batch_max: int = 500
    find_timeout_s: float = 15.0
    counters_every_s: float = 5.0


#: DeviceInfo fields a link's facts may update (the rest are free-form extras).
_INFO_FIELDS = ("model", "firmware", "battery_pct", "settings")


@dataclass
class _DeviceState:
    spec: DeviceSpec
    key: str
    profile: Profile
    link: DeviceLink
    #: the device as the recording stores it: the one place its settings come from
    record: DeviceInfo
    reported_errors: int = 0
    reported_dropped: int = 0
    recorded: int = 0


class Collector:
    """Records several wearables into one recording and fans packets out live.

    Args:
        specs: the devices to record.
        writer: the open recording (None records nothing, e.g. for a live preview).
        stack: Bluetooth stack and session clock (platform stack by default).
        options: queue sizes and intervals.
        meta: the session's metadata (what the recording holds); its prescription
            snapshot is the one the live safety monitor judges by, as replay does.
        prescription: the prescription in force, when the caller has it parsed
            (default: the snapshot in `meta`, or none).
        analyse: run the live analysis (a dashboard watches it); False decodes and
            counts only (the headless `record`).

    Attributes:
        driver: the session's one `SessionDriver` (built once every device started).
    """

    def __init__(
        self,
        specs: Sequence[DeviceSpec],
        writer: RecordingWriter | None,
        stack: BleStack = SYSTEM_STACK,
        options: CollectorOptions | None = None,
        *,
        meta: SessionMeta | None = None,
        prescription: Prescription | None = None,
        analyse: bool = False,
    ) -> None:
        self.specs = list(specs)
        self.stack = stack
        self.options = options or CollectorOptions()
        self.sink = RecordingSink(writer) if writer is not None else None
        self.devices: dict[str, _DeviceState] = {}
        self._queue: asyncio.Queue[_Item] = asyncio.Queue(self.options.queue_size)
        self._subscribers: dict[asyncio.Queue[Packet | Event], int] = {}
        self._consumer: asyncio.Task[None] | None = None
        self._started_ns: int | None = None
        self._last_counters_s = 0.0
        self._stopped = False
        self._stopping: asyncio.Future[None] | None = None
        self.consumer_cpu_s = 0.0
        self.meta = meta
        self.prescription = prescription
        self.analysis = LiveAnalysis(meta, prescription, analyse=analyse)

    # -- setup ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Find every device, register it in the recording, connect and start it.

        Raises:
            DeviceNotFound / DeviceError / BluetoothUnavailable / ProfileError: a device
                could not be found, recognised or started; links already up are stopped.
            UsageError: an accelerometer rate or range the device's profile does not offer.
        """
        self._started_ns = self.stack.clock_ns()
        self._consumer = asyncio.create_task(self._consume(), name="collector-consumer")
        try:
            await self._start_devices()
        except BaseException as exc:
            await self.stop(reason=f"error: {exc}")
            raise

    async def _start_devices(self) -> None:
        found = []
        for spec in self.specs:
            device, adv = await find_device(spec.target, self.stack, self.options.find_timeout_s)
            profile = profile_for(spec, adv.local_name or device.name, adv.service_uuids)
            profile.check_acc_request(spec.rate_hz, spec.range_g)  # before connecting
            found.append((spec, device, profile))
        keys = unique_keys([spec.key or profile.key for spec, _, profile in found])
        for key, (spec, device, profile) in zip(keys, found, strict=True):
            link = DeviceLink(
                key,
                device,
                profile,
                self.stack,
                self._enqueue,
                self.event,
                functools.partial(self._on_info, key),
                rate_hz=spec.rate_hz,
                range_g=spec.range_g,
            )
            record = DeviceInfo(
                key=key,
                address=device.address,
                name=device.name or device.address,
                profile=profile.key,
            )
            self.devices[key] = _DeviceState(spec, key, profile, link, record)
            if self.sink is not None:
                self.sink.add_device(record)
        results = await asyncio.gather(
            *(s.link.start() for s in self.devices.values()), return_exceptions=True
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise failures[0]
        self._start_analysis()

    def _start_analysis(self) -> None:
        """Build the one driver from the devices as recorded (settings included)."""
        self.analysis.start([s.record for s in self.devices.values()])

    @property
    def driver(self) -> SessionDriver | None:
        """The session's one driver (None until every device has started)."""
        return self.analysis.driver

    @property
    def summary(self) -> SessionSummary | None:
        """The live analysis' final summary (after `stop`)."""
        return self.analysis.summary

    def watch(
        self,
        publish: Callable[[Snapshot], object],
        *,
        on_finished: Callable[[SessionSummary], object] | None = None,
        on_failed: Callable[[str], object] | None = None,
    ) -> None:
        """Receive the live analysis: see `LiveAnalysis.watch`."""
        self.analysis.watch(publish, on_finished=on_finished, on_failed=on_failed)

    def _on_info(self, key: str, facts: Mapping[str, Any]) -> None:
        state = self.devices[key]
        known = {k: v for k, v in facts.items() if k in _INFO_FIELDS}
        if "settings" in known:
            known["settings"] = dict(known["settings"])
            if self.driver is not None and known["settings"] != dict(state.record.settings):
                # the decoders keep the settings they started with (a reconnect that
                # changed them is in the recording's device row, which replay reads)
                log.warning("%s: settings changed mid-session: %s", key, known["settings"])
        state.record = replace(state.record, **known)
        if self.sink is not None:
            self.sink.update_device(key, **facts)

    # -- the hot path ---------------------------------------------------------------------------

    def _enqueue(self, t_ns: int, key: str, stream: str, payload: bytes, perf_ns: int) -> bool:
        try:
            self._queue.put_nowait((t_ns, key, stream, payload, perf_ns))
        except asyncio.QueueFull:
            return False
        return True

    async def _consume(self) -> None:
        q = self._queue
        batch_max = self.options.batch_max
        while True:
            first = await q.get()
            t_cpu = time.thread_time()
            items = [first]
            while len(items) < batch_max and not q.empty():
                items.append(q.get_nowait())
            self._handle(items)
            self.consumer_cpu_s += time.thread_time() - t_cpu

    def _handle(self, items: list[_Item]) -> None:
        packets = [Packet(t, key, stream, payload) for t, key, stream, payload, _ in items]
        if self.sink is not None:
            self.sink.write_packets(packets, [i[4] for i in items])
        for packet in packets:
            state = self.devices.get(packet.device)
            if state is not None:
                state.recorded += 1
        self.analysis.put(packets)
        self._fan_out(packets)
        self._maybe_report_counters(final=False)

    def _fan_out(self, items: Sequence[Packet | Event]) -> None:
        for sub in self._subscribers:
            for item in items:
                try:
                    sub.put_nowait(item)
                except asyncio.QueueFull:
                    self._subscribers[sub] += 1

    # -- events ----------------------------------------------------------------------------------

    def event(
        self, kind: str, data: Mapping[str, Any] | None = None, device: str | None = None
    ) -> Event:
        """Record a session event now (markers, RPE … from the dashboard; link events)."""
        ev = Event(self.stack.clock_ns(), str(kind), dict(data or {}), device)
        if self.sink is not None and not self._stopped:
            self.sink.write_event(ev)
        if not self._stopped:
            self.analysis.put([ev])
        self._fan_out([ev])
        return ev

    def _maybe_report_counters(self, final: bool) -> None:
        now = self.stack.session_s()
        if not final and now - self._last_counters_s < self.options.counters_every_s:
            return
        self._last_counters_s = now
        counts = self.analysis.counts()
        for state in self.devices.values():
            count = counts.get(state.key, DeviceCount(state.key))
            dropped = state.link.counters.dropped
            if dropped > state.reported_dropped:
                self.event(
                    EventKind.DROPPED,
                    {"count": dropped, "new": dropped - state.reported_dropped},
                    state.key,
                )
                state.reported_dropped = dropped
            bad = count.decode_errors + count.set_aside  # as the status counts them
            if bad > state.reported_errors:
                self.event(
                    EventKind.DECODE_ERROR,
                    {
                        "count": bad,
                        "new": bad - state.reported_errors,
                        "last": count.last_decode_error,
                    },
                    state.key,
                )
                state.reported_errors = bad

    # -- consumers ---------------------------------------------------------------------------------

    def subscribe(self, maxsize: int | None = None) -> asyncio.Queue[Packet | Event]:
        """A queue receiving every recorded Packet and Event from now on, in order.

        A subscriber that falls behind loses items; the losses are counted in
        `status().subscriber_dropped`, the recording itself is not affected.
        """
        sub: asyncio.Queue[Packet | Event] = asyncio.Queue(
            maxsize or self.options.subscriber_queue_size
        )
        self._subscribers[sub] = 0
        return sub

    def unsubscribe(self, sub: asyncio.Queue[Packet | Event]) -> None:
        """Stop feeding a subscriber queue."""
        self._subscribers.pop(sub, None)

    def status(self) -> CollectorStatus:
        """A snapshot of every device and of the recording."""
        counts = self.analysis.counts()
        now_s = self.stack.session_s()
        devices = [
            device_status(
                s.link,
                s.record,
                counts.get(s.key, DeviceCount(s.key)),
                recorded=s.recorded,
                now_s=now_s,
            )
            for s in self.devices.values()
        ]
        elapsed = (
            0.0 if self._started_ns is None else (self.stack.clock_ns() - self._started_ns) / 1e9
        )
        return CollectorStatus(
            devices=tuple(devices),
            elapsed_s=elapsed,
            queued=self._queue.qsize(),
            recorded=self.sink.packets_handed if self.sink is not None else 0,
            committed=self.sink.writer.packets_written if self.sink is not None else 0,
            subscriber_dropped=sum(self._subscribers.values()),
            recording_error=None
            if self.sink is None or self.sink.error is None
            else str(self.sink.error),
        )

    # -- shutdown ---------------------------------------------------------------------

    async def stop(self, reason: str = "stopped") -> None:
        """Stop every device's streams, disconnect, drain the queue, close the recording.

        Safe to call more than once and from several tasks: later calls wait for the first.
        """
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop(reason))
        await asyncio.shield(self._stopping)

    async def _stop(self, reason: str) -> None:
        await asyncio.gather(*(s.link.stop() for s in self.devices.values()))
        # Let the consumer empty the queue, then stop it.
        while not self._queue.empty() and self._consumer is not None and not self._consumer.done():
            await asyncio.sleep(0)
        if self._consumer is not None:
            self._consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._consumer
        rest = []
        while not self._queue.empty():
            rest.append(self._queue.get_nowait())
        if rest:
            self._handle(rest)
        await asyncio.to_thread(self.analysis.drain)  # the counters are then final
        self._maybe_report_counters(final=True)
        self._stopped = True
        await asyncio.to_thread(self.analysis.finish)
        if self.sink is not None:
            await asyncio.to_thread(self.sink.close, reason)
