"""What a link reads once per connection: Device Information strings and the battery level.

A characteristic the device lacks, or bytes that do not decode, are logged and skipped:
the session goes on without them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bleak import BleakClient
from bleak.exc import BleakError

from osteomonitor.devices import hrs
from osteomonitor.devices.profiles import Profile, StreamSpec
from osteomonitor.errors import DecodeError

log = logging.getLogger(__name__)


async def read_device_info(client: BleakClient, profile: Profile, label: str) -> dict[str, str]:
    """The readable Device Information strings (model, firmware …) by what they carry."""
    facts: dict[str, str] = {}
    for spec in profile.streams.values():
        if spec.carries not in hrs.DIS_STRING_UUIDS or "read" not in spec.access:
            continue
        if client.services.get_characteristic(spec.uuid) is None:
            continue
        try:
            facts[spec.carries] = hrs.decode_dis_string(
                bytes(await client.read_gatt_char(spec.uuid))
            )
        except (BleakError, DecodeError) as exc:
            log.debug("%s: %s not readable: %r", label, spec.name, exc)
    return facts


async def read_battery(
    client: BleakClient, profile: Profile, label: str, clock_ns: Callable[[], int]
) -> tuple[int, StreamSpec, bytes, int] | None:
    """Read the battery level once.

    Returns:
        (arrival time ns on `clock_ns`, the battery stream, the raw bytes, level %), or
        None when the device has no readable battery level.
    """
    spec = next((s for s in profile.streams.values() if s.carries == "battery"), None)
    if spec is None or client.services.get_characteristic(spec.uuid) is None:
        return None
    try:
        payload = bytes(await client.read_gatt_char(spec.uuid))
        t = clock_ns()
        pct = hrs.decode_battery_level(payload)
    except (BleakError, DecodeError) as exc:
        log.debug("%s: battery not readable: %r", label, exc)
        return None
    return t, spec, payload, pct
