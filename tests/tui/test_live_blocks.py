"""Effort on the prescription's scale, stretch holds, balance minutes and target loads on
the live screen (rehearsal replays: the keys log events into the analysis)."""

from __future__ import annotations

import dataclasses
from typing import Any

from rx_builders import EXERCISES_TOML, make_rx
from textual.pilot import Pilot
from tui_support import IMPACT, SIZE, on_top, wait_for

from osteomonitor.model import NS_PER_S, EventKind
from osteomonitor.tui.app import OsteomonitorApp
from osteomonitor.tui.feeds.replay import ReplayFeed
from osteomonitor.tui.screens.live import LiveScreen
from osteomonitor.tui.screens.rpe_dialog import RpeDialog
from osteomonitor.tui.views.dashboard import session_targets


class Clock:
    """A host clock the test moves by hand, ns."""

    def __init__(self) -> None:
        self.t_ns = 1_000 * NS_PER_S

    def __call__(self) -> int:
        return self.t_ns


def _app(rx: Any, kind: str | None = None, clock: Clock | None = None) -> OsteomonitorApp:
    feed = ReplayFeed(IMPACT, speed=1.0, prescription=rx, rehearsal=True)
    meta = feed.open()
    if kind is not None:
        meta = dataclasses.replace(meta, kind=kind)
    targets = session_targets(rx, meta)
    return OsteomonitorApp(lambda: LiveScreen(feed, targets=targets, clock_ns=clock or Clock()))


async def _started(app: OsteomonitorApp, pilot: Pilot[Any]) -> LiveScreen:
    """The live screen once its first snapshot is drawn."""
    screen = app.screen
    assert isinstance(screen, LiveScreen)
    await wait_for(pilot, lambda: screen.last_state is not None, what="first snapshot")
    return screen


def _logged(screen: LiveScreen, kind: str) -> list[dict[str, Any]]:
    state = screen.last_state
    return [dict(e.data) for e in state.events if e.kind == kind] if state else []


async def test_effort_is_asked_on_cr10_when_the_prescription_uses_it() -> None:
    app = _app(make_rx("acsm-osteoporosis"), kind="aerobic")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await pilot.press("r")
        dialog = app.screen
        assert isinstance(dialog, RpeDialog)
        assert "CR-10" in str(dialog.query_one(".dialog-title").render())
        await pilot.press("1", "3", "enter")  # 13 is not on CR-10: refused
        assert app.screen is dialog
        await pilot.press("backspace", "backspace", "3", "enter")
        assert on_top(app, screen)
        await wait_for(pilot, lambda: bool(_logged(screen, EventKind.RPE)), what="the event")
        assert _logged(screen, EventKind.RPE)[-1] == {"rpe": 3, "scale": "cr10"}


async def test_effort_stays_borg_for_ksbmr_and_names_its_scale() -> None:
    app = _app(make_rx("ksbmr-2023"), kind="aerobic")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await pilot.press("r", "1", "3", "enter")
        await wait_for(pilot, lambda: bool(_logged(screen, EventKind.RPE)), what="the event")
        assert _logged(screen, EventKind.RPE)[-1] == {"rpe": 13, "scale": "borg6-20"}


async def test_a_stretch_hold_is_timed_and_recorded_once() -> None:
    clock = Clock()
    app = _app(make_rx("acsm-osteoporosis"), kind="flexibility", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        await pilot.press("h", *"calf", "enter")
        clock.t_ns += 12 * NS_PER_S
        line = screen.query_one("#clock-block")
        await wait_for(pilot, lambda: "12 s of 10-30 s" in str(line.render()), what="timer")
        clock.t_ns += 8 * NS_PER_S
        await pilot.press("h")
        await wait_for(pilot, lambda: bool(_logged(screen, EventKind.STRETCH_HOLD)), what="hold")
        assert _logged(screen, EventKind.STRETCH_HOLD) == [{"exercise": "calf", "hold_s": 20.0}]
        await wait_for(pilot, lambda: "1 of 2-4 holds" in str(line.render()), what="count")


async def test_a_balance_block_counts_toward_the_days_minutes() -> None:
    app = _app(make_rx("ksbmr-2023"), kind="balance")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        line = screen.query_one("#clock-block")
        await pilot.press("b", "o")
        await wait_for(pilot, lambda: "of 15 min" in str(line.render()), what="balance line")
        assert str(line.render()).startswith("balance 0:0")
        await pilot.press("b")
        await wait_for(
            pilot, lambda: bool(_logged(screen, EventKind.BALANCE_END)), what="block end"
        )


async def test_target_loads_show_in_a_resistance_session() -> None:
    app = _app(make_rx(extra=EXERCISES_TOML), kind="resistance")
    async with app.run_test(size=SIZE) as pilot:
        screen = await _started(app, pilot)
        line = screen.query_one("#clock-load")
        await wait_for(pilot, lambda: "squat 25.5 kg" in str(line.render()), what="loads")
        await pilot.press("s", *"row", "enter", "1", "0", "enter", "2", "0", "enter")
        await wait_for(
            pilot, lambda: str(line.render()).startswith("target row "), what="row first"
        )
