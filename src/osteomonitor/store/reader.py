"""Reading a recording: identity checks, then packets streamed in arrival order.

The reader opens files read-only and never loads a whole session into memory. A file
left by a crashed writer opens normally and reports `status == "ended unexpectedly"`
with everything it committed.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from types import TracebackType
from typing import Any

from osteomonitor.errors import CorruptRecording, NewerRecording, NotARecording, RecordingError
from osteomonitor.model import DeviceInfo, Event, Packet, SessionMeta
from osteomonitor.store.schema import APPLICATION_ID, SCHEMA_VERSION, SQLITE_MAGIC

_BATCH = 4096

ENDED_CLEANLY = "ended cleanly"
RECORDING = "recording"
ENDED_UNEXPECTEDLY = "ended unexpectedly"


def page_size(header: bytes) -> int:
    """The page size an SQLite header (its first 100 bytes) declares, bytes."""
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens `path` read-only.

    Without a WAL the writer closed (or a crash was checkpointed) and, since writers only
    ever create new files, nobody will write there again: it opens immutable, which
    leaves no -shm/-wal companions beside a finished recording.
    """
    uri = f"file:{path.resolve()}?mode=ro"
    if not path.with_name(path.name + "-wal").exists():
        uri += "&immutable=1"
    return uri


def _check_header(path: Path) -> None:
    """Refuse files that are not, or no longer, a whole SQLite database."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(100)
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RecordingError(f"{path} is a folder, not a recording file") from None
    except PermissionError:
        raise RecordingError(f"{path}: permission denied (recordings are owner-only)") from None
    if size == 0:
        raise NotARecording(f"{path} is empty: not an osteomonitor recording")
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotARecording(
            f"{path} is not an osteomonitor recording (not an SQLite file); "
            "import other tools' exports with 'osteomonitor import'"
        )
    app_id = int.from_bytes(header[68:72], "big")
    if app_id != APPLICATION_ID:
        raise NotARecording(
            f"{path} is an SQLite database but not an osteomonitor recording "
            f"(application id {app_id:#x})"
        )
    version = int.from_bytes(header[60:64], "big")
    if version > SCHEMA_VERSION:
        raise NewerRecording(
            f"{path} was written by a newer osteomonitor (format {version}, this one reads "
            f"up to {SCHEMA_VERSION}): upgrade osteomonitor to read it"
        )
    page = page_size(header)
    n_pages = int.from_bytes(header[28:32], "big")
    wal = path.with_name(path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    # With a live WAL the header may already count pages that only the WAL holds
    # (a checkpoint cut short, e.g. by a full disk): SQLite reads those from the WAL.
    if page and n_pages and not wal_size and size < page * n_pages:
        raise CorruptRecording(
            f"{path} is truncated: {size} bytes on disk, the file says "
            f"{page * n_pages}; the file was cut short (copy interrupted?): copy it "
            "again, or salvage the part present with `osteomonitor recordings repair`"
        )


@dataclass(frozen=True, slots=True)
class StreamRef:
    """Which device and stream a packet row belongs to."""

    device: str
    stream: str


class RecordingReader:
    """Read-only access to one recording.

    Raises:
        RecordingError: missing file; NotARecording: any other file;
        NewerRecording: written by a newer version; CorruptRecording: damaged.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        _check_header(self.path)
        try:
            self._conn = sqlite3.connect(
                read_only_uri(self.path), uri=True, check_same_thread=False
            )
            self._conn.execute("PRAGMA query_only = 1")
            (version,) = self._conn.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise NewerRecording(
                    f"{self.path} was written by a newer osteomonitor (format {version}); "
                    "upgrade osteomonitor to read it"
                )
            self._meta_raw = {
                k: json.loads(v) for k, v in self._conn.execute("SELECT key, value FROM meta")
            }
            self._devices = self._load_devices()
            self._streams = self._load_streams()
        except sqlite3.DatabaseError as exc:
            raise CorruptRecording(
                f"{self.path} is damaged and cannot be opened ({exc}); keep the file and "
                "its -wal/-shm companions together, and run `osteomonitor recordings "
                "repair` on it to salvage what is readable into a new file"
            ) from exc
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise CorruptRecording(f"{self.path} has unreadable metadata ({exc})") from exc

    # -- structure --------------------------------------------------------------------
    def _load_devices(self) -> dict[int, DeviceInfo]:
        out: dict[int, DeviceInfo] = {}
        rows = self._conn.execute(
            "SELECT id, key, address, name, profile, model, firmware, battery_pct, settings"
            " FROM devices ORDER BY id"
        )
        for row in rows:
            key, address, name, profile, model, firmware, battery = row[1:8]
            out[row[0]] = DeviceInfo(
                key, address, name, profile, model, firmware, battery, json.loads(row[8])
            )
        return out

    def _load_streams(self) -> dict[int, StreamRef]:
        return {
            sid: StreamRef(self._devices[dev].key, name)
            for sid, dev, name in self._conn.execute("SELECT id, device_id, name FROM streams")
        }

    @property
    def meta(self) -> SessionMeta:
        """The session metadata the recording was created with."""
        names = {f.name for f in fields(SessionMeta)}
        values = {k: v for k, v in self._meta_raw.items() if k in names}
        if not isinstance(values.get("supervised"), bool):  # absent (old file) or garbled
            values["supervised"] = None
        try:
            return SessionMeta(**values)
        except TypeError as exc:
            raise CorruptRecording(f"{self.path}: session metadata incomplete ({exc})") from exc

    @property
    def meta_raw(self) -> dict[str, Any]:
        """Every metadata key, including bookkeeping (created_ns, ended_ns, writer_pid …)."""
        return dict(self._meta_raw)

    @property
    def devices(self) -> list[DeviceInfo]:
        """Devices in the order they were added."""
        return list(self._devices.values())

    @property
    def ended_cleanly(self) -> bool:
        """True when the writer closed the file normally."""
        return "ended_ns" in self._meta_raw

    @property
    def status(self) -> str:
        """ "ended cleanly", "recording" (the writer is still alive) or "ended unexpectedly"."""
        if self.ended_cleanly:
            return ENDED_CLEANLY
        pid = self._meta_raw.get("writer_pid")
        if self._meta_raw.get("writer_host") == socket.gethostname() and isinstance(pid, int):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return ENDED_UNEXPECTEDLY
            except PermissionError:
                return RECORDING
            return RECORDING
        return ENDED_UNEXPECTEDLY

    # -- counts and span ----------------------------------------------------------------
    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Run a query; a damaged file becomes CorruptRecording naming the file."""
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise CorruptRecording(
                f"{self.path} is damaged ({exc}); other parts may still be readable: "
                "`osteomonitor recordings repair` salvages them into a new file"
            ) from exc

    def _scalar(self, sql: str) -> Any:
        return self._rows(sql)[0][0]

    @property
    def packet_count(self) -> int:
        """Number of committed packets."""
        return int(self._scalar("SELECT count(*) FROM packets"))

    def time_span_ns(self) -> tuple[int, int] | None:
        """(first, last) host time of any packet or event, or None for an empty session."""
        (row,) = self._rows(
            "SELECT min(t), max(t) FROM (SELECT min(t_ns) t FROM packets UNION ALL "
            "SELECT max(t_ns) FROM packets UNION ALL SELECT min(t_ns) FROM events UNION ALL "
            "SELECT max(t_ns) FROM events)"
        )
        if row[0] is None:
            return None
        return int(row[0]), int(row[1])

    @property
    def duration_s(self) -> float:
        """Seconds from the first to the last packet or event."""
        span = self.time_span_ns()
        return 0.0 if span is None else (span[1] - span[0]) / 1e9

    def packet_counts_by_device(self) -> dict[str, int]:
        """Committed packets per device key."""
        out: dict[str, int] = {d.key: 0 for d in self._devices.values()}
        for sid, n in self._rows("SELECT stream_id, count(*) FROM packets GROUP BY 1"):
            ref = self._streams.get(sid)
            if ref is not None:
                out[ref.device] = out.get(ref.device, 0) + int(n)
        return out

    # -- streaming ----------------------------------------------------------------------
    def events(self) -> list[Event]:
        """All events in time order (events are few; they are loaded at once)."""
        keys = {i: d.key for i, d in self._devices.items()}
        rows = self._rows("SELECT t_ns, kind, device_id, data FROM events ORDER BY t_ns, id")
        try:
            return [
                Event(t, k, json.loads(d), keys.get(dev) if dev else None) for t, k, dev, d in rows
            ]
        except (json.JSONDecodeError, TypeError) as exc:
            raise CorruptRecording(f"{self.path}: an event is damaged ({exc})") from exc

    def packets(self, start_seq: int = 0) -> Iterator[Packet]:
        """Stream packets in arrival order, `_BATCH` rows at a time.

        Raises:
            CorruptRecording: a damaged page was reached; the packets yielded before
                it are intact and the message says how many there were.
        """
        streams = self._streams
        last = start_seq
        n = 0
        try:
            while True:
                rows = self._conn.execute(
                    "SELECT seq, t_ns, stream_id, payload FROM packets WHERE seq > ? "
                    "ORDER BY seq LIMIT ?",
                    (last, _BATCH),
                ).fetchall()
                if not rows:
                    return
                for seq, t_ns, sid, payload in rows:
                    ref = streams.get(sid)
                    if ref is None:  # a stream committed after we loaded the table
                        streams = self._streams = self._load_streams()
                        ref = streams.get(sid)
                        if ref is None:
                            raise CorruptRecording(
                                f"{self.path}: packet #{seq} names unknown stream {sid}; "
                                f"the {n} packets before it were read intact"
                            )
                    yield Packet(t_ns, ref.device, ref.stream, payload)
                    n += 1
                last = rows[-1][0]
        except sqlite3.DatabaseError as exc:
            raise CorruptRecording(
                f"{self.path} is damaged after packet #{last} ({exc}); the {n} packets "
                "before it were read intact; `osteomonitor recordings repair` salvages "
                "the readable rest into a new file"
            ) from exc

    def close(self) -> None:
        """Release the file."""
        self._conn.close()

    def __enter__(self) -> RecordingReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
