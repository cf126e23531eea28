"""Tiny shared vocabulary of the benchmarks in bench/.

Every benchmark module `bench/bench_*.py` exposes `run(smoke: bool = False) -> list[Row]`
(smoke = seconds, for CI) and prints `format_table(rows)` when run as a script.
`bench/run` collects every module's rows into BENCHMARKS.md.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One measured figure.

    Attributes:
        metric: what was measured ("H10 ACC raw decode").
        value: the measured number.
        unit: its unit ("samples/s", "s", "MB", "%").
        target: the issue's target as text ("≥ 2e6"), or "" when informational.
        ok: whether the target is met (None when there is no target).
        note: peer figure, ratio, or context.
    """

    metric: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    note: str = ""


def median_time(fn: Callable[[], object], repeats: int = 5, cpu: bool = True) -> float:
    """Median seconds (process CPU time when `cpu`, else wall time) of `fn()` over repeats."""
    clock = time.process_time if cpu else time.perf_counter
    times = []
    for _ in range(repeats):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


def _fmt(v: float) -> str:
    if v == 0 or 1e-3 <= abs(v) < 1e6:
        return f"{v:.4g}"
    return f"{v:.3e}"


def format_table(rows: list[Row]) -> str:
    """A Markdown table of rows (metric | value | unit | target | pass | note)."""
    lines = ["| metric | value | unit | target | pass | note |", "|---|---|---|---|---|---|"]
    for r in rows:
        status = "" if r.ok is None else ("PASS" if r.ok else "FAIL")
        cells = (r.metric, _fmt(r.value), r.unit, r.target, status, r.note)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
