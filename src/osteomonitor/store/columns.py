"""A recording's packets as columns, in one query (the batch analysis reads this).

`RecordingReader.packets()` streams rows one by one and checks each; a batch analysis
wants every packet of a stream at once. `packet_columns` reads the whole packet table
in one scan, in arrival order (`seq`), as a handful of values: each column's values
joined by SQLite (`group_concat`: numbers as comma-separated text, parsed by numpy;
payloads as one byte string), so no Python object is made per packet. The kinds of
all values are checked in the same scan; it returns None when any row is of the wrong
kind or names no stream, so the caller reads packet by packet and reports the damage
exactly where it is.
"""

from __future__ import annotations

import sqlite3
import warnings
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    from osteomonitor.store.reader import RecordingReader

    IntArray = npt.NDArray[np.int64]
    U8Array = npt.NDArray[np.uint8]

#: Zero bytes after the joined payloads (array decoders read 32- and 64-bit windows
#: that may start in a payload's last byte: `devices.pmd_batch.SLACK`).
SLACK = 8

#: Largest SQLite integer: any TEXT or BLOB value compares greater, every number not.
_MAX_INT = "9223372036854775807"
# One scan, three values: the arrival times, each row's payload length and stream (one
# number, `length × (K + 1) + stream_id`), and the payloads, each joined by SQLite in
# row order. `NOT INDEXED` makes it a scan of the table's b-tree, which visits the rows
# in rowid = `seq` order (the arrival order), so the position in the joined text is
# the packet's place in that order. Payloads are joined as text (`group_concat` of a
# blob keeps its bytes); the connection hands them over as bytes while this query runs.
# The kinds are checked as the row-by-row reader checks them (`rows.BAD_PACKET_SQL`),
# inside each value: a row with text, a blob or NULL in `t_ns`, a payload that is not a
# blob, or a `stream_id` that is not an integer in 0..K gives 'x' instead of its
# number, which `_ints` refuses (a real number there is written with a '.' or an
# exponent, which `_ints` refuses too); so every column holds one entry per row.
_SQL = (
    "SELECT group_concat(CASE WHEN t_ns <= {max_int} THEN t_ns ELSE 'x' END), "
    "group_concat(CASE WHEN stream_id BETWEEN 0 AND {k} AND payload >= x'' "
    "THEN length(payload) * {k1} + stream_id ELSE 'x' END), "
    "group_concat(payload, '') FROM packets NOT INDEXED"
)

#: SQLite reads a finished recording's pages through a memory map (`PRAGMA mmap_size`),
#: without a copy per page: ~2.5 ms of the 20 ms an hour's read takes.
_MMAP_BYTES = 1 << 40


@dataclass(frozen=True)
class StreamColumns:
    """Every packet of one stream, in arrival order.

    Attributes:
        device / stream: whose packets these are.
        seq: (n,) int64 place of each packet in the recording's arrival order
            (0-based, across all streams; rows by `seq`).
        t_ns: (n,) int64 host arrival times, ns since the Unix epoch.
        data: uint8 bytes of every packet of the recording (all streams share it),
            followed by `SLACK` zero bytes.
        offsets / lengths: (n,) int64 where each of this stream's payloads is in `data`.
    """

    device: str
    stream: str
    seq: IntArray
    t_ns: IntArray
    data: U8Array
    offsets: IntArray
    lengths: IntArray

    @cached_property
    def payloads(self) -> list[bytes]:
        """The notifications' bytes, one object each (made on first use)."""
        raw = self.data.tobytes()
        return [
            raw[o : o + n]
            for o, n in zip(self.offsets.tolist(), self.lengths.tolist(), strict=True)
        ]


def packet_columns(reader: RecordingReader) -> list[StreamColumns] | None:
    """Every stream's packets as columns; None when a row needs the row-by-row reader.

    Raises:
        CorruptRecording: the file is damaged (the query failed).
    """
    streams = reader._streams
    k = max(streams, default=0)
    if min(streams, default=0) < 0:
        return None  # (stream ids written by hand: the packing below assumes ≥ 0)
    conn = reader._conn
    before = conn.text_factory
    conn.text_factory = bytes  # joined payloads are bytes, not UTF-8 text
    # a finished recording (no log beside it) is never written again: its pages can be
    # mapped (a file being written stays read by copy: SQLite's map is unsafe if the
    # file shrinks under it)
    mapped = not reader.path.with_name(reader.path.name + "-wal").exists()
    try:
        if mapped:
            conn.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
        sql = _SQL.format(max_int=_MAX_INT, k=k, k1=k + 1)
        t_s, ls_s, joined = conn.execute(sql).fetchone()
    except sqlite3.DataError:  # longer than SQLite's largest string: read row by row
        return None
    except sqlite3.DatabaseError as exc:
        raise reader.damaged(exc) from exc
    finally:
        conn.text_factory = before
        if mapped:
            with suppress(sqlite3.Error):
                conn.execute("PRAGMA mmap_size = 0")
    if t_s is None:
        return []  # no packets
    t_ns = _ints(t_s, None)
    if t_ns is None:
        return None
    n = t_ns.size
    packed = _ints(ls_s, n)
    if packed is None:
        return None  # not what the kinds promised: leave it to the row-by-row reader
    lens, sid = np.divmod(packed, k + 1)
    offs = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1], out=offs[1:])
    if not isinstance(joined, bytes) or len(joined) != int(offs[-1] + lens[-1]):
        return None
    data = np.frombuffer(joined + bytes(SLACK), dtype=np.uint8)
    seq = np.arange(n, dtype=np.int64)
    out = []
    # the streams present, by counting when the ids are small (as SQLite numbers them:
    # 1, 2, …), else by a set; not np.unique, which imports numpy.ma (~13 ms of every
    # `analyze` process)
    present = (
        np.flatnonzero(np.bincount(sid)).tolist() if k < 1 << 16 else sorted(set(sid.tolist()))
    )
    for s in present:
        ref = streams.get(s)
        if ref is None:  # rows naming a stream the file does not hold
            return None
        mine = np.flatnonzero(sid == s)
        out.append(
            StreamColumns(
                ref.device, ref.stream, seq[mine], t_ns[mine], data, offs[mine], lens[mine]
            )
        )
    return out


def _ints(text: bytes | None, n: int | None) -> IntArray | None:
    """`n` (any number if None) comma-separated integers as int64, or None when the
    text is anything else."""
    if not isinstance(text, bytes):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy warns (not raises) on trailing garbage
        try:
            values = np.fromstring(text, dtype=np.int64, sep=",")
        except (ValueError, DeprecationWarning):
            return None
    return values if n is None or values.size == n else None
