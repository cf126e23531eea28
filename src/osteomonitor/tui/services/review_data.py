"""What the review screens show about a recording: analysis, compliance, alerts.

Pure (no Textual) and possibly slow (it decodes and analyses the whole file), so the
screens call it from worker threads and cache the result per file.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from osteomonitor.errors import OsteomonitorError
from osteomonitor.model import SessionMeta, SessionSummary


@dataclass(frozen=True, slots=True)
class SessionReview:
    """One recording as the physio sees it.

    Attributes:
        path: the file. meta / summary: from `analyze_recording` (None on error).
        prescription: the prescription it was judged against (the recording's own
            snapshot unless one was given), or None.
        compliance: `SessionCompliance`, None without a prescription.
        alerts: safety alerts of the session (compliance's, else none).
        error: why the file could not be analysed.
    """

    path: Path
    meta: SessionMeta | None = None
    summary: SessionSummary | None = None
    prescription: Any = None
    compliance: Any = None
    alerts: tuple[Any, ...] = ()
    error: str | None = None


def file_key(path: Path) -> tuple[str, int, int, int]:
    """Cache key: a file's path, size and modification time (ns), and the modification
    time of its review side file (0 without one), so a review override is seen."""
    from osteomonitor.store.overrides import override_path

    st = path.stat()
    try:
        side_ns = override_path(path).stat().st_mtime_ns
    except OSError:
        side_ns = 0
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, side_ns)


def analyse_file(path: Path, prescription: Any) -> tuple[SessionMeta, SessionSummary, Any]:
    """One pass of the session processor over a file: (meta, summary, rx used).

    The same processor, order and prescription as `session.analyze_recording`; the
    metadata carries the review overrides kept beside the file (supervision).
    """
    from osteomonitor.session import process_recording
    from osteomonitor.store.overrides import apply_overrides

    meta, proc = process_recording(path, prescription)
    rx = proc.prescription
    return apply_overrides(meta, path), proc.summary(), rx


def review_session(path: str | os.PathLike[str], prescription: Any = None) -> SessionReview:
    """Analyse one recording and judge it against its prescription; errors become `.error`."""
    p = Path(path)
    try:
        meta, summary, rx = analyse_file(p, prescription)
    except OsteomonitorError as exc:
        return SessionReview(p, error=str(exc))
    except Exception as exc:  # a bug must not take the whole library down
        return SessionReview(p, error=f"analysis failed ({type(exc).__name__}: {exc})")
    base = SessionReview(p, meta, summary, rx)
    if rx is None:
        return base
    from osteomonitor.prescription import evaluate_session

    try:
        compliance = evaluate_session(summary, rx, supervised=meta.supervised)
    except OsteomonitorError as exc:
        return replace(base, error=f"compliance: {exc}")
    return replace(base, compliance=compliance, alerts=tuple(compliance.alerts))


class ReviewCache:
    """Analysed recordings by file (path, size, mtime); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, int, int, int], SessionReview] = {}

    def get(self, path: Path) -> SessionReview | None:
        """The cached review of `path` if the file has not changed since."""
        try:
            key = file_key(path)
        except OSError:
            return None
        with self._lock:
            return self._items.get(key)

    def review(self, path: Path, prescription: Any = None) -> SessionReview:
        """The cached review, or analyse now (slow: call from a worker thread)."""
        cached = self.get(path)
        if cached is not None:
            return cached
        result = review_session(path, prescription)
        try:
            key = file_key(path)
        except OSError:
            return result
        with self._lock:
            self._items[key] = result
        return result
