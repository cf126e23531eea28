"""Per-protocol start and stop sequences, behind one small interface.

A `StreamControl` runs on a connected bleak client after the link has subscribed to
the profile's streams: it starts the device's measurements, watches control messages,
and stops the measurements before the link disconnects. `StandardControl` serves devices
that stream as soon as notifications are on (the Heart Rate Service); `PmdControl`
(collect.pmd_control) serves the Polar PMD handshake.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bleak import BleakClient

from osteomonitor.collect.stack import BleStack
from osteomonitor.devices.profiles import Profile, StreamSpec

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

    def on_data(self, stream: str) -> None:
        """The first data notification after a start arrived (called in the callback)."""

    async def supervise(self, client: BleakClient) -> None:
        """Runs while connected (late-start tolerance, restarts); returns when done."""

    async def stop(self, client: BleakClient) -> None:
        """Stop the device's measurements (before notifications are disabled)."""


class StandardControl(StreamControl):
    """Heart Rate Service and other notify-only streams: nothing to start or stop."""


def control_for(ctx: ControlContext) -> StreamControl:
    """The stream control of the profile's protocol."""
    if ctx.profile.protocol == "polar_pmd":
        from osteomonitor.collect.pmd_control import PmdControl

        return PmdControl(ctx)
    return StandardControl(ctx)
