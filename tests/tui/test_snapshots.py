"""SVG snapshots of every screen (pytest-textual-snapshot), drawn from the bundled
recordings so they never depend on the wall clock or on timing: replays run to their
end (as fast as possible) and review screens wait for their analysis.

Update after an intended change of looks: `pytest tests/tui --snapshot-update`, then
look at the SVGs in tests/tui/__snapshots__ before committing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_support import ALERTS, IMPACT, RECORDINGS, SIZE, settle, wait_for

from osteomonitor.session import recording_prescription
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.replay import ReplayFeed
from osteomonitor.tui.screens.library import LibraryScreen
from osteomonitor.tui.screens.live import LiveScreen
from osteomonitor.tui.screens.replay import ReplayScreen
from osteomonitor.tui.screens.session_detail import SessionDetailScreen
from osteomonitor.tui.screens.weeks import WeeksScreen
from osteomonitor.tui.views.dashboard import session_targets

Compare = Callable[..., bool]


def dashboard(path: Path, screen: type[LiveScreen], rehearsal: bool = False) -> OsteomonitorApp:
    """The dashboard playing `path` as fast as possible (rehearsal: the live keys work)."""
    feed = ReplayFeed(path, speed=None, rehearsal=rehearsal)
    meta = feed.open()
    targets = session_targets(recording_prescription(meta, path), meta)
    return OsteomonitorApp(lambda: screen(feed, targets=targets))


async def to_the_end(pilot: Pilot[Any]) -> None:
    """Run until the replay has posted its last snapshot and the charts are drawn."""
    screen = pilot.app.screen
    assert isinstance(screen, LiveScreen)
    await wait_for(pilot, lambda: screen.finished_summary is not None, what="the end")
    await pilot.pause(0.3)


def live(snap_compare: Compare, press: tuple[str, ...] = ()) -> bool:
    return snap_compare(
        dashboard(IMPACT, LiveScreen, rehearsal=True),
        press=press,
        terminal_size=SIZE,
        run_before=to_the_end,
    )


def test_live_screen(snap_compare: Compare) -> None:
    assert live(snap_compare)


def test_patient_screen_80x24(snap_compare: Compare) -> None:
    """The patient view (the default) on the smallest terminal it is made for."""
    app = dashboard(IMPACT, LiveScreen, rehearsal=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=to_the_end)


def test_patient_screen_140x45(snap_compare: Compare) -> None:
    app = dashboard(IMPACT, LiveScreen, rehearsal=True)
    assert snap_compare(app, terminal_size=(140, 45), run_before=to_the_end)


def test_patient_screen_alerts_80x24(snap_compare: Compare) -> None:
    """A pain alert and the heart-rate ceiling: the plan waits, nothing urges effort."""
    app = dashboard(ALERTS, LiveScreen, rehearsal=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=to_the_end)


def test_staff_view_140x45(snap_compare: Compare) -> None:
    """The dense view behind `v`: tiles, charts with legends, devices, events and alerts."""
    app = dashboard(IMPACT, LiveScreen, rehearsal=True)
    assert snap_compare(app, press=("v",), terminal_size=(140, 45), run_before=to_the_end)


def test_live_help(snap_compare: Compare) -> None:
    assert live(snap_compare, ("question_mark",))


def test_rpe_dialog(snap_compare: Compare) -> None:
    assert live(snap_compare, ("r", "1", "3"))


def test_pain_dialog(snap_compare: Compare) -> None:
    assert live(snap_compare, ("p",))


def test_set_dialog(snap_compare: Compare) -> None:
    assert live(snap_compare, ("s",))


def test_balance_dialog(snap_compare: Compare) -> None:
    assert live(snap_compare, ("b",))


def test_stop_confirmation(snap_compare: Compare) -> None:
    assert live(snap_compare, ("q",))


def test_replay_screen(snap_compare: Compare) -> None:
    app = dashboard(IMPACT, ReplayScreen)
    assert snap_compare(app, terminal_size=SIZE, run_before=to_the_end)


def test_replay_with_alerts(snap_compare: Compare) -> None:
    app = dashboard(ALERTS, ReplayScreen)
    assert snap_compare(app, terminal_size=SIZE, run_before=to_the_end)


async def analysed(pilot: Pilot[Any]) -> None:
    """Wait for the review analysis workers."""
    await settle(pilot.app, pilot)
    await pilot.pause(0.2)


def library(monkeypatch: pytest.MonkeyPatch) -> OsteomonitorApp:
    # The screen names its folder: use the relative path a user types, so the snapshot
    # does not depend on where the checkout lives.
    monkeypatch.chdir(RECORDINGS.parent)
    return OsteomonitorApp(lambda: LibraryScreen(Path(RECORDINGS.name)))


def test_library(snap_compare: Compare, monkeypatch: pytest.MonkeyPatch) -> None:
    assert snap_compare(library(monkeypatch), terminal_size=SIZE, run_before=analysed)


def test_library_80x24(snap_compare: Compare, monkeypatch: pytest.MonkeyPatch) -> None:
    """The alerts column is on screen at 80 columns, the filter bar too."""
    assert snap_compare(library(monkeypatch), terminal_size=(80, 24), run_before=analysed)


def test_library_140x45_filtered_and_sorted(
    snap_compare: Compare, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Search typed, patient P00 only, sorted by length (every column on screen)."""

    async def filtered(pilot: Pilot[Any]) -> None:
        await analysed(pilot)
        await pilot.press("slash", *"aerobic", "enter", "s", "s", "s")
        await pilot.pause(0.2)

    app = library(monkeypatch)
    assert snap_compare(app, terminal_size=(140, 45), run_before=filtered)


def test_session_detail(snap_compare: Compare) -> None:
    app = OsteomonitorApp(lambda: SessionDetailScreen(IMPACT))
    assert snap_compare(app, terminal_size=SIZE, run_before=analysed)


def test_session_detail_100_columns(snap_compare: Compare) -> None:
    """Below 130 columns the FITT table has the whole width: every column on screen."""
    app = OsteomonitorApp(lambda: SessionDetailScreen(IMPACT))
    assert snap_compare(app, terminal_size=(100, 45), run_before=analysed)


def test_session_detail_100_columns_tables_only(snap_compare: Compare) -> None:
    """t hides the charts: every FITT row of the aerobic session and its sources."""
    app = OsteomonitorApp(lambda: SessionDetailScreen(RECORDINGS / "demo-P00-walk-sim.omrec"))
    assert snap_compare(app, press=("t",), terminal_size=(100, 45), run_before=analysed)


def test_session_detail_alerts_140_columns(snap_compare: Compare) -> None:
    """The highlighted alert in full beside the FITT table."""
    app = OsteomonitorApp(lambda: SessionDetailScreen(ALERTS))
    assert snap_compare(app, terminal_size=(140, 45), run_before=analysed)


def weeks_app() -> OsteomonitorApp:
    paths = sorted(RECORDINGS.glob("demo-P00-*.omrec"))
    return OsteomonitorApp(lambda: WeeksScreen("P00", paths))


async def weeks_ready(pilot: Pilot[Any]) -> None:
    await analysed(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WeeksScreen)
    await wait_for(pilot, lambda: screen.trend is not None, what="weeks")
    await pilot.pause(0.2)


def test_weeks(snap_compare: Compare) -> None:
    """The weeks with the trend chart: days per modality against the target minimum."""
    assert snap_compare(weeks_app(), terminal_size=SIZE, run_before=weeks_ready)


def test_weeks_jumps_chart(snap_compare: Compare) -> None:
    """c: the chart's next view, jumps per week."""
    assert snap_compare(weeks_app(), press=("c",), terminal_size=SIZE, run_before=weeks_ready)
