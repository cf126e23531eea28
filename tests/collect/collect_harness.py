"""Run the unchanged collector against virtual wearables and read back what it recorded."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.collect.collector import Collector, CollectorOptions
from osteomonitor.collect.status import CollectorStatus
from osteomonitor.model import Event, Packet, SessionMeta
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.world import VirtualWorld, virtual_world
from osteomonitor.store import RecordingReader, RecordingWriter

META = SessionMeta(
    patient="T01",
    kind="impact",
    start_iso="2025-03-01T10:00:00+02:00",
    timezone="Europe/Helsinki",
    software_version="test",
    simulated=True,
)


@dataclass
class Session:
    """A finished simulated session and its recording."""

    world: VirtualWorld
    path: Path
    packets: list[Packet]
    events: list[Event]
    status: CollectorStatus
    ended_cleanly: bool

    def recorded(self, device: str, stream: str) -> list[bytes]:
        return [p.payload for p in self.packets if p.device == device and p.stream == stream]

    def sent(self, device: str, stream: str) -> list[bytes]:
        return [s.payload for s in self.world.devices[device].sent_on(stream)]

    def kinds(self, kind: str, device: str | None = None) -> list[Event]:
        return [e for e in self.events if e.kind == kind and (device is None or e.device == device)]


async def record(
    tmp_path: Path,
    kinds: list[str],
    seconds: float,
    *,
    speed: float = 30.0,
    faults: Faults | dict[str, Faults] | None = None,
    options: CollectorOptions | None = None,
    rate_hz: float | None = None,
) -> Session:
    """Record `seconds` of simulated session from virtual wearables of `kinds`."""
    path = tmp_path / "session.omrec"
    writer = RecordingWriter.create(path, META)
    async with virtual_world(
        kinds, speed=speed, faults=faults, duration_s=max(60.0, seconds)
    ) as world:
        collector = Collector(world.device_specs(rate_hz=rate_hz), writer, world.stack, options)
        await collector.start()
        t0 = world.clock.now_s()  # connecting takes simulated time too
        while world.clock.now_s() - t0 < seconds:
            await asyncio.sleep(0.05)
        await collector.stop()
        status = collector.status()
    reader = RecordingReader(path)
    try:
        return Session(
            world, path, list(reader.packets()), reader.events(), status, reader.ended_cleanly
        )
    finally:
        reader.close()
