"""The collector against a real strap over the platform Bluetooth stack (BlueZ on Linux).

These exercise what the virtual stack cannot: BlueZ's own quirks (MTU reported as 23
until acquired, notifications through D-Bus), radio timing, the real H10's late ACC
start and its control-point answers. Wear the strap (it sleeps without skin contact)
and make sure no phone is connected to it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from bleak import BleakClient

from osteomonitor.collect.collector import Collector
from osteomonitor.collect.device_spec import DeviceSpec
from osteomonitor.collect.scanner import find_device, scan
from osteomonitor.collect.session_recording import session_meta
from osteomonitor.devices import hrs
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.profiles import load_profiles, match_profile
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, EventKind
from osteomonitor.store import RecordingReader, RecordingWriter

pytestmark = pytest.mark.hardware

#: Session seconds recorded by the streaming test (an H10 may start ACC ~30 s late).
RECORD_S = 60.0


async def test_scan_sees_the_wearable_with_a_profile(ble_address: str) -> None:
    results = await scan(timeout_s=10.0)
    match = [r for r in results if r.address.lower() == ble_address.lower()]
    assert match, f"{ble_address} not among {[r.address for r in results]}"
    assert match[0].profile is not None
    assert -100 < match[0].rssi_dbm < 0


async def test_connect_reads_battery_and_device_information(ble_address: str) -> None:
    device, adv = await find_device(ble_address, timeout_s=15.0)
    profile = match_profile(adv.local_name or device.name, adv.service_uuids)
    assert profile is not None
    async with BleakClient(device, timeout=30.0) as client:
        battery = hrs.decode_battery_level(
            bytes(await client.read_gatt_char(hrs.BATTERY_LEVEL_UUID))
        )
        assert 0 <= battery <= 100
        if client.services.get_characteristic(hrs.MANUFACTURER_NAME_UUID):
            name = hrs.decode_dis_string(
                bytes(await client.read_gatt_char(hrs.MANUFACTURER_NAME_UUID))
            )
            assert name


async def test_record_a_minute_stop_cleanly_and_decode(ble_address: str, tmp_path: Path) -> None:
    path = tmp_path / "hardware.omrec"
    writer = RecordingWriter.create(path, session_meta("HW", "impact", notes="hardware test"))
    collector = Collector([DeviceSpec(target=ble_address)], writer)
    await collector.start()
    await asyncio.sleep(RECORD_S)
    await collector.stop()
    status = collector.status().devices[0]
    assert status.dropped == 0
    reader = RecordingReader(path)
    assert reader.ended_cleanly
    device = reader.devices[0]
    decoder = DeviceDecoder(load_profiles()[device.profile], device.settings)
    hr = acc = bad = 0
    for packet in reader.packets():
        try:
            out = decoder.feed(packet)
        except DecodeError:
            bad += 1
            continue
        hr += packet.stream == "hr"
        acc += sum(s.acc_g.shape[0] for s in out if isinstance(s, AccBlock))
    assert hr >= RECORD_S * 0.8  # about one HR notification a second
    assert bad == 0
    events = reader.events()
    if device.profile == "polar-h10":
        assert acc > 0, "no ACC samples: did the H10 start its accelerometer?"
        assert [e.data for e in events if e.kind == EventKind.STREAM_STOPPED][-1]["by"] == "host"
    reader.close()
