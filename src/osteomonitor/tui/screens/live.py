"""The live session screen, readable at arm's length in the middle of an exercise.

Two views over one alert banner that cannot be missed: the patient view (the default;
`widgets.patient_view`: heart rate in 8-row digits with its state in words and a
symbol, today's exercise against its target, the session clock and today's plan) and,
one key away (v), the staff view (`widgets.staff_view`: tiles, charts, every device's
link and packets, the events and alerts).
Keys log what the sensors cannot see: effort (RPE, on the prescription's scale), pain,
a marker, balance blocks, stretch holds and finished resistance sets. A suspected fall
asks at once "are you all right?" and records the question and the answer; a spinal
restriction in the prescription is shown under the banner with the trunk's current
inclination. Every sentence comes from one message hierarchy (`session.coaching`): a
safety alert silences all encouragement, a rest says rest, a figure fades when its
evidence stops. Fed by a `SessionFeed` (collector live, recording in replay).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Label

from osteomonitor.app.coaching import Coaching, StretchHolds, coach, live_facts
from osteomonitor.model import NS_PER_S
from osteomonitor.tui.feeds.base import SessionFeed
from osteomonitor.tui.messages import (
    DevicesUpdated,
    FeedFailed,
    FeedFinished,
    FeedStarted,
    SessionUpdated,
)
from osteomonitor.tui.screens.confirm_dialog import ConfirmDialog
from osteomonitor.tui.screens.help import HelpScreen
from osteomonitor.tui.screens.live_keys import (
    FALL_QUESTION,
    HELP_REQUESTED,
    LOGGING_ACTIONS,
    LiveKeys,
)
from osteomonitor.tui.views.alert_board import AlertBoard
from osteomonitor.tui.views.dashboard import (
    NO_TARGETS,
    SessionTargets,
    block_line,
    clock_line,
    event_rows,
    heart_series,
    impact_bands,
    loads_line,
    posture_line,
)
from osteomonitor.tui.views.display import plain
from osteomonitor.tui.views.patient import patient_texts
from osteomonitor.tui.widgets.alert_banner import AlertBanner
from osteomonitor.tui.widgets.band_time_tile import BandTimeTile
from osteomonitor.tui.widgets.device_strip import DeviceStrip
from osteomonitor.tui.widgets.event_log import EventLog
from osteomonitor.tui.widgets.heart_rate_chart import HeartRateChart
from osteomonitor.tui.widgets.heart_tile import HeartTile
from osteomonitor.tui.widgets.impact_histogram import ImpactHistogram
from osteomonitor.tui.widgets.jump_tile import JumpTile
from osteomonitor.tui.widgets.patient_view import PatientView
from osteomonitor.tui.widgets.session_clock import SessionClock
from osteomonitor.tui.widgets.staff_view import StaffView
from osteomonitor.tui.widgets.text_update import update_label

__all__ = ["FALL_QUESTION", "HELP_REQUESTED", "LOGGING_ACTIONS", "VIEWS", "LiveScreen"]

#: The two views of the screen: the patient's (big, few words) and the staff's (dense).
VIEWS = ("patient", "staff")
#: The key that switches between them (shown in the footer and the help).
VIEW_KEY = "v"


class LiveScreen(LiveKeys):
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
Two views, v switches: the patient view shows your heart rate in big digits with its
state in words and a symbol (✓ in band, ▼ below, ▲ above, ▲▲ above your limit), today's
exercise against its target, the session clock and today's plan (now, next, rest). The
staff view shows heart rate and % of heart-rate reserve, minutes in the band, jumps,
charts, the devices and the events.
A coloured banner appears when something needs attention (pain, a heart rate or an
impact above your safety limit, a possible fall, bending forward beyond your plan's
limit, or data too poor to judge), one line per alert, the most urgent first; press a
to acknowledge it. While an alert shows, nothing on the screen asks for more effort.
After a possible fall you are asked whether you are all right: f "I'm fine", h "I need
help". Press h to start and end a stretch hold, b for a balance block: the clock tile
times them against your plan. s records a finished strength set (exercise, reps, kg), r
your effort, p pain, m a marker; a acknowledges the alerts showing.
"""
    # Short descriptions: every key fits the footer of an 80-column terminal (the marker
    # key is listed in the help only).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(VIEW_KEY, "view('staff')", "Staff"),
        Binding(VIEW_KEY, "view('patient')", "Patient"),
        Binding("r", "rpe", "Effort"),
        Binding("p", "pain", "Pain"),
        Binding("b", "balance", "Balance"),
        Binding("h", "hold", "Stretch"),
        Binding("s", "set_done", "Set"),
        Binding("a", "acknowledge", "OK alert"),
        Binding("m", "marker", "Marker", show=False),
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
        view: str = "patient",
    ) -> None:
        super().__init__()
        if view not in VIEWS:
            raise ValueError(f"unknown live view {view!r}: choose one of {', '.join(VIEWS)}")
        self.view = view
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
        self.holds = StretchHolds(targets.hold_plan)
        self.last_stretch = ""
        self._stopping = False
        self._generation = 0
        self._start_ns: int | None = None
        self._cadence_spm: float | None = None
        self._falls_asked: set[float] = set()
        self._alerts_in: Any = ()
        self._devices: Any = ()
        self._posture_shown: Any = None
        self._bands_key: Any = None  # inputs of the histogram's bars last computed
        self._bands: Any = None
        self._events_key: Any = None  # inputs of the event rows last shown

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Label(plain(self.title_text), id="title-bar")
        yield from self.compose_controls()
        yield AlertBanner(id="alert-banner")
        yield Label(self.targets.spinal_restriction or "", id="spinal-restriction")
        yield PatientView(id="patient-view")
        yield StaffView(id="staff-view")
        yield Footer(compact=True)

    def compose_controls(self) -> ComposeResult:
        """Widgets under the title bar (none live; the replay bar in replay)."""
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#spinal-restriction", Label).display = bool(self.targets.spinal_restriction)
        self.query_one(EventLog).show([])
        self.query_one(DeviceStrip).show(())
        self._show_view()
        self.feed.start(self)

    async def on_unmount(self) -> None:
        await self.feed.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "view":
            return parameters != (self.view,)  # offer only the other view
        return not (action in LOGGING_ACTIONS and not self.feed.can_log_events)

    def action_view(self, view: str) -> None:
        """Switch to the patient or the staff view (drawn at once from the last snapshot)."""
        self.view = view
        self._show_view()
        self.refresh_bindings()
        self._redraw(now=True)

    def _show_view(self) -> None:
        self.query_one(PatientView).display = self.view == "patient"
        self.query_one("#staff-view").display = self.view == "staff"

    # -- drawing: both views stay current (tests and the v key read them); labels
    # redraw only on a change and without a re-layout, charts only while they show ---
    def _draw_view(self, state: Any, coaching: Coaching, *, now: bool = False) -> None:
        """Draw both views; their widgets redraw only what changed."""
        self._show_patient(state, coaching, self._start_ns)
        self._show_staff(state, coaching, now=now)

    def _show_staff(self, state: Any, coaching: Coaching, *, now: bool) -> None:
        """The staff view: tiles, charts (at most once a second unless `now`; drawn only
        while the staff view shows), devices
        and the events with the alerts of the last snapshot."""
        t = self.targets
        self.query_one(HeartTile).show(state, coaching, t.hr_ceiling_bpm)
        self.query_one(BandTimeTile).show(state, t.target_minutes)
        self.query_one(JumpTile).show(state, t.jumps, coaching.landings_fresh)
        self._show_clock(state, coaching.cadence_spm)
        draw = self.view == "staff"  # hidden charts only remember their data
        self.query_one(HeartRateChart).set_data(heart_series(state, t), now=now, draw=draw)
        # The histogram's bars and the event rows are rebuilt only when their inputs
        # changed (a snapshot several times a second, an impact or event far less often).
        impacts = state.impacts
        bands = (impacts.band_edges_g, impacts.band_counts, getattr(state, "jump_peaks_g", None))
        if bands != self._bands_key:
            self._bands_key, self._bands = bands, impact_bands(state)
        self.query_one(ImpactHistogram).set_data(self._bands, now=now, draw=draw)
        events = state.events
        key = (len(events), events[-1] if events else None, self._start_ns, self._alerts_in)
        if key != self._events_key:
            self._events_key = key
            self.query_one(EventLog).show(event_rows(events, self._start_ns, self._alerts_in))
        self.query_one(DeviceStrip).show(self._devices)

    def _show_patient(self, state: Any, coaching: Coaching, start_ns: int | None) -> None:
        """The patient view from a snapshot and the coaching the staff tiles show too."""
        hold = self.holds.running
        held = (
            None if hold is None else (hold.exercise, (self.clock_ns() - hold.start_ns) / NS_PER_S)
        )
        self.query_one(PatientView).show(
            *patient_texts(state, coaching, self.targets, start_ns, held)
        )

    def _coaching(self) -> Coaching:
        """The message hierarchy's decision for the last snapshot and the active alerts."""
        facts = live_facts(
            self.last_state, self.targets.hr_ceiling_bpm, holding=self.holds.running is not None
        )
        return coach(facts, self.alerts.active())

    def _redraw(self, *, now: bool = False) -> None:
        """Redraw the banner and the view that shows (after a local change: a key, an
        acknowledged alert, a view switch)."""
        if self.last_state is None:
            self.query_one(AlertBanner).show(self.alerts.active())
            return
        coaching = self._coaching()
        self.query_one(AlertBanner).show(coaching.alerts)
        self._draw_view(self.last_state, coaching, now=now)

    # -- data in --------------------------------------------------------------------
    def on_feed_started(self, message: FeedStarted) -> None:
        meta = message.meta
        if not self.title_text:
            sim = "   SIMULATED WEARABLE" if meta.simulated else ""
            self.query_one("#title-bar", Label).update(
                plain(f" osteomonitor   patient {meta.patient}   {meta.kind} session{sim}")
            )

    def on_session_updated(self, message: SessionUpdated) -> None:
        state = message.state
        self.last_state = state
        self._start_ns = message.start_ns
        t = self.targets
        if message.generation != self._generation:
            self._generation = message.generation
            self.alerts = AlertBoard()
            self._falls_asked = set()
        ceiling = t.hr_ceiling_bpm
        above = bool(
            state.hr_valid and state.hr_bpm is not None and ceiling and state.hr_bpm > ceiling
        )
        self.alerts.update(message.alerts, state.elapsed_s, hr_above_ceiling=above)
        self._alerts_in = message.alerts
        coaching = self._coaching()
        self.query_one(AlertBanner).show(coaching.alerts)
        self._cadence_spm = coaching.cadence_spm
        self._draw_view(state, coaching, now=self.finished_summary is not None)
        if t.spinal_restriction:
            line = posture_line(t.spinal_restriction, state)
            if line != self._posture_shown:
                label = self.query_one("#spinal-restriction", Label)
                update_label(label, self._posture_shown, line)
                self._posture_shown = line
        for fall in getattr(state, "falls", ()):
            self._on_fall(fall)
        if message.newest_arrival_ns is not None and self.latency_sink is not None:
            arrival = message.newest_arrival_ns
            sink, clock = self.latency_sink, self.clock_ns
            self.call_after_refresh(lambda: sink((clock() - arrival) / 1e9))

    def _show_clock(self, state: Any, cadence_spm: float | None) -> None:
        """The session clock with steps and cadence, the timed block and target loads."""
        origin = self._start_ns if self._start_ns is not None else 0
        block = block_line(
            self.holds,
            self.targets,
            state.events,
            hold_now_ns=self.clock_ns(),
            data_now_ns=origin + int(state.elapsed_s * NS_PER_S),
        )
        self.query_one(SessionClock).show(
            state.elapsed_s,
            clock_line(state.gait.steps, cadence_spm),
            block,
            loads_line(self.targets, self.last_exercise),
        )

    def on_devices_updated(self, message: DevicesUpdated) -> None:
        self._devices = message.devices
        self.query_one(DeviceStrip).show(message.devices)

    def on_feed_finished(self, message: FeedFinished) -> None:
        self.finished_summary = message.summary
        self._redraw(now=True)

    def on_feed_failed(self, message: FeedFailed) -> None:
        self.alerts.add_local("feed", message.text, "stop")
        self._redraw()

    def _refresh_alerts(self) -> None:
        """Redraw what depends on the active alerts (after a local change)."""
        self._redraw()

    def _refresh_clock(self) -> None:
        """Redraw after a hold began or ended (the clock tile, the coaching, the plan)."""
        self._redraw()

    def action_acknowledge(self) -> None:
        self.alerts.acknowledge_all()
        self._refresh_alerts()

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
        if self.holds.running is not None:
            self.action_hold()
        await self.feed.stop()
        self.app.exit(0)
