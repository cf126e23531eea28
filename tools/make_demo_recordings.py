"""Regenerate the bundled demo recordings in recordings/ from the simulated wearables.

    .venv/bin/python tools/make_demo_recordings.py [--out recordings] [--speed 20]

Every file goes the whole way a real session goes: virtual wearables (bumble) on a
virtual radio, bleak through the simulation backend, the collector, the recording
writer. Each is marked `simulated = true` in its metadata and says in its notes that
this script made it. Packet times are moved onto fixed dates (the sessions of P00 span
two ISO weeks, for the review's week view) by offsetting the session clock; what the
wearables send does not depend on the date.

The snapshots in tests/tui/__snapshots__ are drawn from these files: after
regenerating them, review and update the snapshots (`pytest tests/tui
--snapshot-update`), because packet arrival jitter changes the numbers slightly.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import sys
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from osteomonitor import __version__
from osteomonitor.app.collection import live_collection
from osteomonitor.cli.demo import demo_prescription_toml
from osteomonitor.model import EventKind, SessionMeta
from osteomonitor.sim.faults import parse_faults
from osteomonitor.sim.session_model import Segment, SessionModel
from osteomonitor.sim.world import virtual_world

TIMEZONE = "Europe/Helsinki"
#: Programme start of the demo patients (P00's sessions fall in its weeks 2 and 3).
PROGRAMME_START = dt.date(2025, 2, 24)

#: A short impact session: a warm-up walk and two blocks of ten jumps.
IMPACT_PLAN = (
    Segment("rest", 0.0, 10.0),
    Segment("walk", 10.0, 45.0),
    Segment("rest", 45.0, 55.0),
    Segment("jumps", 55.0, 85.0),
    Segment("rest", 85.0, 95.0),
    Segment("jumps", 95.0, 125.0),
    Segment("rest", 125.0, 135.0),
)
#: A brisk walk (heart rate only).
WALK_PLAN = (Segment("rest", 0.0, 20.0), Segment("walk", 20.0, 420.0))
#: The alerts demo: jumps although the plan forbids flight phases, HR over a low ceiling.
ALERTS_PLAN = (
    Segment("rest", 0.0, 10.0),
    Segment("walk", 10.0, 30.0),
    Segment("jumps", 30.0, 60.0),
    Segment("rest", 60.0, 75.0),
)


@dataclass(frozen=True)
class Demo:
    """One bundled recording: who, what, when, which wearables and what the person logged."""

    name: str
    patient: str
    kind: str
    start: dt.datetime
    wearables: tuple[str, ...]
    plan: tuple[Segment, ...]
    events: tuple[tuple[float, str, dict[str, object]], ...] = ()
    faults: str = ""
    risk: str = "moderate"
    hr_ceiling_bpm: float | None = None


def _at(day: str, hm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=zoneinfo.ZoneInfo(TIMEZONE))


DEMOS: tuple[Demo, ...] = (
    Demo(
        "demo-P00-impact-sim",
        "P00",
        "impact",
        _at("2025-03-03", "10:00"),
        ("h10-delta",),
        IMPACT_PLAN,
        (
            (52.0, EventKind.MARKER, {"label": "jumps 1"}),
            (88.0, EventKind.RPE, {"rpe": 13}),
            (92.0, EventKind.MARKER, {"label": "jumps 2"}),
            (128.0, EventKind.RPE, {"rpe": 15}),
        ),
    ),
    Demo(
        "demo-P00-walk-sim",
        "P00",
        "aerobic",
        _at("2025-03-05", "17:30"),
        ("hr-strap",),
        WALK_PLAN,
        ((300.0, EventKind.RPE, {"rpe": 12}),),
        faults="drop@150",
    ),
    Demo(
        "demo-P00-walk2-sim",
        "P00",
        "aerobic",
        _at("2025-03-08", "09:15"),
        ("hr-strap",),
        WALK_PLAN,
        ((380.0, EventKind.RPE, {"rpe": 11}),),
    ),
    Demo(
        "demo-P00-walk3-sim",
        "P00",
        "aerobic",
        _at("2025-03-12", "18:00"),
        ("hr-strap",),
        WALK_PLAN,
        ((300.0, EventKind.RPE, {"rpe": 12}),),
    ),
    Demo(
        "demo-P01-alerts-sim",
        "P01",
        "impact",
        _at("2025-03-04", "11:00"),
        ("h10-delta",),
        ALERTS_PLAN,
        (
            (45.0, EventKind.PAIN, {"level": 4, "where": "lower back"}),
            (62.0, EventKind.RPE, {"rpe": 16}),
        ),
        risk="high",
        hr_ceiling_bpm=110.0,
    ),
)


async def make(demo: Demo, out: Path, speed: float) -> Path:
    """Record one demo session into `out`; returns the file."""
    path = out / f"{demo.name}.omrec"
    path.unlink(missing_ok=True)
    duration = demo.plan[-1].end_s
    rx = demo_prescription_toml(
        demo.patient,
        PROGRAMME_START,
        TIMEZONE,
        fracture_risk=demo.risk,
        hr_ceiling_bpm=demo.hr_ceiling_bpm,
    )
    meta = SessionMeta(
        patient=demo.patient,
        kind=demo.kind,
        start_iso=demo.start.isoformat(timespec="seconds"),
        timezone=TIMEZONE,
        software_version=__version__,
        prescription_toml=rx,
        simulated=True,
        notes=f"simulated wearables ({', '.join(demo.wearables)}) made by "
        f"tools/make_demo_recordings.py" + (f"; faults {demo.faults}" if demo.faults else ""),
    )
    model = SessionModel(seed=7, duration_s=duration, plan=demo.plan)
    faults = parse_faults(demo.faults)
    async with virtual_world(
        list(demo.wearables), session_model=model, speed=speed, faults=faults
    ) as world:
        offset_ns = int(demo.start.timestamp() * 1e9) - world.clock.epoch_ns
        clock = world.clock
        stack = dataclasses.replace(world.stack, clock_ns=lambda: clock.host_ns() + offset_ns)
        async with live_collection(
            world.device_specs(), output=path, meta=meta, stack=stack, analyse=False
        ) as (
            collector,
            _sub,
        ):
            collector.unsubscribe(_sub)
            for t_s, kind, data in demo.events:
                await clock.sleep_until(t_s)
                collector.event(kind, data)
            await clock.sleep_until(duration)
    return path


def main(argv: list[str] | None = None) -> int:
    """Regenerate every demo recording (or those named with --only)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("recordings"))
    parser.add_argument("--speed", type=float, default=20.0, help="simulated s per wall s")
    parser.add_argument("--only", action="append", default=[], help="a demo name to make")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for demo in DEMOS:
        if args.only and demo.name not in args.only:
            continue
        path = asyncio.run(make(demo, args.out, args.speed))
        print(f"{path}  {path.stat().st_size / 1024:.0f} KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
