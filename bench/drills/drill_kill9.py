"""Drill: `kill -9` of a live recording at random moments.

Each round starts `osteomonitor record --simulate h10` (virtual H10 → virtual BLE →
bleak → collector → recording) in its own process, waits a random 2-9 s once the
session is recording, and sends SIGKILL. Then the file is opened as a person would:
it must open, say "ended unexpectedly", stream every committed packet in order, and
miss at most the last second (the writer commits at least once a second).
"""

from __future__ import annotations

import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import Row
from osteomonitor.store import RecordingReader


def _round(folder: Path, k: int, rng: random.Random) -> tuple[bool, float | None, str]:
    path = folder / f"kill{k}.omrec"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "osteomonitor",
            "record",
            "--simulate",
            "h10",
            "--quiet",
            "--patient",
            "DRILL",
            "--kind",
            "impact",
            "-o",
            str(path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until data is being committed
        try:
            with RecordingReader(path) as r:
                if r.packet_count > 5:
                    break
        except Exception:
            pass
        time.sleep(0.2)
    time.sleep(rng.uniform(2.0, 9.0))
    killed_ns = time.time_ns()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    try:
        with RecordingReader(path) as r:
            status = r.status
            packets = list(r.packets())
    except Exception as exc:
        return False, None, f"round {k}: {exc}"
    if status != "ended unexpectedly" or not packets:
        return False, None, f"round {k}: status {status!r}, {len(packets)} packets"
    lost_s = (killed_ns - max(p.t_ns for p in packets)) / 1e9
    return True, lost_s, ""


def run(smoke: bool = False) -> list[Row]:
    rounds = 2 if smoke else 20
    rng = random.Random(9)
    ok, lost, notes = 0, [], []
    with tempfile.TemporaryDirectory() as d:
        for k in range(rounds):
            good, lost_s, note = _round(Path(d), k, rng)
            ok += good
            if lost_s is not None:
                lost.append(lost_s)
            if note:
                notes.append(note)
    worst = max(lost) if lost else float("nan")
    return [
        Row(
            f"drill: kill -9 while recording → file opens, ended unexpectedly ({rounds} rounds)",
            float(ok),
            f"of {rounds}",
            f"{rounds}",
            ok == rounds,
            "; ".join(notes[:2]),
        ),
        Row(
            "drill: kill -9 → data lost after the last commit, worst round",
            worst,
            "s",
            "≤ 1.0 (+0.2 BLE interval)",
            bool(lost) and worst <= 1.2,
            f"median {statistics.median(lost):.2f} s" if lost else "",
        ),
    ]


if __name__ == "__main__":
    from benchlib import format_table

    print(format_table(run(smoke="--smoke" in sys.argv)))
