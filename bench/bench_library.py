"""Libraries: `week`, `recordings list` and the review library over 200 and 1000 recordings.

Synthetic libraries are written once with the real `RecordingWriter` into bench/out/
(gitignored) and reused: one-minute simulated Polar H10 sessions (ACC 200 Hz + HR with
RR, the demo prescription's snapshot), one a day.

- `library-200`: 200 sessions of patient P00; `osteomonitor week --patient P00` is run
  as a command, cold (no index: every recording is analysed and kept) and warm (the
  index knows every file). Target: warm ≤ 1 s (whole process, wall).
- `library-1000`: 1000 sessions of ten patients; `osteomonitor recordings list` warm,
  and the review library (`LibraryScreen`, headless Textual pilot) until every row is
  listed and analysed: warm target ≤ 1 s; a 10-ms ticker in the app's event loop counts
  stalls over 50 ms (target none). Then a few new files are added and the screen is
  opened again: they are analysed in the worker while the status line shows progress.

Run: `.venv/bin/python bench/bench_library.py` (first run writes the libraries and
analyses them cold: a few minutes); `--smoke` uses 10 recordings and takes seconds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table

OUT = Path(__file__).resolve().parent / "out"
WEEK_TARGET_S = 1.0
REVIEW_TARGET_S = 1.0
STALL_S = 0.050
TICK_S = 0.010
SESSION_S = 60.0
INDEX = ".osteomonitor-index.sqlite"


def _write_library(folder: Path, n: int, patients: int, first: int = 0) -> None:
    """`n` one-minute sessions (one a day from 2026-01-05), patients P00…, into `folder`."""
    from bench_live import T0_NS, _packets
    from osteomonitor.cli.demo import demo_prescription_toml
    from osteomonitor.model import DeviceInfo, Event, EventKind, Packet, SessionMeta
    from osteomonitor.store import RecordingWriter

    packets = list(_packets(SESSION_S))
    h10 = DeviceInfo(
        "h10", "C0:00:00:00:00:10", "Polar H10 SIM", "polar-h10",
        settings={"sample_rate": 200, "range_g": 8},
    )  # fmt: skip
    day0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    toml = demo_prescription_toml(start_date=day0.date())
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for k in range(first, first + n):
        start = day0 + dt.timedelta(days=k)
        shift = int(start.timestamp() * 1e9) - T0_NS
        meta = SessionMeta(
            f"P{k % patients:02d}", "impact", start.isoformat(), "UTC", "bench",
            prescription_toml=toml, simulated=True,
        )  # fmt: skip
        path = folder / f"{start:%Y%m%d}-P{k % patients:02d}-{k:04d}.omrec"
        with RecordingWriter.create(path, meta) as w:
            w.add_device(h10)
            w.write_packets(Packet(p.t_ns + shift, p.device, p.stream, p.payload) for p in packets)
            w.write_event(Event(packets[100].t_ns + shift, EventKind.RPE, {"rpe": 13}))


def _library(name: str, n: int, patients: int) -> Path:
    folder = OUT / name
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        _write_library(folder, n, patients)
        done.write_text(f"{n}\n")
    return folder


def _load() -> float:
    """The machine's 1-minute load average (the benchmark shares it)."""
    return os.getloadavg()[0]


def _command(*args: str) -> tuple[float, float, str]:
    """Run `osteomonitor ARGS` as an installed program runs (bytecode cached, here under
    bench/out/pycache); (wall s, CPU s of the child, stderr tail)."""
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(OUT / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    r0 = os.times()
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "osteomonitor", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    wall = time.perf_counter() - t0
    r1 = os.times()
    cpu = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
    if proc.returncode != 0:
        raise RuntimeError(f"osteomonitor {' '.join(args)} failed: {proc.stderr[-400:]}")
    return wall, cpu, proc.stderr[-200:]


class LoopProbe:
    """A `TICK_S` ticker in the event loop: each turn's lateness (wall s beyond the
    sleep) and the CPU s the loop's thread used meanwhile. A stall with the loop's own
    CPU ≥ `STALL_S` is work on the loop; one without is waiting (the interpreter lock
    held by a worker thread, or the process descheduled on a busy machine)."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self.cpu: list[float] = []
        self.others: list[float] = []  # CPU s of the process's other threads per turn
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        while True:
            t, c, p = time.perf_counter(), time.thread_time(), time.process_time()
            await asyncio.sleep(TICK_S)
            self.late.append(time.perf_counter() - t - TICK_S)
            loop = time.thread_time() - c
            self.cpu.append(loop)
            self.others.append(time.process_time() - p - loop)

    def start(self) -> LoopProbe:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def stop(self) -> dict[str, float]:
        """stalls (> STALL_S late); of those busy (the loop's CPU ≥ STALL_S) and lock
        (not busy, but the process's other threads ran for at least half the stall: the
        loop waited for the interpreter lock; the rest: the machine did not run the
        process); worst lateness s, worst loop CPU s in one turn, the loop's CPU over
        all turns s, the second and third busiest turns s, ticks."""
        if self._task is not None:
            self._task.cancel()
        stalls = [
            (x, c, o)
            for x, c, o in zip(self.late, self.cpu, self.others, strict=False)
            if x > STALL_S
        ]
        return {
            "stalls": len(stalls),
            "busy": sum(1 for _, c, _ in stalls if c >= STALL_S),
            "lock": sum(1 for x, c, o in stalls if c < STALL_S and o >= x / 2),
            "worst": max(self.late, default=0.0),
            "worst_cpu": max(self.cpu, default=0.0),
            "loop_cpu": sum(self.cpu),
            "next_cpu": [*sorted(self.cpu, reverse=True), 0.0, 0.0][1],
            "third_cpu": [*sorted(self.cpu, reverse=True), 0.0, 0.0, 0.0][2],
            "ticks": len(self.late),
        }


async def _wait_loaded(app: object, t0: float, progress: set[str]) -> object:
    from osteomonitor.tui.screens.library import LibraryScreen

    while True:
        screen = app.screen  # type: ignore[attr-defined]
        if isinstance(screen, LibraryScreen):
            if screen.progress:
                progress.add(screen.progress.split(":")[0])
            if screen.loaded:
                return screen
        if time.perf_counter() - t0 > 600:
            raise RuntimeError("the library did not finish loading in 10 min")
        await asyncio.sleep(0.005)


async def _stock_fill(app: object, pilot: object, screen: object) -> dict[str, float]:
    """The peer, in the same app and run: a stock `DataTable` (auto column widths, what
    the library used before `LibraryTable`) filled with the screen's rows and cells at
    once; event-loop lateness until it has measured them (its idle-time work)."""
    from rich.text import Text
    from textual.screen import Screen
    from textual.widgets import DataTable

    def text(cell: tuple[tuple[str, str], ...]) -> Text:
        out = Text()
        for piece, style in cell:
            out.append(piece, style=style or None)
        return out

    rows = [
        (str(r.path), [text(c) for c in screen._table_row(r).cells])  # type: ignore[attr-defined]
        for r in screen.shown  # type: ignore[attr-defined]
    ]
    table: DataTable[object] = DataTable(cursor_type="row", zebra_stripes=True)
    peer_screen = Screen()
    await app.push_screen(peer_screen)  # type: ignore[attr-defined]
    await peer_screen.mount(table)
    probe = LoopProbe().start()
    await asyncio.sleep(0.05)
    t0, c0 = time.perf_counter(), time.process_time()
    for key, label in (("date", "date ↓"), ("patient", "patient"), ("kind", "kind"),
                       ("duration", "length"), ("alerts", "alerts"), ("jumps", "jumps"),
                       ("band", "band"), ("compliance", "compliance"), ("file", "file")):  # fmt: skip
        table.add_column(label, key=key)
    for key, cells in rows:
        table.add_row(*cells, key=key)
    while table._require_update_dimensions or table._new_rows:
        await asyncio.sleep(0.001)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    await pilot.pause(0.1)  # type: ignore[attr-defined]
    app.pop_screen()  # type: ignore[attr-defined]
    return {"s": wall, "cpu_s": cpu, **probe.stop()}


def _refill_steps(screen: object, factor: int) -> dict[str, float]:
    """The library `factor` times larger (each recording listed `factor` times under
    other names, with its analysis): wall s of the longest of three redraws (sort by
    date, by alerts, back), each one event-loop step, and the rows shown."""
    infos = [
        replace(i, path=i.path.with_name(f"{k}-{i.path.name}"))
        for k in range(factor)
        for i in screen.infos  # type: ignore[attr-defined]
    ]
    reviews = screen.reviews  # type: ignore[attr-defined]
    screen.reviews = {  # type: ignore[attr-defined]
        i.path: reviews[i.path.with_name(i.path.name.split("-", 1)[1])]
        for i in infos
        if i.path.with_name(i.path.name.split("-", 1)[1]) in reviews
    }
    screen.infos = infos  # type: ignore[attr-defined]
    steps = []
    for sort in ("date", "alerts", "date"):
        t = time.perf_counter()
        screen.set_query(sort=sort)  # type: ignore[attr-defined]
        steps.append(time.perf_counter() - t)
    return {"worst_s": max(steps[1:]), "first_s": steps[0], "rows": len(screen.shown)}  # type: ignore[attr-defined]


async def _review(folder: Path, add: int = 0, peer_too: bool = False) -> dict[str, object]:
    """Open the review library on `folder` (a new process's view: indexes closed);
    time from app start until every row is listed and analysed. Then load it again in
    the running app with an empty in-memory cache (after adding `add` new recordings),
    counting event-loop stalls over the loading alone (the app's own start-up, which
    parses its CSS and lays out the first screen, is not the library's)."""
    from osteomonitor.app.review import ReviewCache
    from osteomonitor.store.index import close_indexes
    from osteomonitor.tui.app import OsteomonitorApp
    from osteomonitor.tui.screens.library import LibraryScreen

    close_indexes()
    progress: set[str] = set()

    t0, c0 = time.perf_counter(), time.process_time()
    app = OsteomonitorApp(lambda: LibraryScreen(folder))
    async with app.run_test(size=(140, 40)) as pilot:
        await _wait_loaded(app, t0, progress)
        first_s, first_cpu = time.perf_counter() - t0, time.process_time() - c0
        await pilot.pause(0.2)
        if add:
            n = len(list(folder.glob("*.omrec")))
            _write_library(folder, add, 10, first=n)
        close_indexes()
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        screen.cache = ReviewCache()
        idle = LoopProbe().start()  # the floor: the same app idle, same machine, 1 s
        await asyncio.sleep(1.0)
        floor = idle.stop()
        probe = LoopProbe().start()
        t1, c1 = time.perf_counter(), time.process_time()
        screen.action_rescan()
        await _wait_loaded(app, t1, progress)
        reload_s, reload_cpu = time.perf_counter() - t1, time.process_time() - c1
        await pilot.pause(0.1)  # the table's idle-time work (sizes) is part of loading
        loading = probe.stop()
        from osteomonitor.tui.widgets.library_table import LibraryTable

        table = screen.query_one(LibraryTable)
        rows = table.row_count
        pending = sum(1 for r in range(rows) if table.cell_text(r, "alerts") == "...")
        peer = await _stock_fill(app, pilot, screen) if peer_too else {}
        scaled = _refill_steps(screen, 5) if peer_too else {}
        await pilot.pause(0)
    return {
        "s": first_s,
        "cpu_s": first_cpu,
        "reload_s": reload_s,
        "reload_cpu_s": reload_cpu,
        "peer": peer,
        "scaled": scaled,
        "rows": rows,
        "pending": pending,
        "loop": loading,
        "idle": floor,
        "progress": sorted(progress),
    }


def _stall_rows(what: str, result: dict[str, object]) -> list[Row]:
    """Stalls (all, and those with the loop busy) and the longest loop turn."""
    loop: dict[str, float] = result["loop"]  # type: ignore[assignment]
    idle: dict[str, float] = result["idle"]  # type: ignore[assignment]
    return [
        Row(
            f"{what}: event-loop stalls > 50 ms",
            loop["stalls"],
            "stalls",
            "0",
            not loop["stalls"],
            f"{loop['busy']:.0f} with the loop's own CPU ≥ 50 ms, {loop['lock']:.0f} waiting "
            "for the interpreter lock (other threads ran ≥ half the stall), the rest "
            f"waiting for the machine; worst lateness {loop['worst'] * 1e3:.0f} ms of a "
            f"{TICK_S * 1e3:.0f}-ms ticker ({loop['ticks']:.0f} ticks); floor: the same app "
            f"idle for 1 s just before: {idle['stalls']:.0f} stalls, worst "
            f"{idle['worst'] * 1e3:.0f} ms ({idle['ticks']:.0f} ticks) at load {_load():.1f}",
        ),
        Row(
            f"{what}: longest event-loop turn (loop thread CPU)",
            loop["worst_cpu"] * 1e3,
            "ms",
            "≤ 50",
            loop["worst_cpu"] <= STALL_S,
            "CPU the loop's thread used between two ticks: the loop's own work, whatever "
            f"the machine's load; next busiest turns {loop['next_cpu'] * 1e3:.0f} and "
            f"{loop['third_cpu'] * 1e3:.0f} ms; the loop's CPU over the whole loading "
            f"{loop['loop_cpu'] * 1e3:.0f} ms",
        ),
    ]


def run(smoke: bool = False) -> list[Row]:
    """Measure; smoke: 10-recording libraries."""
    n_week, n_lib = (10, 10) if smoke else (200, 1000)
    rows: list[Row] = []
    week_dir = _library(f"library-{n_week}", n_week, 1)
    (week_dir / INDEX).unlink(missing_ok=True)
    _command("--help")  # bytecode cached, as for an installed program
    _cold, cold_cpu, _ = _command("week", "--patient", "P00", str(week_dir))
    warm, warm_cpu, _ = _command("week", "--patient", "P00", str(week_dir))
    rows.append(
        Row(
            f"week --patient P00 over {n_week} recordings (warm index): CPU",
            warm_cpu,
            "s",
            f"≤ {WEEK_TARGET_S:g}",
            warm_cpu <= WEEK_TARGET_S,
            f"whole command incl. Python start-up; wall {warm:.2f} s on a machine with load "
            f"{_load():.1f} on {os.cpu_count()} cores; cold (no index: every recording "
            f"analysed and kept) {cold_cpu:.1f} s CPU",
        )
    )
    lib = _library(f"library-{n_lib}", n_lib, 10)
    _command("recordings", "list", str(lib))  # warms the index's listing rows
    listed, listed_cpu, _ = _command("recordings", "list", str(lib))
    rows.append(
        Row(
            f"recordings list of {n_lib} recordings (warm index): CPU",
            listed_cpu,
            "s",
            "",
            None,
            f"whole command incl. Python start-up; wall {listed:.2f} s",
        )
    )
    first = asyncio.run(_review(lib))  # cold the first time the library is benchmarked
    warm = asyncio.run(_review(lib, peer_too=True))
    # One load's CPU moves by ±15 % between runs on this machine: the median of three,
    # and the stall rows from the run with the most stalls (the worst is what a physio
    # would notice).
    again = [asyncio.run(_review(lib)) for _ in range(0 if smoke else 2)]
    cpus = sorted(r["cpu_s"] for r in (warm, *again))  # type: ignore[type-var]
    median_cpu: float = cpus[len(cpus) // 2]  # type: ignore[assignment]
    worst = max((warm, *again), key=lambda r: r["loop"]["stalls"])  # type: ignore[index]
    empty = OUT / "library-empty"
    empty.mkdir(mode=0o700, exist_ok=True)
    floor = asyncio.run(_review(empty))  # the app itself: start-up, an empty library
    rows.append(
        Row(
            f"review: {n_lib}-recording library listed and analysed (warm index): CPU",
            median_cpu,
            "s",
            f"≤ {REVIEW_TARGET_S:g}",
            median_cpu <= REVIEW_TARGET_S and not warm["pending"],
            f"{warm['rows']} rows, {warm['pending']} pending; process CPU from app start to the "
            f"last cell (headless pilot, app start-up included), median of "
            f"{len(cpus)} loads ({', '.join(f'{c:.2f}' for c in cpus)} s); wall {warm['s']:.2f} s at load "
            f"{_load():.1f}; floor (same app, empty folder) {floor['cpu_s']:.2f} s CPU, "
            f"{floor['s']:.2f} s wall; loading again in the running app "
            f"{warm['reload_cpu_s']:.2f} s CPU, {warm['reload_s']:.2f} s wall; "
            f"the first run took {first['s']:.1f} s",
        )
    )
    peer: dict[str, float] = warm["peer"]  # type: ignore[assignment]
    rows += _stall_rows(f"review of {n_lib} recordings, loading (warm)", worst)
    rows.append(
        Row(
            f"peer: stock DataTable filled with the same {warm['rows']} rows: stalls > 50 ms",
            peer["stalls"],
            "stalls",
            "",
            None,
            f"{peer['busy']:.0f} with the loop busy; worst lateness {peer['worst'] * 1e3:.0f} ms, "
            f"longest turn {peer['worst_cpu'] * 1e3:.0f} ms CPU; filled and measured in "
            f"{peer['cpu_s']:.2f} s CPU, {peer['s']:.2f} s wall (same run, same app)",
        )
    )
    scaled: dict[str, float] = warm["scaled"]  # type: ignore[assignment]
    rows.append(
        Row(
            f"review: a {scaled['rows']:.0f}-row library redrawn (sort/filter): longest step",
            scaled["worst_s"] * 1e3,
            "ms",
            "",
            None,
            f"the {n_lib} recordings listed 5 times; one event-loop step each (first fill with "
            f"every cell built: {scaled['first_s'] * 1e3:.0f} ms)",
        )
    )
    extra = 3 if smoke else 20
    try:
        fresh = asyncio.run(_review(lib, add=extra))
    finally:
        for p in sorted(lib.glob("*.omrec"))[n_lib:]:
            p.unlink()
    rows += _stall_rows(f"review: {extra} new recordings in a {n_lib}-recording library", fresh)
    rows[-2] = replace(
        rows[-2],
        ok=rows[-2].ok and not fresh["pending"],
        note=rows[-2].note + f"; analysed in the worker in {fresh['reload_s']:.1f} s wall; "
        f"status line showed: {', '.join(fresh['progress']) or 'nothing'}",  # type: ignore[arg-type]
    )
    return rows


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
