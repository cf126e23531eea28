"""Repairing recordings: finish a crashed file, salvage a damaged one, lose nothing.

Repair deletes or overwrites nothing it has not proven redundant:

- **Crashed, log sound.** A killed writer leaves its committed data split between
  `X.omrec` and `X.omrec-wal`. When every frame of the log checks (`store.wal`),
  SQLite reads all of it, and its own atomic checkpoint moves it into the file so
  the file stands alone. The session still reads as "ended unexpectedly" (the truth)
  and gains `repaired_ns`.
- **Damaged.** Flipped bytes, a file cut short, a log with a damaged frame or header
  (which SQLite would silently ignore from there on), or rows whose values are of the
  wrong kind. A private read copy is assembled from the file's whole pages and every
  log frame that checks; each readable row is copied, in arrival order, into a
  temporary file beside the output, renamed to `X.salvaged.omrec` only when
  complete. The original and its companions are then set aside unchanged as
  `X.omrec.damaged` (`-wal`, `-shm`), never unlinked, so a folder listing shows the
  salvage once and the original stays available.

While it works, repair holds the writer's lock (`store.lock`): a file being recorded
is refused, and two repairs of one file cannot interleave. SQLite keeps no checksum
of row contents, so a flipped byte inside a payload is copied as it is: the decoders
count such notifications as malformed, as they would live.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from osteomonitor.errors import CorruptRecording, RecordingError
from osteomonitor.store.lock import exclusive
from osteomonitor.store.reader import RecordingReader, check_header, page_size, read_only_uri
from osteomonitor.store.salvage import (
    Loss,
    RawRows,
    Rows,
    checked,
    fill_required,
    read_raw,
    write_rows,
)
from osteomonitor.store.schema import SUFFIX
from osteomonitor.store.wal import WalScan, apply_wal, scan_wal
from osteomonitor.store.writer import new_recording_file

#: What to do when the salvage file exists already.
_OUTPUT_EXISTS = "move it away or give another output file"
#: Problems quoted from SQLite's integrity check (shown only with --verbose).
_PROBLEMS_QUOTED = 3
#: Suffix of an original set aside after a salvage.
SET_ASIDE = ".damaged"
#: Suffix of a salvage being written (never matches `*.omrec`, so never listed).
PARTIAL = ".partial"
_COMPANIONS = ("", "-wal", "-shm")

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
        loss: what could not be brought back (packets, seconds, streams).
        damage: what was wrong, in the user's words (empty when intact).
        problems: SQLite's own diagnostics (for --verbose only).
        set_aside: where the original went after a salvage (None otherwise).
        wal_frames: (kept, damaged) log frames when a damaged log was salvaged.
    """

    source: Path
    action: str
    output: Path
    packets: int
    events: int
    loss: Loss = field(default_factory=Loss)
    damage: str = ""
    problems: tuple[str, ...] = ()
    set_aside: Path | None = None
    wal_frames: tuple[int, int] = (0, 0)

    @property
    def lost_packets(self) -> int:
        """Packets known or estimated lost."""
        return self.loss.packets

    @property
    def lost_ranges(self) -> tuple[tuple[int, int], ...]:
        """Missing packet numbers as inclusive ranges."""
        return self.loss.ranges

    @property
    def end_lost(self) -> bool:
        """The end of the packet table could not be read."""
        return self.loss.end_lost


def repair_recording(path: str | os.PathLike[str], output: Path | None = None) -> RepairResult:
    """Make a recording whole: checkpoint a crashed one, salvage a damaged one.

    Args:
        path: the recording.
        output: where a salvage goes (default `<name>.salvaged.omrec` beside it);
            never overwritten.

    Raises:
        NotARecording / NewerRecording: the file is not ours to repair.
        RecordingError: not a regular file, still being recorded, the output exists,
            or nothing at all could be read from it.
    """
    src = Path(path)
    try:
        check_header(src)  # refuses FIFOs, foreign and newer files before any open
        cut: str | None = None
    except CorruptRecording as exc:  # cut short: salvage the part present
        cut = str(exc)
    with exclusive(src):
        wal = _companion(src, "-wal")
        scan = None
        if wal.exists() and wal.stat().st_size:
            with open(src, "rb") as fh:
                scan = scan_wal(wal, page_size(fh.read(100)))
            if not scan.sound:
                return _salvage(src, output, _wal_damage(scan), (), scan)
        if cut is not None:
            return _salvage(src, output, "the file was cut short", (cut,), scan)
        try:
            with RecordingReader(src) as reader:
                ended = reader.ended_cleanly
                damage = reader.damage()
            problems = _integrity_problems(src)
        except CorruptRecording as exc:
            return _salvage(src, output, "its structure is damaged", (str(exc),), scan)
        if problems or damage:
            return _salvage(src, output, damage or "its structure is damaged", problems, scan)
        if ended and not wal.exists():
            packets, events = _counts(src)
            return RepairResult(src, INTACT, src, packets, events)
        _checkpoint(src, mark_repaired=not ended)
        packets, events = _counts(src)
        return RepairResult(src, CHECKPOINTED, src, packets, events)


def salvage_path(path: Path) -> Path:
    """The default salvage file for `path`: `<stem>.salvaged.omrec` beside it."""
    return path.with_name(f"{path.stem}.salvaged{SUFFIX}")


def _companion(path: Path, extra: str) -> Path:
    return path.with_name(path.name + extra)


def _wal_damage(scan: WalScan) -> str:
    if not scan.header_ok:
        return "the header of its -wal log is damaged, so SQLite would ignore the whole log"
    return (
        f"{len(scan.damaged)} of {scan.last_commit + 1} frames of its -wal log are damaged, "
        "so SQLite alone would read nothing from the first damaged one on"
    )


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
    """Move every committed page from a sound WAL into the file and remove the WAL."""
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
def _salvage(
    src: Path,
    output: Path | None,
    damage: str,
    problems: tuple[str, ...],
    scan: WalScan | None,
) -> RepairResult:
    out = output or salvage_path(src)
    if out.exists():
        raise RecordingError(f"{out} already exists; {_OUTPUT_EXISTS}")
    raw = _read_image(src, out, scan, with_damaged=False)
    if scan is not None and scan.damaged:
        # a damaged frame is often the only copy of a small table's page: read again
        # with the damaged frames in, for the session description only
        raw = raw.fill_from(_read_image(src, out, scan, with_damaged=True))
    rows = checked(raw)
    if not rows.packets and not rows.events and not rows.meta:
        raise RecordingError(
            f"nothing can be read from {src}: its metadata, packets and events are all "
            "damaged; keep the file, it is left unchanged"
        )
    meta = rows.meta | {
        "salvaged_from": src.name,
        "salvaged_ns": time.time_ns(),
        "salvage_damage": damage,
        "salvage_lost_packets": rows.loss.packets,
        "salvage_lost_s": rows.loss.seconds,
        "salvage_end_lost": rows.loss.end_lost,
        "salvage_lost_streams": list(rows.loss.streams),
        "salvage_problems": list(problems),
    }
    fill_required(meta, rows.packets)
    _write_salvage(out, rows, meta)
    aside = _set_aside(src)
    frames = (len(scan.kept), len(scan.damaged)) if scan is not None and not scan.sound else (0, 0)
    return RepairResult(
        src, SALVAGED, out, len(rows.packets), len(rows.events), rows.loss, damage, problems,
        aside, frames,
    )  # fmt: skip


def _read_image(src: Path, out: Path, scan: WalScan | None, *, with_damaged: bool) -> RawRows:
    """Every row readable from a private read copy of `src` (see `_read_copy`)."""
    image = _read_copy(src, out, scan, with_damaged=with_damaged)
    try:
        return _read_all(image, src)
    finally:
        for extra in _COMPANIONS:
            _companion(image, extra).unlink(missing_ok=True)


def _read_copy(src: Path, out: Path, scan: WalScan | None, *, with_damaged: bool) -> Path:
    """A private copy of `src` to read from: its whole pages, then every log frame that checks.

    A file cut mid-page would read back with the missing part as zeros, and SQLite
    cannot tell: rows stored there would come out with zeroed payloads. The copy ends
    at the last whole page, so those rows count as lost instead. Log frames are
    applied here (not by SQLite) so a damaged frame costs only its own page.
    """
    with open(src, "rb") as fh:
        page = page_size(fh.read(100))
    size = src.stat().st_size
    tmp = out.with_name(f".{out.name}.reading")
    for extra in _COMPANIONS:
        _companion(tmp, extra).unlink(missing_ok=True)
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
        left = size - size % page if page else size
        while left:
            chunk = fin.read(min(left, 1 << 20))
            if not chunk:
                break
            fout.write(chunk)
            left -= len(chunk)
    if scan is not None:
        apply_wal(tmp, _companion(src, "-wal"), scan, with_damaged=with_damaged)
    return tmp


def _read_all(image: Path, src: Path) -> RawRows:
    try:
        conn = sqlite3.connect(f"file:{image.resolve()}?mode=ro&immutable=1", uri=True)
        conn.execute("PRAGMA query_only = 1")
        # lets SQLite open a file shorter than its header says (cut short) and read
        # the pages that are there; the connection is read-only, nothing is written
        conn.execute("PRAGMA writable_schema = ON")
    except sqlite3.Error as exc:
        raise RecordingError(
            f"nothing can be read from {src}: not even its table of contents survived; "
            "keep the file, it is left unchanged"
        ) from exc
    try:
        return read_raw(conn)
    finally:
        conn.close()


def _write_salvage(out: Path, rows: Rows, meta: dict[str, object]) -> None:
    """The salvage, written under a temporary name beside `out` and renamed when whole.

    A salvage killed midway leaves only `.<name>.partial`, which no listing shows and
    the next run replaces. The rename never overwrites a file that appeared meanwhile.
    """
    partial = out.with_name(f".{out.name}{PARTIAL}")
    for extra in ("", "-journal", "-wal", "-shm"):  # a killed run's leftovers: ours
        _companion(partial, extra).unlink(missing_ok=True)
    conn = new_recording_file(partial, _OUTPUT_EXISTS)
    try:
        try:
            write_rows(conn, rows, meta)
        finally:
            conn.close()
        with open(partial, "rb+") as fh:
            os.fsync(fh.fileno())
        try:
            os.link(partial, out)  # fails if `out` exists: never overwrites
        except FileExistsError:
            raise RecordingError(f"{out} already exists; {_OUTPUT_EXISTS}") from None
        except OSError:  # a file system without hard links
            if out.exists():
                raise RecordingError(f"{out} already exists; {_OUTPUT_EXISTS}") from None
            os.rename(partial, out)
    except sqlite3.Error as exc:
        raise RecordingError(
            f"cannot write the salvage {out} ({exc}); the damaged original is unchanged"
        ) from exc
    finally:
        partial.unlink(missing_ok=True)


def _set_aside(src: Path) -> Path:
    """Rename `src` and its companions to `<name>.damaged[.N]` (kept, never unlinked)."""
    n = 0
    while True:
        aside = src.with_name(src.name + SET_ASIDE + (f".{n}" if n else ""))
        if not any(_companion(aside, e).exists() for e in _COMPANIONS):
            break
        n += 1
    for extra in ("-wal", "-shm", ""):  # the main file last: it is what a listing sees
        with contextlib.suppress(FileNotFoundError):
            os.rename(_companion(src, extra), _companion(aside, extra))
    return aside


__all__ = ["CHECKPOINTED", "INTACT", "SALVAGED", "RepairResult", "repair_recording"]
