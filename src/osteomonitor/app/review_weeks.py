"""A patient's weeks: every session analysed AND judged with ONE prescription
(`weeks_prescription`: the one given, else the snapshot stored in the patient's newest
recording; its HRrest, HRmax and %HRR band decide the minutes in band that its targets
then judge), then `evaluate_week` per ISO week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.app.review_cache import ReviewCache
from osteomonitor.app.session_review import SessionReview, review_session
from osteomonitor.errors import OsteomonitorError, UsageError
from osteomonitor.model import SessionMeta, SessionSummary
from osteomonitor.prescription import Prescription, evaluate_session, evaluate_week
from osteomonitor.prescription.week import WeekReport
from osteomonitor.session import recording_prescription
from osteomonitor.store import RecordingReader


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
