"""The patient view: heart rate against the band, today's exercise and the plan, big.

Two panels of 8-row block digits (`BigDigits`): the heart rate with its state in words
and a symbol, and the current exercise against its target; under them the session
clock, "now" and "next" with the rest timer, and the day's steps in order.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label

from osteomonitor.app.coaching import HR_WORDS
from osteomonitor.tui.views.display import plain
from osteomonitor.tui.views.patient import ExerciseText, HeartText, PlanText
from osteomonitor.tui.widgets.big_digits import BigDigits
from osteomonitor.tui.widgets.text_update import update_label


class PatientView(Vertical):
    """Glanceable live view for the person exercising (the staff view is one key away)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Horizontal(id="pv-panels"):
            with Vertical(id="pv-heart", classes="pv-panel"):
                yield BigDigits("--", id="pv-hr")
                yield Label("", id="pv-hr-words", classes="pv-words")
                yield Label("", id="pv-hr-band", classes="pv-line")
            with Vertical(id="pv-exercise", classes="pv-panel"):
                yield BigDigits("0", id="pv-ex-big")
                yield Label("", id="pv-ex-target", classes="pv-words")
                yield Label("", id="pv-ex-detail", classes="pv-line")
        yield Label("", id="pv-now", classes="pv-plan-line")
        yield Label("", id="pv-next", classes="pv-plan-line")
        yield Label("", id="pv-steps", classes="pv-plan-line")

    def on_mount(self) -> None:
        self.query_one("#pv-heart").border_title = "HEART RATE (bpm)"

    def _set(self, widget_id: str, text: str) -> None:
        old = self._shown.get(widget_id)
        if old == text:
            return
        self._shown[widget_id] = text
        widget = self.query_one(f"#{widget_id}")
        if isinstance(widget, BigDigits):
            widget.update_value(text)  # fixed height, drawn in place: no re-layout
        elif isinstance(widget, Label):
            update_label(widget, None if old is None else plain(old), plain(text))

    def show(self, heart: HeartText, exercise: ExerciseText, plan: PlanText) -> None:
        """Show the three parts (redraws only what changed)."""
        self._set("pv-hr", heart.bpm)
        self._set("pv-hr-words", heart.words)
        self._set("pv-hr-band", heart.band)
        old = self._shown.get("tone")
        if old != heart.tone:  # a class change restyles the panel: only on a change
            self._shown["tone"] = heart.tone
            panel = self.query_one("#pv-heart")
            if old is not None:
                panel.remove_class(f"-{old}")
            if heart.tone in HR_WORDS:
                panel.add_class(f"-{heart.tone}")
        ex = self.query_one("#pv-exercise")
        if self._shown.get("pv-ex-title") != exercise.title:
            self._shown["pv-ex-title"] = exercise.title
            ex.border_title = plain(exercise.title)  # exercise names come from a file
        if ex.has_class("-done") != exercise.done:
            ex.set_class(exercise.done, "-done")
        self._set("pv-ex-big", exercise.big)
        self._set("pv-ex-target", exercise.target)
        self._set("pv-ex-detail", exercise.detail)
        self._set("pv-now", plan.now)
        self._set("pv-next", plan.next)
        self._set("pv-steps", plan.steps)
        self.query_one("#pv-next").display = bool(plan.next)
        self.query_one("#pv-steps").display = bool(plan.steps)
