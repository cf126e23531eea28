"""The library's analyses, computed once per file version and kept in the folder's index.

`indexed_analysis` is `review.analyse_file` with memory: the session driver's summary of
a recording (and its metadata) is kept in the folder's library index
(`store/index.py`), keyed by the file's identity (size, mtime ns, inode), by
`ANALYSIS_VERSION` and by the prescription it was analysed with. A changed file, a new
analysis version or another prescription analyses again; anything wrong with the index
is a miss, never an error. `week`, `recordings list` and the review library read
through it; `osteomonitor analyze FILE` always analyses afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from osteomonitor.model import SessionMeta, SessionSummary
from osteomonitor.prescription import Alert, Prescription
from osteomonitor.session import process_recording, recording_prescription
from osteomonitor.store import summary_codec
from osteomonitor.store.index import FileIdentity, decode_or_none, index_for
from osteomonitor.store.library import RecordingInfo, iter_recording_files, list_recordings

#: Bump when anything changes what the session driver computes from the same bytes
#: (analysis/, devices/ decoding, session/, the summary's fields): kept analyses of
#: another version are recomputed.
ANALYSIS_VERSION = "2026-12-06.2"  # .2: the live monitor's alerts are kept too


@dataclass(frozen=True, slots=True)
class KeptAnalysis:
    """What the index keeps of one analysis besides the metadata: the summary and the
    alerts the live `SafetyMonitor` raised while the driver ran (review shows those,
    not a second rule engine's; see `app/review_alerts.py`)."""

    summary: SessionSummary
    live_alerts: tuple[Alert, ...]


#: (metadata with the review overrides, summary, prescription used, live alerts)
Analysis = tuple[SessionMeta, SessionSummary, Prescription | None, tuple[Alert, ...]]


def rx_key(prescription: Prescription | None) -> str:
    """The index key of the prescription a recording is analysed with ("" = its own
    snapshot, which the file's identity already covers)."""
    if prescription is None:
        return ""
    return hashlib.sha256(repr(prescription).encode()).hexdigest()[:32]


@lru_cache(maxsize=64)
def _snapshot_rx(toml: str, folder: str) -> Prescription | None:
    """A prescription snapshot parsed once per text and folder (a library's recordings
    mostly carry the same one; parsing takes ~15 ms). Its citations name the folder:
    "FOLDER (prescription snapshot)"."""
    meta = SessionMeta("", "", "", "", "", prescription_toml=toml)
    return recording_prescription(meta, folder)


def kept_analysis(
    path: Path,
    prescription: Prescription | None = None,
    *,
    ident: FileIdentity | None = None,
    overrides: bool = True,
) -> Analysis | None:
    """The analysis the folder's index keeps for this file version, or None (never
    analyses; see `indexed_analysis`).

    Args:
        ident: the file's identity when the caller has just stat'ed it (else stat'ed here).
        overrides: False when the caller knows there is no review side file.
    """
    from osteomonitor.store.overrides import apply_overrides

    if ident is None:
        try:
            ident = FileIdentity.of(path)
        except OSError:
            return None
    kept = index_for(path.parent).analysis(path.name, ident, ANALYSIS_VERSION, rx_key(prescription))
    if kept is None:
        return None
    meta = decode_or_none(SessionMeta, kept[0])
    analysis = decode_or_none(KeptAnalysis, kept[1])
    if meta is None or analysis is None:
        return None
    rx = prescription
    if rx is None and meta.prescription_toml:
        rx = _snapshot_rx(meta.prescription_toml, str(path.parent))
    if overrides:
        meta = apply_overrides(meta, path)
    return meta, analysis.summary, rx, analysis.live_alerts


def indexed_analysis(path: Path, prescription: Prescription | None = None) -> Analysis:
    """`review.analyse_file` through the folder's index: (meta, summary, prescription used,
    the live monitor's alerts).

    The metadata carries the review overrides kept beside the file (read every time:
    they change without the recording changing).

    Raises:
        RecordingError / PrescriptionError: the file or its snapshot cannot be read.
    """
    from osteomonitor.store.overrides import apply_overrides

    kept = kept_analysis(path, prescription)
    if kept is not None:
        return kept
    try:
        ident: FileIdentity | None = FileIdentity.of(path)
    except OSError:
        ident = None
    idx = index_for(path.parent) if ident is not None else None
    key = rx_key(prescription)
    meta, proc = process_recording(path, prescription)
    summary = proc.summary()  # finishes every segment: the last jumps reach the monitor
    alerts = tuple(proc.safety_alerts)
    rx = proc.prescription
    if prescription is None and meta.prescription_toml:
        rx = _snapshot_rx(meta.prescription_toml, str(path.parent))  # the same text
    if idx is not None and ident is not None and FileIdentity.of(path) == ident:
        idx.put_analysis(
            path.name,
            ident,
            ANALYSIS_VERSION,
            key,
            summary_codec.encode(meta),
            summary_codec.encode(KeptAnalysis(summary, alerts)),
        )
    return apply_overrides(meta, path), summary, rx, alerts


def indexed_meta(path: Path) -> SessionMeta:
    """A recording's metadata, from the folder's index when a kept analysis of this file
    version has it (no file is opened), else from the file.

    Raises:
        RecordingError: the file cannot be read.
    """
    from osteomonitor.store import RecordingReader

    try:
        ident = FileIdentity.of(path)
    except OSError:
        ident = None
    if ident is not None:
        idx = index_for(path.parent)
        # this version's own analysis first: one query for the folder, not one per file
        own = idx.analysis(path.name, ident, ANALYSIS_VERSION, "")
        kept = own[0] if own is not None else idx.meta(path.name, ident)
        meta = decode_or_none(SessionMeta, kept) if kept is not None else None
        if meta is not None:
            return meta
    with RecordingReader(path) as reader:
        return reader.meta


def _analyse_and_keep(path: str) -> str | None:
    """In a worker process: analyse one recording into its folder's index; the error
    text when it cannot be analysed (picklable both ways)."""
    from osteomonitor.errors import OsteomonitorError

    try:
        indexed_analysis(Path(path))
    except OsteomonitorError as exc:
        return str(exc)
    except Exception as exc:  # a bug must not take the library down
        return f"analysis failed ({type(exc).__name__}: {exc})"
    return None


#: The analysis process's niceness increment: 10 is nice(1)'s default, the usual
#: "background job" priority on POSIX.
BACKGROUND_NICENESS = 10


def analyse_new(
    paths: list[Path], cancelled: Callable[[], bool] = lambda: False
) -> Iterator[tuple[Path, str | None]]:
    """Analyse recordings the index does not keep in a separate process (so the analysis
    never holds the interface's interpreter lock), keeping each result in the folder's
    index; yields (path, error text or None) as each finishes.

    The process is `python -m osteomonitor.app.library PATH…` (no terminal, one line per
    file on a pipe). A file it did not report (it could not start, or died) is yielded
    with no error: the caller's own `indexed_analysis` then analyses it in-process.

    Args:
        paths: recordings to analyse.
        cancelled: polled between results; True stops the process.
    """
    import subprocess
    import sys

    if not paths:
        return
    reported: set[int] = set()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "osteomonitor.app.library", *map(str, paths)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            close_fds=True,
        )
    except OSError:
        proc = None
    if proc is not None and proc.stdout is not None:
        try:
            for line in proc.stdout:
                if cancelled():
                    return
                index, _, error = line.rstrip("\n").partition("\t")
                if index.isdigit() and int(index) < len(paths):
                    reported.add(int(index))
                    yield paths[int(index)], error or None
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
    for k, path in enumerate(paths):
        if k not in reported and not cancelled():
            yield path, None


def _main(argv: list[str]) -> int:
    """`python -m osteomonitor.app.library PATH…`: analyse each file into its folder's
    index; prints "k<TAB>error text" (empty when fine) per file as it finishes.

    Runs at a lower CPU priority (`BACKGROUND_NICENESS`): on a busy machine the
    interface that waits for it keeps its turns (its event loop stalled up to 0.9 s while
    this process competed at equal priority)."""
    import contextlib
    import os

    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):  # not allowed here: the inherited priority
            os.nice(BACKGROUND_NICENESS)
    for k, path in enumerate(argv):
        error = _analyse_and_keep(path) or ""
        print(f"{k}\t{' '.join(error.split())}", flush=True)
    return 0


def patient_recordings(folder: Path, patient: str) -> tuple[list[Path], list[tuple[Path, str]]]:
    """A patient's readable recordings below `folder` (from the index), and the files
    that could not be read with why.

    Raises:
        RecordingError: `folder` does not exist.
    """
    paths: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for info in list_recordings(folder):
        if info.error is not None:
            skipped.append((info.path, info.error))
        elif info.patient == patient:
            paths.append(info.path)
    return sorted(paths), skipped


def library_rows(
    folder: Path, progress: Callable[[int, int], None] | None = None
) -> list[RecordingInfo]:
    """Every recording below `folder` (index-backed), oldest first; `progress` is called
    with (files read, files to read) for files the index did not know."""
    return list_recordings(folder, progress=progress)


__all__ = [
    "ANALYSIS_VERSION",
    "analyse_new",
    "indexed_analysis",
    "indexed_meta",
    "iter_recording_files",
    "kept_analysis",
    "library_rows",
    "patient_recordings",
    "rx_key",
]


if __name__ == "__main__":  # pragma: no cover - run by `analyse_new` in a subprocess
    import sys

    raise SystemExit(_main(sys.argv[1:]))
