"""Run a whole simulated session through the real collector and account for every packet.

What benchmarks and drills need in one call::

    run = await run_simulated_session(["h10"], 600, speed=60, faults=parse_faults("malformed=50"),
                                      output=Path("/tmp/s.omrec"))
    run.sent("h10", "pmd_data") == run.recorded("h10", "pmd_data")   # nothing lost
    run.resume_times_s("h10")                                         # per link drop

Packets are compared as the device sent them (its log) and as the recording holds them,
in order, per stream; a virtual device only logs what it sent while connected, so
"sent" is the connected-time traffic.

Time to resume after a link drop includes the stack's wall-clock latencies (connection,
discovery, the PMD handshake: ~50 ms) multiplied by `speed`: measured at speed 10 it is
the 3 s silence of the default gap + ~0.55 s; at speed 100 it reads ~7 s. Run resume
drills at speed ≤ 10; loss and malformed-packet drills can run at any speed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from osteomonitor.collect.collector import Collector, CollectorOptions
from osteomonitor.collect.session_recording import session_meta
from osteomonitor.collect.status import CollectorStatus
from osteomonitor.model import Event, EventKind, Packet
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.session_model import SessionModel
from osteomonitor.sim.world import VirtualWorld, virtual_world
from osteomonitor.store import RecordingReader, RecordingWriter

#: Streams that carry measurement data (time-to-resume looks for these).
DATA_STREAMS = ("hr", "pmd_data")


@dataclass
class SimulatedRun:
    """A finished simulated session.

    Attributes:
        world: the virtual world (its devices keep their `sent` logs and violations).
        path: the recording.
        packets / events: what the recording holds.
        status: the collector's last status.
        session_s: simulated seconds recorded (from the end of `start()` to `stop()`).
        wall_s: wall seconds the session took (same span).
        consumer_cpu_s / writer_cpu_s: CPU seconds of the collector's consumer (decode,
            fan-out) and of its writer thread.
        written_latency_ns / committed_latency_ns: per packet, arrival → handed to SQLite
            / committed, wall ns.
    """

    world: VirtualWorld
    path: Path
    packets: list[Packet]
    events: list[Event]
    status: CollectorStatus
    session_s: float
    wall_s: float
    consumer_cpu_s: float
    writer_cpu_s: float
    written_latency_ns: list[int] = field(default_factory=list)
    committed_latency_ns: list[int] = field(default_factory=list)

    def recorded(self, device: str, stream: str) -> list[bytes]:
        """Payloads the recording holds for one device stream, in order."""
        return [p.payload for p in self.packets if p.device == device and p.stream == stream]

    def sent(self, device: str, stream: str, include_malformed: bool = True) -> list[bytes]:
        """Payloads the virtual device sent on one stream while connected, in order."""
        return [s.payload for s in self.world.devices[device].sent_on(stream, include_malformed)]

    def events_of(self, kind: str, device: str | None = None) -> list[Event]:
        """Recorded events of one kind (and device)."""
        return [e for e in self.events if e.kind == kind and (device is None or e.device == device)]

    def resume_times_s(self, device: str) -> list[float | None]:
        """For each LINK_LOST of `device`: simulated seconds until its next data packet.

        None when no data packet followed before the end of the recording.
        """
        data_t = [p.t_ns for p in self.packets if p.device == device and p.stream in DATA_STREAMS]
        out: list[float | None] = []
        for lost in self.events_of(EventKind.LINK_LOST, device):
            nxt = next((t for t in data_t if t > lost.t_ns), None)
            out.append(None if nxt is None else (nxt - lost.t_ns) / 1e9)
        return out


async def run_simulated_session(
    kinds: Sequence[str],
    session_s: float,
    *,
    output: Path,
    speed: float = 20.0,
    faults: Faults | Mapping[str, Faults] | None = None,
    seed: int = 0,
    options: CollectorOptions | None = None,
    model: SessionModel | None = None,
    playback: Path | None = None,
) -> SimulatedRun:
    """Record `session_s` simulated seconds from virtual wearables through the collector.

    Args:
        kinds: virtual wearables ("h10", "h10-delta", "hr-strap").
        session_s: simulated seconds to record after every device has started.
        output: recording file to create.
        speed: simulated seconds per wall second.
        faults: faults for every device, or by device key.
        seed: session model seed (ignored when `model` is given).
        options: collector options.
        model: the session the devices play (default: built-in, long enough).
        playback: a recording the devices play instead of the model.
    """
    model = model or SessionModel(seed=seed, duration_s=session_s + 120.0)
    writer = RecordingWriter.create(
        output, session_meta("SIM", "impact", simulated=True, notes="simulated session run")
    )
    async with virtual_world(
        kinds, session_model=model, speed=speed, faults=faults, playback=playback
    ) as world:
        collector = Collector(world.device_specs(), writer, world.stack, options)
        await collector.start()
        t0_sim, t0_wall = world.clock.now_s(), time.perf_counter()
        while world.clock.now_s() - t0_sim < session_s:
            await asyncio.sleep(
                min(0.2, max(0.01, (session_s - world.clock.now_s() + t0_sim) / speed))
            )
        sim_span = world.clock.now_s() - t0_sim
        wall_span = time.perf_counter() - t0_wall
        await collector.stop()
        status = collector.status()
    sink = collector.sink
    assert sink is not None
    reader = RecordingReader(output)
    try:
        packets, events = list(reader.packets()), reader.events()
    finally:
        reader.close()
    return SimulatedRun(
        world=world,
        path=output,
        packets=packets,
        events=events,
        status=status,
        session_s=sim_span,
        wall_s=wall_span,
        consumer_cpu_s=collector.consumer_cpu_s,
        writer_cpu_s=sink.cpu_s,
        written_latency_ns=list(sink.written_latency_ns),
        committed_latency_ns=list(sink.committed_latency_ns),
    )
