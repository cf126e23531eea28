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
from textual.screen import Screen
from textual.widgets import Footer, Label

from osteomonitor.app.coaching import Coaching, StretchHolds, coach, live_facts
from osteomonitor.model import NS_PER_S, Event, EventKind
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
from osteomonitor.tui.screens.fall_dialog import HELP as FALL_HELP
from osteomonitor.tui.screens.fall_dialog import FallDialog
from osteomonitor.tui.screens.help import HelpScreen
from osteomonitor.tui.screens.pain_dialog import PainDialog, PainReport
from osteomonitor.tui.screens.rpe_dialog import RpeDialog
from osteomonitor.tui.screens.set_dialog import SetDialog, SetEntry
from osteomonitor.tui.screens.stretch_dialog import StretchDialog
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

#: The question after a suspected fall (the fall alert's patient message, issue 14).
FALL_QUESTION = "Possible fall: are you all right?"
#: The banner after "I need help": what the person can do; nothing leaves the machine.
HELP_REQUESTED = (
    "You asked for help. Stay where you are and call someone if you can: "
    "press a when help has come."
)

# Actions that add an event: only offered when the feed can record them (live).
LOGGING_ACTIONS = frozenset({"rpe", "pain", "marker", "balance", "hold", "set_done"})
#: The two views of the screen: the patient's (big, few words) and the staff's (dense).
VIEWS = ("patient", "staff")
#: The key that switches between them (shown in the footer and the help).
VIEW_KEY = "v"


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
        """Switch to the patient or the staff view."""
        self.view = view
        self._show_view()
        self.refresh_bindings()
        if view == "staff" and self.last_state is not None:
            self._draw_charts(self.last_state, now=True)

    def _show_view(self) -> None:
        self.query_one(PatientView).display = self.view == "patient"
        self.query_one("#staff-view").display = self.view == "staff"

    def _draw_charts(self, state: Any, now: bool) -> None:
        """Hand the charts their data; drawn only while the staff view shows."""
        draw = self.view == "staff"
        self.query_one(HeartRateChart).set_data(
            heart_series(state, self.targets), now=now, draw=draw
        )
        self.query_one(ImpactHistogram).set_data(impact_bands(state), now=now, draw=draw)

    def _show_patient(self, state: Any, coaching: Coaching, start_ns: int | None) -> None:
        """The patient view from a snapshot and the coaching the staff tiles show too."""
        hold = self.holds.running
        held = (
            None if hold is None else (hold.exercise, (self.clock_ns() - hold.start_ns) / NS_PER_S)
        )
        self.query_one(PatientView).show(
            *patient_texts(state, coaching, self.targets, start_ns, held)
        )

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
        facts = live_facts(state, ceiling, holding=self.holds.running is not None)
        coaching = coach(facts, self.alerts.active())
        self.query_one(AlertBanner).show(coaching.alerts)
        self.query_one(HeartTile).show(state, coaching, ceiling)
        self.query_one(BandTimeTile).show(state, t.target_minutes)
        self.query_one(JumpTile).show(state, t.jumps, coaching.landings_fresh)
        self._cadence_spm = coaching.cadence_spm
        self._show_clock(state, coaching.cadence_spm)
        self._show_patient(state, coaching, message.start_ns)
        self._draw_charts(state, now=self.finished_summary is not None)
        self.query_one(EventLog).show(event_rows(state.events, message.start_ns, message.alerts))
        if t.spinal_restriction:
            line = posture_line(t.spinal_restriction, state)
            self.query_one("#spinal-restriction", Label).update(line)
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
        self.query_one(DeviceStrip).show(message.devices)

    def on_feed_finished(self, message: FeedFinished) -> None:
        self.finished_summary = message.summary
        if self.last_state is not None:
            self._draw_charts(self.last_state, now=True)

    def on_feed_failed(self, message: FeedFailed) -> None:
        self.alerts.add_local("feed", message.text, "stop")
        self._refresh_alerts()

    def _refresh_alerts(self) -> None:
        """Redraw what depends on the active alerts (after a local change)."""
        if self.last_state is None:
            self.query_one(AlertBanner).show(self.alerts.active())
            return
        facts = live_facts(
            self.last_state, self.targets.hr_ceiling_bpm, holding=self.holds.running is not None
        )
        coaching = coach(facts, self.alerts.active())
        self.query_one(AlertBanner).show(coaching.alerts)
        self.query_one(HeartTile).show(self.last_state, coaching, self.targets.hr_ceiling_bpm)
        self._show_patient(self.last_state, coaching, self._start_ns)

    def _on_fall(self, fall: Any) -> None:
        """Ask once per suspected fall (with the first snapshot that holds it); live,
        record the question and the answer."""
        key = round(float(fall.t_s), 2)
        if key in self._falls_asked:
            return
        self._falls_asked.add(key)
        if not self.feed.can_log_events:
            return  # a replay: the banner shows it; the recording holds the answers
        self._log(
            EventKind.FALL_SUSPECTED,
            {
                "t_s": float(fall.t_s),
                "probability": float(fall.probability),
                "peak_g": float(fall.peak_g),
                "tilt_deg": float(fall.tilt_deg),
            },
        )

        def done(answer: str | None) -> None:
            self._log(
                EventKind.FALL_RESPONSE,
                {"response": answer or "", "suspected_t_s": float(fall.t_s)},
            )
            self.alerts.acknowledge("fall")
            if answer == FALL_HELP:
                self.alerts.add_local("help", HELP_REQUESTED, "stop")
            self.query_one(AlertBanner).show(self.alerts.active())

        self.app.push_screen(FallDialog(FALL_QUESTION), done)

    # -- keys -----------------------------------------------------------------------
    def _log(self, kind: str, data: dict[str, Any]) -> None:
        self.feed.log_event(Event(self.clock_ns(), kind, data))

    def action_rpe(self) -> None:
        scale = self.targets.effort_scale

        def done(rpe: int | None) -> None:
            if rpe is not None:
                self._log(EventKind.RPE, {"rpe": rpe, "scale": scale.key})

        self.app.push_screen(RpeDialog(scale), done)

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

    def action_hold(self) -> None:
        if self.holds.running is not None:
            event = self.holds.end(self.clock_ns())
            if event is not None:
                self.feed.log_event(event)
            self._refresh_clock()
            return

        def done(name: str | None) -> None:
            if name is not None:
                self.last_stretch = name
                self.holds.start(name, self.clock_ns())
                self._refresh_clock()

        self.app.push_screen(StretchDialog(self.targets.hold_plan, self.last_stretch), done)

    def _refresh_clock(self) -> None:
        if self.last_state is not None:
            self._show_clock(self.last_state, self._cadence_spm)
            self._refresh_alerts()  # the coaching and the patient view (a hold began/ended)

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
