"""Review library view benchmark: filtering, search and sort of many recordings, and the
library screen's redraw of them (issue 16 item 4).

The bundled recordings are analysed once and their rows repeated under new names and
40 pseudonyms, so the figures measure the view, not the analysis (loading and analysing
a folder is bench material of the library-loading work). Measured:
- `app.library_view.apply_query` over N rows with a two-word search and the alerts
  sort (the dearest query), median wall time;
- `LibraryScreen.refill` of N rows in the real app (headless Textual), the redraw that
  follows a filter, sort or the search box once typing pauses (target: ≤ 250 ms at
  1000 rows, so the view follows within a quarter second).

Run: `.venv/bin/python bench/bench_library_view.py`; `run(smoke=True)` takes seconds.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table

RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"
#: Target for a redraw of 1000 rows, s.
REFILL_TARGET_S = 0.250


def _measure(n: int, repeats: int) -> tuple[float, float]:
    from textual.pilot import Pilot

    from osteomonitor.app.library_view import LibraryQuery, apply_query
    from osteomonitor.tui.app import OsteomonitorApp
    from osteomonitor.tui.screens.library import LibraryScreen

    result: list[float] = []

    async def go(pilot: Pilot[object]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, LibraryScreen)
        while (
            not screen.infos  # the loading worker has not listed the folder yet
            or any(w.is_running for w in pilot.app.workers)
            or len(screen.reviews) < len([i for i in screen.infos if i.error is None])
        ):
            await pilot.pause(0.05)
        base = list(screen.infos)
        infos, reviews = [], {}
        for k in range(n):
            info = base[k % len(base)]
            path = Path(f"/bench/{k:05d}-{info.path.name}")
            infos.append(replace(info, path=path, patient=f"P{k % 40:02d}"))
            reviews[path] = replace(screen.reviews[info.path], path=path)
        screen.infos, screen.reviews = infos, reviews
        rows = screen.rows()
        query = LibraryQuery(text="warning ceiling", sort="alerts")
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            apply_query(rows, query)
            times.append(time.perf_counter() - t0)
        result.append(statistics.median(times))
        screen.refill()  # the first redraw builds the cells once
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            screen.refill()
            times.append(time.perf_counter() - t0)
        result.append(statistics.median(times))
        pilot.app.exit(0)

    app = OsteomonitorApp(lambda: LibraryScreen(RECORDINGS))

    async def main() -> None:
        async with app.run_test(size=(140, 45)) as pilot:
            await go(pilot)

    asyncio.run(main())
    return result[0], result[1]


def run(smoke: bool = False) -> list[Row]:
    """Rows: query and redraw times at 1000 rows (200 in smoke mode)."""
    n, repeats = (200, 2) if smoke else (1000, 7)
    query_s, refill_s = _measure(n, repeats)
    return [
        Row(f"library query, {n} rows (search + alerts sort)", query_s * 1e3, "ms"),
        Row(
            f"library redraw, {n} rows",
            refill_s * 1e3,
            "ms",
            target=f"≤ {REFILL_TARGET_S * 1e3:.0f} ms at 1000 rows",
            ok=None if smoke else refill_s <= REFILL_TARGET_S,
            note="smoke: 200 rows, not judged" if smoke else "",
        ),
    ]


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
