"""Repairing recordings: finish a crashed file, salvage a damaged one.

Two cases, each touching no more than it must:

- **Crashed.** A killed writer leaves its committed data split between `X.omrec` and
  `X.omrec-wal`; whoever copies or mails the `.omrec` alone loses everything since
  the last checkpoint. Repair checkpoints the WAL into the file (SQLite's own atomic
  operation), so the file stands alone. The session still reads as "ended
  unexpectedly" (that is the truth) and gains `repaired_ns`.
- **Damaged.** Flipped bytes or a file cut short fail SQLite's integrity check. The
  original is never modified: every row that can still be read is copied, in
  arrival order, into a new `X.salvaged.omrec`, which records what was lost.

SQLite keeps no checksum of row contents, so a flipped byte inside a payload is
copied as it is: the decoders count such notifications as malformed, as they would
live.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from osteomonitor.errors import CorruptRecording, RecordingError
from osteomonitor.model import SessionMeta
from osteomonitor.store.reader import RECORDING, RecordingReader, page_size, read_only_uri
from osteomonitor.store.schema import SUFFIX
from osteomonitor.store.writer import new_recording_file

#: Largest row number the salvage probes for (SQLite's rowid limit).
_MAX_KEY = 2**62
#: Rows read per query while salvaging.
_READ_BATCH = 4096
#: What to do when the salvage file exists already.
_OUTPUT_EXISTS = "move it away or give another output file"
#: Problems quoted from SQLite's integrity check.
_PROBLEMS_QUOTED = 3

INTACT = "intact"
CHECKPOINTED = "checkpointed"
SALVAGED = "salvaged"


@dataclass(frozen=True, slots=True)
class RepairResult:
    """What `repair_recording` did.

    Attributes:
        source: the file given.
        action: `INTACT` (nothing to do), `CHECKPOINTED` (a crashed file made whole in
            place) or `SALVAGED` (readable rows copied to `output`).
        output: the file to use from now on (`source` unless salvaged).
        packets / events: rows the output holds.
        lost_packets: packets known lost: numbers missing between those read
            (packets are numbered densely in arrival order).
        lost_ranges: those packet numbers as inclusive (first, last) ranges.
        problems: the first lines of SQLite's integrity check (empty when intact).
        end_lost: the end of the packet table could not be read, so an unknown number
            of packets after the last one salvaged are lost too.
    """

    source: Path
    action: str
    output: Path
    packets: int
    events: int
    lost_packets: int = 0
    lost_ranges: tuple[tuple[int, int], ...] = ()
    problems: tuple[str, ...] = ()
    end_lost: bool = False


def repair_recording(path: str | os.PathLike[str], output: Path | None = None) -> RepairResult:
    """Make a recording whole: checkpoint a crashed one, salvage a damaged one.

    Args:
        path: the recording.
        output: where a salvage goes (default `<name>.salvaged.omrec` beside it);
            never overwritten.

    Raises:
        NotARecording / NewerRecording: the file is not ours to repair.
        RecordingError: it is still being recorded, the output exists, or nothing at
            all could be read from it.
    """
    src = Path(path)
    try:
        with RecordingReader(src) as reader:  # refuses foreign and newer files
            if reader.status == RECORDING:
                pid = reader.meta_raw.get("writer_pid")
                raise RecordingError(
                    f"{src} is still being recorded (process {pid}); stop that recording "
                    "first, then repair it"
                )
            ended = reader.ended_cleanly
        problems = _integrity_problems(src)
    except CorruptRecording as exc:
        return _salvage(src, output, (str(exc),))
    if problems:
        return _salvage(src, output, problems)
    wal = src.with_name(src.name + "-wal")
    if ended and not wal.exists():
        packets, events = _counts(src)
        return RepairResult(src, INTACT, src, packets, events)
    _checkpoint(src, mark_repaired=not ended)
    packets, events = _counts(src)
    return RepairResult(src, CHECKPOINTED, src, packets, events)


def salvage_path(path: Path) -> Path:
    """The default salvage file for `path`: `<stem>.salvaged.omrec` beside it."""
    return path.with_name(f"{path.stem}.salvaged{SUFFIX}")


# -- checks and the in-place repair ------------------------------------------------------
def _integrity_problems(path: Path) -> tuple[str, ...]:
    """SQLite's integrity check of `path` (read-only): () when the file is sound."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            rows = conn.execute("PRAGMA integrity_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return (str(exc),)
    lines = tuple(str(r[0]) for r in rows)
    return () if lines == ("ok",) else lines[:_PROBLEMS_QUOTED]


def _counts(path: Path) -> tuple[int, int]:
    with RecordingReader(path) as r:
        return r.packet_count, len(r.events())


def _checkpoint(path: Path, *, mark_repaired: bool) -> None:
    """Move every committed page from the WAL into the file and remove the WAL."""
    try:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            if mark_repaired:
                conn.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('repaired_ns', ?)",
                    (json.dumps(time.time_ns()),),
                )
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise RecordingError(
            f"cannot finish {path} ({exc}); nothing was changed that SQLite had not "
            "committed: keep the file with its -wal companion and try again"
        ) from exc
    if busy:
        raise RecordingError(f"{path} is open in another program; close it and try again")


# -- salvage -----------------------------------------------------------------------------
def _salvage(src: Path, output: Path | None, problems: tuple[str, ...]) -> RepairResult:
    out = output or salvage_path(src)
    if out.exists():
        raise RecordingError(f"{out} already exists; {_OUTPUT_EXISTS}")
    whole = _whole_pages_copy(src, out)
    try:
        return _salvage_from(whole or src, src, out, problems)
    finally:
        if whole is not None:
            for extra in ("", "-wal", "-shm"):
                whole.with_name(whole.name + extra).unlink(missing_ok=True)


def _whole_pages_copy(src: Path, out: Path) -> Path | None:
    """A private copy of `src` without a trailing partial page, or None if it has none.

    A file cut mid-page reads back with the missing part as zeros, and SQLite cannot
    tell: rows stored there would come out with zeroed payloads. Reading a copy cut
    at the last whole page loses those rows honestly (they count as lost).
    """
    with open(src, "rb") as fh:
        page = page_size(fh.read(100))
    size = src.stat().st_size
    if not page or size % page == 0:
        return None
    tmp = out.with_name(f".{out.name}.whole-pages")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
        left = size - size % page
        while left:
            chunk = fin.read(min(left, 1 << 20))
            if not chunk:
                break
            fout.write(chunk)
            left -= len(chunk)
    wal = src.with_name(src.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, tmp.with_name(tmp.name + "-wal"))
    return tmp


def _salvage_from(read_path: Path, src: Path, out: Path, problems: tuple[str, ...]) -> RepairResult:
    """Copy every readable row of `read_path` (standing for `src`) into `out`."""
    try:
        conn = sqlite3.connect(read_only_uri(read_path), uri=True)
        conn.execute("PRAGMA query_only = 1")
        # lets SQLite open a file shorter than its header says (cut short) and read
        # the pages that are there; the connection is read-only, nothing is written
        conn.execute("PRAGMA writable_schema = ON")
    except sqlite3.Error as exc:
        raise RecordingError(f"nothing can be read from {src} ({exc})") from exc
    try:
        meta = _salvage_meta(conn)
        devices, _ = _salvage_table(
            conn,
            "devices",
            "id, key, address, name, profile, model, firmware, battery_pct, settings",
            "id",
        )
        streams, _ = _salvage_table(conn, "streams", "id, device_id, name", "id")
        packets, packets_end = _salvage_table(
            conn, "packets", "seq, t_ns, stream_id, payload", "seq"
        )
        events, _ = _salvage_table(conn, "events", "id, t_ns, kind, device_id, data", "id")
    finally:
        conn.close()
    devices = [d for d in devices if isinstance(d[1], str) and d[1]]
    dev_ids = {d[0] for d in devices}
    streams = [s for s in streams if s[1] in dev_ids and isinstance(s[2], str)]
    stream_ids = {s[0] for s in streams}
    kept = [p for p in packets if p[2] in stream_ids and isinstance(p[1], int)]
    events = [e for e in events if isinstance(e[1], int) and isinstance(e[2], str)]
    if not kept and not events and not meta:
        raise RecordingError(
            f"nothing can be read from {src}: its metadata, packets and events are all "
            "damaged; keep the file, it is left unchanged"
        )
    ranges = _gaps([int(p[0]) for p in kept])
    lost = sum(b - a + 1 for a, b in ranges)
    meta |= {
        "salvaged_from": str(src),
        "salvaged_ns": time.time_ns(),
        "salvage_lost_packets": lost,
        "salvage_end_lost": not packets_end,
        "salvage_problems": list(problems),
    }
    _fill_required(meta, kept)
    _write_salvage(out, meta, devices, streams, kept, events)
    return RepairResult(
        src,
        SALVAGED,
        out,
        len(kept),
        len(events),
        lost,
        tuple(ranges),
        problems,
        end_lost=not packets_end,
    )


def _salvage_meta(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every readable metadata key (the table has no rowid: whole, else key by key)."""
    try:
        rows = conn.execute("SELECT key, value FROM meta").fetchall()
    except sqlite3.DatabaseError:
        rows = []
        known = [f.name for f in fields(SessionMeta)] + [
            "created_ns", "writer_pid", "writer_host", "ended_ns", "end_reason",
        ]  # fmt: skip
        for key in known:
            try:
                rows += conn.execute("SELECT key, value FROM meta WHERE key = ?", (key,)).fetchall()
            except sqlite3.DatabaseError:
                continue
    out: dict[str, Any] = {}
    for key, value in rows:
        try:
            out[str(key)] = json.loads(value)
        except (json.JSONDecodeError, TypeError):
            continue
    return out


def _salvage_table(
    conn: sqlite3.Connection, table: str, columns: str, key: str
) -> tuple[list[tuple[Any, ...]], bool]:
    """(rows readable, in key order; whether the table's end was reached) of a rowid table.

    Reads forward in batches. A batch that fails is retried smaller until the first
    unreadable row is isolated; then the scan probes ever further ahead (1, 2, 4 …
    keys) for the next readable row and narrows back to the first one, so a damaged
    stretch costs a few dozen queries whatever its length.
    """
    sql = f"SELECT {columns} FROM {table} WHERE {key} > ? ORDER BY {key} LIMIT ?"

    def read(after: int, n: int) -> list[tuple[Any, ...]] | None:
        try:
            return conn.execute(sql, (after, n)).fetchall()
        except sqlite3.DatabaseError:
            return None

    rows: list[tuple[Any, ...]] = []
    after, n = 0, _READ_BATCH
    while True:
        batch = read(after, n)
        if batch is not None:
            if not batch:
                return rows, True
            rows += batch
            after, n = int(batch[-1][0]), _READ_BATCH
            continue
        if n > 1:
            n //= 2
            continue
        nxt = _next_readable(read, after)
        if nxt is None:
            return rows, False
        after, n = nxt, _READ_BATCH


def _next_readable(read: Callable[[int, int], list[Any] | None], after: int) -> int | None:
    """A key from which reading works again past a damaged row after `after`, or None."""
    step = 1
    while step <= _MAX_KEY:
        if read(after + step, 1) is not None:
            lo, hi = after + step // 2, after + step  # fails at lo (or lo is after), works at hi
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (lo, mid) if read(mid, 1) is not None else (mid, hi)
            return hi
        step *= 2
    return None


def _gaps(keys: list[int]) -> list[tuple[int, int]]:
    """Missing numbers between consecutive keys (rows are numbered densely from 1)."""
    out: list[tuple[int, int]] = []
    prev = 0
    for k in keys:
        if k > prev + 1:
            out.append((prev + 1, k - 1))
        prev = max(prev, k)
    return out


def _fill_required(meta: dict[str, Any], packets: list[tuple[Any, ...]]) -> None:
    """Placeholders for session facts the damage took, so the salvage opens."""
    if not isinstance(meta.get("start_iso"), str):
        t0 = packets[0][1] if packets else 0
        meta["start_iso"] = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t0 / 1e9))
        meta.setdefault("timezone", "UTC")
    for key, placeholder in (
        ("patient", "unknown"),
        ("kind", "mixed"),
        ("timezone", "UTC"),
        ("software_version", "unknown"),
    ):
        if not isinstance(meta.get(key), str):
            meta[key] = placeholder


def _write_salvage(
    out: Path,
    meta: dict[str, Any],
    devices: list[tuple[Any, ...]],
    streams: list[tuple[Any, ...]],
    packets: list[tuple[Any, ...]],
    events: list[tuple[Any, ...]],
) -> None:
    """A new, complete recording file (owner-only, never overwriting)."""
    conn = new_recording_file(out, _OUTPUT_EXISTS)
    try:
        try:
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in meta.items()],
            )
            conn.executemany("INSERT INTO devices VALUES (?,?,?,?,?,?,?,?,?)", devices)
            conn.executemany("INSERT INTO streams VALUES (?,?,?)", streams)
            conn.executemany("INSERT INTO events VALUES (?,?,?,?,?)", events)
            conn.executemany("INSERT INTO packets VALUES (?,?,?,?)", packets)
            conn.execute("COMMIT")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise RecordingError(
            f"cannot write the salvage {out} ({exc}); the damaged original is unchanged"
        ) from exc
