"""One wearable's link: connect, start its streams, survive link loss, stop cleanly.

The notification callback does the minimum the architecture allows: stamp the arrival
time, hand the raw bytes to the collector's bounded queue (a full queue is counted, never
silent) and tell the stream control about control messages. Everything else (writing,
decoding, analysis) happens in the collector's consumers.

Life of a link: connect through bleak-retry-connector → read Device Information and the
battery → subscribe (control streams first) → start the device's measurements → stream.
On link loss: record LINK_LOST, reconnect with backoff (session seconds), subscribe and
start again, record LINK_RESTORED with the gap. On stop: stop the device's measurements
first (an H10 left streaming stays on), then disable notifications, then disconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError
from bleak_retry_connector import establish_connection

from osteomonitor.collect.gatt_reads import read_battery, read_device_info
from osteomonitor.collect.link_state import LinkCounters, LinkState
from osteomonitor.collect.scanner import find_device
from osteomonitor.collect.stack import BleStack, bluetooth_unavailable
from osteomonitor.collect.stream_control import (
    DATA_CARRIES,
    ControlContext,
    StreamControl,
    control_for,
)
from osteomonitor.devices.profiles import Profile, StreamSpec
from osteomonitor.errors import BluetoothUnavailable, DeviceError, OsteomonitorError
from osteomonitor.model import EventKind

#: bleak-retry-connector attempts per connection round.
CONNECT_ATTEMPTS = 3
#: Connection rounds (each with its own retries) before the first connection is given up.
FIRST_CONNECT_ROUNDS = 3
#: Session seconds between reconnection rounds: doubling from the first, capped.
RECONNECT_BACKOFF_FIRST_S = 0.5
RECONNECT_BACKOFF_MAX_S = 10.0
#: Failed reconnection rounds after which the device is scanned for again, and for how
#: long (s): BlueZ drops devices it has not seen for a while ("device not found").
RESCAN_AFTER_FAILURES = 2
RESCAN_S = 5.0
#: Wall seconds allowed for each step of the stop sequence.
STOP_STEP_TIMEOUT_S = 5.0

log = logging.getLogger(__name__)
T = TypeVar("T")

#: enqueue(t_ns, device key, stream, payload, arrival perf_counter_ns) → False if dropped.
Enqueue = Callable[[int, str, str, bytes, int], bool]
#: event(kind, data, device key).
EmitEvent = Callable[[str, Mapping[str, Any], str | None], object]


def _is_up(client: BleakClient) -> bool:
    return client.is_connected


class DeviceLink:
    """The connection to one wearable for the whole session.

    Args:
        key: the device's key in the recording.
        device: bleak's handle (from the scan).
        profile: its firmware profile.
        stack: Bluetooth stack and session clock.
        enqueue: the collector's bounded queue.
        emit: records an event.
        on_info: receives facts for the recording's device row (battery, model …).
        rate_hz / range_g: accelerometer settings asked for.
    """

    def __init__(
        self,
        key: str,
        device: BLEDevice,
        profile: Profile,
        stack: BleStack,
        enqueue: Enqueue,
        emit: EmitEvent,
        on_info: Callable[[dict[str, Any]], None],
        rate_hz: float | None = None,
        range_g: float | None = None,
    ) -> None:
        self.key = key
        self.device = device
        self.profile = profile
        self.stack = stack
        self.name = device.name or device.address
        self.label = f"{key} ({self.name})"
        self._enqueue = enqueue
        self._emit = emit
        self._on_info = on_info
        self.counters = LinkCounters()
        self.state = LinkState.CONNECTING
        self.settings: dict[str, Any] = {}
        self.battery_pct: int | None = None
        self.control: StreamControl = control_for(
            ControlContext(
                key=key,
                label=self.label,
                profile=profile,
                stack=stack,
                rate_hz=rate_hz,
                range_g=range_g,
                event=lambda kind, data: emit(kind, data, key),
                set_state=self._set_detail,
                set_error=self._set_error,
                record=self._record,
            )
        )
        self.client: BleakClient | None = None
        self._subscribed: list[StreamSpec] = []
        self._lost = asyncio.Event()
        self._stop = asyncio.Event()
        self._connected_once = asyncio.get_running_loop().create_future()
        self._task: asyncio.Task[None] | None = None
        self._info_read = False
        self.info: dict[str, str] = {}

    # -- status helpers ------------------------------------------------------------------

    def _set_detail(self, text: str) -> None:
        self.counters.detail = text

    def _set_error(self, text: str) -> None:
        self.counters.last_error = text

    def _record(self, stream: str, payload: bytes) -> None:
        """Record a value read (not notified), stamped now."""
        if not self._enqueue(
            self.stack.clock_ns(), self.key, stream, payload, time.perf_counter_ns()
        ):
            self.counters.dropped += 1
        self.counters.packets[stream] = self.counters.packets.get(stream, 0) + 1

    def _event(self, kind: str, data: Mapping[str, Any]) -> None:
        self._emit(kind, data, self.key)

    @property
    def connected(self) -> bool:
        """Whether the link is up."""
        return self.client is not None and self.client.is_connected

    # -- notification callbacks (the hot path) ---------------------------------------------

    def _callback(self, spec: StreamSpec) -> Callable[[BleakGATTCharacteristic, bytearray], None]:
        key, stream = self.key, spec.name
        clock, perf = self.stack.clock_ns, time.perf_counter_ns
        enqueue, counters = self._enqueue, self.counters
        counters.packets.setdefault(stream, 0)
        control = self.control
        is_control = spec.carries in ("control", "command")
        is_data = spec.carries in DATA_CARRIES or spec.carries == "acc"

        def on_notify(_char: BleakGATTCharacteristic, data: bytearray) -> None:
            payload = bytes(data)
            if not enqueue(clock(), key, stream, payload, perf()):
                counters.dropped += 1
            counters.packets[stream] += 1
            if is_control:
                control.on_control(stream, payload)
            elif is_data:
                control.on_data(stream, payload)

        return on_notify

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> asyncio.Future[None]:
        """Start the link's task; the returned future resolves after the first setup.

        The future fails with `DeviceNotFound`/`DeviceError`/`BluetoothUnavailable`
        when the first connection cannot be made.
        """
        self._task = asyncio.create_task(self._run(), name=f"link-{self.key}")
        return self._connected_once

    def _on_disconnected(self, _client: BleakClient) -> None:
        self._lost.set()

    async def _race(self, aw: Awaitable[T]) -> T | None:
        """Await `aw` unless stop is requested first (then cancel it and return None)."""
        task = asyncio.ensure_future(aw)
        stop = asyncio.ensure_future(self._stop.wait())
        try:
            done, _ = await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if task in done:
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        return None

    async def _connect(self) -> BleakClient:
        try:
            return await establish_connection(
                BleakClient,
                self.device,
                self.label,
                disconnected_callback=self._on_disconnected,
                max_attempts=CONNECT_ATTEMPTS,
                **self.stack.client_kwargs,
            )
        except (BleakError, OSError) as exc:
            unavailable = bluetooth_unavailable(exc)
            if unavailable is not None:
                raise unavailable from exc
            raise DeviceError(f"{self.label}: cannot connect: {exc}") from exc

    async def _rescan(self) -> None:
        """Look for the device again: after a long outage BlueZ may have forgotten it."""
        try:
            self.device, _ = await find_device(self.device.address, self.stack, RESCAN_S)
        except OsteomonitorError as exc:
            self.counters.detail = f"not advertising ({exc.__class__.__name__})"

    async def _run(self) -> None:
        backoff = RECONNECT_BACKOFF_FIRST_S
        attempts = 0
        first_failures = 0
        try:
            while not self._stop.is_set():
                self._lost.clear()
                try:
                    if attempts >= RESCAN_AFTER_FAILURES:
                        await self._race(self._rescan())
                    client = await self._race(self._connect())
                    if client is None:
                        break
                    self.client = client
                    await self._setup(client)
                except (OsteomonitorError, BleakError, TimeoutError, OSError, EOFError) as exc:
                    if not self._connected_once.done():
                        first_failures += 1
                        if first_failures >= FIRST_CONNECT_ROUNDS or isinstance(
                            exc, BluetoothUnavailable
                        ):
                            await self._disconnect_quietly()
                            self._fail_first(exc)
                            return
                    await self._disconnect_quietly()
                    attempts += 1
                    self.counters.detail = f"retrying in {backoff:g} s ({exc})"
                    await self._race(self.stack.sleep(backoff))
                    backoff = min(2 * backoff, RECONNECT_BACKOFF_MAX_S)
                    continue
                if self.counters.lost_at_s is not None:
                    gap = self.stack.session_s() - self.counters.lost_at_s
                    self.counters.lost_at_s = None
                    self.counters.reconnects += 1
                    self._event(
                        EventKind.LINK_RESTORED, {"gap_s": round(gap, 3), "attempts": attempts + 1}
                    )
                attempts = 0
                backoff = RECONNECT_BACKOFF_FIRST_S
                if not self._connected_once.done():
                    self._connected_once.set_result(None)
                supervise = asyncio.create_task(self.control.supervise(client))
                try:
                    await self._race(self._lost.wait())
                finally:
                    supervise.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await supervise
                if self._stop.is_set():
                    break
                self._on_link_lost()
            await self._stop_sequence()
        except asyncio.CancelledError:
            await self._disconnect_quietly()
            raise
        finally:
            if self.state != LinkState.FAILED:
                self.state = LinkState.STOPPED

    def _fail_first(self, exc: BaseException) -> None:
        self.state = LinkState.FAILED
        self.counters.last_error = str(exc)
        error = exc if isinstance(exc, OsteomonitorError) else DeviceError(f"{self.label}: {exc}")
        self._connected_once.set_exception(error)

    def _on_link_lost(self) -> None:
        self.state = LinkState.RECONNECTING
        self.counters.link_losses += 1
        self.counters.lost_at_s = self.stack.session_s()
        self.counters.detail = ""
        self._event(
            EventKind.LINK_LOST,
            {"reason": "the device disconnected or went out of range"},
        )
        self.client = None

    async def _setup(self, client: BleakClient) -> None:
        """Everything between connecting and streaming."""
        self.state = LinkState.STARTING
        if not self._info_read:
            await self._read_info(client)
            self._info_read = True
        await self._read_battery(client)
        self._subscribed = []
        for spec in self.control.subscriptions():
            if client.services.get_characteristic(spec.uuid) is None:
                if spec.optional:
                    continue
                raise DeviceError(
                    f"{self.label}: the device has no {spec.name} characteristic ({spec.uuid}); "
                    f"is it really a {self.profile.display_name}?"
                )
            await client.start_notify(spec.uuid, self._callback(spec))
            self._subscribed.append(spec)
        try:
            self.settings = await self.control.start(client)
        except DeviceError as exc:
            # The other streams (e.g. heart rate) keep recording; people see why ACC is missing.
            self.counters.last_error = str(exc)
            self.counters.detail = "ACC refused"
            self._event(EventKind.DEVICE_ERROR, {"message": str(exc)})
        else:
            self._on_info({"settings": dict(self.settings)})
        self.state = LinkState.STREAMING

    async def _read_info(self, client: BleakClient) -> None:
        facts = await read_device_info(client, self.profile, self.label)
        info: dict[str, Any] = {k: facts[k] for k in ("model", "firmware") if k in facts}
        if info:
            self._on_info(info)
        self.info = facts

    async def _read_battery(self, client: BleakClient) -> None:
        read = await read_battery(client, self.profile, self.label, self.stack.clock_ns)
        if read is None:
            return
        t, spec, payload, self.battery_pct = read
        if not self._enqueue(t, self.key, spec.name, payload, time.perf_counter_ns()):
            self.counters.dropped += 1
        self.counters.packets[spec.name] = self.counters.packets.get(spec.name, 0) + 1
        self._on_info({"battery_pct": self.battery_pct})

    async def stop(self) -> None:
        """Stop streams, disable notifications, disconnect; returns when done."""
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _stop_sequence(self) -> None:
        client = self.client
        if client is None or not client.is_connected:
            return
        self.state = LinkState.STOPPING
        steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("stop measurements", functools.partial(self.control.stop, client))
        ]
        for spec in reversed(self._subscribed):
            steps.append((f"stop {spec.name}", functools.partial(client.stop_notify, spec.uuid)))
        for what, step in steps:
            if not _is_up(client):
                break
            try:
                await asyncio.wait_for(step(), STOP_STEP_TIMEOUT_S)
            except (BleakError, DeviceError, TimeoutError) as exc:
                self._event(EventKind.DEVICE_ERROR, {"message": f"{self.label}: {what}: {exc}"})
        await self._disconnect_quietly()

    async def _disconnect_quietly(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        with contextlib.suppress(BleakError, TimeoutError, OSError, EOFError):
            await asyncio.wait_for(client.disconnect(), STOP_STEP_TIMEOUT_S)
