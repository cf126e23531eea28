"""Log a finished resistance set: exercise, repetitions and load."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Integer, Number
from textual.widgets import Input, Label

# Plausibility limits for a typed set (a typo, not a training limit).
MAX_REPS = 100
MAX_LOAD_KG = 500.0


@dataclass(frozen=True, slots=True)
class SetEntry:
    """A finished set: `exercise` name, `reps` done, `load_kg` (0 for body weight)."""

    exercise: str
    reps: int
    load_kg: float


class SetDialog(ModalScreen[SetEntry | None]):
    """Returns a `SetEntry`, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, last_exercise: str = "") -> None:
        super().__init__()
        self._last_exercise = last_exercise

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Set done", classes="dialog-title")
            yield Label("Exercise", classes="dialog-line")
            yield Input(value=self._last_exercise, placeholder="e.g. squat", id="set-exercise")
            yield Label("Repetitions", classes="dialog-line")
            yield Input(
                type="integer",
                validators=[Integer(minimum=1, maximum=MAX_REPS)],
                id="set-reps",
            )
            yield Label("Load, kg (0 = body weight)", classes="dialog-line")
            yield Input(
                placeholder="0",
                type="number",
                validators=[Number(minimum=0, maximum=MAX_LOAD_KG)],
                id="set-load",
            )
            yield Label("", id="set-error", classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one("#set-reps" if self._last_exercise else "#set-exercise", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        order = ["set-exercise", "set-reps", "set-load"]
        idx = order.index(event.input.id or "set-load")
        if idx < len(order) - 1:
            self.query_one(f"#{order[idx + 1]}", Input).focus()
            return
        reps = self.query_one("#set-reps", Input)
        load = self.query_one("#set-load", Input)
        for field, words, required in (
            (reps, f"repetitions 1-{MAX_REPS}", True),
            (load, "a load in kg", False),
        ):
            check = field.validate(field.value) if field.value else None
            if (required and not field.value) or (check is not None and not check.is_valid):
                self.query_one("#set-error", Label).update(f"Please type {words}.")
                field.focus()
                return
        exercise = self.query_one("#set-exercise", Input).value.strip() or "set"
        self.dismiss(SetEntry(exercise, int(reps.value), float(load.value or 0)))

    def action_cancel(self) -> None:
        self.dismiss(None)
