"""bleak's public API over the bumble virtual stack: scan, connect, GATT, notify, link loss."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.exc import BleakError, BleakGATTProtocolError
from bleak_retry_connector import establish_connection
from bumble import gatt
from bumble.att import ATT_Error, AttributeValue
from bumble.core import UUID

from osteomonitor.devices import hrs
from osteomonitor.sim.bleak_client import BumbleClient
from osteomonitor.sim.bleak_scanner import BumbleScanner
from osteomonitor.sim.clock import SimClock
from osteomonitor.sim.gatt_parts import NO_ACCESS
from osteomonitor.sim.peripheral import VirtualPeripheral, advertising_payload
from osteomonitor.sim.radio import VirtualRadio

NAME = "Bench HR 01"
ADDRESS = "C0:00:00:00:00:01"


class TickingStrap(VirtualPeripheral):
    """A minimal HR peripheral sending a counter every 0.1 simulated s (10 ms at speed 10)."""

    data_streams = ("hr",)

    def services(self) -> list[gatt.Service]:
        self.hr: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(hrs.HR_MEASUREMENT_UUID), gatt.Characteristic.Properties.NOTIFY, NO_ACCESS, b""
        )
        control_point: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(hrs.HR_CONTROL_POINT_UUID),
            gatt.Characteristic.Properties.WRITE,
            gatt.Characteristic.WRITEABLE,
            AttributeValue[bytes](write=self._control_point),
        )
        return [gatt.Service(UUID(hrs.HR_SERVICE_UUID), [self.hr, control_point])]

    def _control_point(self, _connection: object, value: bytes) -> None:
        if value != hrs.HR_CP_RESET_ENERGY:  # HRS: 0x80 = "control point value not supported"
            raise ATT_Error(error_code=0x80)

    def advertising_data(self) -> bytes:
        return advertising_payload(self.name, [0x180D])

    def background_tasks(self) -> list[asyncio.Task[None]]:
        return [asyncio.create_task(self._loop())]

    async def _loop(self) -> None:
        k = 0
        while True:
            k += 1
            await self.clock.sleep_until(k * 0.1)
            await self.send(self.hr, "hr", hrs.encode_hr(40 + k % 200))


@pytest.fixture
async def radio() -> AsyncIterator[VirtualRadio]:
    async with VirtualRadio() as r:
        yield r


@pytest.fixture
async def strap(radio: VirtualRadio) -> AsyncIterator[TickingStrap]:
    p = TickingStrap(radio, SimClock(speed=10.0), name=NAME, address=ADDRESS)
    await p.start()
    yield p
    await p.stop()


# bleak forwards keyword arguments it does not know to the backend (`radio=` for
# BumbleScanner), but its typed `ExtraArgs` lists only its own backends' keywords:
# hence the `type: ignore[call-arg]` / `[call-overload]` on the calls that pass `radio=`.


def connected(client: BleakClient) -> bool:
    """Whether `client` is connected now."""
    return client.is_connected


async def find(radio: VirtualRadio) -> BLEDevice:
    device = await BleakScanner.find_device_by_name(  # type: ignore[call-arg]
        NAME, timeout=2.0, backend=BumbleScanner, radio=radio
    )
    assert device is not None
    return device


async def test_scan_reports_name_services_and_rssi(
    radio: VirtualRadio, strap: TickingStrap
) -> None:
    found = await BleakScanner.discover(  # type: ignore[call-overload]
        timeout=0.4, return_adv=True, backend=BumbleScanner, radio=radio
    )
    device, adv = found[ADDRESS]
    assert device.name == NAME
    assert adv.local_name == NAME
    assert hrs.HR_SERVICE_UUID in adv.service_uuids
    assert -127 < adv.rssi < 0


async def test_scan_filters_on_service_uuids(radio: VirtualRadio, strap: TickingStrap) -> None:
    other = await BleakScanner.discover(  # type: ignore[call-overload]
        timeout=0.3, backend=BumbleScanner, radio=radio, service_uuids=[hrs.BATTERY_SERVICE_UUID]
    )
    assert other == []


async def test_connect_discovers_gatt_and_reads(radio: VirtualRadio, strap: TickingStrap) -> None:
    async with BleakClient(await find(radio), backend=BumbleClient) as client:
        assert client.mtu_size == 247
        char = client.services.get_characteristic(hrs.HR_MEASUREMENT_UUID)
        assert char is not None and char.properties == ["notify"]
        assert char.get_descriptor("2902") is not None
        assert await client.read_gatt_char(hrs.BATTERY_LEVEL_UUID) == bytearray([87])
        await client.write_gatt_char(hrs.HR_CONTROL_POINT_UUID, b"\x01", response=True)
        with pytest.raises(BleakGATTProtocolError) as error:
            await client.write_gatt_char(hrs.HR_CONTROL_POINT_UUID, b"\x02", response=True)
        assert error.value.code == 0x80
    assert not client.is_connected


async def test_notifications_arrive_in_order_and_stop_exactly(
    radio: VirtualRadio, strap: TickingStrap
) -> None:
    got: list[bytes] = []
    async with BleakClient(await find(radio), backend=BumbleClient) as client:
        await client.start_notify(hrs.HR_MEASUREMENT_UUID, lambda _c, d: got.append(bytes(d)))
        await asyncio.sleep(0.3)
        await client.stop_notify(hrs.HR_MEASUREMENT_UUID)
        await asyncio.sleep(0.05)
    sent = [s.payload for s in strap.sent_on("hr")]
    assert len(sent) >= 20
    assert got == sent


async def test_link_drop_calls_back_and_reconnects(
    radio: VirtualRadio, strap: TickingStrap
) -> None:
    lost = asyncio.Event()
    device = await find(radio)
    client = BleakClient(device, disconnected_callback=lambda _c: lost.set(), backend=BumbleClient)
    await client.connect()
    assert await strap.drop_link()
    await asyncio.wait_for(lost.wait(), 1.0)
    assert not client.is_connected
    t0 = time.perf_counter()
    await client.connect(timeout=5.0)  # the strap advertises again after 3 simulated s
    assert connected(client)  # a call: mypy keeps `not client.is_connected` across the await
    assert time.perf_counter() - t0 >= 0.25
    await client.disconnect()


async def test_connect_to_silent_address_times_out_then_connects(
    radio: VirtualRadio, strap: TickingStrap
) -> None:
    with pytest.raises(TimeoutError):
        await BleakClient(
            "C0:00:00:00:00:99", backend=BumbleClient, radio=radio, timeout=0.3
        ).connect()
    async with BleakClient(ADDRESS, backend=BumbleClient, radio=radio, timeout=2.0) as client:
        assert client.is_connected


async def test_gatt_call_after_link_loss_is_a_bleak_error(
    radio: VirtualRadio, strap: TickingStrap
) -> None:
    client = BleakClient(await find(radio), backend=BumbleClient)
    await client.connect()
    await strap.drop_link()
    await asyncio.sleep(0.05)
    with pytest.raises(BleakError):
        await client.read_gatt_char(hrs.BATTERY_LEVEL_UUID)


async def test_bleak_retry_connector_connects_through_the_backend(
    radio: VirtualRadio, strap: TickingStrap
) -> None:
    client = await establish_connection(
        BleakClient, await find(radio), NAME, backend=BumbleClient, max_attempts=2
    )
    try:
        assert client.is_connected
        assert client.services.get_service(hrs.HR_SERVICE_UUID) is not None
    finally:
        await client.disconnect()
