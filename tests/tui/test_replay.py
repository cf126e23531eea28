"""Replay: the same screen fed from a recording, its controls, and analyze-equal results."""

from __future__ import annotations

from textual.widgets import Digits
from tui_support import IMPACT, SIZE, WALK, now, on_top, wait_for

from osteomonitor.session import analyze_recording
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.replay import SPEEDS, ReplayFeed
from osteomonitor.tui.screens.replay import SEEK_SMALL_S, ReplayScreen
from osteomonitor.tui.views.display import clock_text
from osteomonitor.tui.widgets.band_time_tile import BandTimeTile
from osteomonitor.tui.widgets.jump_tile import JumpTile


def _app(feed: ReplayFeed) -> OsteomonitorApp:
    feed.open()
    return OsteomonitorApp(lambda: ReplayScreen(feed))


async def test_numbers_at_the_end_equal_analyze() -> None:
    feed = ReplayFeed(IMPACT, speed=None)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_for(pilot, lambda: screen.finished_summary is not None, what="the end")
        await pilot.pause(0.1)
        _meta, expected = analyze_recording(IMPACT)
        assert feed.summary == expected
        assert len(expected.jumps) > 0  # the recording has jumps to compare
        shown_jumps = screen.query_one(JumpTile).query_one("#jump-count", Digits).value
        assert shown_jumps == str(len(expected.jumps))
        shown_band = screen.query_one(BandTimeTile).query_one("#band-time", Digits).value
        assert shown_band == clock_text(expected.heart.target_s)
        assert screen.last_state.impacts.band_counts == expected.impacts.band_counts


async def test_pause_holds_the_position_and_space_resumes() -> None:
    feed = ReplayFeed(WALK, speed=8.0)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: feed.position_s > 1.0, what="playback")
        await pilot.press("space")
        assert feed.paused
        await pilot.pause(0.2)
        held = feed.position_s
        await pilot.pause(0.5)  # 4 s of data at x8 if it were playing
        assert feed.position_s == held
        await pilot.press("space")
        assert not now(feed.paused)
        await wait_for(pilot, lambda: feed.position_s > held + 1.0, what="resume")


async def test_speed_keys_step_through_x1_to_x64_and_max() -> None:
    feed = ReplayFeed(WALK, speed=1.0)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        seen = [feed.speed]
        for _ in range(len(SPEEDS)):
            await pilot.press("plus")
            seen.append(feed.speed)
        assert seen == [*SPEEDS, None]  # clamps at max
        await pilot.press("minus")
        assert feed.speed == 64.0


async def test_seek_forward_back_home_and_end() -> None:
    feed = ReplayFeed(WALK, speed=1.0)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(6):
            await pilot.press("right")
        await wait_for(pilot, lambda: feed.position_s >= 6 * SEEK_SMALL_S - 1, what="seek +60 s")
        before = feed.position_s
        await pilot.press("left")
        await wait_for(
            pilot,
            lambda: before - SEEK_SMALL_S - 2 <= feed.position_s < before - 5,
            what="seek back",
        )
        assert feed.generation == 2  # seeking back replays from the start
        await pilot.press("home")
        await wait_for(pilot, lambda: feed.position_s < 5, what="home")
        await pilot.press("end")
        await wait_for(pilot, lambda: feed.finished, what="end")
        assert feed.summary == analyze_recording(WALK)[1]


async def test_quit_stops_the_replay_thread() -> None:
    feed = ReplayFeed(WALK, speed=1.0)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause(0.1)
    assert feed._thread is not None
    feed._thread.join(2)
    assert not feed._thread.is_alive()


async def test_rehearsal_analyses_logged_events_but_never_writes_the_file() -> None:
    from osteomonitor.store import RecordingReader

    with RecordingReader(WALK) as r:
        events_before = r.events()
    feed = ReplayFeed(WALK, speed=4.0, rehearsal=True)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_for(pilot, lambda: screen.last_state is not None, what="first snapshot")
        await pilot.press("m")
        await wait_for(
            pilot,
            lambda: any(e.kind == "marker" for e in screen.last_state.events),
            what="the marker in the analysis",
        )
    with RecordingReader(WALK) as r:
        assert r.events() == events_before


async def test_read_only_replay_offers_no_event_keys() -> None:
    feed = ReplayFeed(WALK, speed=1.0)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await pilot.press("m", "r")
        await pilot.pause(0.3)
        assert on_top(app, screen)  # no dialog opened
        assert not any(
            e.kind == "marker" for e in (screen.last_state.events if screen.last_state else ())
        )


async def test_seeking_while_paused_shows_the_target_at_once() -> None:
    """Paused, every seek redraws at its target straight away (issue 16: the screen used
    to lag one seek behind)."""
    from textual.widgets import Label

    feed = ReplayFeed(WALK, speed=1.0)
    app = _app(feed)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_for(pilot, lambda: screen.last_state is not None, what="first snapshot")
        await pilot.press("space")
        await pilot.pause(0.3)
        assert feed.paused
        bar_time = screen.query_one("#replay-time", Label)
        total = clock_text(feed.duration_s)
        target = feed.position_s
        for key, step in (
            ("right", SEEK_SMALL_S),
            ("right", SEEK_SMALL_S),
            ("left", -SEEK_SMALL_S),
        ):
            target += step
            await pilot.press(key)

            def bar_at(t: float = target) -> bool:
                return str(bar_time.render()).strip() == f"{clock_text(t)} / {total}"

            def values_at(t: float = target) -> bool:
                state = screen.last_state
                return state is not None and abs(state.elapsed_s - t) <= 1.5

            await wait_for(
                pilot,
                bar_at,
                timeout_s=3.0,
                what=f"the bar at {clock_text(target)} after {key}",
            )
            await wait_for(
                pilot,
                values_at,
                timeout_s=3.0,
                what=f"the session values at {clock_text(target)} after {key}",
            )
            assert feed.paused
            assert feed.position_s == target
