"""The library view (issue 16 item 4): filters, plain-text search and sort order,
headless. Synthetic rows pin the rules; the bundled recordings check them on real
analyses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from osteomonitor.app.library_view import (
    SORT_KEYS,
    LibraryQuery,
    LibraryRow,
    alert_words,
    apply_query,
    choices,
    describe,
    library_rows,
    matches,
    parse_day,
)
from osteomonitor.app.review import ReviewCache, SessionReview, list_recordings
from osteomonitor.errors import UsageError
from osteomonitor.prescription import Alert

REPO = Path(__file__).resolve().parents[2]
RECORDINGS = REPO / "recordings"


def _alert(severity: str, message: str = "something", rule: str = "pain") -> Alert:
    return Alert(rule, severity, 12.0, 4.0, 0.0, "/10", "a source", "patient words", message)


def _row(
    name: str,
    start: str,
    patient: str = "P01",
    kind: str = "impact",
    duration_s: float = 60.0,
    alerts: tuple[Alert, ...] | None = (),
    error: str | None = None,
) -> LibraryRow:
    path = Path(f"/r/{name}.omrec")
    review = None if alerts is None else SessionReview(path, alerts=alerts)
    return LibraryRow(path, patient, kind, start, duration_s, False, error, review)


ROWS = [
    _row("a", "2025-03-01T10:00:00+02:00", "P01", "impact", 120, (_alert("warning"),)),
    _row("b", "2025-03-05T09:00:00+02:00", "P02", "aerobic", 400, ()),
    _row("c", "2025-03-03T18:30:00+02:00", "p00", "aerobic", 30, (_alert("stop"),)),
    _row("d", "2025-03-04T08:00:00+02:00", "P01", "impact", 90, None),  # pending analysis
    _row("e", "", patient="", kind="", error="damaged: not a recording"),
    _row(
        "f",
        "2025-03-02T07:00:00+02:00",
        "P02",
        "balance",
        200,
        (_alert("warning"), _alert("warning", "HR 150 bpm above the ceiling", "hr-ceiling")),
    ),
]


def names(rows: list[LibraryRow]) -> list[str]:
    return [r.path.stem for r in rows]


def test_default_order_is_newest_first_with_unreadable_files_last() -> None:
    assert names(apply_query(ROWS, LibraryQuery())) == ["b", "d", "c", "f", "a", "e"]
    oldest = apply_query(ROWS, LibraryQuery(descending=False))
    assert names(oldest) == ["a", "f", "c", "d", "b", "e"]


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("patient", False, ["c", "d", "a", "b", "f", "e"]),  # case-insensitive: p00 first
        ("kind", False, ["b", "c", "f", "d", "a", "e"]),  # ties: newest first
        ("duration", True, ["b", "f", "a", "d", "c", "e"]),
        ("duration", False, ["c", "d", "a", "f", "b", "e"]),
        # alerts: stops outrank any number of warnings; pending (d) after the known
        ("alerts", True, ["c", "f", "a", "b", "d", "e"]),
        ("alerts", False, ["b", "a", "f", "c", "d", "e"]),
    ],
)
def test_sort_keys(sort: str, descending: bool, expected: list[str]) -> None:
    assert names(apply_query(ROWS, LibraryQuery(sort=sort, descending=descending))) == expected


def test_unknown_sort_key_is_refused_with_the_choices() -> None:
    with pytest.raises(UsageError, match="date, patient, kind, duration, alerts"):
        LibraryQuery(sort="colour")
    assert SORT_KEYS == ("date", "patient", "kind", "duration", "alerts")


def test_filters() -> None:
    def shown(**q: Any) -> list[str]:
        return sorted(names(apply_query(ROWS, LibraryQuery(**q))))

    assert shown(patient="P01") == ["a", "d"]
    assert shown(kind="aerobic") == ["b", "c"]
    assert shown(has_alerts=True) == ["a", "c", "f"]
    assert shown(has_alerts=False) == ["b"]  # neither pending (d) nor unreadable (e)
    assert shown(date_from=dt.date(2025, 3, 3)) == ["b", "c", "d"]
    assert shown(date_to=dt.date(2025, 3, 2)) == ["a", "f"]
    # both ends included, and filters combine
    assert shown(date_from=dt.date(2025, 3, 2), date_to=dt.date(2025, 3, 4), kind="impact") == ["d"]
    assert shown(patient="P02", has_alerts=True) == ["f"]


def test_search_is_plain_case_insensitive_text_over_patient_kind_notes_alerts() -> None:
    def found(text: str) -> list[str]:
        return sorted(names(apply_query(ROWS, LibraryQuery(text=text))))

    assert found("p02") == ["b", "f"]
    assert found("BALANCE") == ["f"]
    assert found("ceiling") == ["f"]  # an alert's message
    assert found("stop") == ["c"]  # an alert's severity
    assert found("hr-ceiling 150") == ["f"]  # every word must appear
    assert found("p02 stop") == []
    assert found("[bold]") == []  # no markup, no pattern: literal text
    assert found(".*") == []
    assert len(found("   ")) == len(ROWS)
    assert len(found("")) == len(ROWS)


def test_search_reads_the_notes_of_the_recording(tmp_path: Path) -> None:
    from osteomonitor.model import SessionMeta

    meta = SessionMeta("P09", "impact", "2025-03-01T10:00:00+00:00", "UTC", "t", notes="Knee ok")
    row = LibraryRow(Path("/r/x.omrec"), "P09", "impact", meta.start_iso, 1.0, False, None,
                     SessionReview(Path("/r/x.omrec"), meta=meta))  # fmt: skip
    assert matches(row, LibraryQuery(text="knee"))
    assert not matches(row, LibraryQuery(text="ankle"))


def test_parse_day_and_describe() -> None:
    assert parse_day(" 2025-03-04 ") == dt.date(2025, 3, 4)
    assert parse_day("") is None
    with pytest.raises(UsageError, match="from '2025-3-4': write a day as YYYY-MM-DD"):
        parse_day("2025-3-4", "from")
    q = LibraryQuery(patient="P00", has_alerts=True, date_from=dt.date(2025, 3, 1), text="x")
    assert describe(q) == 'patient P00, with alerts, from 2025-03-01, matching "x"'
    assert describe(LibraryQuery()) == ""


def test_alert_words_worst_first() -> None:
    alerts = [_alert("warning"), _alert("stop"), _alert("warning"), _alert("info")]
    assert alert_words(alerts) == "1 stop, 2 warning, 1 info"
    assert alert_words([]) == "none"


def test_choices_list_the_patients_and_kinds_present() -> None:
    assert choices(ROWS) == (["p00", "P01", "P02"], ["aerobic", "balance", "impact"])


@pytest.fixture(scope="module")
def analysed() -> list[LibraryRow]:
    cache = ReviewCache()
    infos = list_recordings(RECORDINGS)
    for i in infos:
        cache.review(i.path)
    return library_rows(infos, cache.get)


def test_bundled_recordings(analysed: list[LibraryRow]) -> None:
    assert all(r.analysed for r in analysed)
    by_alerts = apply_query(analysed, LibraryQuery(sort="alerts"))
    assert by_alerts[0].patient == "P01"  # the session with stop alerts
    with_alerts = apply_query(analysed, LibraryQuery(has_alerts=True))
    assert {r.path.name for r in with_alerts} == {
        "demo-P01-alerts-sim.omrec",
        "demo-P00-impact-sim.omrec",
        "demo-P00-walk-sim.omrec",  # the link lost (info), as live raised it
    }
    assert [r.path.name for r in apply_query(analysed, LibraryQuery(text="flight-phase"))] == [
        "demo-P01-alerts-sim.omrec"
    ]
    march_5_8 = LibraryQuery(date_from=dt.date(2025, 3, 5), date_to=dt.date(2025, 3, 8))
    assert [r.date_text for r in apply_query(analysed, march_5_8)] == [
        "2025-03-08 09:15",
        "2025-03-05 17:30",
    ]


def _reference_order(rows: list[LibraryRow], query: LibraryQuery) -> list[LibraryRow]:
    """The order spelled out: each sort value recomputed as often as the sort asks."""

    def value(r: LibraryRow) -> object | None:
        if query.sort != "alerts":
            return {"date": r.start_iso or None, "duration": r.duration_s}[query.sort]
        if r.review is None:
            return None
        sevs = [getattr(a, "severity", "") for a in r.alerts]
        return tuple(sevs.count(s) for s in ("stop", "warning", "info"))

    kept = sorted(rows, key=lambda r: str(r.path))
    kept.sort(key=lambda r: r.start_iso, reverse=True)
    known = [r for r in kept if r.error is None and value(r) is not None]
    unknown = [r for r in kept if r.error is None and value(r) is None]
    known.sort(key=value, reverse=query.descending)  # type: ignore[arg-type]
    return known + unknown + [r for r in kept if r.error is not None]


@pytest.mark.parametrize("seed", range(4))
def test_sorting_by_precomputed_values_keeps_the_order(seed: int) -> None:
    import random

    rng = random.Random(seed)
    severities = ("stop", "warning", "info")
    rows = [
        _row(
            f"r{k:03d}",
            f"2025-03-{rng.randint(1, 9):02d}T10:00:00+02:00" if rng.random() > 0.1 else "",
            duration_s=float(rng.choice((30, 60, 90))),
            alerts=None
            if rng.random() < 0.1
            else tuple(_alert(rng.choice(severities)) for _ in range(rng.randint(0, 3))),
            error="damaged: x" if rng.random() < 0.05 else None,
        )
        for k in range(300)
    ]
    rng.shuffle(rows)
    for sort in ("alerts", "date", "duration"):
        for descending in (True, False):
            q = LibraryQuery(sort=sort, descending=descending)
            assert names(apply_query(rows, q)) == names(_reference_order(rows, q))
