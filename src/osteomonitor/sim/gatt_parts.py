"""The GATT parts every virtual wearable is built from: legacy advertising data, constant
readable characteristics, the Device Information service, notify-only permissions.

Split from `peripheral.py` (the wearable itself), which re-exports these names.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from bumble import gatt
from bumble.core import UUID

from osteomonitor.devices import hrs

#: Permissions of a notify-only value (the CCCD is what the central writes).
NO_ACCESS = gatt.Characteristic.Permissions(0)

#: Flags AD structure: LE General Discoverable, BR/EDR not supported.
_AD_FLAGS = bytes([2, 0x01, 0x06])


def advertising_payload(
    name: str, uuids16: Iterable[int] = (), manufacturer: bytes = b"", uuid128: str | None = None
) -> bytes:
    """Legacy advertising data: flags, service UUIDs (16-bit list, one 128-bit), name.

    Raises:
        ValueError: the result exceeds the 31 bytes of a legacy advertisement.
    """
    out = bytearray(_AD_FLAGS)
    uuid_bytes = b"".join(struct.pack("<H", u) for u in uuids16)
    if uuid_bytes:
        out += bytes([len(uuid_bytes) + 1, 0x03]) + uuid_bytes
    if uuid128 is not None:
        out += bytes([17, 0x07]) + bytes.fromhex(uuid128.replace("-", ""))[::-1]
    if manufacturer:
        out += bytes([len(manufacturer) + 1, 0xFF]) + manufacturer
    encoded = name.encode()
    out += bytes([len(encoded) + 1, 0x09]) + encoded
    if len(out) > 31:
        raise ValueError(f"advertising data for {name!r} is {len(out)} bytes (max 31)")
    return bytes(out)


def read_only(uuid: str, value: bytes) -> gatt.Characteristic[bytes]:
    """A readable characteristic with a constant value."""
    return gatt.Characteristic(
        UUID(uuid), gatt.Characteristic.Properties.READ, gatt.Characteristic.READABLE, value
    )


def device_information_service(info: dict[str, str]) -> gatt.Service:
    """Device Information (0x180A) with the given strings ("manufacturer", "model" …)."""
    chars = [
        read_only(hrs.DIS_STRING_UUIDS[key], text.encode())
        for key, text in info.items()
        if key in hrs.DIS_STRING_UUIDS
    ]
    return gatt.Service(UUID(hrs.DEVICE_INFO_SERVICE_UUID), chars)
