"""Per-protocol start and stop sequences, behind one small interface.

A `StreamControl` runs on a connected bleak client after the link has subscribed to
the profile's streams: it starts the device's measurements, watches control messages,
and stops the measurements before the link disconnects. `StandardControl` serves devices
that stream as soon as notifications are on (the Heart Rate Service); `PmdControl`
(collect.pmd_handshake) serves the Polar PMD handshake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bleak import BleakClient

from osteomonitor.collect.stack import BleStack
from osteomonitor.devices.profiles import Profile, StreamSpec
from osteomonitor.errors import DeviceError

#: Data-bearing "carries" values: the streams whose arrival proves the device streams.
DATA_CARRIES = ("hr", "acc", "hr+acc")


@dataclass
class ControlContext:
    """What a stream control may use of its link.

    Attributes:
        key: the session's device key.
        label: "key (name)" for messages.
        profile: the device's firmware profile.
        stack: Bluetooth stack and session clock.
        rate_hz / range_g: accelerometer settings asked for (None = profile default).
        event: records a session event: event(kind, data).
        set_state: shows a state word in the status ("waiting for ACC").
        set_error: shows the last device error in the status.
        record: records a packet read outside the notification path: record(stream, bytes).
    """

    key: str
    label: str
    profile: Profile
    stack: BleStack
    rate_hz: float | None
    range_g: float | None
    event: Callable[[str, Mapping[str, Any]], object]
    set_state: Callable[[str], None]
    set_error: Callable[[str], None]
    record: Callable[[str, bytes], None]


class StreamControl:
    """Base: devices that stream once notifications are enabled."""

    def __init__(self, ctx: ControlContext) -> None:
        self.ctx = ctx
        self.settings: dict[str, Any] = {}

    def subscriptions(self) -> list[StreamSpec]:
        """Streams to subscribe to, in order (control streams first)."""
        streams = [s for s in self.ctx.profile.streams.values() if s.subscribed]
        return sorted(streams, key=lambda s: 0 if s.carries in ("control", "command") else 1)

    async def start(self, client: BleakClient) -> dict[str, Any]:
        """Start measurements after subscribing; returns settings for the recording."""
        return self.settings

    def on_control(self, stream: str, payload: bytes) -> None:
        """A notification or indication arrived on a control stream (called in the callback)."""

    def on_data(self, stream: str, payload: bytes) -> None:
        """A data notification arrived (called in the callback: keep it cheap)."""

    async def supervise(self, client: BleakClient) -> None:
        """Runs while connected (late-start tolerance, restarts); returns when done."""

    async def stop(self, client: BleakClient) -> None:
        """Stop the device's measurements (before notifications are disabled)."""


class StandardControl(StreamControl):
    """Heart Rate Service and other notify-only streams: nothing to start or stop."""


def choose_setting(
    label: str,
    what: str,
    asked: float | None,
    default: float | None,
    offered: Sequence[float],
    unit: str,
) -> float:
    """The accelerometer setting to ask for: the request, else the default, if offered.

    Raises:
        DeviceError: the value is not among those the device offers.
    """
    choices = sorted(float(v) for v in offered)
    want = asked if asked is not None else default
    if want is None:
        if not choices:
            raise DeviceError(f"{label}: the device lists no accelerometer {what}")
        return choices[-1]
    if choices and not any(abs(float(want) - c) < 1e-6 for c in choices):
        listed = ", ".join(f"{c:g}" for c in choices)
        raise DeviceError(
            f"{label}: accelerometer {what} {float(want):g} {unit} is not offered "
            f"(the device offers {listed} {unit})"
        )
    return float(want)


async def write_command(client: BleakClient, uuid: str, data: bytes) -> None:
    """Write a command, without response when the characteristic allows it (as SDKs do)."""
    char = client.services.get_characteristic(uuid)
    if char is None:
        raise DeviceError(f"the device has no command characteristic {uuid}")
    response = "write-without-response" not in char.properties
    await client.write_gatt_char(char, data, response=response)


def control_for(ctx: ControlContext) -> StreamControl:
    """The stream control of the profile's protocol."""
    protocol = ctx.profile.protocol
    # imported here: both modules subclass StreamControl from this one (an import cycle)
    if protocol == "polar_pmd":
        from osteomonitor.collect.pmd_handshake import PmdControl

        return PmdControl(ctx)
    if protocol in ("metawear", "movesense_gsp", "thingy52", "osteomonitor_imu"):
        from osteomonitor.collect.imu_control import IMU_CONTROLS

        return IMU_CONTROLS[protocol](ctx)
    return StandardControl(ctx)
