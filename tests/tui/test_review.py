"""Review for physios: library, session detail, weeks, help; all by keyboard."""

from __future__ import annotations

from pathlib import Path

from textual.coordinate import Coordinate
from textual.widgets import DataTable
from tui_support import RECORDINGS, SIZE, on_top, settle, wait_for

from osteomonitor.session import analyze_recording
from osteomonitor.store.library import list_recordings
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.screens.help import HelpScreen
from osteomonitor.tui.screens.library import LibraryScreen
from osteomonitor.tui.screens.replay import ReplayScreen
from osteomonitor.tui.screens.session_detail import SessionDetailScreen
from osteomonitor.tui.screens.weeks import WeeksScreen
from osteomonitor.tui.widgets.fitt_table import FittTable
from osteomonitor.tui.widgets.library_table import LibraryTable


def _app(folder: Path = RECORDINGS) -> OsteomonitorApp:
    return OsteomonitorApp(lambda: LibraryScreen(folder))


async def test_library_lists_every_recording_newest_first_with_analysis() -> None:
    infos = list_recordings(RECORDINGS)
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(LibraryTable)
        assert table.row_count == len(infos)
        starts = [table.cell_text(r, "date") for r in range(table.row_count)]
        assert starts == sorted(starts, reverse=True)
        for row, key in enumerate(table.row_keys):
            _meta, summary = analyze_recording(key)
            assert table.cell_text(row, "jumps") == str(len(summary.jumps))


async def test_keyboard_navigation_detail_weeks_filter_help() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        library = app.screen
        assert isinstance(library, LibraryScreen)
        await settle(app, pilot)
        # to the impact session of P00 (the oldest: last row)
        table = library.query_one(LibraryTable)
        await pilot.press(*["down"] * (table.row_count - 1))
        info = library.selected()
        assert info is not None and info.kind == "impact" and info.patient == "P00"
        await pilot.press("enter")
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        assert detail.path == info.path
        await wait_for(pilot, lambda: detail.review is not None, what="analysis")
        fitt = detail.query_one(FittTable)
        assert len(fitt.rows) >= 2
        await pilot.press("tab")  # focus moves between the tables
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert on_top(app, detail)
        await pilot.press("p")  # replay this session
        assert isinstance(app.screen, ReplayScreen)
        await pilot.press("q")  # back to the detail, not out of the app
        await wait_for(pilot, lambda: app.screen is detail, what="back from replay")
        await pilot.press("w")
        weeks = app.screen
        assert isinstance(weeks, WeeksScreen)
        await wait_for(pilot, lambda: bool(weeks.reports), what="week reports")
        assert [f"{r.iso_year}-W{r.iso_week}" for r in weeks.reports] == ["2025-W11", "2025-W10"]
        await pilot.press("down")
        days = weeks.query_one("#days-table", DataTable)
        assert str(days.get_cell_at(Coordinate(0, 0))).endswith("2025-03-03")
        await pilot.press("escape")
        await pilot.press("escape")
        assert on_top(app, library)
        await pilot.press("f")  # only this patient
        patients = {info.patient for info in list_recordings(RECORDINGS)}
        assert len(patients) > 1
        assert table.row_count == sum(1 for i in list_recordings(RECORDINGS) if i.patient == "P00")
        await pilot.press("f")
        assert table.row_count == len(list_recordings(RECORDINGS))
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("q")
    assert app.return_value == 0


async def test_unreadable_file_is_listed_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "broken.omrec").write_bytes(b"not a recording at all" * 10)
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(LibraryTable)
        assert table.row_count == 1
        assert table.row_keys == [str(tmp_path / "broken.omrec")]
        assert table.cell_text(0, "alerts") == "unreadable"


async def test_export_writes_owner_only_reports(tmp_path: Path) -> None:
    import json
    import stat

    from tui_support import IMPACT

    out = tmp_path / "reports"
    app = OsteomonitorApp(lambda: SessionDetailScreen(IMPACT, export_dir=out))
    async with app.run_test(size=SIZE) as pilot:
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        await wait_for(pilot, lambda: detail.review is not None, what="analysis")
        await pilot.press("e")
        assert len(detail.last_export) == 3
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "demo-P00-impact-sim-jumps.csv",
        "demo-P00-impact-sim-report.json",
        "demo-P00-impact-sim-report.txt",
    ]
    for p in out.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    doc = json.loads((out / "demo-P00-impact-sim-report.json").read_text())
    _meta, summary = analyze_recording(IMPACT)
    assert doc["schema"] == "osteomonitor.session/1"
    csv_lines = (out / "demo-P00-impact-sim-jumps.csv").read_text().strip().splitlines()
    assert len(csv_lines) == 1 + len(summary.jumps)


async def test_supervision_is_set_in_review_beside_the_file(tmp_path: Path) -> None:
    import hashlib
    import shutil

    from tui_support import IMPACT

    from osteomonitor.store.overrides import effective_meta, override_path

    rec = tmp_path / IMPACT.name
    shutil.copy(IMPACT, rec)
    before = hashlib.sha256(rec.read_bytes()).hexdigest()
    app = OsteomonitorApp(lambda: SessionDetailScreen(rec))
    async with app.run_test(size=SIZE) as pilot:
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        await wait_for(pilot, lambda: detail.review is not None, what="analysis")
        assert detail.review is not None and detail.review.meta is not None
        assert detail.review.meta.supervised is None  # recorded before the flag existed
        await pilot.press("s")

        def supervised() -> bool:
            r = detail.review
            return r is not None and r.meta is not None and r.meta.supervised is True

        await wait_for(pilot, supervised, what="the re-analysis")
        assert detail.review.compliance is not None and detail.review.compliance.supervised
    assert override_path(rec).exists() and effective_meta(rec).supervised is True
    assert hashlib.sha256(rec.read_bytes()).hexdigest() == before
