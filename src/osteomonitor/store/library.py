"""The recordings library: every recording in a folder, summarised without decoding.

A file that cannot be read is listed with its error instead of stopping the listing.
Each row is computed once per file version and kept in the folder's library index
(`store/index.py`): a warm listing of a thousand recordings stats the files and reads
one table instead of scanning every packet table.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from osteomonitor.errors import CorruptRecording, OsteomonitorError, RecordingError
from osteomonitor.store.index import FileIdentity, LibraryIndex, index_for
from osteomonitor.store.reader import RECORDING, RecordingReader
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


def _row_json(info: RecordingInfo) -> str:
    return json.dumps({f.name: getattr(info, f.name) for f in fields(info) if f.name != "path"})


def _row_of(path: Path, text: str) -> RecordingInfo | None:
    """A kept row, or None when it does not read as one (it is then recomputed)."""
    try:
        d = json.loads(text)
        info = RecordingInfo(
            path=path,
            patient=d["patient"],
            kind=d["kind"],
            start_iso=d["start_iso"],
            duration_s=float(d["duration_s"]),
            devices=tuple(d["devices"]),
            packet_count=d["packet_count"],
            status=d["status"],
            simulated=d["simulated"],
            error=d["error"],
        )
    except (ValueError, TypeError, KeyError):
        return None
    texts = (info.patient, info.kind, info.start_iso, info.status, *info.devices)
    if not all(isinstance(t, str) for t in texts) or not isinstance(info.packet_count, int):
        return None
    return info


def _keepable(info: RecordingInfo) -> bool:
    """Rows that depend only on the file's bytes: not a file being written (its status
    changes when the writer's lock drops) and not a passing I/O error."""
    if info.error is not None:
        return info.error.startswith("damaged")
    return info.status != RECORDING


def indexed_infos(
    paths: list[Path],
    index_of: Callable[[Path], LibraryIndex | None] = lambda folder: index_for(folder),
    progress: Callable[[int, int], None] | None = None,
) -> list[RecordingInfo]:
    """`recording_info` of each path, from the folder's index when the file is unchanged.

    Args:
        paths: recording files.
        index_of: the index of a folder (None: no index).
        progress: called with (files done, files) after each file that had to be read.
    """
    by_folder: dict[Path, list[Path]] = {}
    for p in paths:
        by_folder.setdefault(p.parent, []).append(p)
    out: dict[Path, RecordingInfo] = {}
    todo: list[tuple[Path, LibraryIndex | None, FileIdentity | None]] = []
    for folder, files in by_folder.items():
        idx = index_of(folder)
        kept = idx.infos() if idx is not None else {}
        for p in files:
            try:
                ident = FileIdentity.of(p)
            except OSError:
                ident = None
            hit = kept.get(p.name)
            info = _row_of(p, hit[1]) if hit is not None and hit[0] == ident else None
            if info is not None:
                out[p] = info
            else:
                todo.append((p, idx, ident))
        if idx is not None:
            idx.forget_missing({p.name for p in folder.glob(f"*{SUFFIX}")})
    for k, (p, idx, ident) in enumerate(todo, start=1):
        info = recording_info(p)
        out[p] = info
        if idx is not None and ident is not None and _keepable(info):
            idx.put_info(p.name, ident, _row_json(info))
        if progress is not None:
            progress(k, len(todo))
    return [out[p] for p in paths]


def list_recordings(
    folder: str | os.PathLike[str], progress: Callable[[int, int], None] | None = None
) -> list[RecordingInfo]:
    """Every recording below `folder`, oldest start first (unreadable files last).

    Rows come from each folder's library index when the file is unchanged.
    """
    infos = indexed_infos(list(iter_recording_files(folder)), progress=progress)
    return sorted(infos, key=lambda i: (i.error is not None, i.start_iso, str(i.path)))
