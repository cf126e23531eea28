"""Hip IMUs through the collector: MetaMotion, Movesense, Thingy:52, the open IMU."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from collect_harness import record

from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.profiles import load_profiles
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, EventKind
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.imu_wearables import VirtualImu

# kind, device key, profile, data stream, quantum of the wire format (g), rate (Hz)
IMUS = [
    ("metamotion", "hip", "metamotion", "mw_notify", 1 / 2048, 100.0),
    ("movesense", "movesense", "movesense", "gsp_data", 1e-6, 104.0),
    ("thingy52", "thingy", "thingy52", "raw_data", 1 / 1024, 100.0),
    ("osteo-imu", "imu", "osteomonitor-imu", "imu_data", 16 / 32768, 200.0),
]


@pytest.mark.parametrize(("kind", "key", "profile", "stream", "quantum", "rate"), IMUS)
async def test_imu_records_exactly_and_decodes_to_the_model(
    tmp_path: Path, kind: str, key: str, profile: str, stream: str, quantum: float, rate: float
) -> None:
    s = await record(tmp_path, [kind], seconds=8)
    assert s.recorded(key, stream) == s.sent(key, stream)
    assert len(s.sent(key, stream)) > 10
    assert s.world.violations() == []  # stopped before disconnecting
    device = s.world.devices[key]
    assert isinstance(device, VirtualImu) and device.sampling_started_s is not None
    settings = dict(s.status.devices[0].settings)
    assert settings["sample_rate"] == rate
    decoder = DeviceDecoder(load_profiles()[profile], settings)
    blocks = [b for p in s.packets if p.device == key for b in decoder.feed(p)]
    acc = np.concatenate([b.acc_g for b in blocks if isinstance(b, AccBlock)])
    t = np.concatenate(device.sample_times_s)
    assert t.shape[0] == acc.shape[0]
    expected = s.world.model.acc_g(t)
    if kind == "thingy52":
        expected = np.clip(expected, -2.0, 2.0)
    np.testing.assert_allclose(acc, expected, atol=quantum / 2 + 1e-9)


async def test_garmin_strap_and_metamotion_on_the_hip_together(tmp_path: Path) -> None:
    s = await record(tmp_path, ["hr-strap", "metamotion"], seconds=10)
    assert s.recorded("strap", "hr") == s.sent("strap", "hr")
    assert s.recorded("hip", "mw_notify") == s.sent("hip", "mw_notify")
    assert [e.data["by"] for e in s.kinds(EventKind.STREAM_STOPPED, "hip")] == ["host"]


async def test_imu_malformed_notifications_are_counted(tmp_path: Path) -> None:
    s = await record(tmp_path, ["osteo-imu"], seconds=8, faults=Faults(malformed_every=5))
    bad = [x for x in s.world.devices["imu"].sent if x.malformed]
    assert bad and s.status.devices[0].decode_errors == len(bad)
    decoder = DeviceDecoder(load_profiles()["osteomonitor-imu"], dict(s.status.devices[0].settings))
    errors = 0
    for p in s.packets:
        try:
            decoder.feed(p)
        except DecodeError:
            errors += 1
    assert errors == len(bad)
