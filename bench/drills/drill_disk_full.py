"""Drill: the disk fills while recording (a file-size limit via RLIMIT_FSIZE).

Expect: a clear StorageFull message (what, where, what to do), no traceback, and a file
that opens with every packet the writer had committed before the limit.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import Row
from osteomonitor.store import RecordingReader

CHILD = textwrap.dedent(
    """
    import resource, sys, time
    from osteomonitor.errors import StorageFull
    from osteomonitor.model import DeviceInfo, Packet, SessionMeta
    from osteomonitor.store import RecordingWriter
    limit = int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    w = RecordingWriter.create(sys.argv[1], SessionMeta("DRILL", "impact",
        "2026-11-21T10:00:00+00:00", "UTC", "drill"))
    w.add_device(DeviceInfo("h10", "AA", "Polar H10", "polar-h10"))
    i = 0
    try:
        while True:
            w.write_packet(Packet(time.time_ns(), "h10", "pmd_data", i.to_bytes(4, "little") * 56))
            i += 1
            if i % 200 == 0:
                w.flush()
    except StorageFull as exc:
        print(w.packets_written)
        print(str(exc))
        sys.exit(3)
    """
)


def run(smoke: bool = False) -> list[Row]:
    limit = 512 * 1024 if smoke else 4 * 1024 * 1024
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "full.omrec"
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(limit)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = out.stdout.splitlines()
        clear = (
            out.returncode == 3
            and "Traceback" not in out.stderr
            and len(lines) >= 2
            and "no space left" in lines[1]
            and str(path) in lines[1]
        )
        committed = int(lines[0]) if lines and lines[0].isdigit() else -1
        try:
            with RecordingReader(path) as r:
                readable = sum(1 for _ in r.packets())
        except Exception as exc:  # the drill reports it rather than crashing
            readable = -1
            lines.append(f"unreadable: {exc}")
    kept = readable >= committed >= 0
    return [
        Row(
            "drill: disk full (RLIMIT_FSIZE) → clear message",
            1.0 if clear else 0.0,
            "yes/no",
            "yes",
            clear,
            (lines[1][:90] + "…") if len(lines) > 1 else out.stderr[-120:],
        ),
        Row(
            "drill: disk full → committed packets readable",
            float(readable),
            "packets",
            f"≥ {committed} committed",
            kept,
            f"limit {limit // 1024} KiB",
        ),
    ]


if __name__ == "__main__":
    from benchlib import format_table

    print(format_table(run(smoke="--smoke" in sys.argv)))
