"""Live, replay at maximum speed and batch analysis give the same summary, field by field.

The live path is the real one without the screen: virtual H10 straps over the virtual
BLE stack, the collector writing the recording and fanning every recorded packet and
event out to a `QueueDriver` (the live analysis thread). The file it wrote is then
analysed (`analyze_recording`: the batch path `analyze` uses, whole arrays) and replayed
at maximum speed through the replay feed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from pathlib import Path
from typing import Any

import pytest

from osteomonitor.cli.demo import demo_prescription_toml
from osteomonitor.collect.session_recording import recording_collector, session_meta
from osteomonitor.model import DeviceInfo, Packet, SessionSummary
from osteomonitor.prescription import parse_prescription
from osteomonitor.session import (
    QueueDriver,
    SessionDriver,
    Snapshot,
    analyze_recording,
    recording_prescription,
    replay_items,
)
from osteomonitor.sim.session_model import Segment, SessionModel
from osteomonitor.sim.world import virtual_world
from osteomonitor.store import RecordingReader

# rest, walking and a jump bout: HR zones, steps and jumps all take part (simulated s)
PLAN = (Segment("rest", 0.0, 6.0), Segment("walk", 6.0, 24.0), Segment("jumps", 24.0, 40.0))
SIM_SPEED = 10.0


def _fields(summary: SessionSummary) -> dict[str, Any]:
    return {f.name: getattr(summary, f.name) for f in dataclasses.fields(summary)}


def _assert_same(got: SessionSummary, want: SessionSummary, what: str) -> None:
    g, w = _fields(got), _fields(want)
    diff = [name for name in w if g[name] != w[name]]
    assert not diff, f"{what}: fields differ: {diff}"


async def _live_session(out: Path) -> tuple[SessionSummary, list[Snapshot]]:
    toml = demo_prescription_toml(start_date=dt.date.today() - dt.timedelta(days=7))
    rx = parse_prescription(toml, "test")
    meta = session_meta("EQ01", "mixed", prescription_toml=toml, simulated=True)
    model = SessionModel(seed=5, duration_s=40.0, plan=PLAN)
    subs: list[asyncio.Queue[Any]] = []
    snapshots: list[Snapshot] = []
    async with (
        virtual_world(["h10"], session_model=model, speed=SIM_SPEED) as world,
        recording_collector(
            world.device_specs(),
            output=out,
            meta=meta,
            stack=world.stack,
            before_start=lambda c: subs.append(c.subscribe()),
        ) as collector,
    ):
        devices = [
            DeviceInfo(
                d.key,
                d.address,
                d.name,
                d.profile,
                battery_pct=d.battery_pct,
                settings=dict(d.settings),
            )
            for d in collector.status().devices
        ]
        live = QueueDriver(SessionDriver(devices, meta, rx), snapshots.append)
        live.start()
        sub = subs[0]
        # data flows until the model's session is over (40 simulated s)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 40.0 / SIM_SPEED + 30.0
        seen_end = False
        first_ns: int | None = None
        while loop.time() < deadline and not seen_end:
            try:
                item = await asyncio.wait_for(sub.get(), timeout=1.0)
            except TimeoutError:
                continue
            live.put(item)
            if isinstance(item, Packet):
                first_ns = item.t_ns if first_ns is None else first_ns
                seen_end = (item.t_ns - first_ns) / 1e9 >= 38.0
        await collector.stop()
        while not sub.empty():
            live.put(sub.get_nowait())
    summary = await asyncio.to_thread(live.finish)
    assert summary is not None
    return summary, snapshots


@pytest.fixture(scope="module")
def live_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, SessionSummary, list[Snapshot]]:
    out = tmp_path_factory.mktemp("live") / "live.omrec"
    summary, snapshots = asyncio.run(_live_session(out))
    return out, summary, snapshots


def test_live_summary_equals_analyze_of_the_file_it_wrote(
    live_run: tuple[Path, SessionSummary, list[Snapshot]],
) -> None:
    out, live, snapshots = live_run
    with RecordingReader(out) as reader:
        assert reader.ended_cleanly
    _meta, batch = analyze_recording(out)
    assert live.packets > 200 and live.jumps, "the session has data and jumps to compare"
    assert live.gait.steps > 0 and live.heart.valid_s > 0
    _assert_same(live, batch, "live vs analyze")
    assert snapshots and snapshots[-1].finished
    assert snapshots[-1].state.packets == batch.packets


def test_replay_at_maximum_speed_equals_analyze(
    live_run: tuple[Path, SessionSummary, list[Snapshot]],
) -> None:
    from osteomonitor.tui.feeds.replay import ReplayFeed

    out, _live, _snaps = live_run
    _meta, batch = analyze_recording(out)
    feed = ReplayFeed(out, speed=None)
    feed.open()

    class _Sink:
        def __init__(self) -> None:
            self.messages: list[object] = []

        def post_message(self, message: object) -> bool:
            self.messages.append(message)
            return True

    sink = _Sink()
    feed.start(sink)  # type: ignore[arg-type]  # a stand-in app: start() only posts to it
    deadline = time.monotonic() + 60.0
    while feed.summary is None and time.monotonic() < deadline:
        time.sleep(0.02)  # the feed idles after the end, waiting for a seek or stop
    replayed = feed.summary
    feed.stop_now()
    assert replayed is not None
    _assert_same(replayed, batch, "replay (max speed) vs analyze")
    # and the driver run over the same items as a whole file
    with RecordingReader(out) as reader:
        devices, meta = reader.devices, reader.meta
    whole = SessionDriver(devices, meta, recording_prescription(meta, out)).run(replay_items(out))
    _assert_same(whole, batch, "SessionDriver.run vs analyze")
