"""The collector decodes nothing itself: its status reads the session driver's counters.

Live used to decode every packet twice (once for the collector's status, once in the
processor), with settings from two places. Now one `DeviceDecoder` per device, inside
the session's one driver, decodes each packet once, and the status, the DECODE_ERROR
events and the live analysis all come from it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from osteomonitor.collect.collector import Collector
from osteomonitor.collect.session_recording import session_meta
from osteomonitor.devices import hrs
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.stream_decoders import Sample
from osteomonitor.errors import DecodeError
from osteomonitor.model import EventKind, HrSample, Packet
from osteomonitor.session import analyze_recording
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.world import virtual_world
from osteomonitor.store import RecordingReader, RecordingWriter


async def test_each_packet_is_decoded_once_and_status_equals_the_driver(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[Packet] = []  # every call, the packet kept alive (ids stay unique)
    original = DeviceDecoder.feed

    def counting_feed(self: DeviceDecoder, packet: Packet) -> list[Sample]:
        decoded.append(packet)
        return original(self, packet)

    monkeypatch.setattr(DeviceDecoder, "feed", counting_feed)
    path = tmp_path / "once.omrec"
    meta = session_meta("T01", "impact", simulated=True)  # starts now: arrivals plausible
    writer = RecordingWriter.create(path, meta)
    async with virtual_world(
        ["h10"], speed=30.0, faults=Faults(malformed_every=10), duration_s=60.0
    ) as world:
        collector = Collector(world.device_specs(), writer, world.stack, meta=meta, analyse=True)
        await collector.start()
        t0 = world.clock.now_s()
        while world.clock.now_s() - t0 < 20.0:
            await asyncio.sleep(0.05)
        await collector.stop()
        status = collector.status()
    assert collector.driver is not None and collector.summary is not None
    with RecordingReader(path) as reader:
        packets = list(reader.packets())
        events = reader.events()
    # once: every recorded packet went through a decoder exactly one time
    assert len(decoded) == len(packets) > 100
    assert len({id(p) for p in decoded}) == len(decoded)  # no packet twice
    assert Counter(decoded) == Counter(packets)
    # the status is the driver's counters, device by device
    (device,) = status.devices
    (count,) = collector.driver.device_counts()
    assert (device.key, device.packets, device.recorded) == (count.key, len(packets), len(packets))
    bad = [x for x in world.devices["h10"].sent if x.malformed]
    assert device.decode_errors == count.decode_errors + count.set_aside == len(bad) >= 5
    reported = [e for e in events if e.kind == EventKind.DECODE_ERROR]
    assert reported[-1].data["count"] == len(bad)
    assert device.hr_bpm is not None
    assert (device.hr_bpm, device.contact) == (count.hr_bpm, count.contact)
    assert device.hr_bpm == last_good_hr(packets).hr_bpm
    # and the live analysis is the analysis of the file it wrote
    _, replayed = analyze_recording(path)
    assert collector.summary.packets == replayed.packets == len(packets)
    assert collector.summary.decode_errors == replayed.decode_errors == len(bad)
    assert collector.summary == replayed


def last_good_hr(packets: list[Packet]) -> HrSample:
    """The last heart-rate notification that decodes (malformed ones are skipped)."""
    for p in reversed(packets):
        if p.stream == "hr":
            try:
                return hrs.decode_hr(p.payload, p.t_ns)
            except DecodeError:
                continue
    raise AssertionError("no heart-rate packet decodes")
