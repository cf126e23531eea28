"""The recordings library: every recording in a folder, summarised without decoding.

A file that cannot be read is listed with its error instead of stopping the listing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.errors import CorruptRecording, OsteomonitorError, RecordingError
from osteomonitor.store.reader import RecordingReader
from osteomonitor.store.schema import SUFFIX


@dataclass(frozen=True, slots=True)
class RecordingInfo:
    """One row of the library.

    Attributes:
        path: the file; start_iso: local start with offset; duration_s: seconds;
        devices: "key (profile)" strings; status: ended cleanly / recording /
        ended unexpectedly; error: why the file could not be read (other fields empty).
    """

    path: Path
    patient: str = ""
    kind: str = ""
    start_iso: str = ""
    duration_s: float = 0.0
    devices: tuple[str, ...] = ()
    packet_count: int = 0
    status: str = ""
    simulated: bool = False
    error: str | None = None


def recording_info(path: str | os.PathLike[str]) -> RecordingInfo:
    """Summarise one recording; errors become `RecordingInfo.error`."""
    p = Path(path)
    try:
        with RecordingReader(p) as r:
            meta = r.meta
            damage = r.damage()
            if damage is not None:
                return RecordingInfo(path=p, error=f"damaged: {p}: {damage}")
            return RecordingInfo(
                path=p,
                patient=meta.patient,
                kind=meta.kind,
                start_iso=meta.start_iso,
                duration_s=r.duration_s,
                devices=tuple(f"{d.key} ({d.profile})" for d in r.devices),
                packet_count=r.packet_count,
                status=r.status,
                simulated=bool(meta.simulated),
            )
    except CorruptRecording as exc:
        return RecordingInfo(path=p, error=f"damaged: {exc}")
    except OsteomonitorError as exc:
        return RecordingInfo(path=p, error=str(exc))
    except (sqlite3.Error, OSError, ValueError, TypeError, RecursionError) as exc:
        # whatever else one damaged file throws must not hide the others
        return RecordingInfo(path=p, error=f"damaged: unreadable ({type(exc).__name__}: {exc})")


def iter_recording_files(folder: str | os.PathLike[str]) -> Iterator[Path]:
    """Recording files below `folder` (recursively), sorted by name.

    Anything named `*.omrec` that is not a folder is yielded; `recording_info` refuses
    non-regular files (FIFOs, devices) with a reason before opening them.
    """
    root = Path(folder)
    if not root.exists():
        raise RecordingError(f"{root}: no such folder")
    if not root.is_dir():
        yield root  # a file, or something else the reader will refuse with a reason
        return
    # not only regular files: a FIFO named *.omrec is listed with its refusal
    yield from sorted(p for p in root.rglob(f"*{SUFFIX}") if not p.is_dir())


def list_recordings(folder: str | os.PathLike[str]) -> list[RecordingInfo]:
    """Every recording below `folder`, oldest start first (unreadable files last)."""
    infos = [recording_info(p) for p in iter_recording_files(folder)]
    return sorted(infos, key=lambda i: (i.error is not None, i.start_iso, str(i.path)))
