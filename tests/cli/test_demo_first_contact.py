"""First contact (issue 16 item 6): the demo records into the recordings folder, shows a
jump within half a minute, and tells the person how to replay what it recorded."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from osteomonitor.app.collection import live_collection, open_world
from osteomonitor.app.review import review_session
from osteomonitor.cli.demo import demo_plan
from osteomonitor.sim.session_model import DEMO_PLAN, SessionModel
from osteomonitor.tui.services.live_session import end_lines

#: Simulated seconds recorded for the first-jump check, and the promise it checks, s.
RECORD_S = 34.0
FIRST_JUMP_WITHIN_S = 30.0


def test_demo_records_into_the_recordings_folder_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "clinic" / "recordings"
    monkeypatch.setenv("OSTEOMONITOR_RECORDINGS", str(folder))
    plan, _toml = demo_plan()
    assert plan.path.parent == folder
    assert plan.path.name.startswith("DEMO-") and plan.path.suffix == ".omrec"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert "/tmp/osteomonitor-demo" not in str(plan.path)


def test_the_demo_plan_warms_up_then_jumps_early_and_stays_a_whole_session() -> None:
    kinds = [s.kind for s in DEMO_PLAN]
    first_jumps = kinds.index("jumps")
    assert "walk" in kinds[:first_jumps]  # a warm-up before the first jump
    assert DEMO_PLAN[first_jumps].start_s <= 25.0
    assert kinds.count("jumps") >= 2 and "rest" in kinds[first_jumps:]  # rests between blocks
    assert "walk" in kinds[first_jumps:]  # walking after the jumps
    model = SessionModel(seed=0, duration_s=600.0, plan=DEMO_PLAN)
    assert model.jumps()[0].takeoff_s < 25.0
    assert model.walking_s() > 180.0


async def test_the_demo_session_shows_its_first_jump_within_30_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's own plan over the virtual stack; the analysis of what it recorded finds
    the first jump within 30 s of the recording's start."""
    monkeypatch.setenv("OSTEOMONITOR_RECORDINGS", str(tmp_path / "recordings"))
    plan, _toml = demo_plan(speed=4.0)  # x4: a loaded machine still connects in time
    async with (
        open_world(plan) as world,
        live_collection(world.specs, output=plan.path, meta=world.meta, stack=world.stack) as (
            collector,
            sub,
        ),
    ):
        while collector.status().elapsed_s < RECORD_S:
            while not sub.empty():
                sub.get_nowait()
            await asyncio.sleep(0.05)
    review = review_session(plan.path)
    assert review.error is None, review.error
    assert review.summary is not None
    jumps = review.summary.jumps
    assert jumps, "no jump detected in the demo's first half-minute"
    assert jumps[0].landing_s < FIRST_JUMP_WITHIN_S
    assert "session=demo" in world.meta.notes


def test_the_end_lines_say_how_to_replay_as_the_program_was_run(tmp_path: Path) -> None:
    path = tmp_path / "my recordings" / "DEMO-20260101-100000-impact.omrec"
    lines = end_lines(path, None, program=".venv/bin/osteomonitor")
    assert lines[0] == f"saved {path}"
    assert lines[-1] == f"  replay it:  .venv/bin/osteomonitor replay '{path}'"
