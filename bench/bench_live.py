"""Live at any length: the snapshot path at 2, 60 and 180 minutes of a session.

A simulated Polar H10 session (HR with RR once a second + ACC at 200 Hz in 36-sample
frames, the simulator's exercise plan repeating: rest, walking, jump bouts …) is fed
through the live path's `SessionDriver` as fast as it goes, so three hours of session
take well under a minute. Packets are made on the fly, minute by minute, and never kept.

Within a window of session time at each mark the live schedule is played: every
notification is fed and followed by a snapshot (at real time the H10's notifications
are ≥ 50 ms apart, so the `QueueDriver` publishes after each one). Measured there:

- notification → snapshot: wall time of `feed` + `snapshot` per notification (what the
  analysis thread adds between the collector's fan-out and the screen's message;
  p50 / p95; target p95 ≤ 50 ms);
- analysis CPU per session-minute as % of one core (process CPU of feeding and
  snapshotting the window, divided by the session time it covers);
- resident memory sampled every session-minute; "flat" = max − min from the 5th minute
  to the end (target ± 10 MB over 3 hours).

Then the same session goes on screen: the real `LiveScreen` (Textual, headless) on the
live analysis thread (`SessionWorker`, whose driver has already taken the first 180
minutes at full speed) while the next notifications arrive at real time for
`SCREEN_S`. Measured: notification → screen (the arrival stamp to the refresh that shows
it; target p95 ≤ 50 ms) and the CPU of the whole process (screen + analysis; the
collector and its recording writer, which do the same work per notification at any
length, are measured by `bench_collect.py`).

Run: `.venv/bin/python bench/bench_live.py` (about a minute); `--smoke` takes seconds.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table

#: The issue's targets.
LATENCY_P95_TARGET_S = 0.050
CPU_TARGET_PCT = 5.0
FLAT_MB = 10.0
#: Marks (session minutes) and the window of live schedule measured at each, s.
MARKS_MIN, WINDOW_S = (2.0, 60.0, 180.0), 60.0
SMOKE_MARKS_MIN, SMOKE_WINDOW_S = (0.5, 1.0, 2.0), 10.0
#: Real-time seconds on screen after the last mark (smoke: SCREEN_SMOKE_S).
SCREEN_S, SCREEN_SMOKE_S = 30.0, 3.0
#: Packets are made this many session seconds at a time.
CHUNK_S = 60
FS_HZ, PER_FRAME, LATENCY_NS = 200, 36, 30_000_000
T0_NS = 1_790_000_000_000_000_000
DEVICE_T0_NS = 599_616_000_000_000_000


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _packets(duration_s: float, seed: int = 4) -> Iterator:  # type: ignore[type-arg]
    """Every notification of a virtual H10 playing the simulator's plan, in arrival
    order, made one `CHUNK_S` at a time (the bytes the virtual H10 sends)."""
    from osteomonitor.devices.hrs import encode_hr
    from osteomonitor.devices.pmd_frames import encode_acc_frame
    from osteomonitor.model import Packet
    from osteomonitor.sim.session_model import SessionModel

    model = SessionModel(seed=seed, duration_s=duration_s + CHUNK_S)
    frame_s = PER_FRAME / FS_HZ
    n_frames = int(duration_s / frame_s)
    hr_s = 1
    for c0 in range(0, n_frames, int(CHUNK_S / frame_s)):
        c1 = min(n_frames, c0 + int(CHUNK_S / frame_s))
        t = np.arange(c0 * PER_FRAME, c1 * PER_FRAME) / FS_HZ
        mg = np.clip(np.round(model.acc_g(t) * 1000.0), -8000, 8000).astype(np.int64)
        chunk = []
        for k in range(c1 - c0):
            last_s = t[(k + 1) * PER_FRAME - 1]
            payload = encode_acc_frame(
                DEVICE_T0_NS + round(last_s * 1e9), mg[k * PER_FRAME : (k + 1) * PER_FRAME]
            )
            chunk.append(
                Packet(T0_NS + round(last_s * 1e9) + LATENCY_NS, "h10", "pmd_data", payload)
            )
        end_s = (c1 * PER_FRAME - 1) / FS_HZ
        while hr_s <= end_s:
            rr = model.rr_1024_between(hr_s - 1, hr_s)
            payload = encode_hr(round(model.hr_bpm(hr_s)), rr, contact=True)
            chunk.append(Packet(T0_NS + hr_s * 1_000_000_000 + LATENCY_NS, "h10", "hr", payload))
            hr_s += 1
        chunk.sort(key=lambda p: p.t_ns)
        yield from chunk


def measure(marks_min: tuple[float, ...], window_s: float) -> dict[str, object]:
    """Feed a session up to the last mark; play the live schedule in each window."""
    from osteomonitor.cli.demo import demo_prescription_toml
    from osteomonitor.model import DeviceInfo, SessionMeta
    from osteomonitor.prescription import parse_prescription
    from osteomonitor.session import SessionDriver

    toml = demo_prescription_toml()
    rx = parse_prescription(toml, "bench")
    meta = SessionMeta("BENCH", "impact", "2026-11-21T10:00:00+00:00", "UTC", "bench")
    h10 = DeviceInfo(
        "h10", "C0:00:00:00:00:10", "Polar H10 SIM", "polar-h10",
        settings={"sample_rate": 200, "range_g": 8},
    )  # fmt: skip
    driver = SessionDriver([h10], meta, rx)
    end_s = max(marks_min) * 60.0
    windows = [(m * 60.0 - window_s, m * 60.0) for m in marks_min]
    lat: dict[float, list[float]] = {m: [] for m in marks_min}
    cpu: dict[float, float] = dict.fromkeys(marks_min, 0.0)
    rss: list[tuple[float, float]] = []
    next_rss = 0.0
    t_feed0, wall0 = time.process_time(), time.perf_counter()
    for p in _packets(end_s):
        pos = (p.t_ns - T0_NS) / 1e9
        if pos >= next_rss:
            rss.append((pos / 60.0, _rss_mb()))
            next_rss += 60.0
        mark = next((m for m, (a, b) in zip(marks_min, windows, strict=True) if a <= pos < b), None)
        if mark is None:
            driver.feed(p)
            continue
        c0, w0 = time.process_time(), time.perf_counter()
        driver.feed(p)
        driver.snapshot()
        lat[mark].append(time.perf_counter() - w0)
        cpu[mark] += time.process_time() - c0
    rss.append((end_s / 60.0, _rss_mb()))
    total_cpu, total_wall = time.process_time() - t_feed0, time.perf_counter() - wall0
    state = driver.snapshot().state
    return {
        "lat": lat,
        "cpu_pct": {m: 100.0 * c / window_s for m, c in cpu.items()},
        "rss": rss,
        "total_cpu_s": total_cpu,
        "total_wall_s": total_wall,
        "packets": state.packets,
        "jumps": state.jumps,
        "impacts": state.impacts.n_peaks,
        "steps": state.gait.steps,
        "hr_points": state.heart.rr_count,
    }


class _PrefedFeed:
    """A live feed for `LiveScreen` whose analysis thread has taken `before_s` of the
    session already; the rest arrives at real time (stamped as the collector would)."""

    can_log_events = True

    def __init__(self, before_s: float, screen_s: float) -> None:
        self.before_s, self.screen_s = before_s, screen_s
        self.worker = None
        self.items: list[object] = []
        self.done = False
        self._task: asyncio.Task[None] | None = None
        self.offset_ns = 0  # screen clock = monotonic ns + offset (session timeline)

    def clock_ns(self) -> int:
        return time.monotonic_ns() + self.offset_ns

    def prefeed(self) -> None:
        from osteomonitor.cli.demo import demo_prescription_toml
        from osteomonitor.model import DeviceInfo, SessionMeta
        from osteomonitor.prescription import parse_prescription

        toml = demo_prescription_toml()
        self.rx = parse_prescription(toml, "bench")
        self.meta = SessionMeta("BENCH", "impact", "2026-11-21T10:00:00+00:00", "UTC", "bench")
        self.devices = [
            DeviceInfo(
                "h10", "C0:00:00:00:00:10", "Polar H10 SIM", "polar-h10",
                settings={"sample_rate": 200, "range_g": 8},
            )
        ]  # fmt: skip
        self.before: list[object] = []
        for p in _packets(self.before_s + self.screen_s + 5):
            (self.before if p.t_ns - T0_NS < self.before_s * 1e9 else self.items).append(p)

    def start(self, target: object) -> None:
        from osteomonitor.tui.feeds.worker import SessionWorker

        self.worker = SessionWorker(self.devices, self.meta, self.rx, target)  # type: ignore[arg-type]
        for p in self.before:
            self.worker.driver.feed(p)  # type: ignore[arg-type]
        self.before = []
        self.worker.start()
        self._task = asyncio.get_running_loop().create_task(self._play())

    async def _play(self) -> None:
        assert self.worker is not None
        self.offset_ns = T0_NS + int(self.before_s * 1e9) - time.monotonic_ns()
        for p in self.items:
            wait = (p.t_ns - self.clock_ns()) / 1e9  # type: ignore[attr-defined]
            if wait > 0:
                await asyncio.sleep(wait)
            self.worker.put(p)  # type: ignore[arg-type]
            if (p.t_ns - T0_NS) / 1e9 >= self.before_s + self.screen_s:  # type: ignore[attr-defined]
                break
        self.done = True

    def log_event(self, event: object) -> None:
        pass

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self.worker is not None:
            await asyncio.to_thread(self.worker.finish)


def _floor_screen() -> type:
    """A LiveScreen that draws nothing: only the latency stamp after the refresh (the
    floor of the same loop: analysis thread, messages, Textual's idle refresh)."""
    from osteomonitor.tui.screens.live import LiveScreen

    class FloorScreen(LiveScreen):
        def on_session_updated(self, message: object) -> None:
            # Textual calls the handler of every class in the MRO: without this the
            # LiveScreen's own handler ran too (the floor drew the patient view and
            # stamped every latency twice).
            message.prevent_default()  # type: ignore[attr-defined]
            arrival = message.newest_arrival_ns  # type: ignore[attr-defined]
            if arrival is not None and self.latency_sink is not None:
                sink, clock = self.latency_sink, self.clock_ns
                self.call_after_refresh(lambda: sink((clock() - arrival) / 1e9))

    return FloorScreen


async def _on_screen(before_s: float, screen_s: float, view: str = "patient") -> dict[str, object]:
    """The screen in `view` ("patient", "staff", or "floor": draws nothing)."""
    from osteomonitor.tui.app import OsteomonitorApp
    from osteomonitor.tui.screens.live import LiveScreen
    from osteomonitor.tui.views.dashboard import session_targets

    feed = _PrefedFeed(before_s, screen_s)
    feed.prefeed()
    latencies: list[float] = []
    targets = session_targets(feed.rx, feed.meta)
    screen_type = _floor_screen() if view == "floor" else LiveScreen
    app = OsteomonitorApp(
        lambda: screen_type(
            feed,
            targets=targets,
            clock_ns=feed.clock_ns,
            latency_sink=latencies.append,
            view="patient" if view == "floor" else view,
        ),
        clock_ns=feed.clock_ns,
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.5)
        latencies.clear()
        c0, w0 = time.process_time(), time.perf_counter()
        while not feed.done:
            await asyncio.sleep(0.05)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        await feed.stop()
    return {"lat": latencies, "cpu_pct": 100.0 * cpu / wall, "wall_s": wall}


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def run(smoke: bool = False) -> list[Row]:
    """Measure at each mark; smoke: 0.5/1/2 minutes with 10-s windows."""
    marks, window = (SMOKE_MARKS_MIN, SMOKE_WINDOW_S) if smoke else (MARKS_MIN, WINDOW_S)
    r = measure(marks, window)
    rows: list[Row] = []
    lat: dict[float, list[float]] = r["lat"]  # type: ignore[assignment]
    cpu: dict[float, float] = r["cpu_pct"]  # type: ignore[assignment]
    for m in marks:
        p95 = _pct(lat[m], 0.95)
        rows.append(
            Row(
                f"live at {m:g} min: notification → snapshot p95",
                p95 * 1e3,
                "ms",
                f"≤ {LATENCY_P95_TARGET_S * 1e3:.0f}",
                p95 <= LATENCY_P95_TARGET_S,
                f"p50 {_pct(lat[m], 0.5) * 1e3:.1f} ms, max {max(lat[m]) * 1e3:.1f} ms over "
                f"{len(lat[m])} notifications (feed + snapshot each) in {window:g} s of session",
            )
        )
    for m in marks:
        rows.append(
            Row(
                f"live at {m:g} min: analysis CPU (feed + a snapshot per notification)",
                cpu[m],
                "% of a core",
                f"≤ {CPU_TARGET_PCT:g} (whole program)",
                cpu[m] <= CPU_TARGET_PCT,
                f"process CPU over {window:g} s of session at that length",
            )
        )
    rss: list[tuple[float, float]] = r["rss"]  # type: ignore[assignment]
    late = [mb for minute, mb in rss if minute >= min(5.0, marks[-1] / 2)]
    growth = max(late) - min(late)
    rows.append(
        Row(
            f"live over {marks[-1]:g} min: resident memory growth",
            growth,
            "MB",
            f"flat (± {FLAT_MB:g})",
            growth <= FLAT_MB,
            f"RSS {rss[0][1]:.0f} MB at the start, {late[0]:.0f} → {late[-1]:.0f} MB from minute "
            f"{min(5.0, marks[-1] / 2):g}; {r['packets']} packets, {r['jumps']} jumps, "
            f"{r['impacts']} impacts, {r['steps']} steps, {r['hr_points']} RR beats; "
            f"fed at {marks[-1] * 60 / max(1e-9, r['total_wall_s']):.0f}× real time",  # type: ignore[operator]
        )
    )
    scr_s = SCREEN_SMOKE_S if smoke else SCREEN_S
    # Smoke: the last mark only; full: the patient view (the default) and the floor at
    # every mark, the staff view at the last.
    runs = [(m, v) for m in (marks[-1:] if smoke else marks) for v in ("floor", "patient")]
    runs.append((marks[-1], "staff"))
    floor_note: dict[float, str] = {}
    for m, view in runs:
        scr = asyncio.run(_on_screen(m * 60.0, scr_s, view))
        slat: list[float] = scr["lat"]  # type: ignore[assignment]
        p95 = _pct(slat, 0.95)
        if view == "floor":
            floor_note[m] = (
                f"floor (same loop, screen drawing nothing): p95 {p95 * 1e3:.0f} ms, "
                f"CPU {scr['cpu_pct']:.1f} %"
            )
            continue
        rows.append(
            Row(
                f"live at {m:g} min on screen ({view} view): notification → screen p95",
                p95 * 1e3,
                "ms",
                f"≤ {LATENCY_P95_TARGET_S * 1e3:.0f}",
                p95 <= LATENCY_P95_TARGET_S,
                f"p50 {_pct(slat, 0.5) * 1e3:.0f} ms, {len(slat)} screen updates in {scr_s:g} s "
                f"at real time; LiveScreen (headless) on the live analysis thread; "
                f"{floor_note[m]}",
            )
        )
        rows.append(
            Row(
                f"live at {m:g} min on screen ({view} view): CPU of the process "
                "(screen + analysis)",
                scr["cpu_pct"],  # type: ignore[arg-type]
                "% of a core",
                f"≤ {CPU_TARGET_PCT:g} (whole program)",
                scr["cpu_pct"] <= CPU_TARGET_PCT,  # type: ignore[operator]
                f"{floor_note[m]}; add the collector + recording writer (bench_collect.py, "
                "real time) for the whole program",
            )
        )
    med = statistics.median(cpu.values())
    rows.append(
        Row(
            "live: analysis CPU at the last mark ÷ at the first",
            cpu[marks[-1]] / max(cpu[marks[0]], 1e-9),
            "×",
            "",
            None,
            f"1 = independent of session length (median {med:.2f} % of a core)",
        )
    )
    return rows


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
