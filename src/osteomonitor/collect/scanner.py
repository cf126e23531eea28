"""Finding wearables: `osteomonitor scan` and resolving `--device ADDRESS|NAME`.

Only bleak's public API is used (`BleakScanner`, `BleakClient`); the stack decides
whether that is BlueZ or the virtual radio. Every scan result is matched against the
firmware profiles; the battery level is read where a device lets us (a short connection
that reads 0x2A19), so a person sees at a glance which strap needs charging.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from dataclasses import dataclass, field

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError

from osteomonitor.collect.stack import SYSTEM_STACK, BleStack, bluetooth_unavailable
from osteomonitor.devices import hrs
from osteomonitor.devices.profiles import Profile, match_profile
from osteomonitor.errors import DecodeError, DeviceNotFound

#: Seconds allowed to connect and read the battery of one scanned device.
BATTERY_READ_TIMEOUT_S = 6.0
#: A Bluetooth device address (or a macOS UUID) rather than a name.
_ADDRESS_RE = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f-]{36}$")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScanResult:
    """One wearable seen while scanning.

    Attributes:
        address: Bluetooth address (a UUID on macOS).
        name: advertised local name, if any.
        rssi_dbm: signal strength of the last advertisement, dBm.
        profile: matching firmware profile, or None.
        battery_pct: battery level read from the device, %, when readable.
        service_uuids: advertised services.
        device: bleak's handle for connecting.
    """

    address: str
    name: str | None
    rssi_dbm: int
    profile: Profile | None
    battery_pct: int | None = None
    service_uuids: tuple[str, ...] = ()
    device: BLEDevice | None = field(default=None, compare=False, repr=False)


def is_address(target: str) -> bool:
    """Whether `target` looks like a Bluetooth address (or macOS UUID) rather than a name."""
    return bool(_ADDRESS_RE.match(target.strip()))


class ScanObserver:
    """What a scan reports while it runs (override what you need; each does nothing here).

    Called on the event loop, in this order: `listening` once the radio listens, `found`
    for each wearable the first time it is seen, `reading_battery` before each battery
    read (after listening ends).
    """

    def listening(self, timeout_s: float) -> None:
        """The radio listens now, for `timeout_s` seconds."""

    def found(self, result: ScanResult) -> None:
        """A wearable seen for the first time (battery not read yet)."""

    def reading_battery(self, result: ScanResult) -> None:
        """About to connect to `result` to read its battery level."""


def _result(device: BLEDevice, adv: AdvertisementData) -> ScanResult:
    name = adv.local_name or device.name
    return ScanResult(
        address=device.address,
        name=name,
        rssi_dbm=adv.rssi,
        profile=match_profile(name, adv.service_uuids),
        service_uuids=tuple(adv.service_uuids),
        device=device,
    )


async def _discover(
    stack: BleStack, timeout_s: float, all_devices: bool, observer: ScanObserver
) -> dict[str, tuple[BLEDevice, AdvertisementData]]:
    """Every device advertising within `timeout_s`, with its latest advertisement."""
    seen: dict[str, tuple[BLEDevice, AdvertisementData]] = {}
    told: set[str] = set()

    def on_detect(device: BLEDevice, adv: AdvertisementData) -> None:
        seen[device.address] = (device, adv)
        if device.address in told:
            return
        result = _result(device, adv)
        if result.profile is not None or all_devices:
            told.add(device.address)
            observer.found(result)

    try:
        async with BleakScanner(on_detect, **stack.scanner_kwargs):
            observer.listening(timeout_s)
            await asyncio.sleep(timeout_s)
    except (BleakError, OSError) as exc:
        unavailable = bluetooth_unavailable(exc)
        if unavailable is None:
            raise
        raise unavailable from exc
    return seen


async def read_battery(
    device: BLEDevice, stack: BleStack, timeout_s: float = BATTERY_READ_TIMEOUT_S
) -> int | None:
    """Connect briefly and read Battery Level (0x2A19); None when not readable."""
    try:
        async with asyncio.timeout(timeout_s):
            async with BleakClient(device, timeout=timeout_s, **stack.client_kwargs) as client:
                if client.services.get_characteristic(hrs.BATTERY_LEVEL_UUID) is None:
                    return None
                return hrs.decode_battery_level(
                    bytes(await client.read_gatt_char(hrs.BATTERY_LEVEL_UUID))
                )
    except (BleakError, TimeoutError, DecodeError, OSError) as exc:
        log.debug("battery of %s not readable: %r", device.address, exc)
        return None


async def scan(
    stack: BleStack = SYSTEM_STACK,
    timeout_s: float = 5.0,
    *,
    all_devices: bool = False,
    battery: bool = True,
    observer: ScanObserver | None = None,
) -> list[ScanResult]:
    """Wearables nearby, strongest signal first.

    Args:
        stack: how to reach Bluetooth.
        timeout_s: how long to listen, s.
        all_devices: also list devices that match no profile.
        battery: connect to each matching device to read its battery level.
        observer: told of progress as it happens (listening, each device found, each
            battery read).

    Raises:
        BluetoothUnavailable: no adapter, BlueZ not running, permission denied.
    """
    observer = observer or ScanObserver()
    found = await _discover(stack, timeout_s, all_devices, observer)
    results = [
        r
        for r in (_result(device, adv) for device, adv in found.values())
        if r.profile is not None or all_devices
    ]
    results.sort(key=lambda r: (-r.rssi_dbm, r.address))
    if battery:
        out = []
        for r in results:  # one connection at a time: adapters handle that best
            level = None
            if r.profile is not None and r.device:
                observer.reading_battery(r)
                level = await read_battery(r.device, stack)
            out.append(
                ScanResult(
                    r.address, r.name, r.rssi_dbm, r.profile, level, r.service_uuids, r.device
                )
            )
        results = out
    return results


async def find_device(
    target: str, stack: BleStack = SYSTEM_STACK, timeout_s: float = 10.0
) -> tuple[BLEDevice, AdvertisementData]:
    """The advertising device whose address equals `target`, or whose name matches it.

    A name matches when it equals `target` or starts with it (so "Polar H10" finds
    "Polar H10 0A3B5C7D"); case is ignored.

    Raises:
        DeviceNotFound: nothing matched within `timeout_s`.
        BluetoothUnavailable: no usable Bluetooth.
    """
    want = target.strip().lower()
    by_address = is_address(target)
    hit: asyncio.Future[tuple[BLEDevice, AdvertisementData]] = (
        asyncio.get_running_loop().create_future()
    )

    def on_detect(device: BLEDevice, adv: AdvertisementData) -> None:
        name = (adv.local_name or device.name or "").lower()
        ok = device.address.lower() == want if by_address else name == want or name.startswith(want)
        if ok and not hit.done():
            hit.set_result((device, adv))

    try:
        async with BleakScanner(on_detect, **stack.scanner_kwargs):
            with contextlib.suppress(TimeoutError):
                return await asyncio.wait_for(asyncio.shield(hit), timeout_s)
    except (BleakError, OSError) as exc:
        unavailable = bluetooth_unavailable(exc)
        if unavailable is None:
            raise
        raise unavailable from exc
    what = "address" if by_address else "name"
    raise DeviceNotFound(
        f"no wearable with {what} {target!r} advertised within {timeout_s:g} s: check that it "
        "is worn (straps sleep without skin contact), charged and not connected to a phone; "
        "'osteomonitor scan' lists what is in range"
    )
