"""The library index: what a folder's recordings hold, computed once and kept.

One SQLite file per folder, `.osteomonitor-index.sqlite` (owner-only, 0600), beside the
recordings it describes. It keeps, per recording file:

- the listing row (`RecordingInfo`: patient, kind, start, span, packet count, status …),
  which otherwise takes a scan of the file's packet table;
- analysis results (`SessionMeta` + `SessionSummary` as JSON, `summary_codec`), per
  analysis version and prescription key, which otherwise take a pass of the session
  driver over every packet;
- verdicts (compliance + the review's alerts as JSON, `app/kept_reviews.py`), per
  analysis version and verdict key (prescription, supervision, rules), which otherwise
  take a judgement of every recording on every opening. An index from before this
  table gets it (`CREATE TABLE IF NOT EXISTS`): its other rows stay valid.

Every row is keyed by the file's identity: name, size, modification time (ns) and
inode. A file that changed (appended, repaired, replaced) no longer matches and is
read again; `analysis_version` (the caller's constant) makes a new analysis recompute.
The index is a cache, never a source of truth: a corrupt index is deleted and rebuilt,
a locked or unwritable one is replaced by an in-memory one for this process, and a row
that does not decode is recomputed. Nothing here is ever fatal.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from osteomonitor.store import summary_codec

#: The index file's name in each recordings folder (hidden; not a `*.omrec`).
INDEX_NAME = ".osteomonitor-index.sqlite"
#: Layout of the index tables; a different value drops and recreates them.
INDEX_SCHEMA = 1
#: How long a connection waits for another process's write lock, s.
BUSY_TIMEOUT_S = 0.5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info (
  name TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, inode INTEGER, row TEXT
);
CREATE TABLE IF NOT EXISTS analysis (
  name TEXT, version TEXT, rx_key TEXT, size INTEGER, mtime_ns INTEGER, inode INTEGER,
  meta TEXT, summary TEXT, PRIMARY KEY (name, version, rx_key)
);
CREATE TABLE IF NOT EXISTS verdict (
  name TEXT, version TEXT, verdict_key TEXT, size INTEGER, mtime_ns INTEGER, inode INTEGER,
  verdict TEXT, PRIMARY KEY (name, version, verdict_key)
);
"""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """What tells one version of a file from another: bytes, ns mtime, inode."""

    size: int
    mtime_ns: int
    inode: int

    @staticmethod
    def of(path: Path) -> FileIdentity:
        """The identity of `path` now (raises OSError when it cannot be stat'ed)."""
        st = path.stat()
        return FileIdentity(st.st_size, st.st_mtime_ns, st.st_ino)


class LibraryIndex:
    """The index of one folder (thread-safe; one connection behind a lock).

    Args:
        folder: the folder whose recordings it describes.
        persist: False keeps it in memory only (tests, read-only folders).

    Attributes:
        path: the index file, or None when in memory.
        note: why it is in memory or was rebuilt, for a status line ("" normally).
    """

    def __init__(self, folder: Path, persist: bool = True) -> None:
        self.folder = Path(folder)
        self.path: Path | None = self.folder / INDEX_NAME if persist else None
        self.note = ""
        self._lock = threading.Lock()
        self._conn = self._open()
        # kept analyses by (version, rx_key), loaded with one query on first use
        self._mirror: dict[tuple[str, str], dict[str, tuple[FileIdentity, str, str]]] = {}
        # kept verdicts by version, then (name, verdict key); one query on first use
        self._verdicts: dict[str, dict[tuple[str, str], tuple[FileIdentity, str]]] = {}

    # -- opening ----------------------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        if self.path is not None:
            try:
                return self._connect(self.path)
            except sqlite3.DatabaseError as exc:
                if not _is_locked(exc):
                    try:  # corrupt, or not an index: remove it and start again
                        self._remove()
                        self.note = f"index rebuilt ({exc})"
                        return self._connect(self.path)
                    except (sqlite3.DatabaseError, OSError) as again:
                        exc = again  # type: ignore[assignment]
                self.note = f"index kept in memory ({exc})"
            except OSError as exc:
                self.note = f"index kept in memory ({exc.strerror or exc})"
            self.path = None
        return self._connect(None)

    def _connect(self, path: Path | None) -> sqlite3.Connection:
        if path is None:
            conn = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            if not path.exists():
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
            os.chmod(path, 0o600)  # whatever the umask
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version != INDEX_SCHEMA:
                conn.executescript(
                    "DROP TABLE IF EXISTS info; DROP TABLE IF EXISTS analysis;"
                    "DROP TABLE IF EXISTS verdict;"
                    f"PRAGMA user_version = {INDEX_SCHEMA};"
                )
            conn.executescript(_SCHEMA)
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("SELECT count(*) FROM info").fetchone()
            conn.execute("SELECT count(*) FROM analysis").fetchone()
            conn.execute("SELECT count(*) FROM verdict").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        if path is not None:
            for extra in ("-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.chmod(f"{path}{extra}", 0o600)
        return conn

    def _remove(self) -> None:
        assert self.path is not None
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")

    def _run(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        """One statement; on a database error the index falls back to memory (empty)."""
        with self._lock:
            try:
                with self._conn:
                    return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                if self.path is None:
                    return []
                if not _is_locked(exc):
                    with contextlib.suppress(OSError):
                        self._conn.close()
                        self._remove()
                self.note = f"index kept in memory ({exc})"
                self.path = None
                self._conn = self._connect(None)
                return []

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()

    # -- listing rows -----------------------------------------------------------------
    def infos(self) -> dict[str, tuple[FileIdentity, str]]:
        """Every kept listing row: file name → (identity, row JSON)."""
        rows = self._run("SELECT name, size, mtime_ns, inode, row FROM info")
        return {
            str(n): (FileIdentity(int(s), int(m), int(i)), str(r))  # type: ignore[call-overload]
            for n, s, m, i, r in rows
        }

    def put_info(self, name: str, ident: FileIdentity, row_json: str) -> None:
        """Keep a listing row (as JSON) for the file `name` at `ident`."""
        self._run(
            "INSERT OR REPLACE INTO info VALUES (?, ?, ?, ?, ?)",
            (name, ident.size, ident.mtime_ns, ident.inode, row_json),
        )

    def forget_missing(self, present: set[str]) -> None:
        """Drop the rows of files no longer in the folder."""
        for table in ("info", "analysis", "verdict"):
            names = {str(r[0]) for r in self._run(f"SELECT DISTINCT name FROM {table}")}
            for name in names - present:
                self._run(f"DELETE FROM {table} WHERE name = ?", (name,))

    # -- analysis results -------------------------------------------------------------
    def analysis(
        self, name: str, ident: FileIdentity, version: str, rx_key: str
    ) -> tuple[str, str] | None:
        """(meta JSON, summary JSON) kept for this file version, analysis and
        prescription, or None. The first call for a (version, prescription) reads all of
        the folder's rows for it at once: a library of a thousand is one query."""
        mirror = self._mirror.get((version, rx_key))
        if mirror is None:
            rows = self._run(
                "SELECT name, size, mtime_ns, inode, meta, summary FROM analysis "
                "WHERE version = ? AND rx_key = ?",
                (version, rx_key),
            )
            mirror = {
                str(n): (FileIdentity(int(z), int(m), int(i)), str(mt), str(sm))  # type: ignore[call-overload]
                for n, z, m, i, mt, sm in rows
            }
            self._mirror[(version, rx_key)] = mirror
        hit = mirror.get(name)
        if hit is None or hit[0] != ident:  # kept since (by another process)?
            rows = self._run(
                "SELECT size, mtime_ns, inode, meta, summary FROM analysis "
                "WHERE name = ? AND version = ? AND rx_key = ?",
                (name, version, rx_key),
            )
            if not rows:
                return None
            z, m, i, mt, sm = rows[0]
            hit = (FileIdentity(int(z), int(m), int(i)), str(mt), str(sm))  # type: ignore[call-overload]
            mirror[name] = hit
        return (hit[1], hit[2]) if hit[0] == ident else None

    def meta(self, name: str, ident: FileIdentity) -> str | None:
        """The metadata JSON of any kept analysis of this file version, or None."""
        rows = self._run(
            "SELECT meta FROM analysis WHERE name = ? AND size = ? AND mtime_ns = ? "
            "AND inode = ? LIMIT 1",
            (name, ident.size, ident.mtime_ns, ident.inode),
        )
        return str(rows[0][0]) if rows else None

    def put_analysis(
        self,
        name: str,
        ident: FileIdentity,
        version: str,
        rx_key: str,
        meta_json: str,
        summary_json: str,
    ) -> None:
        """Keep an analysis result (replaces the one of an older file version)."""
        mirror = self._mirror.get((version, rx_key))
        if mirror is not None:
            mirror[name] = (ident, meta_json, summary_json)
        self._run(
            "INSERT OR REPLACE INTO analysis VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (name, version, rx_key, ident.size, ident.mtime_ns, ident.inode, meta_json,
             summary_json),
        )  # fmt: skip

    # -- verdicts ----------------------------------------------------------------------
    def verdict(self, name: str, ident: FileIdentity, version: str, key: str) -> str | None:
        """The verdict JSON kept for this file version, analysis version and verdict key,
        or None. The first call for a version reads all of its rows at once."""
        with self._lock:
            kept = self._verdicts.get(version)
        if kept is None:
            rows = self._run(
                "SELECT name, verdict_key, size, mtime_ns, inode, verdict FROM verdict "
                "WHERE version = ?",
                (version,),
            )
            kept = {
                (str(n), str(k)): (FileIdentity(int(z), int(m), int(i)), str(v))  # type: ignore[call-overload]
                for n, k, z, m, i, v in rows
            }
            with self._lock:
                kept = self._verdicts.setdefault(version, kept)
        hit = kept.get((name, key))
        if hit is None or hit[0] != ident:  # kept since (by another process)?
            rows = self._run(
                "SELECT size, mtime_ns, inode, verdict FROM verdict "
                "WHERE name = ? AND version = ? AND verdict_key = ?",
                (name, version, key),
            )
            if not rows:
                return None
            z, m, i, v = rows[0]
            hit = (FileIdentity(int(z), int(m), int(i)), str(v))  # type: ignore[call-overload]
            with self._lock:
                kept[(name, key)] = hit
        return hit[1] if hit[0] == ident else None

    def put_verdict(
        self, name: str, ident: FileIdentity, version: str, key: str, verdict_json: str
    ) -> None:
        """Keep a verdict (replaces the one of an older file version)."""
        with self._lock:
            kept = self._verdicts.get(version)
            if kept is not None:
                kept[(name, key)] = (ident, verdict_json)
        self._run(
            "INSERT OR REPLACE INTO verdict VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, version, key, ident.size, ident.mtime_ns, ident.inode, verdict_json),
        )


def _is_locked(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


_open_lock = threading.Lock()
_indexes: dict[str, LibraryIndex] = {}
#: The same indexes by the folder as given (skips `realpath` on every look-up).
_given: dict[str, LibraryIndex] = {}


def index_for(folder: str | os.PathLike[str]) -> LibraryIndex:
    """The index of `folder`, opened once per process (in memory when the folder is
    not writable)."""
    given = os.fspath(folder)
    absolute = os.path.isabs(given)
    if absolute:
        hit = _given.get(given)
        if hit is not None:
            return hit
    key = os.path.realpath(folder)
    with _open_lock:
        idx = _indexes.get(key)
        if idx is None:
            persist = os.access(key, os.W_OK)
            idx = _indexes[key] = LibraryIndex(Path(key), persist=persist)
            if not persist:
                idx.note = "index kept in memory (folder not writable)"
        if absolute:
            _given[given] = idx
        return idx


def close_indexes() -> None:
    """Close every index this process opened (the next `index_for` opens afresh)."""
    with _open_lock:
        for idx in _indexes.values():
            with contextlib.suppress(sqlite3.Error):
                idx.close()
        _indexes.clear()
        _given.clear()


def decode_or_none(cls: type[T], text: str) -> T | None:
    """A kept row decoded, or None when it does not decode (it is then recomputed)."""
    try:
        return summary_codec.decode(cls, text)
    except (ValueError, TypeError, KeyError):
        return None
