"""A recording's packets as columns, one query per stream (the batch analysis reads this).

`RecordingReader.packets()` streams rows one by one and checks each; a batch analysis
wants every packet of a stream at once. `packet_columns` runs one query per stream
(rows in arrival order, i.e. by `seq`) and checks the kinds of all values in SQL; it
returns None when any row is of the wrong kind or names no stream, so the caller reads
packet by packet and reports the damage exactly where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.store.reader import RecordingReader


@dataclass(frozen=True, slots=True)
class StreamColumns:
    """Every packet of one stream, in arrival order.

    Attributes:
        device / stream: whose packets these are.
        seq: row numbers (arrival order across all streams).
        t_ns: host arrival times, ns since the Unix epoch.
        payloads: the notifications' bytes.
    """

    device: str
    stream: str
    seq: list[int]
    t_ns: list[int]
    payloads: list[bytes]


def packet_columns(reader: RecordingReader) -> list[StreamColumns] | None:
    """Every stream's packets as columns; None when a row needs the row-by-row reader.

    Raises:
        CorruptRecording: the file is damaged (a query failed).
    """
    out = []
    total = 0
    for sid, ref in sorted(reader._streams.items()):
        rows = reader._rows(
            "SELECT seq, t_ns, payload, typeof(t_ns) = 'integer' AND typeof(payload) = 'blob' "
            "AND typeof(seq) = 'integer' FROM packets WHERE stream_id = ? ORDER BY seq",
            (sid,),
        )
        if not rows:
            continue
        seq, t_ns, payloads, ok = (list(c) for c in zip(*rows, strict=True))
        if not all(ok):
            return None
        total += len(seq)
        out.append(StreamColumns(ref.device, ref.stream, seq, t_ns, payloads))
    if total != reader.packet_count:  # rows naming a stream the file does not hold
        return None
    return out
