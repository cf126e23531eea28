"""The recordings library as use cases: list a folder, describe one file, repair, mark.

`osteomonitor recordings list|info|repair|supervised` parses and prints these; the
library screen lists with the same `list_recordings`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.errors import OsteomonitorError
from osteomonitor.model import DeviceInfo, SetAsideFrames
from osteomonitor.session import recording_set_aside
from osteomonitor.store import ENDED_UNEXPECTEDLY
from osteomonitor.store.library import RecordingInfo, list_recordings
from osteomonitor.store.overrides import effective_meta, write_supervised
from osteomonitor.store.reader import RecordingReader
from osteomonitor.store.repair import CHECKPOINTED, INTACT, RepairResult, repair_recording

__all__ = [
    "CHECKPOINTED",
    "ENDED_UNEXPECTEDLY",
    "INTACT",
    "RecordingDetails",
    "RecordingInfo",
    "RepairResult",
    "list_recordings",
    "mark_supervised",
    "recording_details",
    "repair_recording",
]


@dataclass(frozen=True, slots=True)
class RecordingDetails:
    """Everything `recordings info` shows of one file.

    Attributes:
        path: the file.
        meta: the metadata as stored (raw values, even unknown keys).
        status: "ended cleanly", "recording", or "ended unexpectedly".
        packets: packets in the file; packets_by_device: the same per device key.
        span_ns: (first, last) packet time, ns; None without packets.
        devices: the devices as recorded.
        event_kinds: events per kind.
        set_aside: frames the plausibility gates set aside (empty when the file is too
            damaged to decode; `damage` then says so).
        damage: what is damaged, None when nothing.
    """

    path: Path
    meta: Mapping[str, object]
    status: str
    packets: int
    packets_by_device: Mapping[str, int]
    span_ns: tuple[int, int] | None
    devices: tuple[DeviceInfo, ...]
    event_kinds: Mapping[str, int]
    set_aside: tuple[SetAsideFrames, ...]
    damage: str | None

    @property
    def duration_s(self) -> float:
        """From the first to the last packet, s (0 without packets)."""
        return 0.0 if self.span_ns is None else (self.span_ns[1] - self.span_ns[0]) / 1e9


def recording_details(path: Path) -> RecordingDetails:
    """Read one recording's metadata, devices, counts, events and set-asides.

    Raises:
        RecordingError and subclasses: the file cannot be opened as a recording.
    """
    with RecordingReader(path) as r:
        meta = r.meta_raw
        devices = tuple(r.devices)
        counts = r.packet_counts_by_device()
        kinds = Counter(e.kind for e in r.events())
        span = r.time_span_ns()
        status = r.status
        n = r.packet_count
        damage = r.damage()
    try:
        set_aside = tuple(recording_set_aside(path))
    except OsteomonitorError:  # a damaged file: `damage` already says so
        set_aside = ()
    return RecordingDetails(
        path, meta, status, n, counts, span, devices, dict(kinds), set_aside, damage
    )


def mark_supervised(path: Path, supervised: bool | None) -> Path:
    """Keep the reviewer's supervision flag beside a readable recording; returns the side
    file (the recording itself is never modified).

    Raises:
        RecordingError: the file is not a readable recording.
    """
    effective_meta(path)  # a readable recording (clear error otherwise)
    return write_supervised(path, supervised)
