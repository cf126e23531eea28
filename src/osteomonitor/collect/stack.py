"""Which Bluetooth stack the collector talks to, and what its failures mean to a person.

The collector only uses bleak's public API. `BleStack` carries the keyword arguments
bleak passes to its backend (``backend=`` plus whatever that backend needs) and the
session clock; the default is the platform stack (BlueZ on Linux) and the wall clock.
`sim.virtual_world` builds one for the virtual wearables, so the same collector code
runs against a radio or against bumble.
"""

from __future__ import annotations

import asyncio
import errno
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason, BleakError

from osteomonitor.errors import BluetoothUnavailable


@dataclass(frozen=True)
class BleStack:
    """How to reach Bluetooth, and the session clock.

    Attributes:
        name: "system" for the platform stack, "virtual" for simulated wearables.
        scanner_kwargs: extra keyword arguments of `BleakScanner` (e.g. ``backend``).
        client_kwargs: extra keyword arguments of `BleakClient`.
        clock_ns: host clock stamped on every packet, ns since the Unix epoch.
        speed: session seconds per wall-clock second (1 except for simulations that
            run faster than real time); session-time waits are divided by it.
        simulated: the wearables are virtual.
    """

    name: str = "system"
    scanner_kwargs: Mapping[str, Any] = field(default_factory=dict)
    client_kwargs: Mapping[str, Any] = field(default_factory=dict)
    clock_ns: Callable[[], int] = time.time_ns
    speed: float = 1.0
    simulated: bool = False

    async def sleep(self, session_s: float) -> None:
        """Sleep for `session_s` seconds of session time."""
        await asyncio.sleep(max(0.0, session_s) / self.speed)

    def session_s(self) -> float:
        """Session clock in seconds (for intervals only)."""
        return self.clock_ns() / 1e9


SYSTEM_STACK = BleStack()

_ADVICE = {
    BleakBluetoothNotAvailableReason.NO_BLUETOOTH: (
        "this computer has no Bluetooth adapter: plug in a Bluetooth LE dongle, or try "
        "the simulation with --simulate h10"
    ),
    BleakBluetoothNotAvailableReason.NO_BLE_CENTRAL_ROLE: (
        "the Bluetooth adapter cannot act as a Bluetooth LE central: use a Bluetooth 4.0+ adapter"
    ),
    BleakBluetoothNotAvailableReason.POWERED_OFF: (
        "Bluetooth is switched off: turn it on (bluetoothctl power on) and try again"
    ),
    BleakBluetoothNotAvailableReason.DENIED_BY_USER: (
        "permission to use Bluetooth was denied: allow this program to use Bluetooth"
    ),
    BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM: (
        "the system denied access to Bluetooth: add your user to the 'bluetooth' group "
        "or check the D-Bus policy of BlueZ"
    ),
    BleakBluetoothNotAvailableReason.DENIED_BY_UNKNOWN: (
        "access to Bluetooth was denied: check the permissions of BlueZ and D-Bus"
    ),
}

_NO_DBUS = (
    "Bluetooth is unavailable: the D-Bus system bus is not reachable, so BlueZ cannot be "
    "used (is this a container or a system without Bluetooth?). Start dbus and bluetoothd, "
    "or try the simulation with --simulate h10"
)
_NO_BLUEZ = (
    "Bluetooth is unavailable: BlueZ (bluetoothd) is not running. Start it "
    "(sudo systemctl start bluetooth) and try again, or use --simulate h10"
)
_DENIED = (
    "Bluetooth is unavailable: permission denied by D-Bus/BlueZ. Add your user to the "
    "'bluetooth' group (or run from a desktop session) and try again"
)


def bluetooth_unavailable(exc: BaseException) -> BluetoothUnavailable | None:
    """The person-facing error for a host without usable Bluetooth, or None.

    Recognises bleak's `BleakBluetoothNotAvailableError` (no adapter, powered off,
    denied), a missing D-Bus system socket, BlueZ not on the bus, and permission errors.
    """
    if isinstance(exc, BleakBluetoothNotAvailableError):
        advice = _ADVICE.get(exc.reason, f"Bluetooth is not available ({exc.args[0]})")
        return BluetoothUnavailable(f"Bluetooth is unavailable: {advice}")
    if isinstance(exc, PermissionError):
        return BluetoothUnavailable(_DENIED)
    if isinstance(exc, (FileNotFoundError, ConnectionRefusedError)) or (
        isinstance(exc, OSError) and exc.errno in (errno.ENOENT, errno.ECONNREFUSED)
    ):
        return BluetoothUnavailable(_NO_DBUS)
    if isinstance(exc, BleakError):
        text = str(exc)
        if "ServiceUnknown" in text or "org.bluez was not provided" in text:
            return BluetoothUnavailable(_NO_BLUEZ)
        if "AccessDenied" in text or "NotPermitted" in text or "NotAuthorized" in text:
            return BluetoothUnavailable(_DENIED)
        if "No Bluetooth adapters" in text or ("adapter" in text and "not found" in text):
            advice = _ADVICE[BleakBluetoothNotAvailableReason.NO_BLUETOOTH]
            return BluetoothUnavailable(f"Bluetooth is unavailable: {advice}")
    return None
