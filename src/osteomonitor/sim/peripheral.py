"""The generic virtual wearable: a bumble peripheral that advertises, serves GATT, streams.

Subclasses (`sim.hr_strap`, `sim.polar_h10`, …) declare their GATT services and their
streams; this base class does what every wearable does: advertise, accept one central,
keep track of subscriptions, log every notification it sends (so tests can compare what
was sent with what was recorded), drop the link on demand and come back after a gap,
insert malformed notifications on demand, and note protocol violations by the central.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from bumble import gatt, hci
from bumble.att import Attribute, AttributeValue
from bumble.core import UUID
from bumble.device import Connection, Device

from osteomonitor.devices import hrs
from osteomonitor.sim.clock import SimClock
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.gatt_parts import (  # importable from here as before
    NO_ACCESS,
    advertising_payload,
    device_information_service,
    read_only,
)
from osteomonitor.sim.playback import Playback
from osteomonitor.sim.radio import VirtualRadio

#: Advertising interval of the virtual wearables, ms (Polar straps advertise at
#: ~100 ms when worn; short enough for a sub-second test scan).
ADVERTISING_INTERVAL_MS = 100.0
#: Shortest legal advertising interval, ms (Core v5.4 Vol 6 Part B 4.4.2.2).
MIN_ADVERTISING_INTERVAL_MS = 20.0

#: Wall seconds `stop()` lets the device's tasks finish before cancelling them.
STOP_GRACE_S = 1.0

#: Sleeps shorter than this (wall s) are plain sleeps; longer ones wake on stop().
_SHORT_SLEEP_S = 0.05

log = logging.getLogger(__name__)

__all__ = [
    "ADVERTISING_INTERVAL_MS",
    "MIN_ADVERTISING_INTERVAL_MS",
    "NO_ACCESS",
    "STOP_GRACE_S",
    "SentNotification",
    "VirtualPeripheral",
    "advertising_payload",
    "device_information_service",
    "read_only",
]


@dataclass(frozen=True, slots=True)
class SentNotification:
    """One notification or indication as the virtual device sent it.

    Attributes:
        sim_s: simulated time of sending, s.
        stream: the stream name the collector records it under ("hr", "pmd_data" …).
        payload: the bytes sent.
        malformed: inserted on purpose by the `malformed_every` fault.
        connection: index of the connection (1 = first) it was sent on.
    """

    sim_s: float
    stream: str
    payload: bytes
    malformed: bool
    connection: int


class VirtualPeripheral:
    """Base of every virtual wearable (one connection at a time, like the real ones).

    Args:
        radio: the virtual air it advertises on.
        clock: the shared simulated session clock.
        name: advertised local name.
        address: its random static address ("C0:…").
        faults: faults to show.
        battery_pct: battery level it reports, %.
        duration_s: simulated seconds after which periodic faults stop being scheduled.
    """

    #: ATT MTU the device accepts at most, bytes (subclasses narrow it).
    max_mtu: int = 247
    #: Streams that carry measurement data (malformed notifications go there).
    data_streams: tuple[str, ...] = ()

    def __init__(
        self,
        radio: VirtualRadio,
        clock: SimClock,
        *,
        name: str,
        address: str,
        faults: Faults | None = None,
        battery_pct: int = 87,
        duration_s: float = 3600.0,
    ) -> None:
        self.radio = radio
        self.clock = clock
        self.name = name
        self.address = address
        self.faults = faults or Faults()
        self.battery_pct = battery_pct
        self.duration_s = duration_s
        self.device: Device | None = None
        self.connection: Connection | None = None
        self.connection_index = 0
        self.sent: list[SentNotification] = []
        self.violations: list[str] = []
        self.link_drops: list[float] = []
        self._subscribed: dict[int, tuple[bool, bool]] = {}
        self._data_count = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = asyncio.Event()
        #: A recording to play instead of the session model (set before `start()`).
        self.playback: Playback | None = None
        self._dropping = False
        self._battery_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(hrs.BATTERY_LEVEL_UUID),
            gatt.Characteristic.Properties.READ | gatt.Characteristic.Properties.NOTIFY,
            gatt.Characteristic.READABLE,
            AttributeValue[bytes](read=lambda _c: bytes([self.battery_pct])),
        )

    # -- device clock ----------------------------------------------------------------

    @property
    def drift(self) -> float:
        """Device clock rate error, relative (+ = the device clock runs fast)."""
        return self.faults.clock_drift_ppm * 1e-6

    def device_s(self, sim_s: float) -> float:
        """Device-clock seconds since power-on at simulated time `sim_s`."""
        return sim_s * (1.0 + self.drift)

    def sim_s(self, device_s: float) -> float:
        """Simulated time at device-clock second `device_s`."""
        return device_s / (1.0 + self.drift)

    # -- what subclasses provide ---------------------------------------------------

    def services(self) -> list[gatt.Service]:
        """GATT services besides Battery (subclasses extend)."""
        return []

    def advertising_data(self) -> bytes:
        """Raw advertising data (subclasses override)."""
        return advertising_payload(self.name)

    def malformed(self, stream: str, good: bytes) -> bytes:
        """A malformed variant of a good payload of `stream` (subclasses override)."""
        return good[:1]

    async def on_connected(self) -> None:
        """Called after a central connected."""

    async def on_disconnected(self, reason: int, dropped: bool) -> None:
        """Called after the link went down (`dropped`: the device dropped it on purpose)."""

    def background_tasks(self) -> list[asyncio.Task[None]]:
        """Tasks that run for the device's whole life (sensor loops); subclasses extend."""
        return []

    # -- life cycle ---------------------------------------------------------------

    async def start(self) -> None:
        """Power on, serve GATT and advertise."""
        host = self.radio.new_host(self.name)
        device = Device(name=self.name, address=hci.Address(self.address), host=host)
        device.gatt_server.max_mtu = self.max_mtu
        battery = gatt.Service(UUID(hrs.BATTERY_SERVICE_UUID), [self._battery_char])
        device.add_services([*self.services(), battery])
        device.on(device.EVENT_CONNECTION, self._on_connection)
        device.gatt_server.on(
            device.gatt_server.EVENT_CHARACTERISTIC_SUBSCRIPTION, self._on_subscription
        )
        self.device = device
        self.radio.adopt(device)
        await device.power_on()
        await self._advertise()
        self._tasks = [*self.background_tasks(), asyncio.create_task(self._drop_schedule())]

    async def stop(self) -> None:
        """Stop every task (the radio powers the device off).

        Tasks are asked to finish rather than cancelled, so no HCI command is abandoned
        half-way (bumble then fails on the late Command Complete); cancelling is only the
        fallback after `STOP_GRACE_S`.
        """
        self._closing.set()
        tasks = list(self._tasks)
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE_S)
            for task in late:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._tasks = []

    async def sleep_until(self, sim_s: float) -> bool:
        """Sleep until simulated time `sim_s`; False (at once) when the device is stopping."""
        delay = self.clock.wall_s(sim_s - self.clock.now_s())
        if self._closing.is_set():
            return False
        if delay < _SHORT_SLEEP_S:  # the common case of a streaming loop: stay cheap
            await asyncio.sleep(max(0.0, delay))
            return not self._closing.is_set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), delay)
        return not self._closing.is_set()

    def advertising_interval_ms(self) -> float:
        """Wall-clock advertising interval: `ADVERTISING_INTERVAL_MS` of simulated time,
        but never below the 20 ms Bluetooth minimum (Core v5.4 Vol 6 Part B 4.4.2.2), so
        reconnection delays stay realistic in simulated seconds when time runs faster."""
        return max(MIN_ADVERTISING_INTERVAL_MS, ADVERTISING_INTERVAL_MS / self.clock.speed)

    async def _advertise(self) -> None:
        assert self.device is not None
        await self.device.start_advertising(
            advertising_data=self.advertising_data(),
            scan_response_data=b"",
            advertising_interval_min=self.advertising_interval_ms(),
            advertising_interval_max=self.advertising_interval_ms(),
        )

    def _on_connection(self, connection: Connection) -> None:
        self.connection = connection
        self.connection_index += 1
        self._subscribed = {}
        connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)
        self._spawn(self.on_connected())

    def _on_disconnection(self, reason: int) -> None:
        dropped = self._dropping
        self._dropping = False
        self.connection = None
        self._subscribed = {}
        self._spawn(self._after_disconnection(reason, dropped))

    async def _after_disconnection(self, reason: int, dropped: bool) -> None:
        await self.on_disconnected(reason, dropped)
        if dropped and not await self.sleep_until(self.clock.now_s() + self.faults.link_gap_s):
            return
        if self.device is not None and not self.radio_closed() and not self._closing.is_set():
            await self._advertise()

    def radio_closed(self) -> bool:
        """Whether the radio has shut down."""
        return self.radio.central is None or getattr(self.radio, "_closed", False)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.append(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        with contextlib.suppress(ValueError):
            self._tasks.remove(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: task failed: %r", self.name, task.exception())

    def _on_subscription(
        self, bearer: object, characteristic: Attribute[bytes], notify: bool, indicate: bool
    ) -> None:
        self._subscribed[characteristic.handle] = (notify, indicate)
        self.on_subscription(characteristic, notify, indicate)

    def on_subscription(
        self, characteristic: Attribute[bytes], notify: bool, indicate: bool
    ) -> None:
        """Called when the central writes a CCCD (subclasses may react)."""

    def subscribed(self, characteristic: Attribute[bytes]) -> bool:
        """Whether the connected central enabled notifications or indications."""
        return any(self._subscribed.get(characteristic.handle, (False, False)))

    # -- sending ------------------------------------------------------------------

    async def send(
        self, characteristic: Attribute[bytes], stream: str, payload: bytes, indicate: bool = False
    ) -> bool:
        """Notify (or indicate) `payload` if a subscribed central is connected; log it.

        Data streams get a malformed notification inserted after every
        `faults.malformed_every − 1` good ones.

        Returns:
            True when the payload went out.
        """
        connection = self.connection
        if connection is None or self.device is None or not self.subscribed(characteristic):
            return False
        if stream in self.data_streams and self.faults.malformed_every > 0:
            self._data_count += 1
            if self._data_count % self.faults.malformed_every == 0:
                bad = self.malformed(stream, payload)
                await self._emit(connection, characteristic, stream, bad, True, indicate)
                self._data_count += 1
        return await self._emit(connection, characteristic, stream, payload, False, indicate)

    async def _emit(
        self,
        connection: Connection,
        characteristic: Attribute[bytes],
        stream: str,
        payload: bytes,
        malformed: bool,
        indicate: bool,
    ) -> bool:
        assert self.device is not None
        if self.connection is not connection or self._dropping:
            return False  # the link is gone (or being dropped): nothing leaves the radio
        entry = SentNotification(
            self.clock.now_s(), stream, payload, malformed, self.connection_index
        )
        try:
            if indicate:
                await self.device.indicate_subscriber(connection, characteristic, payload)
            else:
                await self.device.notify_subscriber(connection, characteristic, payload)
        except Exception as exc:  # link went down under us: not sent
            log.debug("%s: send on %s failed: %r", self.name, stream, exc)
            return False
        self.sent.append(entry)
        return True

    async def replay(
        self,
        characteristic: Attribute[bytes],
        stream: str,
        from_s: float,
        keep_going: Callable[[], bool] = lambda: True,
        wanted: Callable[[bytes], bool] = lambda _p: True,
    ) -> None:
        """Send the recorded payloads of `stream` at their recorded times, from `from_s` on.

        Stops at the end of the recording, when `keep_going()` turns False, or on stop().
        """
        assert self.playback is not None
        rec = self.playback.stream(stream)
        for i in range(rec.from_time(from_s), len(rec.payloads)):
            if not await self.sleep_until(float(rec.times_s[i])) or not keep_going():
                return
            if wanted(rec.payloads[i]):
                await self.send(characteristic, stream, rec.payloads[i])

    def sent_on(self, stream: str, include_malformed: bool = True) -> list[SentNotification]:
        """Everything sent on `stream`, in order."""
        return [
            s for s in self.sent if s.stream == stream and (include_malformed or not s.malformed)
        ]

    # -- link faults ----------------------------------------------------------------

    async def drop_link(self) -> bool:
        """Drop the link now as a supervision timeout would; False if not connected."""
        connection = self.connection
        if connection is None or self.device is None:
            return False
        self._dropping = True
        self.link_drops.append(self.clock.now_s())
        try:
            await self.device.disconnect(connection, hci.HCI_CONNECTION_TIMEOUT_ERROR)
        except Exception as exc:
            log.debug("%s: drop failed: %r", self.name, exc)
            self._dropping = False
            return False
        return True

    async def _drop_schedule(self) -> None:
        for t in self.faults.drop_times(self.duration_s):
            if not await self.sleep_until(t):
                return
            await self.drop_link()
