"""The recordings library as a view: rows, filters, free-text search and sort order.

Headless (no Textual): the review library screen renders what these return, and a
command line could list the same view. A row joins what the library listing says of a
file (`RecordingInfo`, cheap) with its analysis when there is one (`SessionReview`,
slow); rows whose analysis is still pending sort after the analysed ones on the
analysed columns, in either direction.

Search is plain text (no patterns, no markup): every word typed must appear,
case-insensitively, in the row's patient, kind, file name, notes or alert text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from osteomonitor.app.review import RecordingInfo, SessionReview
from osteomonitor.errors import UsageError

#: Sort keys, in the order the library's sort key cycles through them.
SORT_KEYS: tuple[str, ...] = ("date", "patient", "kind", "duration", "alerts")

#: Severity order of alerts (worst first), for sorting and for the alert words.
SEVERITIES: tuple[str, ...] = ("stop", "warning", "info")

#: The has-alerts filter's values: None (any session), True (with alerts), False (none).
ALERT_CHOICES: tuple[bool | None, ...] = (None, True, False)


@dataclass(frozen=True, slots=True)
class LibraryRow:
    """One recording as the library shows it.

    Attributes:
        path: the file. patient / kind / start_iso / duration_s / simulated: from the
            file's header (duration in s). error: why the file cannot be read.
        review: its analysis, None while pending.
    """

    path: Path
    patient: str = ""
    kind: str = ""
    start_iso: str = ""
    duration_s: float = 0.0
    simulated: bool = False
    error: str | None = None
    review: SessionReview | None = None

    @property
    def analysed(self) -> bool:
        """The analysis has run (it may have failed: see `review.error`)."""
        return self.review is not None

    @property
    def day(self) -> dt.date | None:
        """The session's local start date (None when the header has none)."""
        try:
            return dt.date.fromisoformat(self.start_iso[:10])
        except ValueError:
            return None

    @property
    def date_text(self) -> str:
        """ "2025-03-12 18:00" (local start, as recorded); "?" when unknown."""
        return self.start_iso[:16].replace("T", " ") if self.start_iso else "?"

    @property
    def alerts(self) -> tuple[object, ...]:
        """The session's safety alerts (empty while pending or without a prescription)."""
        return self.review.alerts if self.review is not None else ()

    @property
    def notes(self) -> str:
        """The recording's notes and the verdict's notes, one text."""
        if self.review is None:
            return ""
        parts = [self.review.meta.notes] if self.review.meta is not None else []
        if self.review.compliance is not None:
            parts += list(self.review.compliance.notes)
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class LibraryQuery:
    """Which rows the library shows, and in which order.

    Attributes:
        patient / kind: only this pseudonym / session kind (None: all).
        date_from / date_to: only sessions whose local start date is within these days,
            both included (None: open).
        has_alerts: only sessions with (True) or without (False) alerts; None: any.
            A session still being analysed matches neither True nor False.
        text: free-text search (see the module docstring).
        sort: one of `SORT_KEYS`; descending: largest (newest) first.
    """

    patient: str | None = None
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    has_alerts: bool | None = None
    text: str = ""
    sort: str = "date"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:
            raise UsageError(f"sort by {self.sort!r}: choose one of {', '.join(SORT_KEYS)}")


def library_rows(
    infos: Iterable[RecordingInfo], review_of: Callable[[Path], SessionReview | None]
) -> list[LibraryRow]:
    """One row per listed file, with its analysis when `review_of(path)` has one."""
    rows = []
    for i in infos:
        review = review_of(i.path) if i.error is None else None
        rows.append(
            LibraryRow(
                i.path, i.patient, i.kind, i.start_iso, i.duration_s, i.simulated, i.error, review
            )
        )
    return rows


def parse_day(text: str, what: str = "date") -> dt.date | None:
    """ "2025-03-04" → a date; "" → None (an open end).

    Raises:
        UsageError: not a date written YYYY-MM-DD.
    """
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what} {text!r}: write a day as YYYY-MM-DD, e.g. 2025-03-04") from None


def alert_words(alerts: Sequence[object]) -> str:
    """ "2 stop, 1 warning" (worst first); "none" without alerts."""
    counts: dict[str, int] = {}
    for a in alerts:
        sev = str(getattr(a, "severity", "info"))
        counts[sev] = counts.get(sev, 0) + 1
    order = [s for s in SEVERITIES if s in counts] + sorted(set(counts) - set(SEVERITIES))
    return ", ".join(f"{counts[s]} {s}" for s in order) or "none"


def search_text(row: LibraryRow) -> str:
    """What free-text search looks in: patient, kind, file name, notes, alert messages."""
    alerts = [
        f"{getattr(a, 'severity', '')} {getattr(a, 'rule', '')} {getattr(a, 'physio_message', '')}"
        for a in row.alerts
    ]
    sim = "sim simulated" if row.simulated else ""
    return "\n".join([row.patient, row.kind, row.path.name, sim, row.notes, *alerts]).casefold()


def matches(row: LibraryRow, query: LibraryQuery) -> bool:
    """Whether `row` passes every filter of `query` and its search words."""
    if query.patient is not None and row.patient != query.patient:
        return False
    if query.kind is not None and row.kind != query.kind:
        return False
    if query.date_from is not None or query.date_to is not None:
        day = row.day
        if day is None:
            return False
        if query.date_from is not None and day < query.date_from:
            return False
        if query.date_to is not None and day > query.date_to:
            return False
    if query.has_alerts is not None:
        if not row.analysed or row.error is not None:
            return False
        if bool(row.alerts) != query.has_alerts:
            return False
    words = query.text.casefold().split()
    if words:
        haystack = search_text(row)
        if not all(w in haystack for w in words):
            return False
    return True


def _alert_rank(row: LibraryRow) -> tuple[int, ...]:
    """(stops, warnings, infos): one pass over the alerts."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for a in row.alerts:
        sev = getattr(a, "severity", "")
        if sev in counts:
            counts[sev] += 1
    return tuple(counts.values())


def _sort_value(row: LibraryRow, key: str) -> object | None:
    """The value a row sorts by (None: unknown, always after the known values)."""
    if key == "date":
        return row.start_iso or None
    if key == "patient":
        return row.patient.casefold() or None
    if key == "kind":
        return row.kind or None
    if key == "duration":
        return row.duration_s
    # alerts: stops first, then warnings, then infos; pending analysis is unknown
    return _alert_rank(row) if row.analysed and row.review and row.review.error is None else None


def apply_query(rows: Sequence[LibraryRow], query: LibraryQuery) -> list[LibraryRow]:
    """The rows `query` keeps, in its order.

    Unreadable files come last, then rows whose sort value is unknown (pending
    analysis, no date); ties keep the newest session first, then the file name.
    """
    kept = [r for r in rows if matches(r, query)]
    # stable sorts, least significant first
    kept.sort(key=lambda r: str(r.path))
    kept.sort(key=lambda r: r.start_iso, reverse=True)
    # each row's sort value computed once (the alerts' rank is most of a redraw)
    valued = [(r, _sort_value(r, query.sort)) for r in kept if r.error is None]
    known = [rv for rv in valued if rv[1] is not None]
    unknown = [r for r, v in valued if v is None]
    broken = [r for r in kept if r.error is not None]
    known.sort(key=itemgetter(1), reverse=query.descending)
    return [r for r, _v in known] + unknown + broken


def choices(rows: Iterable[LibraryRow]) -> tuple[list[str], list[str]]:
    """The patients and the session kinds present (sorted), for the filter bar."""
    readable = [r for r in rows if r.error is None]
    patients = sorted({r.patient for r in readable if r.patient}, key=str.casefold)
    kinds = sorted({r.kind for r in readable if r.kind})
    return patients, kinds


def describe(query: LibraryQuery) -> str:
    """The filters in force in words ("patient P00, with alerts, from 2025-03-01")."""
    parts = []
    if query.patient is not None:
        parts.append(f"patient {query.patient}")
    if query.kind is not None:
        parts.append(f"{query.kind} sessions")
    if query.has_alerts is not None:
        parts.append("with alerts" if query.has_alerts else "without alerts")
    if query.date_from is not None:
        parts.append(f"from {query.date_from.isoformat()}")
    if query.date_to is not None:
        parts.append(f"to {query.date_to.isoformat()}")
    if query.text.strip():
        parts.append(f'matching "{query.text.strip()}"')
    return ", ".join(parts)
