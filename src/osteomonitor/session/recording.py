"""Whole recordings through the processor: batch analysis and replay order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from osteomonitor.model import (
    DeviceInfo,
    Event,
    Packet,
    SessionMeta,
    SessionSummary,
    SetAsideFrames,
)
from osteomonitor.session.processor import SessionProcessor

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription import Prescription


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """What a player needs before the first packet.

    Attributes:
        meta: the session metadata; devices: the session's devices.
        span_ns: (first, last) item time, ns; None for an empty recording.
    """

    meta: SessionMeta
    devices: tuple[DeviceInfo, ...]
    span_ns: tuple[int, int] | None


def read_header(path: str | Path) -> RecordingHeader:
    """A recording's metadata, devices and time span (no packet is decoded).

    Raises:
        RecordingError and subclasses: the file cannot be read.
    """
    from osteomonitor.store import RecordingReader

    with RecordingReader(path) as reader:
        return RecordingHeader(reader.meta, tuple(reader.devices), reader.time_span_ns())


def recording_prescription(meta: SessionMeta, path: str | Path) -> Prescription | None:
    """The prescription snapshot stored in a recording, or None.

    A snapshot must always open: one written before a later check (a %HRR band above
    the HR ceiling) is read with `snapshot=True`, which cuts the band at the ceiling and
    lists the cut in `Prescription.warnings`.

    Raises:
        PrescriptionError: the snapshot is invalid (named "<file> (prescription snapshot)").
    """
    if not meta.prescription_toml:
        return None
    from osteomonitor.prescription import parse_prescription

    return parse_prescription(
        meta.prescription_toml, source=f"{path} (prescription snapshot)", snapshot=True
    )


def process_recording(
    path: str | Path, prescription: Prescription | None = None
) -> tuple[SessionMeta, SessionProcessor]:
    """Feed a whole recording through the processor the live view uses.

    The processor is returned unfinished, so a caller can take the final `state()`
    or `hr_points()` before `summary()`. Without `prescription`, the snapshot
    stored in the recording (if any) is used; `proc.prescription` is the one used.

    Raises:
        RecordingError and subclasses: the file cannot be read.
        PrescriptionError: the stored prescription snapshot is invalid.
    """
    from osteomonitor.session.driver import SessionDriver  # (not loaded by the batch path)
    from osteomonitor.store import RecordingReader

    with RecordingReader(path) as reader:
        meta = reader.meta
        if prescription is None:
            prescription = recording_prescription(meta, path)
        driver = SessionDriver(reader.devices, meta, prescription)
        for item in _merged(reader.packets(), reader.events()):
            driver.feed(item)
    return meta, driver.processor


def recording_set_aside(path: str | Path) -> tuple[SetAsideFrames, ...]:
    """What the plausibility gates set aside in a recording (decoded, not analysed).

    Raises:
        RecordingError and subclasses: the file cannot be read.
    """
    from osteomonitor.store import RecordingReader

    with RecordingReader(path) as reader:
        proc = SessionProcessor(reader.devices, reader.meta, decode_only=True)
        proc.feed_many(_merged(reader.packets(), reader.events()))
    return proc.set_aside()


def analyze_recording(
    path: str | Path, prescription: Prescription | None = None
) -> tuple[SessionMeta, SessionSummary]:
    """The summary of a whole recording: `osteomonitor analyze`'s batch path
    (`batch.process_recording_batch`), equal to feeding it through `process_recording`."""
    from osteomonitor.session.batch import process_recording_batch

    meta, proc = process_recording_batch(path, prescription)
    return meta, proc.summary()


def _merged(packets: Iterable[Packet], events: Sequence[Event]) -> Iterator[Packet | Event]:
    """Packets and events interleaved by time (events after packets of equal time)."""
    i, n = 0, len(events)
    for p in packets:
        while i < n and events[i].t_ns < p.t_ns:
            yield events[i]
            i += 1
        yield p
    yield from events[i:]


def replay_items(path: str | Path) -> Iterator[Packet | Event]:
    """Packets and events of a recording merged in time order (for replay)."""
    from osteomonitor.store import RecordingReader

    with RecordingReader(path) as reader:
        yield from _merged(reader.packets(), reader.events())
