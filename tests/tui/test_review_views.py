"""Review screens, issue 16 item 4: the library's filter bar, search, sort and CSV export;
the session detail's FITT table at 100 columns and its alert detail; the weeks chart and
its export. Real app (Pilot) over the bundled recordings."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList
from tui_support import ALERTS, RECORDINGS, SIZE, has_focus, now, settle, wait_for

from osteomonitor.store.library import list_recordings
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.screens.library import LibraryScreen
from osteomonitor.tui.screens.session_detail import SessionDetailScreen
from osteomonitor.tui.screens.weeks import WeeksScreen
from osteomonitor.tui.widgets.fitt_table import COLUMNS as FITT_COLUMNS
from osteomonitor.tui.widgets.fitt_table import FittTable
from osteomonitor.tui.widgets.library_table import LibraryTable
from osteomonitor.tui.widgets.session_events import SessionEvents
from osteomonitor.tui.widgets.weeks_chart import WeeksChart


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The reports folder of the config, in a temporary folder."""
    folder = tmp_path / "reports"
    monkeypatch.setenv("OSTEOMONITOR_REPORTS", str(folder))
    return folder


def files(table: LibraryTable) -> list[str]:
    """The file names of the table's rows, top to bottom."""
    return [Path(key).name for key in table.row_keys]


def column(table: LibraryTable, key: str) -> list[str]:
    return [table.cell_text(r, key) for r in range(table.row_count)]


async def test_sort_by_key_and_by_header_click() -> None:
    app = OsteomonitorApp(lambda: LibraryScreen(RECORDINGS))
    async with app.run_test(size=(140, 45)) as pilot:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await settle(app, pilot)
        table = screen.query_one(LibraryTable)
        assert has_focus(app, table)  # the keys work at once, not the search box
        dates = column(table, "date")
        assert dates == sorted(dates, reverse=True)
        await pilot.press("s")  # patient, A→Z
        assert screen.query_state.sort == "patient"
        assert column(table, "patient") == sorted(column(table, "patient"))
        assert table.columns[1].label == "patient ↑"
        await pilot.press("s", "s", "s")  # kind, length, alerts
        assert screen.query_state.sort == "alerts"
        assert files(table)[0] == "demo-P01-alerts-sim.omrec"  # 2 stops first
        assert files(table)[1] == "demo-P00-impact-sim.omrec"  # then 1 warning
        await pilot.press("S")
        assert files(table)[-1] == "demo-P01-alerts-sim.omrec"
        # a click on the "length" header sorts by it (longest first), again: reversed
        x = sum(c.render_width for c in table.columns[:3]) + 2
        await pilot.click("#library", offset=(x, 0))
        assert screen.query_state.sort == "duration" and screen.query_state.descending
        assert files(table)[-1] == "demo-P01-alerts-sim.omrec"  # 1:07, the shortest
        await pilot.click("#library", offset=(x, 0))
        assert not now(screen.query_state.descending)
        assert files(table)[0] == "demo-P01-alerts-sim.omrec"
        assert "sort: length ↑" in str(screen.query_one("#sort-label").render())


async def test_sort_by_alerts_holds_while_the_analysis_arrives() -> None:
    app = OsteomonitorApp(lambda: LibraryScreen(RECORDINGS))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await pilot.press("s", "s", "s", "s")  # alerts, before the analysis is done
        assert screen.query_state.sort == "alerts"
        await settle(app, pilot)
        await pilot.pause(0.4)  # the coalesced re-sort
        table = screen.query_one(LibraryTable)
        assert files(table)[:2] == ["demo-P01-alerts-sim.omrec", "demo-P00-impact-sim.omrec"]


async def test_search_and_filters() -> None:
    infos = list_recordings(RECORDINGS)
    app = OsteomonitorApp(lambda: LibraryScreen(RECORDINGS))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await settle(app, pilot)
        table = screen.query_one(LibraryTable)
        status = screen.query_one("#library-status")
        # free-text search: "/" focuses it, letters go into it (q does not quit)
        await pilot.press("slash", *"ceiling")
        await pilot.pause(0.3)  # the view follows the last key typed
        assert isinstance(app.focused, Input)
        assert files(table) == ["demo-P01-alerts-sim.omrec", "demo-P00-impact-sim.omrec"]
        await pilot.press(*" brisk-walk")
        await pilot.pause(0.3)
        assert files(table) == ["demo-P01-alerts-sim.omrec"]
        assert "1 of 5 recordings" in str(status.render())
        assert 'matching "ceiling brisk-walk"' in str(status.render())
        await pilot.press("enter")  # back to the table
        assert has_focus(app, table)
        await pilot.press("c")  # clear
        assert table.row_count == len(infos)
        assert screen.query_one("#search", Input).value == ""
        # only this patient (f), then with alerts (a)
        table.move_cursor(row=files(table).index("demo-P00-impact-sim.omrec"))
        await pilot.press("f")
        assert set(column(table, "patient")) == {"P00 (sim)"}
        assert table.row_count == sum(1 for i in infos if i.patient == "P00")
        await pilot.press("a")  # (the walk lost its link: an info alert, as live raised it)
        assert sorted(files(table)) == ["demo-P00-impact-sim.omrec", "demo-P00-walk-sim.omrec"]
        await pilot.press("a")  # without alerts
        assert "demo-P00-impact-sim.omrec" not in files(table) and table.row_count == 2
        await pilot.press("a", "f")  # any alerts, every patient
        assert table.row_count == len(infos)
        # date range: both days included; a bad date is named and changes nothing
        screen.query_one("#date-from", Input).focus()
        await pilot.press(*"2025-03-04")
        screen.query_one("#date-to", Input).focus()
        await pilot.press(*"2025-03-08")
        assert column(table, "date") == ["2025-03-08 09:15", "2025-03-05 17:30", "2025-03-04 11:00"]
        await pilot.press("backspace", *"x")
        assert "to '2025-03-0x': write a day as YYYY-MM-DD" in str(status.render())
        assert table.row_count == 3
        assert screen.query_one("#date-to", Input).has_class("-invalid")
        await pilot.press("escape")
        assert has_focus(app, table)
        # the alerts column is on screen at 80 columns
        region = table.region
        alerts_x = sum(c.render_width for c in table.columns[:4])
        alerts_w = table.columns[4].render_width
        assert alerts_x + alerts_w <= region.width
        assert table.columns[4].key == "alerts"


async def test_export_writes_the_visible_rows_as_csv(reports: Path) -> None:
    app = OsteomonitorApp(lambda: LibraryScreen(RECORDINGS))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await settle(app, pilot)
        table = screen.query_one(LibraryTable)
        await pilot.press("slash", *"P00", "enter", "s", "s", "s")  # P00, by length ↓
        shown = files(table)
        lengths = column(table, "duration")
        assert len(shown) == 4
        await pilot.press("e")
        (path,) = screen.last_export
        assert path.parent == reports
        assert str(path) in str(screen.query_one("#library-status").render())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [r["file"] for r in rows] == shown
    assert [r["duration"] for r in rows] == lengths  # as on screen (timefmt.clock)
    assert lengths[-1] == "2:10"
    assert {r["patient"] for r in rows} == {"P00"}


async def test_export_failure_is_told_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    app = OsteomonitorApp(lambda: LibraryScreen(RECORDINGS, export_dir=blocker / "sub"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause(0.1)
        assert screen.last_export == []
        assert app._exception is None


def _screen_text(app: OsteomonitorApp) -> str:
    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, record=True, file=io.StringIO())
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def _region_text(app: OsteomonitorApp, widget: Any) -> str:
    """What is drawn inside `widget`'s region, lines joined by spaces."""
    r = widget.scrollable_content_region
    lines = _screen_text(app).splitlines()[r.y : r.y + r.height]
    return " ".join(" ".join(line[r.x : r.x + r.width] for line in lines).split())


async def test_fitt_table_shows_every_column_at_100_columns_and_wraps() -> None:
    app = OsteomonitorApp(lambda: SessionDetailScreen(RECORDINGS / "demo-P00-walk-sim.omrec"))
    async with app.run_test(size=(100, 45)) as pilot:
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        await settle(app, pilot)
        await pilot.press("t")  # tables only
        await pilot.pause(0.1)
        fitt = detail.query_one(FittTable)
        assert fitt.region.width >= 96  # the whole width below 130 columns
        text = _screen_text(app)
        header = next(line for line in text.splitlines() if "element" in line)
        for name in FITT_COLUMNS:
            assert name in header, (name, header)
        # a long type list wraps inside its cell, nothing is cut; the last row is
        # reached by scrolling the table
        fitt.focus()
        await pilot.press("end")
        await pilot.pause(0.1)
        text = _screen_text(app)
        words = ["walking,", "cycling,", "stepping,", "climbing,", "stair", "climbing"]
        body = " ".join(text.split())
        for w in words:
            assert w in body
        assert "…" not in text
        assert len(fitt.rows) == 6  # every element of the aerobic session
        assert fitt.virtual_size.height > 0


async def test_alert_detail_shows_the_whole_alert() -> None:
    app = OsteomonitorApp(lambda: SessionDetailScreen(ALERTS))
    async with app.run_test(size=(140, 45)) as pilot:
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        await settle(app, pilot)
        events = detail.query_one(SessionEvents)
        review = detail.review
        assert review is not None and len(review.alerts) == 4
        options = events.query_one(OptionList)
        pane = events.query_one("#event-detail")
        # the first alert is highlighted and shown whole
        first = min(review.alerts, key=lambda a: a.t_s or 0)
        assert first.physio_message in " ".join(str(pane.render()).split())
        for alert in review.alerts:
            index = next(
                n for n, i in enumerate(events.items) if i.headline.endswith(alert.physio_message)
            )
            options.focus()
            options.highlighted = index
            await pilot.pause(0.05)
            shown = " ".join(str(pane.render()).split())
            assert alert.physio_message in shown
            assert f"rule: {alert.rule}" in shown
            assert " ".join(f"source: {alert.source}".split()) in shown
            assert "alert at 0:" in shown
            # its line in the list is drawn whole (wrapped, no word lost)
            drawn = _region_text(app, options)
            assert " ".join(events.items[index].headline.split()) in drawn, drawn
        # the list's lines wrap: the longest alert is there to its last word
        prompts = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        assert any(p.endswith("(10 times, highest 0.4 s flight, last at 0:51)") for p in prompts)


async def test_weeks_chart_cycles_and_exports(reports: Path) -> None:
    paths = sorted(RECORDINGS.glob("demo-P00-*.omrec"))
    app = OsteomonitorApp(lambda: WeeksScreen("P00", paths))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, WeeksScreen)
        await wait_for(pilot, lambda: screen.trend is not None, what="weeks")
        await settle(app, pilot)
        await pilot.pause(0.2)
        chart = screen.query_one(WeeksChart)
        assert chart._data.view == "days"
        legend = _screen_text(app)
        assert "Impact exercise" in legend and "target: minimum days per week" in legend
        await pilot.press("c")
        assert chart._data.view == "jumps"
        await pilot.press("c", "c")
        assert chart._data.view == "days"
        await pilot.press("e")
        (path,) = screen.last_export
    assert path.parent == reports and stat.S_IMODE(path.stat().st_mode) == 0o600
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [r["week"] for r in rows] == ["2025-W10", "2025-W11"]


def test_integer_ticks_and_week_labels() -> None:
    from osteomonitor.tui.widgets.weeks_chart import int_ticks, week_ticks

    assert int_ticks(3) == [0, 1, 2, 3]
    assert int_ticks(20) == [0, 5, 10, 15, 20]
    assert int_ticks(10.6) == [0, 2, 4, 6, 8, 10, 12]
    assert int_ticks(0) == [0, 1]
    assert all(isinstance(t, int) for t in int_ticks(1234))
    xs, labels = week_ticks([f"W{n}" for n in range(1, 31)])
    assert len(labels) <= 13 and labels[0] == "W1" and labels[-1] == "W30"
    assert xs[0] == 1 and xs[-1] == 30


def test_fitt_text_from_a_prescription_file_is_plain_and_sources_are_listed_once() -> None:
    from types import SimpleNamespace

    from rich.console import Console

    from osteomonitor.tui.widgets.fitt_table import fitt_content, fitt_renderable

    def element(label: str, source: str) -> SimpleNamespace:
        return SimpleNamespace(
            label=label, target="[red]10–50[/] jumps", measured=20.0, unit="jumps",
            status="met", evidence="[bold]20 jumps[/bold]", source=source,
        )  # fmt: skip

    shared = "guideline [b]X[/b] × Time"
    mod = SimpleNamespace(
        label="Impact [/]",
        prescribed=True,
        elements=(element("a", shared), element("b", "other"), element("c", shared)),
    )
    content = fitt_content(SimpleNamespace(modalities=(mod,)))
    assert content.sources == (shared, "other")
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(fitt_renderable(content))
    text = console.export_text()
    for literal in ("Impact [/]", "[red]10–50[/]", "[bold]20 jumps[/bold] [1]", "[2]"):
        assert literal in text, literal
    assert text.count("guideline [b]X[/b] × Time") == 1
    assert "[1] guideline [b]X[/b] × Time" in text and "[2] other" in text
    assert "evidence [source]" in text


async def test_rescan_keeps_the_filters_and_sort(tmp_path: Path) -> None:
    import shutil

    for p in RECORDINGS.glob("demo-P00-*.omrec"):
        shutil.copy(p, tmp_path / p.name)
    app = OsteomonitorApp(lambda: LibraryScreen(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await settle(app, pilot)
        table = screen.query_one(LibraryTable)
        await pilot.press("s", "s", "s", "a")  # by length, with alerts
        with_alerts = ["demo-P00-impact-sim.omrec", "demo-P00-walk-sim.omrec"]
        assert sorted(files(table)) == with_alerts
        shutil.copy(ALERTS, tmp_path / ALERTS.name)  # a new recording arrives
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.pause(0.4)
        assert screen.query_state.sort == "duration" and screen.query_state.has_alerts
        # by length: the walk, the impact session, the new recording
        walk, impact = "demo-P00-walk-sim.omrec", "demo-P00-impact-sim.omrec"
        assert files(table) == [walk, impact, "demo-P01-alerts-sim.omrec"]
        assert "3 of 5 recordings (with alerts)" in str(
            screen.query_one("#library-status").render()
        )


async def test_library_exports_printable_reports_of_the_rows_shown(reports: Path) -> None:
    """`E` writes one printable session report per row on screen (in a worker: the
    screen stays responsive), owner-only, into the reports folder."""
    app = OsteomonitorApp(lambda: LibraryScreen(RECORDINGS))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        await settle(app, pilot)
        await pilot.press("slash", *"P00", "enter")
        shown = files(screen.query_one(LibraryTable))
        await pilot.press("E")
        await wait_for(pilot, lambda: bool(screen.last_export), what="the reports", timeout_s=60)
        written = list(screen.last_export)
    assert sorted(p.name for p in written) == sorted(Path(f).stem + "-report.html" for f in shown)
    for p in written:
        assert p.parent == reports and stat.S_IMODE(p.stat().st_mode) == 0o600
        page = p.read_text(encoding="utf-8")
        assert "P00" in page and "<svg" in page


async def test_weeks_exports_the_period_report(reports: Path) -> None:
    paths = sorted(RECORDINGS.glob("demo-P00-*.omrec"))
    app = OsteomonitorApp(lambda: WeeksScreen("P00", paths))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, WeeksScreen)
        await wait_for(pilot, lambda: screen.trend is not None, what="weeks")
        await pilot.press("E")
        await wait_for(pilot, lambda: bool(screen.last_export), what="the report", timeout_s=60)
        (path,) = screen.last_export
    assert path.parent == reports and path.name.startswith("period-P00-")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    page = path.read_text(encoding="utf-8")
    assert "2025-W10" in page and "2025-W11" in page
