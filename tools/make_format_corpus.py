"""Write the format corpus: small recordings of this version and what they must give.

    .venv/bin/python tools/make_format_corpus.py [--out tests/data/format-corpus]

The format is the promise: every later osteomonitor must open, analyse and replay
these files with the same results (`tests/store/test_format_corpus.py`). Each
recording goes the whole way a real session goes (virtual wearables, the collector,
the writer; see tools/make_demo_recordings.py) with several device kinds, events and
a prescription snapshot; one is a crashed recording whose data is mostly in its -wal.
Beside each `X.omrec`, `X.expected.json` holds what this version says of it:
`analyze --json` (without the version stamp), `recordings info --json` (status,
packets per device, events) and a digest of the replay stream.

Run this only when starting a new corpus generation (a new format version); never to
make a failing corpus test pass: a difference there means old files read differently.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import textwrap
import zoneinfo
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_demo_recordings import Demo, make

from osteomonitor.model import EventKind
from osteomonitor.sim.session_model import Segment

TZ = zoneinfo.ZoneInfo("Europe/Helsinki")
SHORT_IMPACT = (
    Segment("rest", 0.0, 5.0),
    Segment("walk", 5.0, 15.0),
    Segment("jumps", 15.0, 30.0),
    Segment("rest", 30.0, 34.0),
)
SHORT_WALK = (Segment("rest", 0.0, 5.0), Segment("walk", 5.0, 40.0))
EVENTS = (
    (4.0, EventKind.MARKER, {"label": "jumps"}),
    (31.0, EventKind.RPE, {"rpe": 13}),
    (32.0, EventKind.PAIN, {"level": 2, "where": "knee"}),
)


def _at(day: str, hm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=TZ)


CORPUS = (
    Demo("v1-h10-delta-impact", "C01", "impact", _at("2025-03-03", "10:00"),
         ("h10-delta",), SHORT_IMPACT, EVENTS),
    Demo("v1-strap-walk-drop", "C01", "aerobic", _at("2025-03-04", "17:00"),
         ("hr-strap",), SHORT_WALK, ((30.0, EventKind.RPE, {"rpe": 11}),), faults="drop@20"),
    Demo("v1-movesense-impact", "C02", "impact", _at("2025-03-05", "09:00"),
         ("movesense",), SHORT_IMPACT, EVENTS[:2]),
    Demo("v1-hip-imus-mixed", "C02", "mixed", _at("2025-03-06", "11:00"),
         ("osteo-imu", "metamotion", "thingy52"), SHORT_IMPACT[:3], EVENTS[:1]),
)  # fmt: skip
CRASHED = "v1-h10-crashed-wal"

#: Copies a corpus file through the writer and dies before closing: the data stays in
#: the -wal, as a killed recorder leaves it.
_CRASH = textwrap.dedent(
    """
    import os, sys
    from osteomonitor.store import RecordingReader, RecordingWriter
    with RecordingReader(sys.argv[1]) as r:
        meta, devices = r.meta, r.devices
        packets, events = list(r.packets()), r.events()
    w = RecordingWriter.create(sys.argv[2], meta)
    for d in devices:
        w.add_device(d)
    for e in events:
        w.write_event(e)
    for i, p in enumerate(packets):
        w.write_packet(p)
        if i % 200 == 199:
            w.flush()
    w.flush()
    os._exit(0)
    """
)


def expected(path: Path) -> dict[str, Any]:
    """What this version says of a recording (through its public commands and names)."""
    from osteomonitor.cli import main
    from osteomonitor.session import replay_items

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["analyze", str(path), "--json"]) == 0
    # where the file lies is no part of the result
    analysis = json.loads(out.getvalue().replace(json.dumps(str(path))[1:-1], path.name))
    analysis.pop("generated_by", None)
    analysis.pop("recording", None)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["recordings", "info", str(path), "--json"]) == 0
    info = json.loads(out.getvalue())
    digest = hashlib.sha256()
    n = 0
    for item in replay_items(path):
        n += 1
        if hasattr(item, "payload"):
            digest.update(f"p{item.t_ns}{item.device}{item.stream}".encode() + item.payload)
        else:
            digest.update(f"e{item.t_ns}{item.kind}{item.device}".encode())
            digest.update(json.dumps(dict(item.data), sort_keys=True).encode())
    return {
        "analysis": analysis,
        "info": {
            "status": info["status"],
            "packets": info["packets"],
            "span_ns": info["span_ns"],
            "devices": {d["key"]: d["packets"] for d in info["devices"]},
            "events": info["events"],
        },
        "replay": {"items": n, "sha256": digest.hexdigest()},
    }


def _record(out: Path, speed: float) -> None:
    for old in out.glob("v1-*"):
        old.unlink()
    for demo in CORPUS:
        asyncio.run(make(demo, out, speed))
    crashed = out / f"{CRASHED}.omrec"
    subprocess.run(
        [sys.executable, "-c", _CRASH, str(out / f"{CORPUS[0].name}.omrec"), str(crashed)],
        check=True,
    )
    crashed.with_name(crashed.name + "-shm").unlink(missing_ok=True)  # SQLite rebuilds it


def main(argv: list[str] | None = None) -> int:
    """Write every corpus recording and its expected results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("tests/data/format-corpus"))
    parser.add_argument("--speed", type=float, default=20.0, help="simulated s per wall s")
    parser.add_argument(
        "--expected-only", action="store_true", help="keep the recordings, rewrite the JSON"
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.expected_only:
        _record(args.out, args.speed)
    for path in sorted(args.out.glob("v1-*.omrec")):
        path.chmod(0o644)  # test data in git; recordings proper are 0600
        doc = expected(path)
        path.with_name(path.name.removesuffix(".omrec") + ".expected.json").write_text(
            json.dumps(doc, indent=1, sort_keys=True) + "\n"
        )
        for extra in ("-shm",):  # what reading a crashed file leaves beside it
            path.with_name(path.name + extra).unlink(missing_ok=True)
        size = sum(p.stat().st_size for p in args.out.glob(path.name + "*"))
        print(f"{path.name}  {size / 1024:.0f} KB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
