"""Helpers of the dashboard tests: the bundled recordings and waiting until things happen.

Every test here drives the real app headless (Textual's Pilot) over the bundled
recordings in recordings/ (made from the simulated wearables by
tools/make_demo_recordings.py) or over the virtual BLE stack.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from textual.app import App
from textual.pilot import Pilot

REPO = Path(__file__).resolve().parents[2]
RECORDINGS = REPO / "recordings"
IMPACT = RECORDINGS / "demo-P00-impact-sim.omrec"
WALK = RECORDINGS / "demo-P00-walk-sim.omrec"
ALERTS = RECORDINGS / "demo-P01-alerts-sim.omrec"
#: Terminal size of every snapshot and most Pilot tests (columns, rows).
SIZE = (120, 36)


#: The app's return type (any: the helpers only drive the app).
ReturnT = TypeVar("ReturnT")


async def wait_for(
    pilot: Pilot[ReturnT], condition: Callable[[], bool], timeout_s: float = 20.0, what: str = ""
) -> None:
    """Let the app run until `condition()` holds (fails the test after `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what or condition}")
        await pilot.pause(0.05)


async def settle(app: App[ReturnT], pilot: Pilot[ReturnT]) -> None:
    """Wait for every worker to finish and the screen to refresh."""
    await wait_for(pilot, lambda: not any(w.is_running for w in app.workers), what="workers")
    await pilot.pause(0.1)
    await asyncio.sleep(0)
