"""A live session end to end: wearables (real or virtual) → collector → recording → screen.

`live_collection` opens the recording and starts the collector with the dashboard's
subscription already in place (so the analysis sees every packet the recording gets);
leaving it stops the device streams, disconnects and closes the file, whatever
happened. `live_app` builds the dashboard on a started collector. `run_live` is what the
`live` and `demo` commands run.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from osteomonitor.model import SessionMeta
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.live import LiveFeed
from osteomonitor.tui.screens.live import LiveScreen
from osteomonitor.tui.views.dashboard import session_targets


@asynccontextmanager
async def live_collection(
    specs: Sequence[Any], *, output: Path, meta: SessionMeta, stack: Any
) -> AsyncIterator[tuple[Any, asyncio.Queue[Any]]]:
    """Create the recording, subscribe, start the collector; always stop and close.

    Yields:
        (collector, subscription queue of every recorded Packet and Event).

    Raises:
        RecordingError: the file exists or cannot be created.
        DeviceNotFound / DeviceError / BluetoothUnavailable: a device could not be started.
    """
    from osteomonitor.collect.session_recording import recording_collector

    subscriptions: list[asyncio.Queue[Any]] = []
    async with recording_collector(
        specs,
        output=output,
        meta=meta,
        stack=stack,
        before_start=lambda c: subscriptions.append(c.subscribe()),
    ) as collector:
        # stop() on leaving is a no-op when the dashboard already stopped it
        yield collector, subscriptions[0]


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


def run_live(
    *,
    devices: Sequence[str],
    simulate: Sequence[str],
    patient: str,
    kind: str,
    prescription: Any,
    prescription_toml: str | None,
    output: Path | None,
    sim_speed: float = 1.0,
    sim_seed: int = 0,
    sim_duration_s: float = 600.0,
    notes: str = "",
    supervised: bool | None = None,
) -> int:
    """Run a live session in the terminal until the person stops it; returns 0.

    `supervised` is stored in the recording's metadata (None: not said)."""
    return asyncio.run(
        _run(
            devices,
            simulate,
            patient,
            kind,
            prescription,
            prescription_toml,
            output,
            sim_speed,
            sim_seed,
            sim_duration_s,
            notes,
            supervised,
        )
    )


async def _run(
    devices: Sequence[str],
    simulate: Sequence[str],
    patient: str,
    kind: str,
    rx: Any,
    rx_toml: str | None,
    output: Path | None,
    sim_speed: float,
    sim_seed: int,
    sim_duration_s: float,
    notes: str,
    supervised: bool | None = None,
) -> int:
    from osteomonitor.collect.device_spec import parse_device
    from osteomonitor.collect.session_recording import default_output, session_meta
    from osteomonitor.collect.stack import SYSTEM_STACK

    path = output or default_output(patient, kind)
    specs = [parse_device(d) for d in devices]
    if not simulate:
        meta = session_meta(
            patient, kind, prescription_toml=rx_toml, notes=notes, supervised=supervised
        )
        return await _session(specs, SYSTEM_STACK, meta, rx, path)

    from osteomonitor.sim.world import parse_kinds, virtual_world

    kinds = parse_kinds(",".join(simulate))
    notes = (notes + " " if notes else "") + (
        f"simulated: {','.join(kinds)} speed={sim_speed:g} seed={sim_seed}"
    )
    meta = session_meta(
        patient,
        kind,
        prescription_toml=rx_toml,
        simulated=True,
        notes=notes,
        supervised=supervised,
    )
    async with virtual_world(
        kinds, speed=sim_speed, seed=sim_seed, duration_s=sim_duration_s
    ) as world:
        return await _session(specs or world.device_specs(), world.stack, meta, rx, path)


async def _session(specs: Sequence[Any], stack: Any, meta: SessionMeta, rx: Any, path: Path) -> int:
    print(f"connecting ... (recording to {path})", file=sys.stderr)
    async with live_collection(specs, output=path, meta=meta, stack=stack) as (collector, sub):
        app, feed = live_app(collector, sub, meta, rx, clock_ns=stack.clock_ns)
        try:
            await app.run_async()
        finally:
            await feed.stop()
    summary = feed.summary
    print(f"saved {path}")
    if summary is not None:
        print(
            f"  {summary.duration_s / 60:.1f} min, {len(summary.jumps)} jumps, "
            f"{summary.heart.target_s / 60:.1f} min in the HR band, {summary.packets} packets"
        )
    print(f"  replay it:  osteomonitor replay {path}")
    return 0
