"""The live session screen, readable at arm's length in the middle of an exercise.

Large numbers (heart rate, jumps, time in band, session clock), the target next to
each, an alert banner that cannot be missed, and a strip with every device's link.
Keys log what the sensors cannot see: effort (RPE), pain, a marker, balance blocks and
finished resistance sets. Fed by a `SessionFeed` (collector live, recording in replay).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Label

from osteomonitor.model import Event, EventKind
from osteomonitor.tui.feeds.base import SessionFeed
from osteomonitor.tui.messages import (
    DevicesUpdated,
    FeedFailed,
    FeedFinished,
    FeedStarted,
    SessionUpdated,
)
from osteomonitor.tui.screens.balance_dialog import BalanceDialog
from osteomonitor.tui.screens.confirm_dialog import ConfirmDialog
from osteomonitor.tui.screens.help import HelpScreen
from osteomonitor.tui.screens.pain_dialog import PainDialog, PainReport
from osteomonitor.tui.screens.rpe_dialog import RpeDialog
from osteomonitor.tui.screens.set_dialog import SetDialog, SetEntry
from osteomonitor.tui.views.alert_board import AlertBoard
from osteomonitor.tui.views.dashboard import (
    NO_TARGETS,
    SessionTargets,
    clock_line,
    event_rows,
    heart_series,
    impact_bands,
)
from osteomonitor.tui.widgets.alert_banner import AlertBanner
from osteomonitor.tui.widgets.band_time_tile import BandTimeTile
from osteomonitor.tui.widgets.device_strip import DeviceStrip
from osteomonitor.tui.widgets.event_log import EventLog
from osteomonitor.tui.widgets.heart_rate_chart import HeartRateChart
from osteomonitor.tui.widgets.heart_tile import HeartTile
from osteomonitor.tui.widgets.impact_histogram import ImpactHistogram
from osteomonitor.tui.widgets.jump_tile import JumpTile
from osteomonitor.tui.widgets.session_clock import SessionClock

# Actions that add an event: only offered when the feed can record them (live).
LOGGING_ACTIONS = frozenset({"rpe", "pain", "marker", "balance", "set_done"})


class LiveScreen(Screen[None]):
    """The session dashboard.

    Args:
        feed: where data comes from (started on mount, stopped on leave).
        targets: the session's prescribed targets (minutes in band, jumps, ceiling).
        clock_ns: the session's host clock (the one packets are stamped with), ns.
        latency_sink: called with each notification-to-screen latency, s of that
            clock, once the screen has refreshed (bench).
    """

    HELP_TITLE = "live session"
    HELP = """
The big numbers: heart rate (bpm) and % of heart-rate reserve against your target
band, minutes in the band, jumps against the session's target, and the session clock.
A coloured banner appears when something needs attention (pain, a heart rate or an
impact above your safety limit, or data too poor to judge); press a to acknowledge it.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "rpe", "Effort (RPE)"),
        Binding("p", "pain", "Pain"),
        Binding("m", "marker", "Marker"),
        Binding("b", "balance", "Balance start/end"),
        Binding("s", "set_done", "Set done"),
        Binding("a", "acknowledge", "Acknowledge alert"),
        Binding("q", "stop", "Stop"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(
        self,
        feed: SessionFeed,
        *,
        targets: SessionTargets = NO_TARGETS,
        title: str = "",
        clock_ns: Callable[[], int] = time.time_ns,
        latency_sink: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__()
        self.feed = feed
        self.targets = targets
        self.title_text = title
        self.clock_ns = clock_ns
        self.latency_sink = latency_sink
        self.alerts = AlertBoard()
        self.last_state: Any = None
        self.finished_summary: Any = None
        self.balance_open = False
        self.markers = 0
        self.last_exercise = ""
        self._stopping = False
        self._generation = 0

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Label(self.title_text, id="title-bar")
        yield from self.compose_controls()
        yield AlertBanner(id="alert-banner")
        with Horizontal(id="tiles"):
            yield HeartTile(classes="tile")
            yield BandTimeTile(classes="tile")
            yield JumpTile(classes="tile")
            yield SessionClock(classes="tile")
        with Horizontal(id="charts"):
            yield HeartRateChart(id="hr-chart")
            yield ImpactHistogram(id="impact-histogram")
        with Horizontal(id="bottom"):
            with Vertical(id="devices-box"):
                yield Label("DEVICES", classes="tile-title")
                yield DeviceStrip(id="device-strip")
            with Vertical(id="events-box"):
                yield Label("EVENTS", classes="tile-title")
                yield EventLog(id="event-log")
        yield Footer()

    def compose_controls(self) -> ComposeResult:
        """Widgets under the title bar (none live; the replay bar in replay)."""
        yield from ()

    def on_mount(self) -> None:
        self.query_one(EventLog).show([])
        self.query_one(DeviceStrip).show(())
        self.feed.start(self)

    async def on_unmount(self) -> None:
        await self.feed.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in LOGGING_ACTIONS and not self.feed.can_log_events)

    # -- data in --------------------------------------------------------------------
    def on_feed_started(self, message: FeedStarted) -> None:
        meta = message.meta
        if not self.title_text:
            sim = "   SIMULATED WEARABLE" if meta.simulated else ""
            self.query_one("#title-bar", Label).update(
                f" osteomonitor   patient {meta.patient}   {meta.kind} session{sim}"
            )

    def on_session_updated(self, message: SessionUpdated) -> None:
        state = message.state
        self.last_state = state
        t = self.targets
        self.query_one(HeartTile).show(state)
        self.query_one(BandTimeTile).show(state, t.target_minutes)
        self.query_one(JumpTile).show(state, t.jumps)
        self.query_one(SessionClock).show(state.elapsed_s, clock_line(state))
        final = self.finished_summary is not None
        self.query_one(HeartRateChart).set_data(heart_series(state, t), now=final)
        self.query_one(ImpactHistogram).set_data(impact_bands(state.impacts), now=final)
        self.query_one(EventLog).show(event_rows(state.events, message.start_ns))
        if message.generation != self._generation:
            self._generation = message.generation
            self.alerts = AlertBoard()
        ceiling = t.hr_ceiling_bpm
        above = bool(
            state.hr_valid and state.hr_bpm is not None and ceiling and state.hr_bpm > ceiling
        )
        self.alerts.update(message.alerts, state.elapsed_s, hr_above_ceiling=above)
        self.query_one(AlertBanner).show(self.alerts.active())
        if message.newest_arrival_ns is not None and self.latency_sink is not None:
            arrival = message.newest_arrival_ns
            sink, clock = self.latency_sink, self.clock_ns
            self.call_after_refresh(lambda: sink((clock() - arrival) / 1e9))

    def on_devices_updated(self, message: DevicesUpdated) -> None:
        self.query_one(DeviceStrip).show(message.devices)

    def on_feed_finished(self, message: FeedFinished) -> None:
        self.finished_summary = message.summary
        if self.last_state is not None:
            self.query_one(HeartRateChart).set_data(
                heart_series(self.last_state, self.targets), now=True
            )
            self.query_one(ImpactHistogram).set_data(
                impact_bands(self.last_state.impacts), now=True
            )

    def on_feed_failed(self, message: FeedFailed) -> None:
        self.alerts.add_local("feed", message.text, "stop")
        self.query_one(AlertBanner).show(self.alerts.active())

    # -- keys -----------------------------------------------------------------------
    def _log(self, kind: str, data: dict[str, Any]) -> None:
        self.feed.log_event(Event(self.clock_ns(), kind, data))

    def action_rpe(self) -> None:
        def done(rpe: int | None) -> None:
            if rpe is not None:
                self._log(EventKind.RPE, {"rpe": rpe})

        self.app.push_screen(RpeDialog(), done)

    def action_pain(self) -> None:
        def done(report: PainReport | None) -> None:
            if report is not None:
                self._log(EventKind.PAIN, {"level": report.level, "where": report.where})

        self.app.push_screen(PainDialog(), done)

    def action_marker(self) -> None:
        self.markers += 1
        self._log(EventKind.MARKER, {"label": str(self.markers)})

    def action_balance(self) -> None:
        if self.balance_open:
            self.balance_open = False
            self._log(EventKind.BALANCE_END, {})
            return

        def done(eyes: str | None) -> None:
            if eyes is not None:
                self.balance_open = True
                self._log(EventKind.BALANCE_START, {"eyes": eyes})

        self.app.push_screen(BalanceDialog(self.targets.eyes_closed_allowed), done)

    def action_set_done(self) -> None:
        def done(entry: SetEntry | None) -> None:
            if entry is not None:
                self.last_exercise = entry.exercise
                self._log(
                    EventKind.SET_DONE,
                    {"exercise": entry.exercise, "reps": entry.reps, "load_kg": entry.load_kg},
                )

        self.app.push_screen(SetDialog(self.last_exercise), done)

    def action_acknowledge(self) -> None:
        self.alerts.acknowledge_all()
        self.query_one(AlertBanner).show(self.alerts.active())

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))

    async def action_stop(self) -> None:
        if not self.feed.can_log_events:  # a replay: nothing to close
            await self.feed.stop()
            if len(self.app.screen_stack) > 1:
                self.app.pop_screen()  # opened from the review screens
            else:
                self.app.exit(0)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._stop_feed(), exclusive=True, group="stop")

        self.app.push_screen(ConfirmDialog("End the session and save the recording?"), done)

    async def _stop_feed(self) -> None:
        self._stopping = True
        if self.balance_open:
            self.action_balance()
        await self.feed.stop()
        self.app.exit(0)
