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
# One scan: counts and kinds, then each column joined in row order (SQLite visits a
# table's rows in rowid = `seq` order; `packet_columns` checks that it did). Payloads
# are joined as text (`group_concat` of a blob keeps its bytes); the connection hands
# them over as bytes while this query runs. The kinds are checked as the row-by-row
# reader checks them (`rows.BAD_PACKET_SQL`), with comparisons instead of `typeof` (a
# third of the scan's time): text or a blob in `t_ns` or `stream_id` is greater than
# `_MAX_INT`, a payload that is not a blob is less than the empty blob; a real number
# there fails `_ints` (SQLite writes it with a '.' or an exponent) and a NULL is missing
# from its joined column (the counts differ); `seq` is the rowid, always an integer.
_SQL = (
    f"SELECT count(*), sum(t_ns > {_MAX_INT} OR stream_id > {_MAX_INT} OR payload < x''), "
    "group_concat(seq), group_concat(stream_id), group_concat(t_ns), "
    "group_concat(length(payload)), group_concat(payload, '') FROM packets"
)


@dataclass(frozen=True)
class StreamColumns:
    """Every packet of one stream, in arrival order.

    Attributes:
        device / stream: whose packets these are.
        seq: (n,) int64 row numbers (arrival order across all streams).
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
    conn = reader._conn
    before = conn.text_factory
    conn.text_factory = bytes  # joined payloads are bytes, not UTF-8 text
    try:
        n, bad, seq_s, sid_s, t_s, len_s, joined = conn.execute(_SQL).fetchone()
    except sqlite3.DataError:  # longer than SQLite's largest string: read row by row
        return None
    except sqlite3.DatabaseError as exc:
        raise reader.damaged(exc) from exc
    finally:
        conn.text_factory = before
    if not n:
        return []
    if bad:
        return None
    seq, sid, t_ns, lens = (_ints(s, n) for s in (seq_s, sid_s, t_s, len_s))
    if seq is None or sid is None or t_ns is None or lens is None:
        return None  # not what the kinds promised: leave it to the row-by-row reader
    offs = np.zeros(n, dtype=np.int64)
    np.cumsum(lens[:-1], out=offs[1:])
    if not isinstance(joined, bytes) or len(joined) != int(offs[-1] + lens[-1]):
        return None
    if np.any(seq[1:] <= seq[:-1]):  # not visited in `seq` order: leave it to the reader
        return None
    data = np.frombuffer(joined + bytes(SLACK), dtype=np.uint8)
    out = []
    streams = reader._streams
    # sorted(set(...)), not np.unique: np.unique imports numpy.ma (~13 ms of every
    # `analyze` process) and the streams are a handful
    for s in sorted(set(sid.tolist())):
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


def _ints(text: bytes | None, n: int) -> IntArray | None:
    """`n` comma-separated integers as int64, or None when the text is anything else."""
    if not isinstance(text, bytes):
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy warns (not raises) on trailing garbage
        try:
            values = np.fromstring(text, dtype=np.int64, sep=",")
        except (ValueError, DeprecationWarning):
            return None
    return values if values.size == n else None
