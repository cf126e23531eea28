"""Review use cases: a recording analysed and judged, its exports, a patient's weeks.

Headless (no Textual, no printing): `osteomonitor analyze` / `osteomonitor week` print
what these return, the review screens render it. Both therefore judge a session the
same way:

- a session is analysed by `session.process_recording_batch` (the summary the
  driver live and replay give, computed on whole arrays) with the prescription it
  is judged against, and judged by `prescription.evaluate_session`;
- a patient's weeks follow ONE prescription rule (`weeks_prescription`): the one
  given, else the snapshot stored in the patient's newest recording; every session of
  the weeks is analysed AND judged with that same prescription (its HRrest, HRmax and
  %HRR band decide the minutes in band that its targets then judge).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from osteomonitor import report
from osteomonitor.app.review_alerts import analyse_with_alerts, review_alerts
from osteomonitor.errors import OsteomonitorError, UsageError
from osteomonitor.model import SessionMeta, SessionSummary
from osteomonitor.prescription import (
    Alert,
    Prescription,
    SessionCompliance,
    evaluate_session,
    evaluate_week,
)
from osteomonitor.prescription.week import WeekReport
from osteomonitor.report import set_aside_lines
from osteomonitor.session import (
    process_recording_batch,
    recording_prescription,
    recording_set_aside,
)
from osteomonitor.store import RecordingReader
from osteomonitor.store.library import RecordingInfo, list_recordings

__all__ = [
    "PatientWeeks",
    "RecordingInfo",
    "ReviewCache",
    "SessionReview",
    "analyse_file",
    "export_review",
    "judge",
    "list_recordings",
    "patient_weeks",
    "recording_prescription",
    "recording_set_aside",
    "review_session",
    "set_aside_lines",
    "set_supervised",
    "week_report",
    "week_reports",
    "weeks_prescription",
]

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


def file_key(path: Path) -> FileKey:
    """Cache key: a file's path, size and modification time (ns), and the modification
    time of its review side file (0 without one), so a review override is seen."""
    from osteomonitor.store.overrides import override_path

    st = path.stat()
    try:
        side_ns = override_path(path).stat().st_mtime_ns
    except OSError:
        side_ns = 0
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, side_ns)


def analyse_file(
    path: str | Path, prescription: Prescription | None = None
) -> tuple[SessionMeta, SessionSummary, Prescription | None]:
    """A file analysed whole (`session.process_recording_batch`, the same summary as
    one pass of the session driver): (meta, summary, prescription used).

    The metadata carries the review overrides kept beside the file (supervision).

    Raises:
        RecordingError / PrescriptionError: the file or its snapshot cannot be read.
    """
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

    p = Path(path)
    try:
        if indexed:  # the library index keeps the summary and the live alerts
            meta, summary, rx, live_alerts = indexed_analysis(p, prescription)
        else:
            meta, summary, rx, live_alerts = analyse_with_alerts(p, prescription)
    except OsteomonitorError as exc:
        return SessionReview(p, error=str(exc))
    except Exception as exc:  # a bug must not take the whole library down
        return SessionReview(p, error=f"analysis failed ({type(exc).__name__}: {exc})")
    return _reviewed(p, meta, summary, rx, live_alerts)


def _reviewed(
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
    return replace(review, alerts=review_alerts(live_alerts, summary))


class ReviewCache:
    """Analysed recordings by (file, prescription); thread-safe.

    A review depends on the prescription it was analysed with, so a file reviewed with
    its own snapshot and with another prescription are two entries. With `indexed` (the
    default) a file not in memory is read from the folder's library index before it is
    analysed (and kept there afterwards).
    """

    def __init__(self, indexed: bool = True) -> None:
        self.indexed = indexed
        self._lock = threading.Lock()
        self._items: dict[tuple[FileKey, int], SessionReview] = {}

    def get(self, path: Path, prescription: Prescription | None = None) -> SessionReview | None:
        """The cached review of `path` if the file has not changed since."""
        try:
            key = (file_key(path), id(prescription) if prescription is not None else 0)
        except OSError:
            return None
        with self._lock:
            return self._items.get(key)

    def kept(self, path: Path) -> SessionReview | None:
        """The review from memory or from the folder's library index (the recording's own
        prescription), or None when it would take an analysis."""
        from osteomonitor.app.library import kept_analysis

        cached = self.get(path)
        if cached is not None or not self.indexed:
            return cached
        try:
            found = kept_analysis(path)
            key = (file_key(path), 0)
        except (OsteomonitorError, OSError):
            return None
        if found is None:
            return None
        result = _reviewed(path, *found)
        with self._lock:
            self._items[key] = result
        return result

    def review(self, path: Path, prescription: Prescription | None = None) -> SessionReview:
        """The cached review, or analyse now (slow: call from a worker thread)."""
        try:
            key: tuple[FileKey, int] | None = (
                file_key(path),
                id(prescription) if prescription is not None else 0,
            )
        except OSError:
            key = None
        if key is not None:
            with self._lock:
                cached = self._items.get(key)
            if cached is not None:
                return cached
        result = review_session(path, prescription, indexed=self.indexed)
        if key is not None:
            with self._lock:
                self._items[key] = result
        return result


# ------------------------------------------------------------------------------ exports


def export_review(review: SessionReview, folder: Path) -> list[Path]:
    """Write the review's text, JSON and per-jump CSV into `folder` (0700, files 0600).

    Files are named after the recording: `<stem>-report.txt`, `-report.json`, `-jumps.csv`,
    the same documents as `osteomonitor analyze`.

    Raises:
        UsageError: the session could not be analysed, or the folder is not writable.
    """
    if review.meta is None or review.summary is None:
        raise UsageError(f"{review.path.name}: nothing to export ({review.error})")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot create the export folder ({exc.strerror})") from exc
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{folder}: not writable; choose another folder with --export-dir")
    stem = review.path.stem
    return [
        report.write_private(folder / f"{stem}-report.txt", session_text(review), [review.path]),
        report.write_private(
            folder / f"{stem}-report.json", session_json_text(review), [review.path]
        ),
        report.write_private(
            folder / f"{stem}-jumps.csv", jumps_csv(review.summary), [review.path]
        ),
    ]


def session_text(review: SessionReview) -> str:
    """The review as the plain-text report."""
    assert review.meta is not None and review.summary is not None
    return report.session_text(review.meta, review.summary, review.compliance, review.prescription)


def session_json_text(review: SessionReview) -> str:
    """The review as an `osteomonitor.session/1` JSON document (text, newline-ended)."""
    assert review.meta is not None and review.summary is not None
    doc = report.session_json(
        review.meta,
        review.summary,
        review.compliance,
        review.prescription,
        recording=str(review.path),
    )
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def jumps_csv(summary: SessionSummary) -> str:
    """One CSV row per jump."""
    return report.csv_text(report.JUMP_COLUMNS, report.jump_rows(summary))


def minutes_csv(summary: SessionSummary) -> tuple[str, int]:
    """One CSV row per session minute, and the number of minutes."""
    rows = report.minute_rows(summary, summary.hr_points)
    return report.csv_text(report.MINUTE_COLUMNS, rows), len(rows)


# -------------------------------------------------------------------------------- weeks


@dataclass(frozen=True, slots=True)
class PatientWeeks:
    """A patient's sessions judged week by week against one prescription.

    Attributes:
        prescription: the one prescription every session was analysed and judged with.
        prescription_source: "given" or the recording whose snapshot it is.
        reviews: the sessions that could be analysed, oldest first.
        skipped: (file, reason) for recordings left out.
    """

    prescription: Prescription
    prescription_source: str
    reviews: tuple[SessionReview, ...]
    skipped: tuple[tuple[Path, str], ...] = ()

    @property
    def sessions(self) -> list[tuple[SessionMeta, SessionSummary]]:
        """(meta, summary) of every analysed session, oldest first."""
        return [(r.meta, r.summary) for r in self.reviews if r.meta and r.summary]


def _start(meta: SessionMeta) -> dt.datetime:
    try:
        start = dt.datetime.fromisoformat(meta.start_iso)
    except ValueError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    return start if start.tzinfo else start.replace(tzinfo=dt.UTC)


def _metas(
    paths: Sequence[Path], indexed: bool = False
) -> tuple[dict[Path, SessionMeta], list[tuple[Path, str]]]:
    """Each readable file's metadata (cheap: no packets are read; from the folder's
    index when `indexed` and kept there), and the unreadable."""
    from osteomonitor.app.library import indexed_meta

    metas: dict[Path, SessionMeta] = {}
    skipped: list[tuple[Path, str]] = []
    for path in paths:
        try:
            if indexed:
                metas[path] = indexed_meta(path)
                continue
            with RecordingReader(path) as reader:
                metas[path] = reader.meta
        except OsteomonitorError as exc:
            skipped.append((path, str(exc)))
    return metas, skipped


def weeks_prescription(
    metas: dict[Path, SessionMeta], given: Prescription | None = None
) -> tuple[Prescription, str, str | None]:
    """The one prescription a patient's weeks are analysed and judged with.

    The one given, else the snapshot stored in the newest recording (by start time)
    that has one. Returns (prescription, where it came from, the snapshot's TOML or
    None when given).

    Raises:
        UsageError: no prescription was given and no recording holds one.
        PrescriptionError: the newest snapshot is invalid.
    """
    if given is not None:
        return given, "given", None
    with_rx = [(_start(m), p, m) for p, m in metas.items() if m.prescription_toml]
    if not with_rx:
        raise UsageError("these recordings hold no prescription snapshot: give a prescription file")
    _, path, meta = max(with_rx, key=lambda x: x[0])
    rx = recording_prescription(meta, path)
    assert rx is not None
    return rx, f"{path.name} (prescription snapshot)", meta.prescription_toml


def patient_weeks(
    paths: Iterable[Path],
    prescription: Prescription | None = None,
    cache: ReviewCache | None = None,
    indexed: bool = True,
) -> PatientWeeks:
    """Analyse a patient's recordings with one prescription (see `weeks_prescription`).

    Analyses come from the folders' library indexes when kept there (`indexed`).

    A recording whose own snapshot is that prescription verbatim is analysed as it
    would be on its own (and shares the cache entry of the library's review).

    Raises:
        UsageError: no prescription was given and no recording holds one.
    """
    metas, skipped = _metas([Path(p) for p in paths], indexed)
    rx, source, toml = weeks_prescription(metas, prescription)
    reviews: list[SessionReview] = []
    for path, meta in metas.items():
        own = toml is not None and meta.prescription_toml == toml
        use = None if own else rx
        r = (
            cache.review(path, use)
            if cache is not None
            else review_session(path, use, indexed=indexed)
        )
        if r.summary is None or r.meta is None:
            skipped.append((path, r.error or "no data"))
            continue
        reviews.append(r)
    reviews.sort(key=lambda r: r.summary.start_t_ns if r.summary else 0)
    return PatientWeeks(rx, source, tuple(reviews), tuple(skipped))


def iso_weeks_between(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """Every ISO (year, week) from the week of `first` to the week of `last`."""
    out: list[tuple[int, int]] = []
    day = first - dt.timedelta(days=first.weekday())
    while day <= last:
        y, w, _ = day.isocalendar()
        out.append((y, w))
        day += dt.timedelta(days=7)
    return out


def week_reports(weeks: PatientWeeks) -> list[WeekReport]:
    """`evaluate_week` for every ISO week the sessions span (newest first)."""
    sessions = weeks.sessions
    if not sessions:
        return []
    rx = weeks.prescription
    dates = [r.compliance.local_date for r in weeks.reviews if r.compliance is not None]
    if not dates:
        dates = [evaluate_session(s, rx).local_date for _, s in sessions]
    spanned = iso_weeks_between(min(dates), max(dates))
    return [evaluate_week(sessions, rx, w) for w in reversed(spanned)]


def week_report(
    weeks: PatientWeeks,
    iso: str | tuple[int, int] | None = None,
    as_of: dt.date | None = None,
) -> WeekReport:
    """One ISO week (default: the week of the newest session) of `weeks`.

    Raises:
        UsageError: there is no analysed session.
    """
    sessions = weeks.sessions
    if not sessions:
        raise UsageError("no readable recordings to judge")
    rx = weeks.prescription
    if iso is None:
        from osteomonitor.prescription.compliance import local_date

        cal = local_date(max(s.start_t_ns for _, s in sessions), rx.patient.timezone)
        iso = (cal.isocalendar().year, cal.isocalendar().week)
    return evaluate_week(sessions, rx, iso, as_of=as_of)


def set_supervised(path: str | Path, supervised: bool | None) -> Path:
    """Keep a reviewer's supervision flag for a recording beside it (`FILE.review.json`);
    the recording itself is never modified. Returns the side file's path."""
    from osteomonitor.store.overrides import write_supervised

    return write_supervised(path, supervised)
