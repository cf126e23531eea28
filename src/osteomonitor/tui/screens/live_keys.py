"""The live screen's keys that log what the sensors cannot see, and the fall question.

Effort (RPE, on the prescription's scale), pain, a marker, balance blocks, stretch holds
and finished resistance sets each open a small dialog and record one `Event` through the
feed; a suspected fall asks "are you all right?" once and records the question and the
answer. `LiveKeys` is mixed into `LiveScreen` (`screens.live`), which owns the state it
reads (feed, targets, clock, alerts, holds) and redraws after a hold or an alert change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from osteomonitor.app.coaching import StretchHolds
from osteomonitor.model import Event, EventKind
from osteomonitor.tui.feeds.base import SessionFeed
from osteomonitor.tui.screens.balance_dialog import BalanceDialog
from osteomonitor.tui.screens.fall_dialog import HELP as FALL_HELP
from osteomonitor.tui.screens.fall_dialog import FallDialog
from osteomonitor.tui.screens.pain_dialog import PainDialog, PainReport
from osteomonitor.tui.screens.rpe_dialog import RpeDialog
from osteomonitor.tui.screens.set_dialog import SetDialog, SetEntry
from osteomonitor.tui.screens.stretch_dialog import StretchDialog
from osteomonitor.tui.views.alert_board import AlertBoard
from osteomonitor.tui.views.dashboard import SessionTargets
from osteomonitor.tui.widgets.alert_banner import AlertBanner

#: The question after a suspected fall (the fall alert's patient message, issue 14).
FALL_QUESTION = "Possible fall: are you all right?"
#: The banner after "I need help": what the person can do; nothing leaves the machine.
HELP_REQUESTED = (
    "You asked for help. Stay where you are and call someone if you can: "
    "press a when help has come."
)
# Actions that add an event: only offered when the feed can record them (live).
LOGGING_ACTIONS = frozenset({"rpe", "pain", "marker", "balance", "hold", "set_done"})


class LiveKeys(Screen[None]):
    """The logging keys and the fall question (state and redraws: `LiveScreen`)."""

    feed: SessionFeed
    targets: SessionTargets
    clock_ns: Callable[[], int]
    alerts: AlertBoard
    holds: StretchHolds
    balance_open: bool
    markers: int
    last_exercise: str
    last_stretch: str
    _falls_asked: set[float]

    def _refresh_clock(self) -> None:  # pragma: no cover - LiveScreen's
        raise NotImplementedError

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

    def action_set_done(self) -> None:
        def done(entry: SetEntry | None) -> None:
            if entry is not None:
                self.last_exercise = entry.exercise
                self._log(
                    EventKind.SET_DONE,
                    {"exercise": entry.exercise, "reps": entry.reps, "load_kg": entry.load_kg},
                )

        self.app.push_screen(SetDialog(self.last_exercise), done)
