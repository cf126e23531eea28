"""End to end through bleak over the virtual BLE stack: device → bumble → bleak → collector → file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from bleak import BleakClient
from collect_harness import META, record

from osteomonitor.collect.collector import Collector, CollectorOptions
from osteomonitor.collect.scanner import find_device, scan
from osteomonitor.devices import polar_pmd as pmd
from osteomonitor.devices.clock import fit_clock
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.profiles import load_profiles
from osteomonitor.errors import DeviceNotFound
from osteomonitor.model import AccBlock, Event, EventKind, HrSample, Packet
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.packet_audit import run_simulated_session
from osteomonitor.sim.polar_h10 import VirtualPolarH10
from osteomonitor.sim.world import virtual_world
from osteomonitor.store import RecordingReader, RecordingWriter


async def test_scan_finds_the_simulated_devices_with_profile_rssi_and_battery() -> None:
    async with virtual_world(["h10", "hr-strap"], speed=20) as world:
        results = await scan(world.stack, timeout_s=0.5)
    by_name = {r.name: r for r in results}
    h10 = by_name["Polar H10 0A3B5C7D"]
    strap = by_name["HRM-Dual:0A1B2D"]
    assert h10.profile is not None and h10.profile.key == "polar-h10"
    assert strap.profile is not None and strap.profile.key == "hr-strap"
    assert (h10.battery_pct, strap.battery_pct) == (87, 76)
    assert all(-100 < r.rssi_dbm < 0 for r in results)


async def test_find_device_by_name_prefix_and_not_found() -> None:
    async with virtual_world(["h10"], speed=20) as world:
        device, _ = await find_device("polar h10", world.stack, timeout_s=1.0)
        assert device.address == "C0:9E:1A:00:00:01"
        with pytest.raises(DeviceNotFound, match="'Garmin'"):
            await find_device("Garmin", world.stack, timeout_s=0.3)


async def test_session_records_exactly_what_the_h10_sent(tmp_path: Path) -> None:
    s = await record(tmp_path, ["h10"], seconds=40)
    for stream in ("hr", "pmd_cp", "pmd_data"):
        assert s.recorded("h10", stream) == s.sent("h10", stream), stream
    # ~40 s less the simulated seconds taken to scan and connect, 36-sample frames at 200 Hz
    assert len(s.sent("h10", "pmd_data")) >= 150
    assert len(s.sent("h10", "hr")) >= 28
    assert s.ended_cleanly
    assert s.world.violations() == []
    d = s.status.devices[0]
    assert (d.dropped, d.decode_errors, d.link_losses) == (0, 0, 0)
    # Arrival order is preserved and host times never go backwards.
    t = [p.t_ns for p in s.packets]
    assert t == sorted(t)


def _acc(sample: HrSample | AccBlock) -> np.ndarray:
    """The accelerations (g) of a decoded PMD block (the H10's ACC stream holds nothing else)."""
    assert isinstance(sample, AccBlock)
    return sample.acc_g


async def test_recorded_acc_decodes_to_the_model_signal(tmp_path: Path) -> None:
    s = await record(tmp_path, ["h10"], seconds=15)
    decoder = DeviceDecoder(load_profiles()["polar-h10"], {"sample_rate": 200, "range_g": 8})
    frames = [p for p in s.packets if p.stream == "pmd_data"]
    acc = np.concatenate([_acc(b) for p in frames for b in decoder.feed(p)])
    raw = [pmd.decode_frame(p.payload) for p in frames]
    # The frame timestamp is the device time of the last sample: 36 samples at 200 Hz.
    step = np.diff([f.timestamp_ns for f in raw])
    assert np.all(np.abs(step - 36 * 5_000_000) <= 1)
    # What the analysis gets back is the model's acceleration (1 mG quantisation).
    h10 = s.world.devices["h10"]
    assert isinstance(h10, VirtualPolarH10)
    n = acc.shape[0]
    first_sim = (raw[0].timestamp_ns - h10.device_ns(0.0)) / 1e9 - 35 / 200
    t = first_sim + np.arange(n) / 200
    np.testing.assert_allclose(acc, s.world.model.acc_g(t), atol=0.0011)


async def test_two_devices_at_once(tmp_path: Path) -> None:
    s = await record(tmp_path, ["h10", "hr-strap"], seconds=30)
    assert s.recorded("strap", "hr") == s.sent("strap", "hr")
    assert s.recorded("h10", "pmd_data") == s.sent("h10", "pmd_data")
    assert len(s.sent("strap", "hr")) >= 28
    assert {d.key for d in s.status.devices} == {"h10", "strap"}


async def test_link_drop_reconnects_and_resumes_with_the_gap_recorded(tmp_path: Path) -> None:
    faults = Faults(link_drops_s=(20.0,), link_gap_s=4.0)  # after the start, even at speed 30
    s = await record(tmp_path, ["h10"], seconds=40, faults=faults)
    lost = s.kinds(EventKind.LINK_LOST, "h10")
    restored = s.kinds(EventKind.LINK_RESTORED, "h10")
    assert len(lost) == len(restored) == 1
    assert 4.0 <= restored[0].data["gap_s"] < 12.0
    # Every packet the device sent while connected is in the recording, in order.
    for stream in ("hr", "pmd_data", "pmd_cp"):
        assert s.recorded("h10", stream) == s.sent("h10", stream), stream
    # Streams resumed: ACC frames and HR after the restoration.
    after = [p for p in s.packets if p.t_ns > restored[0].t_ns]
    assert sum(p.stream == "pmd_data" for p in after) > 50
    assert sum(p.stream == "hr" for p in after) > 10
    # Nothing arrived during the outage (a busy host may still hand over, just after the
    # loss is noticed, notifications that were sent before it: 1.5 s of grace).
    outage = (lost[0].t_ns + 3 * 10**9 // 2, restored[0].t_ns - 10**9)
    assert not [p for p in s.packets if outage[0] < p.t_ns < outage[1]]
    assert s.status.devices[0].link_losses == 1 and s.status.devices[0].reconnects == 1
    assert s.world.violations() == []


async def test_malformed_packets_are_kept_raw_counted_and_skipped(tmp_path: Path) -> None:
    s = await record(tmp_path, ["h10"], seconds=30, faults=Faults(malformed_every=10))
    h10 = s.world.devices["h10"]
    bad = [x for x in h10.sent if x.malformed]
    assert len(bad) >= 10
    for stream in ("hr", "pmd_data"):
        assert s.recorded("h10", stream) == s.sent("h10", stream)
    assert s.status.devices[0].decode_errors == len(bad)
    events = s.kinds(EventKind.DECODE_ERROR, "h10")
    assert events[-1].data["count"] == len(bad)
    assert sum(e.data["new"] for e in events) == len(bad)
    # Every good packet decodes; the decoder survives the bad ones.
    decoder = DeviceDecoder(load_profiles()["polar-h10"], {"sample_rate": 200, "range_g": 8})
    good_frames = 0
    for p in s.packets:
        try:
            out = decoder.feed(p)
        except Exception:
            continue
        good_frames += p.stream == "pmd_data" and len(out) > 0
    assert good_frames == len(h10.sent_on("pmd_data", include_malformed=False))


async def test_control_point_error_is_reported_clearly_and_hr_goes_on(tmp_path: Path) -> None:
    s = await record(tmp_path, ["h10"], seconds=10, faults=Faults(cp_error=8))
    errors = s.kinds(EventKind.DEVICE_ERROR, "h10")
    assert len(errors) == 1
    message = errors[0].data["message"]
    assert "refused to start the accelerometer at 200 Hz ±8 g" in message
    assert "INVALID_SAMPLE_RATE (status 8)" in message
    assert s.status.devices[0].last_error == message
    assert s.recorded("h10", "pmd_data") == []
    assert len(s.recorded("h10", "hr")) >= 8
    assert s.recorded("h10", "pmd_cp") == s.sent("h10", "pmd_cp")


async def test_transient_control_point_error_is_retried(tmp_path: Path) -> None:
    faults = Faults(cp_error=int(pmd.PmdStatus.INVALID_STATE), cp_error_count=1)
    s = await record(tmp_path, ["h10"], seconds=8, faults=faults)
    assert s.kinds(EventKind.DEVICE_ERROR) == []
    assert len(s.recorded("h10", "pmd_data")) > 20


async def test_late_stream_start_is_tolerated(tmp_path: Path) -> None:
    s = await record(tmp_path, ["h10"], seconds=40, faults=Faults(late_start_s=25.0))
    started = s.kinds(EventKind.STREAM_STARTED, "h10")
    assert len(started) == 1 and 25.0 <= started[0].data["delay_s"] < 27.0
    assert s.kinds(EventKind.DEVICE_ERROR) == []
    assert len(s.recorded("h10", "pmd_data")) > 50


async def test_device_stopped_message_is_recorded_and_acc_restarted(tmp_path: Path) -> None:
    # 20 s after the world starts: well after the ACC start handshake, even at speed 30.
    s = await record(tmp_path, ["h10"], seconds=30, faults=Faults(stopped_at_s=(20.0,)))
    stopped = s.kinds(EventKind.STREAM_STOPPED, "h10")
    assert stopped[0].data == {"stream": "acc", "by": "device"}
    assert bytes([0x01, pmd.ACC]) in s.recorded("h10", "pmd_cp")
    restarted = [p for p in s.packets if p.stream == "pmd_data" and p.t_ns > stopped[0].t_ns]
    assert len(restarted) > 40
    assert len(s.kinds(EventKind.STREAM_STARTED, "h10")) == 2


async def test_device_clock_drift_shows_in_frame_timestamps(tmp_path: Path) -> None:
    s = await record(tmp_path, ["h10"], seconds=40, faults=Faults(clock_drift_ppm=5000.0))
    frames = [p for p in s.packets if p.stream == "pmd_data"]
    dev = np.array([pmd.decode_frame(p.payload).timestamp_ns for p in frames], dtype=np.int64)
    host = np.array([p.t_ns for p in frames], dtype=np.int64)
    # The lower envelope of (device, arrival) ignores frames a busy host received late
    # (two ends alone read 0.66 or 1.008 on a loaded machine); device time runs 1.005×.
    fit = fit_clock(dev, host, max_drift_ppm=20_000.0, min_span_ns=10_000_000_000)
    ratio = 1.0 / (1.0 + fit.drift_ppm * 1e-6)
    assert ratio == pytest.approx(1.005, abs=0.002)


async def test_stop_stops_streams_before_disconnecting_even_while_waiting(tmp_path: Path) -> None:
    # Stop while the H10 is still in its late start: the measurement is on, no data yet.
    s = await record(tmp_path, ["h10"], seconds=5, faults=Faults(late_start_s=20.0))
    h10 = s.world.devices["h10"]
    assert isinstance(h10, VirtualPolarH10)
    assert h10.requests[-1] == pmd.build_stop(pmd.ACC)
    assert s.world.violations() == []
    assert s.kinds(EventKind.STREAM_STOPPED)[-1].data == {"stream": "acc", "by": "host"}


async def test_the_virtual_h10_catches_a_client_that_leaves_it_streaming() -> None:
    async with virtual_world(["h10"], speed=20) as world:
        device, _ = await find_device("Polar H10", world.stack, timeout_s=1.0)
        async with BleakClient(device, **world.stack.client_kwargs) as client:
            await client.start_notify(pmd.PMD_CP_UUID, lambda _c, _d: None)
            await client.start_notify(pmd.PMD_DATA_UUID, lambda _c, _d: None)
            start = pmd.build_start(pmd.ACC, {"sample_rate": 200, "resolution": 16, "range": 8})
            await client.write_gatt_char(pmd.PMD_CP_UUID, start, response=True)
        await world.clock.sleep(1.0)
    assert world.violations() == [
        "h10: disconnected while ACC was streaming (a real H10 would stay on)"
    ]


async def test_full_queue_drops_are_counted_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "drops.omrec"
    async with virtual_world(["hr-strap"], speed=20) as world:
        collector = Collector(
            world.device_specs(),
            RecordingWriter.create(path, META),
            world.stack,
            CollectorOptions(queue_size=1),
        )
        await collector.start()
        link = collector.devices["strap"].link
        spec = link.profile.streams["hr"]
        callback = link._callback(spec)
        assert collector._consumer is not None
        collector._consumer.cancel()  # a stalled consumer: the queue fills up
        for _ in range(5):
            # the characteristic is unused by the link's callback: None stands in for it
            callback(None, bytearray(b"\x06\x48"))  # type: ignore[arg-type]
        assert collector.status().devices[0].dropped >= 4
        await collector.stop()
    reader = RecordingReader(path)
    dropped = [e for e in reader.events() if e.kind == EventKind.DROPPED]
    assert dropped and dropped[-1].data["count"] >= 4
    reader.close()


async def test_subscribers_receive_packets_and_events_in_order(tmp_path: Path) -> None:
    async with virtual_world(["h10"], speed=20, faults=Faults(link_gap_s=1.0)) as world:
        collector = Collector(
            world.device_specs(), RecordingWriter.create(tmp_path / "s.omrec", META), world.stack
        )
        await collector.start()
        sub = collector.subscribe()
        await world.clock.sleep(3.0)
        assert await world.devices["h10"].drop_link()
        await world.clock.sleep(8.0)
        await collector.stop()
    items: list[Packet | Event] = []
    while not sub.empty():
        items.append(sub.get_nowait())
    kinds = [i.kind for i in items if isinstance(i, Event)]
    assert kinds.index(EventKind.LINK_LOST) < kinds.index(EventKind.LINK_RESTORED)
    assert sum(isinstance(i, Packet) and i.stream == "pmd_data" for i in items) > 20
    # Same order as the recording.
    reader = RecordingReader(tmp_path / "s.omrec")
    assert [p for p in reader.packets()][-len([i for i in items if isinstance(i, Packet)]) :] == [
        i for i in items if isinstance(i, Packet)
    ]
    reader.close()


async def test_virtual_h10_plays_a_recording_back_byte_for_byte(tmp_path: Path) -> None:
    original = await record(tmp_path, ["h10", "hr-strap"], seconds=20)
    replay_dir = tmp_path / "replay"
    replay_dir.mkdir()
    again = await run_simulated_session(
        ["h10", "hr-strap"], 15, output=replay_dir / "r.omrec", speed=20, playback=original.path
    )
    for key, stream in (("h10", "pmd_data"), ("h10", "hr"), ("strap", "hr")):
        old, new = original.recorded(key, stream), again.recorded(key, stream)
        assert len(new) > 5
        # The replay started mid-recording: it must be one contiguous run of the original.
        starts = [i for i, p in enumerate(old) if p == new[0]]
        assert any(new == old[i : i + len(new)] for i in starts), (key, stream)
