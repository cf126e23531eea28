"""Reading a recording: identity checks, then packets streamed in arrival order.

The reader opens files read-only and never loads a whole session into memory. A file
left by a crashed writer opens normally and reports `status == "ended unexpectedly"`
with everything it committed.

The checks made before a file is opened (`check_header`, `page_size`, `read_only_uri`)
are in `file_header.py`, re-exported here.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from types import TracebackType
from typing import Any

from osteomonitor.errors import CorruptRecording, NewerRecording
from osteomonitor.model import DeviceInfo, Event, Packet, SessionMeta
from osteomonitor.store.file_header import check_header, page_size, read_only_uri
from osteomonitor.store.lock import is_being_written
from osteomonitor.store.rows import (
    BAD_PACKET_SQL,
    device_ok,
    event_ok,
    json_object,
    meta_problem,
    packet_ok,
)
from osteomonitor.store.schema import SCHEMA_VERSION

__all__ = [
    "ENDED_CLEANLY",
    "ENDED_UNEXPECTEDLY",
    "RECORDING",
    "RecordingReader",
    "StreamRef",
    "check_header",
    "page_size",
    "read_only_uri",
]

_BATCH = 4096

ENDED_CLEANLY = "ended cleanly"
RECORDING = "recording"
ENDED_UNEXPECTEDLY = "ended unexpectedly"


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
        check_header(self.path)
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
            problem = meta_problem(self._meta_raw)
            if problem is not None:
                raise CorruptRecording(
                    f"{self.path} is damaged: {problem}; `osteomonitor recordings repair` "
                    "salvages its packets into a new file"
                )
            self._devices = self._load_devices()
            self._streams = self._load_streams()
            self._check_wal()
        except sqlite3.DatabaseError as exc:
            raise CorruptRecording(
                f"{self.path} is damaged and cannot be opened ({exc}); keep the file and "
                "its -wal/-shm companions together, and run `osteomonitor recordings "
                "repair` on it to salvage what is readable into a new file"
            ) from exc
        except (json.JSONDecodeError, KeyError, TypeError, ValueError, RecursionError) as exc:
            raise CorruptRecording(
                f"{self.path} is damaged: its session or device description is unreadable "
                f"({exc}); `osteomonitor recordings repair` salvages its packets into a new file"
            ) from exc

    def _check_wal(self) -> None:
        """Refuse a crashed file whose -wal SQLite would read only in part (or not at all).

        SQLite stops at a log's first damaged frame, and ignores a log whose header is
        damaged, without a word: the session would read as shorter, or empty.
        """
        wal = self.path.with_name(self.path.name + "-wal")
        if self.ended_cleanly or not wal.exists() or is_being_written(self.path):
            return
        from osteomonitor.store.wal import scan_wal  # (a crashed file's log only)

        with open(self.path, "rb") as fh:
            scan = scan_wal(wal, page_size(fh.read(100)))
        if not scan.sound:
            raise CorruptRecording(
                f"{self.path} is damaged: its -wal log (the data committed since the last "
                f"checkpoint) has {len(scan.damaged) + (not scan.header_ok)} damaged part(s), "
                f"so only part of it would be read; {len(scan.kept)} of its frames are intact: "
                "`osteomonitor recordings repair` salvages every one of them into a new file"
            )

    # -- structure --------------------------------------------------------------------
    def _load_devices(self) -> dict[int, DeviceInfo]:
        out: dict[int, DeviceInfo] = {}
        rows = self._conn.execute(
            "SELECT id, key, address, name, profile, model, firmware, battery_pct, settings"
            " FROM devices ORDER BY id"
        )
        for row in rows:
            if not device_ok(row):
                raise ValueError(f"device #{row[0]} has a value of the wrong kind")
            key, address, name, profile, model, firmware, battery = row[1:8]
            out[row[0]] = DeviceInfo(
                key, address, name, profile, model, firmware, battery, json.loads(row[8])
            )
        return out

    def _load_streams(self) -> dict[int, StreamRef]:
        return {
            sid: StreamRef(self._devices[dev].key, str(name))
            for sid, dev, name in self._conn.execute("SELECT id, device_id, name FROM streams")
            if dev in self._devices
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
        """Every metadata key, including bookkeeping (created_ns, ended_ns, salvage …)."""
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
        """ "ended cleanly", "recording" (a live writer holds the file's lock) or "ended
        unexpectedly". A lock dies with its process, so a reused pid cannot fake a writer.
        """
        if self.ended_cleanly:
            return ENDED_CLEANLY
        return RECORDING if is_being_written(self.path) else ENDED_UNEXPECTEDLY

    # -- counts and span ----------------------------------------------------------------
    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        """Run a query; a damaged file becomes CorruptRecording naming the file."""
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self.damaged(exc) from exc

    def damaged(self, exc: sqlite3.DatabaseError) -> CorruptRecording:
        """The error for a query that failed because the file is damaged."""
        return CorruptRecording(
            f"{self.path} is damaged ({exc}); other parts may still be readable: "
            "`osteomonitor recordings repair` salvages them into a new file"
        )

    def _scalar(self, sql: str) -> Any:
        return self._rows(sql)[0][0]

    @property
    def packet_count(self) -> int:
        """Number of committed packets."""
        return int(self._scalar("SELECT count(*) FROM packets"))

    def time_span_ns(self) -> tuple[int, int] | None:
        """(first, last) host time of any packet or event, or None for an empty session."""
        (row,) = self._rows(
            "SELECT min(t), max(t) FROM (SELECT t_ns t FROM packets WHERE typeof(t_ns) = "
            "'integer' UNION ALL SELECT t_ns FROM events WHERE typeof(t_ns) = 'integer')"
        )
        if row[0] is None:
            return None
        return int(row[0]), int(row[1])

    @property
    def duration_s(self) -> float:
        """Seconds from the first to the last packet or event."""
        span = self.time_span_ns()
        return 0.0 if span is None else (span[1] - span[0]) / 1e9

    def bad_rows(self) -> tuple[int, int]:
        """(packets, events) whose values are of the wrong kind or that name a stream the
        file does not hold (a damaged or edited file)."""
        bad_packets = int(
            self._scalar(
                f"SELECT count(*) FROM packets WHERE {BAD_PACKET_SQL} "
                "OR stream_id NOT IN (SELECT id FROM streams)"
            )
        )
        rows = self._rows("SELECT id, t_ns, kind, device_id, data FROM events")
        return bad_packets, sum(1 for r in rows if not event_ok(r))

    def damage(self) -> str | None:
        """What is wrong with the rows, in the user's words, or None (a full scan)."""
        bad_packets, bad_events = self.bad_rows()
        if not bad_packets and not bad_events:
            return None
        parts = [
            f"{bad_packets} packet{'s' if bad_packets != 1 else ''}" if bad_packets else "",
            f"{bad_events} event{'s' if bad_events != 1 else ''}" if bad_events else "",
        ]
        verb = "holds" if bad_packets + bad_events == 1 else "hold"
        return (
            f"{' and '.join(p for p in parts if p)} {verb} values of the wrong kind or name "
            "no stream (damaged or edited); `osteomonitor recordings repair` salvages the rest"
        )

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
        out = []
        for t, k, dev, d in rows:
            data = json_object(d)
            if not isinstance(t, int) or not isinstance(k, str) or data is None:
                raise CorruptRecording(
                    f"{self.path} is damaged: an event has values of the wrong kind; "
                    "`osteomonitor recordings repair` salvages the rest"
                )
            out.append(Event(t, k, data, keys.get(dev) if isinstance(dev, int) else None))
        return out

    def packets(self, start_seq: int = 0) -> Iterator[Packet]:
        """Stream packets in arrival order, `_BATCH` rows at a time.

        Raises:
            CorruptRecording: a damaged page or row was reached. Reading narrows down to
                the first packet that cannot be read, so every packet before it has been
                yielded, and the message says how many and when the reading stopped.
        """
        streams = self._streams
        last = start_seq
        n = 0
        batch = _BATCH
        while True:
            try:
                rows = self._conn.execute(
                    "SELECT seq, t_ns, stream_id, payload FROM packets WHERE seq > ? "
                    "ORDER BY seq LIMIT ?",
                    (last, batch),
                ).fetchall()
            except sqlite3.DatabaseError as exc:
                if batch > 1:  # narrow down to the first unreadable packet
                    batch //= 2
                    continue
                raise self._stopped(last, n, "") from exc
            if not rows:
                return
            for row in rows:
                if not packet_ok(row):
                    raise self._stopped(last, n, "a packet holds values of the wrong kind")
                seq, t_ns, sid, payload = row
                ref = streams.get(sid)
                if ref is None:  # a stream committed after we loaded the table
                    streams = self._streams = self._load_streams()
                    ref = streams.get(sid)
                    if ref is None:
                        raise self._stopped(last, n, f"a packet names unknown stream {sid}")
                yield Packet(t_ns, ref.device, ref.stream, payload)
                n += 1
                last = seq
            batch = _BATCH

    def _stopped(self, last: int, n: int, why: str) -> CorruptRecording:
        """The error that ends reading after packet number `last` (`n` read)."""
        at = ""
        try:
            (t_last,) = self._conn.execute(
                "SELECT t_ns FROM packets WHERE seq = ? AND typeof(t_ns) = 'integer'", (last,)
            ).fetchone() or (None,)
            (t0,) = self._conn.execute(
                "SELECT t_ns FROM packets WHERE typeof(t_ns) = 'integer' ORDER BY seq LIMIT 1"
            ).fetchone() or (None,)
            if n and t_last is not None and t0 is not None:
                at = f" ({(t_last - t0) / 1e9:.1f} s into the recording)"
        except sqlite3.DatabaseError:
            pass
        return CorruptRecording(
            f"{self.path} is damaged after packet #{last}{at}"
            + (f" ({why})" if why else "")
            + f": {n} packets were read intact before it and reading stopped there; "
            "`osteomonitor recordings repair` salvages every readable packet, after the "
            "damage too, into a new file"
        )

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
