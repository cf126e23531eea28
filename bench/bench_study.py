"""Studies: recording-hours analysed per second by `analyze DIR --jobs N` (issue 15, target 4).

A folder of realistic recordings (`recording_files.h10_recording`: Polar H10 sessions of
20-40 min, ACC 200 Hz delta frames + HR with RR, each its own seed) analysed by the
study use case (`app.study.run_study`, the pure per-recording `study_row` over a
process pool) with 1 and 2 workers; wall time, since the point of workers is to use
more cores. The machine has 2 cores shared with other work: expect noise.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table
from recording_files import h10_recording


def run(smoke: bool = False) -> list[Row]:
    from osteomonitor.app.study import run_study

    minutes = (1.0, 1.5, 2.0) if smoke else (20, 30, 40, 25, 35, 30, 20, 40)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as d:
        files = []
        for i, m in enumerate(minutes):
            p = Path(d) / f"s{i:02d}.omrec"
            h10_recording(p, m / 60.0, seed=10 + i)
            files.append(p)
        hours = sum(minutes) / 60.0
        rates = {}
        for jobs in (1, 2):
            t0 = time.perf_counter()
            out = run_study(files, jobs=jobs)
            wall = time.perf_counter() - t0
            assert all(r["error"] is None for r in out), [r["error"] for r in out]
            rates[jobs] = hours / wall
            rows.append(
                Row(
                    f"study: {len(files)} recordings ({hours:.2g} h), {jobs} worker"
                    + ("s" if jobs > 1 else ""),
                    rates[jobs],
                    "recording-h/s",
                    "",
                    None,
                    f"wall {wall:.2f} s"
                    + (f"; {rates[2] / rates[1]:.2f}× one worker" if jobs == 2 else ""),
                )
            )
    return rows


if __name__ == "__main__":
    print(format_table(run("--smoke" in sys.argv)))
