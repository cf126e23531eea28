"""The virtual wearables speak their protocols: checked through bleak, byte for byte."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import numpy as np
import pytest
from bleak import BleakClient
from bleak.exc import BleakGATTProtocolError

from osteomonitor.collect.scanner import find_device
from osteomonitor.devices import hrs
from osteomonitor.devices import polar_pmd as pmd
from osteomonitor.sim.hr_strap import ENERGY_EVERY
from osteomonitor.sim.polar_h10 import VirtualPolarH10
from osteomonitor.sim.world import VirtualWorld, virtual_world

# polar-ble-sdk issue #360 (real H10 feature read) and online_measurement.pdf fig. 2/3.
H10_FEATURES = bytes.fromhex("0F05000000000000000000000000000000")
H10_ACC_SETTINGS = bytes.fromhex(
    "F00102000000041900320064 00C800010110000203020004000800".replace(" ", "")
)
PDF_START_ACC = bytes.fromhex("0202020108000001C80001011000")


class CpLog:
    """Collects control-point indications and lets a test await the next one."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.event = asyncio.Event()

    def __call__(self, _char: object, data: bytearray) -> None:
        self.messages.append(bytes(data))
        self.event.set()

    async def request(self, client: BleakClient, message: bytes, timeout: float = 1.0) -> bytes:
        self.event.clear()
        n = len(self.messages)
        await client.write_gatt_char(pmd.PMD_CP_UUID, message, response=True)
        await asyncio.wait_for(self.event.wait(), timeout)
        return self.messages[n]


@pytest.fixture
async def h10_world() -> AsyncIterator[VirtualWorld]:
    async with virtual_world(["h10"], speed=20) as world:
        yield world


async def connect(world: VirtualWorld, name: str = "Polar H10") -> BleakClient:
    device, _ = await find_device(name, world.stack, timeout_s=1.0)
    client = BleakClient(device, **world.stack.client_kwargs)
    await client.connect()
    return client


async def test_h10_features_and_settings_are_the_published_bytes(h10_world: VirtualWorld) -> None:
    client = await connect(h10_world)
    cp = CpLog()
    await client.start_notify(pmd.PMD_CP_UUID, cp)
    await client.start_notify(pmd.PMD_DATA_UUID, lambda _c, _d: None)
    assert client.mtu_size == pmd.H10_ATT_MTU
    assert bytes(await client.read_gatt_char(pmd.PMD_CP_UUID)) == H10_FEATURES
    assert await cp.request(client, pmd.build_get_settings(pmd.ACC)) == H10_ACC_SETTINGS
    assert (
        pmd.build_start(pmd.ACC, {"sample_rate": 200, "resolution": 16, "range": 8})
        == PDF_START_ACC
    )
    assert await cp.request(client, PDF_START_ACC) == bytes.fromhex("F002020000")
    already = pmd.parse_cp_response(await cp.request(client, PDF_START_ACC))
    assert already.status == pmd.PmdStatus.ALREADY_IN_STATE
    assert await cp.request(client, pmd.build_stop(pmd.ACC)) == bytes.fromhex("F003020000")
    await client.disconnect()
    assert h10_world.violations() == []


@pytest.mark.parametrize(
    ("settings", "status"),
    [
        ({"sample_rate": 150, "resolution": 16, "range": 8}, pmd.PmdStatus.INVALID_SAMPLE_RATE),
        ({"sample_rate": 200, "resolution": 12, "range": 8}, pmd.PmdStatus.INVALID_RESOLUTION),
        ({"sample_rate": 200, "resolution": 16, "range": 16}, pmd.PmdStatus.INVALID_RANGE),
    ],
)
async def test_h10_refuses_settings_it_does_not_have(
    h10_world: VirtualWorld, settings: dict[pmd.PmdSetting | str, int], status: int
) -> None:
    client = await connect(h10_world)
    cp = CpLog()
    await client.start_notify(pmd.PMD_CP_UUID, cp)
    await client.start_notify(pmd.PMD_DATA_UUID, lambda _c, _d: None)
    answer = pmd.parse_cp_response(await cp.request(client, pmd.build_start(pmd.ACC, settings)))
    assert (answer.op, answer.mtype, answer.status) == (
        pmd.PmdOp.REQUEST_MEASUREMENT_START,
        pmd.ACC,
        status,
    )
    await client.disconnect()


async def test_h10_ignores_commands_before_indications_are_enabled(h10_world: VirtualWorld) -> None:
    client = await connect(h10_world)
    await client.write_gatt_char(pmd.PMD_CP_UUID, pmd.build_get_settings(pmd.ACC), response=True)
    await h10_world.clock.sleep(2.0)
    assert h10_world.devices["h10"].sent_on("pmd_cp") == []
    assert h10_world.violations() == [
        "h10: control-point command 01 02 before indications were enabled"
    ]
    await client.disconnect()


@pytest.mark.parametrize("kind", ["h10", "h10-delta"])
async def test_h10_frames_carry_the_model_signal(kind: str) -> None:
    async with virtual_world([kind], speed=20) as world:
        client = await connect(world)
        cp = CpLog()
        frames: list[bytes] = []
        await client.start_notify(pmd.PMD_CP_UUID, cp)
        await client.start_notify(pmd.PMD_DATA_UUID, lambda _c, d: frames.append(bytes(d)))
        await cp.request(client, PDF_START_ACC)
        await world.clock.sleep(4.0)
        await cp.request(client, pmd.build_stop(pmd.ACC))
        await client.disconnect()
    decoded = [pmd.decode_frame(f) for f in frames]
    assert len(decoded) >= 15
    assert all(d.compressed == (kind == "h10-delta") and len(d) == 36 for d in decoded)
    h10 = world.devices["h10"]
    assert isinstance(h10, VirtualPolarH10)
    last_sim = (decoded[0].timestamp_ns - h10.device_ns(0.0)) / 1e9
    t = last_sim - 35 / 200 + np.arange(36 * len(decoded)) / 200
    samples = np.concatenate([d.samples for d in decoded]).astype(float)
    np.testing.assert_allclose(samples, np.rint(world.model.acc_g(t) * 1000), atol=0.5)


async def test_h10_announces_measurement_stopped() -> None:
    async with virtual_world(["h10"], speed=20) as world:
        client = await connect(world)
        cp = CpLog()
        await client.start_notify(pmd.PMD_CP_UUID, cp)
        await client.start_notify(pmd.PMD_DATA_UUID, lambda _c, _d: None)
        await cp.request(client, PDF_START_ACC)
        h10 = world.devices["h10"]
        assert isinstance(h10, VirtualPolarH10)
        cp.event.clear()
        assert await h10.announce_stopped()
        await asyncio.wait_for(cp.event.wait(), 1.0)
        assert pmd.parse_cp_message(cp.messages[-1]) == pmd.MeasurementStopped((pmd.ACC,))
        assert not h10.acc_active
        await client.disconnect()
    assert world.violations() == []  # it stopped itself: nothing left streaming


async def test_hr_strap_notifications_follow_the_model() -> None:
    async with virtual_world(["hr-strap"], speed=20) as world:
        client = await connect(world, "HRM-Dual")
        got: list[bytes] = []
        assert bytes(await client.read_gatt_char(hrs.BODY_SENSOR_LOCATION_UUID)) == b"\x01"
        await client.start_notify(hrs.HR_MEASUREMENT_UUID, lambda _c, d: got.append(bytes(d)))
        await world.clock.sleep(25.0)
        await client.write_gatt_char(
            hrs.HR_CONTROL_POINT_UUID, hrs.HR_CP_RESET_ENERGY, response=True
        )
        with pytest.raises(BleakGATTProtocolError) as err:
            await client.write_gatt_char(hrs.HR_CONTROL_POINT_UUID, b"\x02", response=True)
        assert err.value.code == 0x80
        await client.stop_notify(hrs.HR_MEASUREMENT_UUID)
        await client.disconnect()
    samples = [hrs.decode_hr(g, 0) for g in got]
    assert len(samples) >= 20
    assert all(s.contact is True and 60 <= s.hr_bpm <= 110 for s in samples)
    energy = [i for i, s in enumerate(samples) if s.energy_kj is not None]
    assert energy and all(b - a == ENERGY_EVERY for a, b in itertools.pairwise(energy))
    # The RR intervals of consecutive notifications are the model's beats, none lost.
    strap = world.devices["strap"]
    first, last = strap.sent_on("hr")[0], strap.sent_on("hr")[len(samples) - 1]
    rr = [r for s in samples[1:] for r in s.rr_1024]
    assert rr == world.model.rr_1024_between(first.sim_s, last.sim_s)
