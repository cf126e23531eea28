"""Exports of the review views (issue 16 item 4): the library's visible rows and a
patient's weeks as CSV, owner-only, into the reports folder of the config by default."""

from __future__ import annotations

import csv
import datetime as dt
import io
import stat
from pathlib import Path

import pytest

from osteomonitor.app.library_view import LibraryQuery, LibraryRow, apply_query, library_rows
from osteomonitor.app.review import ReviewCache, list_recordings, patient_weeks, week_reports
from osteomonitor.app.view_exports import (
    LIBRARY_COLUMNS,
    LIBRARY_EXPORTS,
    WEEKS_EXPORTS,
    export_library,
    export_weeks,
    library_csv,
    safe_cell,
    weeks_csv,
)
from osteomonitor.app.weeks_view import WeeksTrend, weeks_trend
from osteomonitor.errors import UsageError

REPO = Path(__file__).resolve().parents[2]
RECORDINGS = REPO / "recordings"
NOW = dt.datetime(2026, 12, 6, 8, 30, 5)


@pytest.fixture(scope="module")
def cache() -> ReviewCache:
    c = ReviewCache()
    for i in list_recordings(RECORDINGS):
        c.review(i.path)
    return c


@pytest.fixture(scope="module")
def rows(cache: ReviewCache) -> list[LibraryRow]:
    return library_rows(list_recordings(RECORDINGS), cache.get)


@pytest.fixture(scope="module")
def trend(cache: ReviewCache) -> WeeksTrend:
    weeks = patient_weeks(sorted(RECORDINGS.glob("demo-P00-*.omrec")), None, cache)
    return weeks_trend("P00", weeks, week_reports(weeks))


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_library_csv_holds_the_visible_rows_in_their_order(
    rows: list[LibraryRow], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    monkeypatch.setenv("OSTEOMONITOR_REPORTS", str(reports))
    view = apply_query(rows, LibraryQuery(patient="P00", sort="duration", descending=False))
    (path,) = export_library("csv", view, now=NOW)
    assert path == reports / "library-20261206-083005.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(reports.stat().st_mode) == 0o700
    got = _csv(path)
    assert list(got[0]) == list(LIBRARY_COLUMNS)
    assert [g["file"] for g in got] == [r.path.name for r in view]
    assert {g["patient"] for g in got} == {"P00"}
    for g, r in zip(got, view, strict=True):
        assert r.review is not None and r.review.summary is not None
        s = r.review.summary
        assert g["date"] == r.date_text
        assert g["duration_s"] == f"{r.duration_s:.1f}"
        assert g["jumps"] == str(len(s.jumps))
        assert float(g["band_min"]) == pytest.approx(s.heart.target_s / 60, abs=0.05)
        assert g["simulated"] == "yes"
    impact = next(g for g in got if g["kind"] == "impact")
    assert impact["alerts"] == "1 warning"
    # the live alert's words, then how often and how high (review == live, issue 12)
    assert "warning at 0:52: Landing peak 5.5 g" in impact["alert_messages"]
    assert "highest 5.9 g" in impact["alert_messages"]
    assert "jumps per session: met" in impact["compliance"]
    walk = next(g for g in got if g["kind"] == "aerobic")
    assert walk["alerts"] == "none" and walk["duration"] == "6:55"


def test_library_export_into_a_given_folder_and_its_refusals(
    rows: list[LibraryRow], tmp_path: Path
) -> None:
    out = tmp_path / "given"
    (path,) = export_library("csv", rows, out, now=NOW)
    assert path.parent == out and len(_csv(path)) == len(rows)
    with pytest.raises(UsageError, match="the library exports csv"):
        export_library("pdf", rows, out)
    with pytest.raises(UsageError, match="no recording matches the filters"):
        export_library("csv", [], out)
    assert set(LIBRARY_EXPORTS) == {"csv", "report"} and set(WEEKS_EXPORTS) == {"csv"}


def test_csv_cells_never_run_as_formulas() -> None:
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("@SUM") == "'@SUM" and safe_cell("-1") == "'-1"
    assert safe_cell("P00") == "P00"
    row = LibraryRow(Path("/r/=x.omrec"), "=cmd|' /C calc'!A0", "impact", "2025-03-01T10:00")
    text = library_csv([row])
    (got,) = list(csv.DictReader(io.StringIO(text)))
    assert got["patient"] == "'=cmd|' /C calc'!A0" and got["file"] == "'=x.omrec"
    assert got["alerts"] == "pending"


def test_weeks_csv(trend: WeeksTrend, tmp_path: Path) -> None:
    (path,) = export_weeks("csv", trend, tmp_path, now=NOW)
    assert path.name == "weeks-P00-20261206-083005.csv"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    got = _csv(path)
    assert [g["week"] for g in got] == ["2025-W10", "2025-W11"]  # oldest first
    assert got[0]["impact_days"] == "1" and got[0]["impact_target_min_days"] == "2"
    assert got[0]["aerobic_days"] == "2" and got[0]["aerobic_target_min_days"] == "3"
    assert got[0]["impact_status"] == "below"
    assert got[0]["jumps"] == "20" and got[1]["jumps"] == "0"
    assert got[0]["week_start"] == "2025-03-03"
    assert weeks_csv(trend) == path.read_text(encoding="utf-8")
    empty = WeeksTrend("P00", (), ())
    with pytest.raises(UsageError, match="patient P00 has no analysed week"):
        export_weeks("csv", empty, tmp_path)


def test_weeks_trend_agrees_with_the_week_reports(cache: ReviewCache, trend: WeeksTrend) -> None:
    weeks = patient_weeks(sorted(RECORDINGS.glob("demo-P00-*.omrec")), None, cache)
    reports = {f"{r.iso_year}-W{r.iso_week:02d}": r for r in week_reports(weeks)}
    assert [w.iso for w in trend.weeks] == sorted(reports)
    for w in trend.weeks:
        rep = reports[w.iso]
        assert w.jumps == sum(d.jumps for d in rep.days)
        assert w.sessions == len(rep.sessions)
        for m in w.modalities:
            assert m.days_trained == next(
                x.days_trained for x in rep.modalities if x.modality == m.modality
            )
    # minutes in band: each session's summary, summed into its ISO week
    by_week: dict[str, float] = {}
    for r in weeks.reviews:
        assert r.compliance is not None and r.summary is not None
        key = f"{r.compliance.iso_year}-W{r.compliance.iso_week:02d}"
        by_week[key] = by_week.get(key, 0.0) + r.summary.heart.target_s / 60
    assert {w.iso: w.band_min for w in trend.weeks} == pytest.approx(by_week)
    assert trend.modalities == ("impact", "aerobic", "resistance", "balance", "activity")
