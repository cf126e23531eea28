"""Writing a recording: crash-safe, owner-only, committed at least once a second.

The writer is synchronous (SQLite is blocking). Live code runs it off the event loop
(a writer thread or `asyncio.to_thread`); batch code (importers, tests) calls it directly.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import Any

from osteomonitor.errors import RecordingError, StorageFull
from osteomonitor.model import DeviceInfo, Event, Packet, SessionMeta
from osteomonitor.store.lock import hold_write_lock, release_lock
from osteomonitor.store.schema import APPLICATION_ID, COMMIT_INTERVAL_S, DDL, SCHEMA_VERSION

#: What SQLite says when a write cannot grow the file, and what that means to a user.
#: ENOSPC gives "database or disk is full"; a file-size limit (RLIMIT_FSIZE, FAT32's
#: 4 GiB) reaches SQLite as EFBIG, which it reports as a generic I/O error.
_FULL_CAUSES = {
    "database or disk is full": "the disk is full",
    "file too large": "the file-size limit was reached",
    "disk i/o error": "the disk is full, a file-size limit was reached, or the disk failed",
}


def _full_cause(exc: sqlite3.Error) -> str | None:
    """Why a write could not grow the file, in the user's words; None if it is not that."""
    text = str(exc).lower()
    return next((cause for m, cause in _FULL_CAUSES.items() if m in text), None)


def secure_directory(path: Path) -> None:
    """Create `path` (and parents) as owner-only directories when missing."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def new_recording_file(
    path: Path, if_exists: str, *, check_same_thread: bool = True
) -> sqlite3.Connection:
    """Create `path` owner-only (0600), never overwriting, with identity and schema.

    Identity (`application_id`, `user_version`) and the tables go to the main file
    before any journal mode is chosen, so the header identifies the file even if its
    writer dies at once. Returns an autocommit connection.

    Args:
        if_exists: what to tell the user when `path` exists already.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise RecordingError(f"{path} already exists; {if_exists}") from None
    except OSError as exc:
        raise RecordingError(f"cannot create recording {path}: {exc.strerror}") from exc
    os.close(fd)
    os.chmod(path, 0o600)  # whatever the umask
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=check_same_thread)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.executescript(DDL)
    except sqlite3.Error as exc:
        raise RecordingError(f"cannot initialise recording {path}: {exc}") from exc
    return conn


class RecordingWriter:
    """Appends packets and events to a new recording file.

    Packets and events are buffered and committed together when `commit_interval_s`
    has passed since the last commit (checked on every write and on `tick()`), on
    `flush()`, and on `close()`. A `kill -9` therefore loses at most the last interval.

    Raises:
        RecordingError: the file exists already or cannot be created.
        StorageFull: the disk or the file-size limit ran out; everything committed
            before stays readable and the writer closes itself.
    """

    def __init__(
        self, conn: sqlite3.Connection, path: Path, commit_interval_s: float, lock_fd: int = -1
    ) -> None:
        self._conn = conn
        self._lock_fd = lock_fd  # held while open: says "still being written" (store.lock)
        self.path = path
        self.commit_interval_s = commit_interval_s
        self._packets: list[tuple[int, int, bytes]] = []
        self._events: list[tuple[int, str, int | None, str]] = []
        self._device_ids: dict[str, int] = {}
        self._stream_ids: dict[tuple[str, str], int] = {}
        self._last_commit = time.monotonic()
        self._closed = False
        self.packets_written = 0  # committed packets
        self.events_written = 0

    # -- creation -------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        meta: SessionMeta,
        *,
        commit_interval_s: float = COMMIT_INTERVAL_S,
    ) -> RecordingWriter:
        """Create a new recording with owner-only permissions (0600) and write `meta`."""
        p = Path(path)
        secure_directory(p.parent)
        conn = new_recording_file(
            p, "recordings are never overwritten: choose another -o FILE", check_same_thread=False
        )
        try:
            lock_fd = hold_write_lock(p)
        except (RecordingError, OSError) as exc:
            conn.close()
            raise RecordingError(f"cannot lock recording {p}: {exc}") from exc
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            conn.close()
            release_lock(lock_fd)
            raise RecordingError(f"cannot initialise recording {p}: {exc}") from exc
        writer = cls(conn, p, commit_interval_s, lock_fd)
        values = asdict(meta)
        # no host name, user or process id: health data files carry no identifiers
        values.update(created_ns=time.time_ns())
        writer._set_meta(values)
        return writer

    # -- metadata ---------------------------------------------------------------------
    def _set_meta(self, values: Mapping[str, Any]) -> None:
        self._run(
            lambda c: c.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                [(k, json.dumps(v)) for k, v in values.items()],
            )
        )

    def set_meta(self, **values: Any) -> None:
        """Add or replace metadata keys (JSON-serialisable values)."""
        self._set_meta(values)

    def add_device(self, device: DeviceInfo) -> None:
        """Register a device taking part; its `key` is what packets refer to."""
        if device.key in self._device_ids:
            raise RecordingError(f"device key {device.key!r} is already in {self.path}")
        row = (
            device.key,
            device.address,
            device.name,
            device.profile,
            device.model,
            device.firmware,
            device.battery_pct,
            json.dumps(dict(device.settings)),
        )

        def insert(c: sqlite3.Connection) -> None:
            cur = c.execute(
                "INSERT INTO devices(key, address, name, profile, model, firmware, battery_pct,"
                " settings) VALUES (?,?,?,?,?,?,?,?)",
                row,
            )
            self._device_ids[device.key] = int(cur.lastrowid or 0)

        self._run(insert)

    _DEVICE_FIELDS = frozenset({"address", "name", "profile", "model", "firmware", "battery_pct"})

    def update_device(self, key: str, **fields: Any) -> None:
        """Update known facts of a device (battery, model, firmware, settings)."""
        dev_id = self._device_id(key)
        for name, value in fields.items():
            if name == "settings":
                value = json.dumps(dict(value))
            elif name not in self._DEVICE_FIELDS:
                raise RecordingError(f"unknown device field {name!r}")
            self._run(
                lambda c, n=name, v=value: c.execute(
                    f"UPDATE devices SET {n} = ? WHERE id = ?", (v, dev_id)
                )
            )

    def _device_id(self, key: str) -> int:
        try:
            return self._device_ids[key]
        except KeyError:
            raise RecordingError(
                f"packet or event names device {key!r}, which was never added to {self.path}"
            ) from None

    def _stream_id(self, device: str, stream: str) -> int:
        sid = self._stream_ids.get((device, stream))
        if sid is None:
            dev_id = self._device_id(device)
            cur = self._conn.execute(
                "INSERT INTO streams(device_id, name) VALUES (?, ?)", (dev_id, stream)
            )
            sid = int(cur.lastrowid or 0)
            self._stream_ids[(device, stream)] = sid
        return sid

    # -- data -------------------------------------------------------------------------
    def write_packet(self, packet: Packet) -> None:
        """Buffer one raw notification; commits when the interval has passed."""
        self._check_open()
        self._packets.append(
            (packet.t_ns, self._stream_id(packet.device, packet.stream), bytes(packet.payload))
        )
        self.tick()

    def write_packets(self, packets: Iterable[Packet]) -> None:
        """Buffer many notifications (in arrival order)."""
        self._check_open()
        sid = self._stream_id
        self._packets.extend((p.t_ns, sid(p.device, p.stream), bytes(p.payload)) for p in packets)
        self.tick()

    def write_event(self, event: Event) -> None:
        """Buffer one session event."""
        self._check_open()
        dev = self._device_id(event.device) if event.device is not None else None
        self._events.append((event.t_ns, str(event.kind), dev, json.dumps(dict(event.data))))
        self.tick()

    @property
    def pending(self) -> int:
        """Packets and events buffered but not yet committed."""
        return len(self._packets) + len(self._events)

    def tick(self) -> None:
        """Commit if `commit_interval_s` has passed since the last commit."""
        if time.monotonic() - self._last_commit >= self.commit_interval_s:
            self.flush()

    def flush(self) -> None:
        """Commit everything buffered now."""
        if self._closed:
            return
        packets, events = self._packets, self._events
        self._packets, self._events = [], []

        def commit(c: sqlite3.Connection) -> None:
            c.execute("BEGIN")
            if packets:
                c.executemany(
                    "INSERT INTO packets(t_ns, stream_id, payload) VALUES (?,?,?)", packets
                )
            if events:
                c.executemany(
                    "INSERT INTO events(t_ns, kind, device_id, data) VALUES (?,?,?,?)", events
                )
            c.execute("COMMIT")

        self._run(commit)
        self._last_commit = time.monotonic()
        self.packets_written += len(packets)
        self.events_written += len(events)

    # -- closing ----------------------------------------------------------------------
    def close(self, reason: str = "stopped") -> None:
        """Commit, mark the session as ended cleanly, checkpoint and close the file."""
        if self._closed:
            return
        try:
            self.flush()
            self._set_meta({"ended_ns": time.time_ns(), "end_reason": reason})
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._closed = True
            self._conn.close()
            release_lock(self._lock_fd)

    def abandon(self) -> None:
        """Close without marking a clean end (what a crash leaves, minus the last second)."""
        if not self._closed:
            self._closed = True
            self._conn.close()
            release_lock(self._lock_fd)

    def _check_open(self) -> None:
        if self._closed:
            raise RecordingError(f"recording {self.path} is already closed")

    def _run(self, fn: Any) -> None:
        try:
            fn(self._conn)
        except sqlite3.Error as exc:
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            cause = _full_cause(exc)
            if cause is not None:
                self.abandon()
                raise StorageFull(
                    f"no space left while writing {self.path}: {cause}. Everything "
                    f"committed up to the last second ({self.packets_written} packets) is "
                    "kept and readable. Free space on that disk, or start the next "
                    "recording on another one (record -o FILE)"
                ) from exc
            raise RecordingError(f"cannot write {self.path}: {exc}") from exc

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None or exc_type in (KeyboardInterrupt, SystemExit):
            self.close("stopped" if exc_type is None else "interrupted")
        else:
            try:
                self.close(f"error: {exc_type.__name__}")
            except Exception:
                self.abandon()
