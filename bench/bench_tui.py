"""Dashboard benchmark: a simulated live session at real time, and an hour of replay.

1. Live at real time (speed 1): virtual Polar H10 (HR + ACC at 200 Hz) → virtual link →
   bleak → collector → recording → analysis thread → `LiveScreen` (Textual, headless,
   the real compositor). Measured:
   - notification-to-screen latency: from the host stamp the collector puts on a
     notification to the moment the screen has refreshed with a snapshot containing it
     (p50 / p95; target p95 ≤ 100 ms);
   - event-loop stalls: a 10 ms ticker in the app's loop; lateness > 50 ms counts as a
     stall (target none);
   - CPU of the whole process as % of one core (target ≤ 15 %). The process also runs
     the virtual H10 and the bumble host stack that stand in for the radio and BlueZ,
     so the same session is run again without the dashboard and the difference is
     reported as the dashboard's share.
2. Replay of a one-hour simulated recording at max speed into `ReplayScreen`: resident
   memory sampled every second; "flat" = growth over the second half of the replay
   below `FLAT_MB` (target: flat). The hour is recorded once through the simulator
   into bench/out/ (about a minute) and reused.

Figures are noisy on a shared machine. Run: `.venv/bin/python bench/bench_tui.py`
(about 8 min the first time); `run(smoke=True)` takes seconds.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table

#: The issue's targets.
LATENCY_P95_TARGET_S = 0.100
STALL_S = 0.050
CPU_TARGET_PCT = 15.0
#: Memory growth over the second half of the hour's replay still called flat, MB.
FLAT_MB = 20.0
#: Lengths: live session at real time, s; replayed recording, s.
LIVE_S, LIVE_SMOKE_S = 120.0, 2.0
HOUR_S = 3600.0
OUT = Path(__file__).resolve().parent / "out"
TICK_S = 0.010


def _rss_mb() -> float:
    """Resident set size of this process, MB (Linux /proc)."""
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


class _StallMeter:
    """Measures how late a 10 ms ticker in the event loop wakes up."""

    def __init__(self) -> None:
        self.lateness: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            t = time.perf_counter()
            await asyncio.sleep(TICK_S)
            self.lateness.append(time.perf_counter() - t - TICK_S)

    def __enter__(self) -> _StallMeter:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


async def _live(duration_s: float, dashboard: bool) -> dict[str, Any]:
    """One real-time simulated session, with or without the dashboard."""
    from osteomonitor.app.collection import live_collection
    from osteomonitor.cli.demo import demo_prescription_toml
    from osteomonitor.collect.session_recording import session_meta
    from osteomonitor.prescription import parse_prescription
    from osteomonitor.sim.world import virtual_world
    from osteomonitor.tui.services.live_session import live_app

    toml = demo_prescription_toml()
    rx = parse_prescription(toml, "bench")
    meta = session_meta("BENCH", "impact", prescription_toml=toml, simulated=True)
    latencies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "live.omrec"
        async with (
            virtual_world(["h10"], speed=1.0, duration_s=max(duration_s + 30, 600)) as world,
            live_collection(world.device_specs(), output=out, meta=meta, stack=world.stack) as (
                collector,
                sub,
            ),
        ):
            if not dashboard:
                collector.unsubscribe(sub)
                cpu0, t0 = time.process_time(), time.perf_counter()
                with _StallMeter() as stalls:
                    await asyncio.sleep(duration_s)
                cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
                return {"cpu_pct": 100 * cpu / wall, "stalls": stalls.lateness}
            app, feed = live_app(
                collector,
                sub,
                meta,
                rx,
                clock_ns=world.stack.clock_ns,
                latency_sink=latencies.append,
            )
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause(0.5)  # connected, first snapshots
                latencies.clear()
                cpu0, t0 = time.process_time(), time.perf_counter()
                with _StallMeter() as stalls:
                    await asyncio.sleep(duration_s)
                cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
                items = feed.items
            await feed.stop()
    return {
        "cpu_pct": 100 * cpu / wall,
        "stalls": stalls.lateness,
        "latencies": latencies,
        "items": items,
    }


def _hour_recording() -> Path:
    """A one-hour simulated H10 session (recorded once through the simulator)."""
    path = OUT / "bench-tui-hour-sim.omrec"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    from osteomonitor.app.collection import live_collection
    from osteomonitor.sim.world import virtual_world

    async def record() -> None:
        from osteomonitor.cli.demo import demo_prescription_toml
        from osteomonitor.collect.session_recording import session_meta

        meta = session_meta(
            "BENCH", "impact", prescription_toml=demo_prescription_toml(), simulated=True
        )
        tmp = path.with_suffix(".part.omrec")
        tmp.unlink(missing_ok=True)
        async with (
            virtual_world(["h10-delta"], speed=60.0, duration_s=HOUR_S + 60) as world,
            live_collection(
                world.device_specs(), output=tmp, meta=meta, stack=world.stack, analyse=False
            ) as (
                collector,
                sub,
            ),
        ):
            collector.unsubscribe(sub)
            await world.clock.sleep_until(HOUR_S)
        tmp.rename(path)

    asyncio.run(record())
    return path


async def _replay_memory(path: Path) -> dict[str, Any]:
    """Replay `path` at max speed into the replay screen, sampling RSS every second."""
    from osteomonitor.tui.app import OsteomonitorApp
    from osteomonitor.tui.feeds.replay import ReplayFeed
    from osteomonitor.tui.screens.replay import ReplayScreen

    feed = ReplayFeed(path, speed=None)
    feed.open()
    app = OsteomonitorApp(lambda: ReplayScreen(feed))
    samples: list[tuple[float, float]] = []
    t0 = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        while not feed.finished:
            samples.append((feed.position_s, _rss_mb()))
            await pilot.pause(1.0)
        samples.append((feed.position_s, _rss_mb()))
    wall = time.perf_counter() - t0
    half = [m for pos, m in samples if pos >= feed.duration_s / 2]
    return {
        "wall_s": wall,
        "duration_s": feed.duration_s,
        "rss_start": samples[0][1],
        "rss_max": max(m for _, m in samples),
        "growth_2nd_half": (max(half) - min(half)) if half else float("nan"),
    }


def run(smoke: bool = False) -> list[Row]:
    """Measure; smoke: a 2-second live session and the bundled 2-minute recording."""
    duration = LIVE_SMOKE_S if smoke else LIVE_S
    with_ui = asyncio.run(_live(duration, dashboard=True))
    without = asyncio.run(_live(duration, dashboard=False))
    lat = with_ui["latencies"]
    stalls = [x for x in with_ui["stalls"] if x > STALL_S]
    dash_cpu = with_ui["cpu_pct"] - without["cpu_pct"]
    rows = [
        Row(
            "live: notification-to-screen latency p95",
            _pct(lat, 0.95) * 1e3,
            "ms",
            f"≤ {LATENCY_P95_TARGET_S * 1e3:.0f}",
            _pct(lat, 0.95) <= LATENCY_P95_TARGET_S,
            f"p50 {_pct(lat, 0.5) * 1e3:.0f} ms, {len(lat)} screen updates in {duration:.0f} s",
        ),
        Row(
            "live: event-loop stalls > 50 ms",
            len(stalls),
            "stalls",
            "0",
            not stalls,
            f"worst lateness {max(with_ui['stalls'], default=0) * 1e3:.0f} ms "
            f"over {len(with_ui['stalls'])} ticks of {TICK_S * 1e3:.0f} ms",
        ),
        Row(
            "live: CPU of the whole process (H10 200 Hz ACC + HR)",
            with_ui["cpu_pct"],
            "% of a core",
            f"≤ {CPU_TARGET_PCT:.0f}",
            with_ui["cpu_pct"] <= CPU_TARGET_PCT,
            f"incl. the virtual H10 and bumble host; without the dashboard "
            f"{without['cpu_pct']:.1f} %, so the dashboard's share is {dash_cpu:.1f} %",
        ),
    ]
    if smoke:
        path = Path(__file__).resolve().parents[1] / "recordings" / "demo-P00-impact-sim.omrec"
    else:
        path = _hour_recording()
    mem = asyncio.run(_replay_memory(path))
    rows.append(
        Row(
            f"replay at max speed: memory growth over the 2nd half ({mem['duration_s'] / 60:.0f} min)",
            mem["growth_2nd_half"],
            "MB",
            f"flat (< {FLAT_MB:.0f})",
            mem["growth_2nd_half"] < FLAT_MB,
            f"RSS {mem['rss_start']:.0f} → max {mem['rss_max']:.0f} MB; replay took "
            f"{mem['wall_s']:.0f} s ({mem['duration_s'] / max(mem['wall_s'], 1e-9):.0f}× real time)",
        )
    )
    return rows


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
