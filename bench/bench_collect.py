"""Collector benchmark: a 10-minute simulated Polar H10 session (HR + ACC at 200 Hz).

The full path runs: virtual H10 (bumble) → virtual link → bumble host → bleak (custom
backend) → collector → recording. Two passes:

1. "fast": the whole session as fast as the stack allows; packets sent vs recorded
   (target: none lost), collector CPU per session second, arrival→recorded latency.
2. "real time": one minute at real-time pace (speed 1), where the issue's CPU target
   applies (≤ 5 % of one core).

Collector CPU = the notification callbacks (timed per call) + the consumer (decoding,
fan-out) + the writer thread (SQLite). The bumble host stack, which stands in for
BlueZ, and the virtual device are excluded; the whole process CPU is reported beside it
for context. Figures are noisy on a shared machine.

Run: `.venv/bin/python bench/bench_collect.py` (about 1.5 min); `run(smoke=True)` takes
a few seconds.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table
from osteomonitor.collect.link import DeviceLink
from osteomonitor.sim.packet_audit import SimulatedRun, run_simulated_session

#: The issue's targets.
CPU_TARGET_PCT = 5.0
SESSION_S = 600.0
FAST_SPEED = 120.0
REALTIME_S = 60.0


class _CallbackTimer:
    """Wraps every link notification callback to sum its CPU time (thread_time)."""

    def __init__(self) -> None:
        self.cpu_ns = 0
        self.calls = 0
        self._original: Callable[..., Any] | None = None

    def __enter__(self) -> _CallbackTimer:
        original = DeviceLink._callback
        self._original = original
        timer = self

        @functools.wraps(original)
        def timed_factory(link: DeviceLink, spec: Any) -> Callable[[Any, bytearray], None]:
            inner = original(link, spec)

            def timed(char: Any, data: bytearray) -> None:
                t0 = time.thread_time_ns()
                inner(char, data)
                timer.cpu_ns += time.thread_time_ns() - t0
                timer.calls += 1

            return timed

        DeviceLink._callback = timed_factory  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        DeviceLink._callback = self._original  # type: ignore[method-assign]


def _session(seconds: float, speed: float, folder: Path) -> tuple[SimulatedRun, float, float]:
    """Run one session; returns it, callback CPU s and whole-process CPU s."""
    with _CallbackTimer() as timer:
        cpu0 = time.process_time()
        run = asyncio.run(
            run_simulated_session(
                ["h10"], seconds, output=folder / f"bench-{speed:g}.omrec", speed=speed
            )
        )
        process_cpu = time.process_time() - cpu0
    return run, timer.cpu_ns / 1e9, process_cpu


def _lost(run: SimulatedRun) -> tuple[int, int]:
    """(sent, recorded): packets the H10 sent, and how many of them the recording holds
    in the same order (an in-order subsequence match, not just a count)."""
    sent = found = 0
    for stream in ("hr", "pmd_data", "pmd_cp"):
        s, r = run.sent("h10", stream), run.recorded("h10", stream)
        sent += len(s)
        j = 0
        for payload in s:
            while j < len(r) and r[j] != payload:
                j += 1
            if j < len(r):
                found += 1
                j += 1
    return sent, found


def run(smoke: bool = False) -> list[Row]:
    """Measure; smoke mode runs 60 simulated seconds fast and 2 s at real time."""
    session_s = 60.0 if smoke else SESSION_S
    realtime_s = 2.0 if smoke else REALTIME_S
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fast, cb_fast, proc_fast = _session(session_s, FAST_SPEED, folder)
        sent, recorded = _lost(fast)
        rows.append(
            Row(
                f"H10 {session_s:g} s session: packets recorded / sent",
                recorded,
                "packets",
                f"= {sent} (none lost)",
                recorded == sent,
                f"{fast.status.devices[0].dropped} dropped by the queue, "
                f"{fast.status.devices[0].decode_errors} undecodable",
            )
        )
        rows.append(
            Row(
                "achieved speed (session s per wall s)",
                fast.session_s / fast.wall_s,
                "x",
                "",
                None,
                f"asked {FAST_SPEED:g}x; {fast.wall_s:.1f} s wall",
            )
        )
        collector_fast = cb_fast + fast.consumer_cpu_s + fast.writer_cpu_s
        rows.append(
            Row(
                "collector CPU per session second (fast pass)",
                100 * collector_fast / fast.session_s,
                "% core",
                "",
                None,
                f"callbacks {cb_fast:.2f} s, consumer {fast.consumer_cpu_s:.2f} s, "
                f"writer {fast.writer_cpu_s:.2f} s; whole process incl. virtual H10 and "
                f"bumble host {100 * proc_fast / fast.session_s:.1f} %",
            )
        )
        for name, lat in (
            ("handed to SQLite", fast.written_latency_ns),
            ("committed", fast.committed_latency_ns),
        ):
            rows.append(
                Row(
                    f"arrival → {name} latency p95 (fast pass)",
                    float(np.percentile(np.asarray(lat) / 1e6, 95)) if lat else float("nan"),
                    "ms",
                    "",
                    None,
                    f"median {np.median(np.asarray(lat) / 1e6):.2f} ms; the writer commits "
                    "once a second"
                    if lat
                    else "no packets",
                )
            )
        rt, cb_rt, proc_rt = _session(realtime_s, 1.0, folder)
        collector_rt = cb_rt + rt.consumer_cpu_s + rt.writer_cpu_s
        pct = 100 * collector_rt / rt.session_s
        rows.append(
            Row(
                "collector CPU at real-time pace",
                pct,
                "% core",
                f"≤ {CPU_TARGET_PCT:g}",
                pct <= CPU_TARGET_PCT,
                f"{realtime_s:g} s at speed 1; whole process incl. virtual H10 and bumble "
                f"host {100 * proc_rt / rt.session_s:.1f} %",
            )
        )
        lat = np.asarray(rt.committed_latency_ns) / 1e6
        rows.append(
            Row(
                "arrival → committed latency p95 (real time)",
                float(np.percentile(lat, 95)) if lat.size else float("nan"),
                "ms",
                "",
                None,
                f"handed to SQLite p95 "
                f"{np.percentile(np.asarray(rt.written_latency_ns) / 1e6, 95):.2f} ms",
            )
        )
    return rows


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
