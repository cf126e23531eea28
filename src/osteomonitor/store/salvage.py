"""Salvage: every readable row of a damaged recording, and what was lost, in user terms.

Rows are read through SQLite from a private read copy (the original is never opened
for writing); a row whose values are of the wrong kind (`store.rows`) is left out and
counted like an unreadable one. Packets are numbered densely in arrival order, so the
numbers missing between those read are the packets lost, and the times of their
neighbours say how many seconds went with them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from osteomonitor.model import SessionMeta
from osteomonitor.store.rows import (
    META_TYPES,
    device_ok,
    event_ok,
    json_object,
    packet_ok,
    stream_ok,
)

#: Largest row number the salvage probes for (SQLite's rowid limit).
_MAX_KEY = 2**62
#: Rows read per query while salvaging.
_READ_BATCH = 4096


@dataclass(frozen=True, slots=True)
class Loss:
    """What a salvage could not bring back, in the user's terms.

    Attributes:
        packets: packets known lost (numbers missing between those read), plus an
            estimate of those after the last one read when the end is lost.
        seconds: recording time those packets covered, s.
        ranges: the missing packet numbers as inclusive (first, last) ranges.
        end_lost: the end of the packet table could not be read.
        streams: "device/stream" names that had packets before and have none now.
    """

    packets: int = 0
    seconds: float = 0.0
    ranges: tuple[tuple[int, int], ...] = ()
    end_lost: bool = False
    streams: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rows:
    """The readable rows of each table, checked."""

    meta: dict[str, Any]
    devices: list[tuple[Any, ...]]
    streams: list[tuple[Any, ...]]
    packets: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    loss: Loss


@dataclass(frozen=True, slots=True)
class RawRows:
    """Rows as read, before any check (keyed tables in key order)."""

    meta: dict[str, Any]
    devices: list[tuple[Any, ...]]
    streams: list[tuple[Any, ...]]
    packets: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    packets_end: bool

    def fill_from(self, other: RawRows) -> RawRows:
        """These rows plus the session description only `other` could read.

        Used with a second reading of a damaged log that includes its damaged frames:
        a damaged frame is often the only copy of a small table's page (the streams
        that say whose packets are whose). Only metadata keys, devices and streams
        missing here are taken from it; packets and events come from frames that
        check, so no value from a damaged frame reaches a clinical number.
        """

        def union(mine: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]]) -> list[Any]:
            have = {r[0] for r in mine}
            merged = mine + [r for r in theirs if r[0] not in have]
            return sorted(merged, key=lambda r: (not isinstance(r[0], int), r[0]))

        return RawRows(
            other.meta | self.meta,
            union(self.devices, other.devices),
            union(self.streams, other.streams),
            self.packets,
            self.events,
            self.packets_end,
        )


def read_raw(conn: sqlite3.Connection) -> RawRows:
    """Every row that SQLite can still read behind `conn` (read-only)."""
    meta = _salvage_meta(conn)
    devices, _ = _salvage_table(
        conn, "devices", "id, key, address, name, profile, model, firmware, battery_pct, settings"
    )
    streams, _ = _salvage_table(conn, "streams", "id, device_id, name")
    packets, packets_end = _salvage_table(conn, "packets", "seq, t_ns, stream_id, payload", "seq")
    events, _ = _salvage_table(conn, "events", "id, t_ns, kind, device_id, data")
    return RawRows(meta, devices, streams, packets, events, packets_end)


def checked(raw: RawRows) -> Rows:
    """The well-formed rows (`store.rows`) and what is missing."""
    devices = [d for d in map(_mended_device, raw.devices) if d is not None]
    dev_ids = {d[0] for d in devices}
    streams = [s for s in raw.streams if stream_ok(s) and s[1] in dev_ids]
    stream_ids = {s[0] for s in streams}
    kept = [p for p in raw.packets if packet_ok(p) and p[2] in stream_ids]
    events = [e for e in raw.events if event_ok(e) and (e[3] is None or e[3] in dev_ids)]
    loss = _loss(kept, not raw.packets_end, raw.meta, devices, streams)
    return Rows(raw.meta, devices, streams, kept, events, loss)


def _mended_device(row: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """A device row whose descriptive values of the wrong kind are cleared (its packets
    stay decodable: only the key and profile matter to them), or None without those."""
    if device_ok(row):
        return row
    dev_id, key, address, name, profile, model, firmware, battery, settings = row
    if not (isinstance(dev_id, int) and isinstance(key, str) and key and isinstance(profile, str)):
        return None
    mended = (
        dev_id,
        key,
        address if isinstance(address, str) else "",
        name if isinstance(name, str) else "",
        profile,
        model if isinstance(model, str) else None,
        firmware if isinstance(firmware, str) else None,
        battery if isinstance(battery, int) and not isinstance(battery, bool) else None,
        settings if json_object(settings) is not None else "{}",
    )
    return mended if device_ok(mended) else None


def _loss(
    kept: list[tuple[Any, ...]],
    end_lost: bool,
    meta: dict[str, Any],
    devices: list[tuple[Any, ...]],
    streams: list[tuple[Any, ...]],
) -> Loss:
    ranges = gaps([int(p[0]) for p in kept])
    n_lost = sum(b - a + 1 for a, b in ranges)
    t_of = {int(p[0]): int(p[1]) for p in kept}
    seconds = sum(max(0, t_of[b + 1] - t_of[a - 1]) for a, b in ranges if a - 1 in t_of) / 1e9
    ended = meta.get("ended_ns")
    if end_lost and kept and isinstance(ended, int) and ended > kept[-1][1]:
        tail_s = (ended - int(kept[-1][1])) / 1e9
        span_s = (int(kept[-1][1]) - int(kept[0][1])) / 1e9
        seconds += tail_s
        if span_s > 0:  # at the rate of the part read
            n_lost += round(len(kept) / span_s * tail_s)
    keys = {d[0]: d[1] for d in devices}
    with_packets = {p[2] for p in kept}
    lost_streams = tuple(
        sorted(f"{keys[s[1]]}/{s[2]}" for s in streams if s[0] not in with_packets)
    )
    return Loss(n_lost, round(seconds, 3), tuple(ranges), end_lost, lost_streams)


def _salvage_meta(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every readable metadata key (the table has no rowid: whole, else key by key)."""
    try:
        rows = conn.execute("SELECT key, value FROM meta").fetchall()
    except sqlite3.DatabaseError:
        rows = []
        for key in [f.name for f in fields(SessionMeta)] + list(META_TYPES):
            try:
                rows += conn.execute("SELECT key, value FROM meta WHERE key = ?", (key,)).fetchall()
            except sqlite3.DatabaseError:
                continue
    out: dict[str, Any] = {}
    for key, value in rows:
        try:
            out[str(key)] = json.loads(value)
        except (json.JSONDecodeError, TypeError, RecursionError):
            continue
    # a value of the wrong kind is dropped (placeholders fill the required ones)
    return {
        k: v
        for k, v in out.items()
        if k not in META_TYPES
        or (isinstance(v, META_TYPES[k]) and (bool in META_TYPES[k] or not isinstance(v, bool)))
    }


def _salvage_table(
    conn: sqlite3.Connection, table: str, columns: str, key: str = "id"
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


def gaps(keys: list[int]) -> list[tuple[int, int]]:
    """Missing numbers between consecutive keys (rows are numbered densely from 1)."""
    out: list[tuple[int, int]] = []
    prev = 0
    for k in keys:
        if k > prev + 1:
            out.append((prev + 1, k - 1))
        prev = max(prev, k)
    return out


def fill_required(meta: dict[str, Any], packets: list[tuple[Any, ...]]) -> None:
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


def write_rows(conn: sqlite3.Connection, rows: Rows, meta: dict[str, Any]) -> None:
    """Insert the salvaged rows into a new recording's empty tables, in one transaction."""
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO meta(key, value) VALUES (?, ?)",
        [(k, json.dumps(v)) for k, v in meta.items()],
    )
    conn.executemany("INSERT INTO devices VALUES (?,?,?,?,?,?,?,?,?)", rows.devices)
    conn.executemany("INSERT INTO streams VALUES (?,?,?)", rows.streams)
    conn.executemany("INSERT INTO events VALUES (?,?,?,?,?)", rows.events)
    conn.executemany("INSERT INTO packets VALUES (?,?,?,?)", rows.packets)
    conn.execute("COMMIT")
