"""Drill: corrupted recordings (flipped bytes, truncated files) and wrong prescriptions.

Each damaged file is given to the commands a person would run on it
(`recordings info`, `analyze`, and `prescription check` for prescriptions). Expect: a
clear one-line message or a correct answer, never a traceback.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import Row
from osteomonitor.model import DeviceInfo, Packet, SessionMeta
from osteomonitor.store import RecordingWriter

DRAFT = [
    "prescription",
    "new",
    "--template",
    "ksbmr-2023",
    "--patient",
    "P07",
    "--age",
    "67",
    "--risk",
    "moderate",
    "--vertebral-fracture",
    "no",
    "--hr-medication",
    "no",
    "--mass",
    "64",
    "--resting-hr",
    "62",
    "--resting-hr-method",
    "seated-5min",
    "--resting-hr-date",
    "2025-02-24",
    "--hrmax",
    "tanaka",
    "--timezone",
    "Europe/Helsinki",
    "--start",
    "2025-03-03",
    "--hr-ceiling",
    "75%hrr",
]
#: (label, text replaced, replacement, key the message must name)
BAD_EDITS = [
    ("unknown key", "age_y = 67", "age_y = 67\nshoe_size = 42", "shoe_size"),
    ("wrong type", "age_y = 67", 'age_y = "sixty-seven"', "age_y"),
    ("age 250", "age_y = 67", "age_y = 250", "age_y"),
    ("resting HR above HRmax", "bpm = 62", "bpm = 190", "resting_hr"),
    ("missing required field", 'fracture_risk = "moderate"', "", "fracture_risk"),
    ("not TOML", "[patient]", "[patient", "TOML"),
]


N_PACKETS = 3000


def _recording(path: Path) -> None:
    rng = random.Random(3)
    meta = SessionMeta("DRILL", "impact", "2026-11-21T10:00:00+00:00", "UTC", "drill")
    with RecordingWriter.create(path, meta) as w:
        w.add_device(DeviceInfo("h10", "AA", "Polar H10", "polar-h10"))
        for i in range(N_PACKETS):
            w.write_packet(
                Packet(
                    i * 5_000_000, "h10", "hr", bytes([0x10, 60 + i % 40, rng.randrange(256), 3])
                )
            )


#: Commits every 50 packets, then dies without a checkpoint: the data is in the -wal.
_CRASHING_WRITER = """
import os, sys
from osteomonitor.model import DeviceInfo, Packet, SessionMeta
from osteomonitor.store import RecordingWriter
w = RecordingWriter.create(sys.argv[1], SessionMeta("DRILL", "impact",
    "2026-11-21T10:00:00+00:00", "UTC", "drill"))
w.add_device(DeviceInfo("h10", "AA", "Polar H10", "polar-h10"))
for i in range(int(sys.argv[2])):
    w.write_packet(Packet(i * 5_000_000, "h10", "pmd_data", i.to_bytes(4, "little") * 30))
    if i % 50 == 49:
        w.flush()
os._exit(0)
"""


def _sqlite_alone(path: Path) -> int:
    """Packets SQLite itself reads from a file and its -wal (what repair used to keep)."""
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT count(*) FROM packets").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _changed_payloads(salvage: Path) -> int:
    """Packets of a salvage whose payload is not what the crashing writer wrote."""
    from osteomonitor.store import RecordingReader

    if not salvage.exists():
        return 0
    with RecordingReader(salvage) as r:
        return sum(
            1 for p in r.packets() if p.payload != p.payload[:4] * 30 or len(p.payload) != 120
        )


def _wal_rows(smoke: bool) -> list[Row]:
    """One damaged byte in a crashed recording's -wal: packets SQLite reads vs repair."""
    import hashlib
    import shutil

    n_files = 4 if smoke else 60
    rng = random.Random(5)
    recovered: list[float] = []
    sqlite_only: list[float] = []
    untouched = 0
    changed = 0  # packets salvaged from a damaged frame with the damaged byte in them
    bad: list[str] = []
    with tempfile.TemporaryDirectory() as d:
        crashed = Path(d) / "crashed.omrec"
        subprocess.run(
            [sys.executable, "-c", _CRASHING_WRITER, str(crashed), str(N_PACKETS)], check=True
        )
        wal = crashed.read_bytes(), Path(str(crashed) + "-wal").read_bytes()
        for k in range(n_files):
            case = Path(d) / f"w{k}"
            case.mkdir()
            path = case / "r.omrec"
            path.write_bytes(wal[0])
            damaged = bytearray(wal[1])
            # the header in a sixth of the cases, else anywhere in the frames
            pos = rng.randrange(32) if k % 6 == 0 else rng.randrange(32, len(damaged))
            damaged[pos] ^= 1 << rng.randrange(8)
            Path(str(path) + "-wal").write_bytes(bytes(damaged))
            before = hashlib.sha256(bytes(damaged)).hexdigest()
            probe = Path(d) / f"probe{k}"
            probe.mkdir()
            shutil.copy(path, probe / "r.omrec")
            shutil.copy(str(path) + "-wal", probe / "r.omrec-wal")
            sqlite_only.append(_sqlite_alone(probe / "r.omrec") / N_PACKETS)
            out = _cli("recordings", "repair", str(path))
            if not _clean(out) or out.returncode:
                bad.append(f"byte {pos}: {out.stderr.strip()[-100:]}")
            found = re.search(r"(?:salvaged|finished.*?\() ?(\d+) packets", out.stdout)
            recovered.append(int(found.group(1)) / N_PACKETS if found else 0.0)
            changed += _changed_payloads(case / "r.salvaged.omrec")
            aside = [p for p in case.iterdir() if p.name.endswith("-wal")]
            if aside and hashlib.sha256(aside[0].read_bytes()).hexdigest() == before:
                untouched += 1
            elif "finished" not in out.stdout:
                bad.append(f"byte {pos}: the damaged -wal was not kept as it was")
    return [
        Row(
            "drill: one damaged byte in a crashed recording's -wal → packets recovered",
            100 * sum(recovered) / n_files,
            "% (mean)",
            "≥ 99",
            sum(recovered) / n_files >= 0.99 and not bad and not changed,
            f"{n_files} files, worst {100 * min(recovered):.1f} %; SQLite alone (what repair "
            f"checkpointed before) read {100 * sum(sqlite_only) / n_files:.1f} % on average, "
            f"{sum(1 for s in sqlite_only if s == 0)} files as empty; damaged -wal kept "
            f"byte for byte {untouched}/{n_files}; packets salvaged with a changed payload: "
            f"{changed} (target 0: only frames that check give packets)"
            + (f"; {'; '.join(bad[:2])}" if bad else ""),
        )
    ]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "osteomonitor", *args], capture_output=True, text=True, timeout=120
    )


def _clean(out: subprocess.CompletedProcess[str]) -> bool:
    """No traceback; a failure says one line starting with 'osteomonitor: error:'."""
    if "Traceback" in out.stderr:
        return False
    if out.returncode == 0:
        return True
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    return len(lines) == 1 and lines[0].startswith("osteomonitor: error:")


def run(smoke: bool = False) -> list[Row]:
    n_variants = 4 if smoke else 20
    rng = random.Random(11)
    bad: list[str] = []
    total = 0
    commands = [("recordings", "info"), ("analyze",), ("recordings", "repair")]
    kept: dict[str, list[float]] = {"flipped": [], "truncated": []}
    present: list[float] = []  # share of the file left by each cut
    with tempfile.TemporaryDirectory() as d:
        good = Path(d) / "good.omrec"
        _recording(good)
        data = good.read_bytes()
        variants: list[tuple[str, bytes]] = []
        for k in range(n_variants):
            flipped = bytearray(data)
            for _ in range(1 + k):
                pos = rng.randrange(len(flipped))
                flipped[pos] ^= 0xFF
            variants.append((f"flipped {1 + k} bytes", bytes(flipped)))
            cut = rng.randrange(1, len(data))
            variants.append((f"truncated at {cut}", data[:cut]))
            present.append(cut / len(data))
        for i, (label, blob) in enumerate(variants):
            path = Path(d) / f"bad{i}.omrec"
            path.write_bytes(blob)
            for cmd in commands:
                out = _cli(*cmd, str(path))
                if "invalid choice" in out.stderr:  # command not installed yet
                    continue
                total += 1
                if not _clean(out):
                    bad.append(f"{' '.join(cmd)} on {label}: {out.stderr.strip()[-100:]}")
                if cmd[-1] == "repair":
                    found = re.search(
                        r"(?:salvaged|intact.*?\(|finished.*?\() ?(\d+) packets", out.stdout
                    )
                    share = int(found.group(1)) / N_PACKETS if found else 0.0
                    kept[label.split()[0]].append(share)
        rx_total, rx_bad = 0, []
        draft = _cli(*DRAFT)
        if draft.returncode == 0:
            for label, old, new, key in BAD_EDITS:
                path = Path(d) / "rx.toml"
                path.write_text(draft.stdout.replace(old, new, 1))
                out = _cli("prescription", "check", str(path))
                rx_total += 1
                first = out.stderr.splitlines()[0] if out.stderr else ""
                if (
                    out.returncode == 0
                    or "Traceback" in out.stderr
                    or not first.startswith("osteomonitor: error:")
                    or key not in out.stderr
                ):
                    rx_bad.append(label)
        else:
            rx_bad.append(f"drafting failed: {draft.stderr.strip()[:80]}")
    flipped, cut = kept["flipped"], kept["truncated"]
    return [
        *_wal_rows(smoke),
        Row(
            "drill: corrupted recordings → clear message, no traceback",
            float(total - len(bad)),
            f"of {total} runs",
            f"{total}",
            not bad,
            "; ".join(bad[:2]),
        ),
        Row(
            "drill: `recordings repair` on flipped-byte files → packets kept",
            100 * sum(flipped) / max(1, len(flipped)),
            "% (mean)",
            "",
            None,
            f"{len(flipped)} files; worst {100 * min(flipped, default=0):.1f} %",
        ),
        Row(
            "drill: `recordings repair` on files cut short → packets salvaged",
            100 * sum(cut) / max(1, len(cut)),
            "% (mean)",
            "",
            None,
            f"{len(cut)} files cut at a random byte, {100 * sum(present) / max(1, len(present)):.0f} % "
            "of the bytes left on average; the first pages of this small file hold its "
            "structure, every whole page of packets present is salvaged",
        ),
        Row(
            "drill: wrong prescriptions refused naming file, key and reason",
            float(rx_total - len(rx_bad)),
            f"of {rx_total}",
            f"{rx_total}",
            not rx_bad if rx_total else None,
            ", ".join(rx_bad)
            if rx_bad
            else ("" if rx_total else "prescription command not installed yet"),
        ),
    ]


if __name__ == "__main__":
    from benchlib import format_table

    print(format_table(run(smoke="--smoke" in sys.argv)))
