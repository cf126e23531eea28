"""One recording reviewed: analysed (`analyse_file`) and judged (`judge`) with the
prescription it is judged against, as a `SessionReview`; `review_session` does both and
turns errors into the review's `error`. Also the supervision flag a reviewer keeps
beside a recording (`set_supervised`).

Analysis is `session.process_recording_batch` (the summary the driver live and replay
give, computed on whole arrays); judgement is `prescription.evaluate_session`, with the
live monitor's alerts (`app/review_alerts.py`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from osteomonitor.errors import OsteomonitorError

if TYPE_CHECKING:  # the analysis and the judgement are imported where they run
    from osteomonitor.model import SessionMeta, SessionSummary
    from osteomonitor.prescription import Alert, Prescription, SessionCompliance
    from osteomonitor.store.index import FileIdentity

#: Cache key of a file: (resolved path, size in bytes, modification time in ns).
FileKey = tuple[str, int, int, int]


@dataclass(frozen=True, slots=True)
class SessionReview:
    """One recording as the physio sees it.

    Attributes:
        path: the file. meta / summary: from the analysis (None on error).
        prescription: the prescription it was analysed and judged with (the recording's
            own snapshot unless one was given), or None.
        compliance: the verdict, None without a prescription.
        alerts: safety alerts of the session (compliance's, else none).
        error: why the file could not be analysed.
    """

    path: Path
    meta: SessionMeta | None = None
    summary: SessionSummary | None = None
    prescription: Prescription | None = None
    compliance: SessionCompliance | None = None
    alerts: tuple[Alert, ...] = ()
    error: str | None = None


@lru_cache(maxsize=256)
def _real_folder(folder: str) -> str:
    """An absolute folder with its symbolic links resolved, once per folder."""
    return os.path.realpath(folder)


def file_key(path: Path, st: os.stat_result | None = None) -> FileKey:
    """Cache key: a file's path (its folder resolved), size and modification time (ns),
    and the modification time of its review side file (0 without one), so a review
    override is seen.

    Args:
        st: the file's `os.stat` when the caller has it (else stat'ed here).
    """
    from osteomonitor.store.overrides import OVERRIDE_SUFFIX

    name = os.fspath(path)
    if st is None:
        st = os.stat(name)
    try:
        side_ns = os.stat(name + OVERRIDE_SUFFIX).st_mtime_ns
    except OSError:
        side_ns = 0
    folder, base = os.path.split(name)
    if os.path.isabs(folder):  # resolved once per folder (relative: cwd may change)
        real = os.path.join(_real_folder(folder), base)
    else:
        real = os.path.realpath(name)
    return (real, st.st_size, st.st_mtime_ns, side_ns)


def analyse_file(
    path: str | Path, prescription: Prescription | None = None
) -> tuple[SessionMeta, SessionSummary, Prescription | None]:
    """A file analysed whole (`session.process_recording_batch`, the same summary as
    one pass of the session driver): (meta, summary, prescription used).

    The metadata carries the review overrides kept beside the file (supervision).

    Raises:
        RecordingError / PrescriptionError: the file or its snapshot cannot be read.
    """
    from osteomonitor.session.batch import process_recording_batch
    from osteomonitor.store.overrides import apply_overrides

    meta, proc = process_recording_batch(path, prescription)
    return apply_overrides(meta, path), proc.summary(), proc.prescription


def judge(
    path: Path,
    meta: SessionMeta,
    summary: SessionSummary,
    rx: Prescription | None,
    *,
    strict: bool = False,
) -> SessionReview:
    """A session's review from its analysis: compliance and alerts when there is a rx.

    Raises:
        OsteomonitorError: with `strict`, the verdict could not be computed (else the
            reason is the review's `error`).
    """
    base = SessionReview(path, meta, summary, rx)
    if rx is None:
        return base
    from osteomonitor.prescription.compliance import evaluate_session

    try:
        compliance = evaluate_session(summary, rx, supervised=meta.supervised)
    except OsteomonitorError as exc:
        if strict:
            raise
        return replace(base, error=f"compliance: {exc}")
    return replace(base, compliance=compliance, alerts=tuple(compliance.alerts))


def review_session(
    path: str | os.PathLike[str], prescription: Prescription | None = None, indexed: bool = False
) -> SessionReview:
    """Analyse one recording and judge it against its prescription; errors become `.error`.

    With `indexed`, the analysis is read from (or kept in) the folder's library index
    (`app.library.indexed_analysis`).
    """
    from osteomonitor.app.library import indexed_analysis
    from osteomonitor.app.review_alerts import analyse_with_alerts

    p = Path(path)
    ident = None
    try:
        if indexed:  # the library index keeps the summary, the live alerts, the verdict
            ident = _identity(p)
            meta, summary, rx, live_alerts = indexed_analysis(p, prescription)
            if ident is not None and _identity(p) != ident:
                ident = None  # changed meanwhile: judge, keep nothing
        else:
            meta, summary, rx, live_alerts = analyse_with_alerts(p, prescription)
    except OsteomonitorError as exc:
        return SessionReview(p, error=str(exc))
    except Exception as exc:  # a bug must not take the whole library down
        return SessionReview(p, error=f"analysis failed ({type(exc).__name__}: {exc})")
    if ident is None:
        return reviewed(p, meta, summary, rx, live_alerts)
    from osteomonitor.app.kept_reviews import judged
    from osteomonitor.app.library import rx_key

    return judged(p, meta, summary, rx, live_alerts, ident, rx_key(prescription))


def _identity(path: Path) -> FileIdentity | None:
    from osteomonitor.store.index import FileIdentity

    try:
        return FileIdentity.of(path)
    except OSError:
        return None


def reviewed(
    path: Path,
    meta: SessionMeta,
    summary: SessionSummary,
    rx: Prescription | None,
    live_alerts: tuple[Alert, ...],
) -> SessionReview:
    """The judged session with the live monitor's alerts (see `app/review_alerts.py`)."""
    review = judge(path, meta, summary, rx)
    if rx is None:
        return review
    from osteomonitor.app.review_alerts import review_alerts

    return replace(review, alerts=review_alerts(live_alerts, summary))


def set_supervised(path: str | Path, supervised: bool | None) -> Path:
    """Keep a reviewer's supervision flag for a recording beside it (`FILE.review.json`);
    the recording itself is never modified. Returns the side file's path."""
    from osteomonitor.store.overrides import write_supervised

    return write_supervised(path, supervised)
