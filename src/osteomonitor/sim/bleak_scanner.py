"""A bleak scanner backend that listens on a `VirtualRadio`.

Passed to bleak through its public argument: ``BleakScanner(backend=BumbleScanner,
radio=radio)``. bleak documents the backend API as unstable, which is why bleak is pinned
exactly in pyproject.toml.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any, Literal

from bleak.backends.scanner import (
    AdvertisementData,
    AdvertisementDataCallback,
    BaseBleakScanner,
)
from bleak.uuids import normalize_uuid_str
from bumble.device import Advertisement

from osteomonitor.sim.radio import VirtualRadio

# AD types, Bluetooth Assigned Numbers §2.3 (Common Data Types).
_AD_UUID16 = (0x02, 0x03)
_AD_UUID32 = (0x04, 0x05)
_AD_UUID128 = (0x06, 0x07)
_AD_NAME = (0x08, 0x09)
_AD_TX_POWER = 0x0A
_AD_SERVICE_DATA16 = 0x16
_AD_SERVICE_DATA128 = 0x21
_AD_MANUFACTURER = 0xFF


@dataclass(frozen=True)
class VirtualDeviceDetails:
    """What `BLEDevice.details` holds for a virtual peripheral.

    Attributes:
        radio: the radio the peripheral is on (the client backend connects through it).
        address: the peripheral's address string, e.g. "C0:4F:00:00:00:01".
    """

    radio: VirtualRadio
    address: str


def _uuid16(value: int) -> str:
    return normalize_uuid_str(f"{value:04x}")


def advertisement_data(adv: Advertisement) -> AdvertisementData:
    """bleak's `AdvertisementData` for one bumble advertisement report."""
    name: str | None = None
    uuids: list[str] = []
    manufacturer: dict[int, bytes] = {}
    service_data: dict[str, bytes] = {}
    tx_power: int | None = None
    for ad_type, data in adv.data.ad_structures:
        if ad_type in _AD_NAME:
            name = data.decode("utf-8", errors="replace")
        elif ad_type in _AD_UUID16:
            uuids += [_uuid16(v) for (v,) in struct.iter_unpack("<H", data[: len(data) // 2 * 2])]
        elif ad_type in _AD_UUID32:
            uuids += [
                normalize_uuid_str(f"{v:08x}")
                for (v,) in struct.iter_unpack("<I", data[: len(data) // 4 * 4])
            ]
        elif ad_type in _AD_UUID128:
            for i in range(0, len(data) - 15, 16):
                uuids.append(normalize_uuid_str(data[i : i + 16][::-1].hex()))
        elif ad_type == _AD_TX_POWER and data:
            tx_power = struct.unpack("<b", data[:1])[0]
        elif ad_type == _AD_SERVICE_DATA16 and len(data) >= 2:
            service_data[_uuid16(int.from_bytes(data[:2], "little"))] = bytes(data[2:])
        elif ad_type == _AD_SERVICE_DATA128 and len(data) >= 16:
            service_data[normalize_uuid_str(data[:16][::-1].hex())] = bytes(data[16:])
        elif ad_type == _AD_MANUFACTURER and len(data) >= 2:
            manufacturer[int.from_bytes(data[:2], "little")] = bytes(data[2:])
    return AdvertisementData(
        local_name=name,
        manufacturer_data=manufacturer,
        service_data=service_data,
        service_uuids=list(dict.fromkeys(uuids)),
        tx_power=tx_power,
        rssi=int(adv.rssi),
        platform_data=(adv,),
    )


class BumbleScanner(BaseBleakScanner):
    """bleak scanner backend over a `VirtualRadio` (keyword argument ``radio``)."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: Literal["active", "passive"] = "active",
        *,
        radio: VirtualRadio | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        if radio is None:
            raise TypeError("BumbleScanner needs radio=<VirtualRadio>")
        self._radio = radio
        self._scanning = False

    async def start(self) -> None:
        """Start scanning (clears `seen_devices`, as bleak requires)."""
        self.seen_devices = {}
        await self._radio.acquire_scan(self._on_advertisement)
        self._scanning = True

    async def stop(self) -> None:
        """Stop scanning."""
        if self._scanning:
            self._scanning = False
            await self._radio.release_scan(self._on_advertisement)

    def _on_advertisement(self, adv: Advertisement) -> None:
        if not self._scanning:
            return
        data = advertisement_data(adv)
        if not self.is_allowed_uuid(data.service_uuids):
            return
        address = adv.address.to_string(False)
        device = self.create_or_update_device(
            address, address, data.local_name, VirtualDeviceDetails(self._radio, address), data
        )
        self.call_detection_callbacks(device, data)
