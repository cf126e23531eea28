"""A live session on screen: `app.collection` opens it, the dashboard shows it.

`live_app` builds the dashboard on a started collector. `run_live` is what the `live`
and `demo` commands run: the collection (real or virtual, with faults and a playback
source) is opened by `app.collection.open_world` / `live_collection`, the same code
`record` uses.
"""

from __future__ import annotations

import asyncio
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from osteomonitor import timefmt
from osteomonitor.app.collection import CollectionPlan, live_collection, open_world
from osteomonitor.invocation import command
from osteomonitor.model import SessionMeta, SessionSummary
from osteomonitor.prescription import Prescription
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.live import LiveFeed
from osteomonitor.tui.screens.live import LiveScreen
from osteomonitor.tui.views.dashboard import session_targets


def live_app(
    collector: Any,
    subscription: asyncio.Queue[Any],
    meta: SessionMeta,
    prescription: Any = None,
    *,
    clock_ns: Callable[[], int] = time.time_ns,
    latency_sink: Callable[[float], None] | None = None,
) -> tuple[OsteomonitorApp, LiveFeed]:
    """The dashboard app on a started collector, and its feed."""
    feed = LiveFeed(collector, meta, prescription, subscription=subscription)
    targets = session_targets(prescription, meta)
    app = OsteomonitorApp(
        lambda: LiveScreen(feed, targets=targets, clock_ns=clock_ns, latency_sink=latency_sink),
        clock_ns=clock_ns,
    )
    return app, feed


def run_live(plan: CollectionPlan, prescription: Prescription | None) -> int:
    """Run a live session in the terminal until the person stops it; returns 0.

    The collection is opened by `app.collection` from the plan (real or virtual
    wearables, faults, playback source), exactly as `record` opens it.
    """
    return asyncio.run(_run(plan, prescription))


async def _run(plan: CollectionPlan, rx: Prescription | None) -> int:
    path = plan.path
    async with open_world(plan) as world:
        print(f"connecting ... (recording to {path})", file=sys.stderr)
        async with live_collection(
            world.specs, output=path, meta=world.meta, stack=world.stack, prescription=rx
        ) as (collector, sub):
            app, feed = live_app(collector, sub, world.meta, rx, clock_ns=world.stack.clock_ns)
            try:
                await app.run_async()
            finally:
                await feed.stop()
    print("\n".join(end_lines(path, feed.summary)))
    return 0


def end_lines(path: Path, summary: SessionSummary | None, program: str | None = None) -> list[str]:
    """What is printed when a live session ends: the file, what it holds, how to replay it.

    Args:
        path: the recording. summary: the session's summary (None when none was made).
        program: the command to call osteomonitor by (default: as this process was run).
    """
    program = command() if program is None else program
    lines = [f"saved {path}"]
    if summary is not None:
        lines.append(
            f"  {timefmt.clock(summary.duration_s)} long, "
            f"{timefmt.plural(len(summary.jumps), 'jump')}, "
            f"{timefmt.clock(summary.heart.target_s)} in the HR band, "
            f"{timefmt.plural(summary.packets, 'packet')}"
        )
    lines.append(f"  replay it:  {program} replay {shlex.quote(str(path))}")
    return lines
