"""Text from a file or a radio is shown as plain text (issue 11 item 7): a pseudonym like
`P07[/]` crashed review (MarkupError) and replay; escape sequences in notes, device names
or event text reached the terminal. Review and replay run the real app (Pilot) over a real
recording whose patient, notes, device name and event text carry markup and escapes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import OptionList, Select
from tui_support import SIZE, settle, wait_for

from osteomonitor.devices.hrs import encode_hr
from osteomonitor.model import DeviceInfo, Event, Packet, SessionMeta
from osteomonitor.store import RecordingWriter
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.replay import ReplayFeed
from osteomonitor.tui.screens.library import LibraryScreen
from osteomonitor.tui.screens.replay import ReplayScreen
from osteomonitor.tui.screens.session_detail import SessionDetailScreen
from osteomonitor.tui.views.library_cells import cell_text
from osteomonitor.tui.widgets.event_log import EventLog
from osteomonitor.tui.widgets.library_table import LibraryTable
from osteomonitor.tui.widgets.session_events import SessionEvents

PATIENT = "P07[/]"
HOSTILE = "[bold red]x[/] [link=file:///etc]y[/link] \x1b[2J\x1b]0;pwn\x07 \u202etxt"
NS = 1_000_000_000
T0 = int(dt.datetime(2026, 3, 4, 10, tzinfo=dt.UTC).timestamp()) * NS


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("hostile")
    meta = SessionMeta(PATIENT, "aerobic", "2026-03-04T10:00:00+00:00", "UTC", "t", notes=HOSTILE)
    strap = DeviceInfo("strap", "C0:FF:EE:00:00:02", "[blink]Strap\x1b[5m", "hr-strap")
    with RecordingWriter.create(d / "hostile[b]x.omrec", meta) as w:
        w.add_device(strap)
        for s in range(120):
            w.write_packet(Packet(T0 + s * NS, "strap", "hr", encode_hr(90 + s % 20, [700])))
        w.write_event(Event(T0 + 30 * NS, "marker", {"label": HOSTILE}))
        w.write_event(Event(T0 + 45 * NS, "note", {"text": HOSTILE}))
        w.write_event(Event(T0 + 60 * NS, "pain", {"level": 3, "where": "[/]\x1b[31m"}))
    return d


async def test_review_lists_and_opens_a_recording_with_markup_in_its_text(folder: Path) -> None:
    app = OsteomonitorApp(lambda: LibraryScreen(folder))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(LibraryTable)
        assert table.row_count == 1
        row = [cell_text(c) for c in table.row_at(0).cells]
        assert any(PATIENT in c for c in row)  # shown literally, brackets and all
        drawn = "".join(s.text for s in table.render_line(1))
        assert PATIENT in drawn  # and drawn so
        # the patient filter offers it literally too, and filters by it
        select = app.screen.query_one("#patient-filter", Select)
        select.value = PATIENT
        await pilot.pause(0.2)
        assert PATIENT in str(select.query_one("SelectCurrent #label").render())
        assert table.row_count == 1
        await pilot.press("enter")
        await pilot.press("escape")  # the dropdown, if it opened, closes
        app.screen.query_one(LibraryTable).focus()
        await pilot.press("enter")
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        await wait_for(pilot, lambda: detail.review is not None, what="analysis")
        await pilot.pause(0.2)
        assert app.return_value is None and app._exception is None
        title = str(detail.query_one("#title-bar").render())
        assert PATIENT in title
        events = detail.query_one(SessionEvents)
        options = events.query_one(OptionList)
        words = [str(options.get_option_at_index(r).prompt) for r in range(options.option_count)]
        assert any("[bold red]x[/]" in w and "\\x1b[2J" in w for w in words), words
        assert not any("\x1b" in w for w in words)
        # the detail pane shows the highlighted item whole, escaped too
        for r, w in enumerate(words):
            if "[bold red]x[/]" in w:
                options.highlighted = r
                await pilot.pause(0.1)
                pane = str(events.query_one("#event-detail").render())
                assert "[bold red]x[/]" in pane and "\x1b" not in pane
                break


async def test_replay_of_a_recording_with_markup_in_its_text(folder: Path) -> None:
    feed = ReplayFeed(next(folder.glob("*.omrec")), speed=None)
    feed.open()
    app = OsteomonitorApp(lambda: ReplayScreen(feed))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_for(pilot, lambda: screen.finished_summary is not None, what="the end")
        await pilot.pause(0.2)
        assert app._exception is None
        log = str(screen.query_one(EventLog).render())
        assert "[/]" in log and "\\x1b[31m" in log and "\x1b" not in log
        title = str(screen.query_one("#title-bar").render())
        assert PATIENT in title


async def test_replay_and_review_of_a_session_with_a_corrupted_frame(tmp_path: Path) -> None:
    """One osteomonitor-imu frame with a corrupted rate field aborted replay ("sample
    rate 7368.0 Hz is outside 25-416 Hz"); now it is set aside and shown in review."""
    import struct

    import numpy as np

    from osteomonitor.devices import osteomonitor_imu

    path = tmp_path / "imu.omrec"
    meta = SessionMeta("P07", "impact", "2026-03-04T10:00:00+00:00", "UTC", "t")
    imu = DeviceInfo("hip", "C0:00:00:00:00:20", "OsteoIMU 1", "osteomonitor-imu",
                     settings={"sample_rate": 200, "range_g": 16})  # fmt: skip
    acc = np.tile([0.0, 0.0, 1.0], (38, 1))
    with RecordingWriter.create(path, meta) as w:
        w.add_device(imu)
        for k in range(400):
            b = bytearray(osteomonitor_imu.encode_frame(k * 190_000, k * 38, acc, 200, 16))
            if k == 200:
                b[2:4] = struct.pack("<H", 7368)
            w.write_packet(Packet(T0 + (k + 1) * 190_000_000, "hip", "imu_data", bytes(b)))
    feed = ReplayFeed(path, speed=None)
    feed.open()
    app = OsteomonitorApp(lambda: ReplayScreen(feed))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_for(pilot, lambda: screen.finished_summary is not None, what="the end")
        (aside,) = screen.finished_summary.set_aside
        assert aside.frames == 1 and aside.reason == "rate differs from the stream's 200 Hz"
        assert screen.finished_summary.acc_coverage > 0.95
    app = OsteomonitorApp(lambda: LibraryScreen(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        detail = app.screen
        assert isinstance(detail, SessionDetailScreen)
        await wait_for(pilot, lambda: detail.review is not None, what="analysis")
        await pilot.pause(0.1)
        line = str(detail.query_one("#detail-summary").render())
        assert "1 frame set aside: rate differs from the stream's 200 Hz (hip imu_data)" in line
