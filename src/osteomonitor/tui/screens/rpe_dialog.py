"""Ask the patient for their rating of perceived exertion (Borg 6–20)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Integer
from textual.widgets import Input, Label, Static

# Borg RPE 6–20 verbal anchors (Borg 1982, Med Sci Sports Exerc 14:377).
BORG_ANCHORS: tuple[tuple[int, str], ...] = (
    (6, "no exertion at all"),
    (7, "extremely light"),
    (9, "very light"),
    (11, "light"),
    (13, "somewhat hard"),
    (15, "hard (heavy)"),
    (17, "very hard"),
    (19, "extremely hard"),
    (20, "maximal exertion"),
)
RPE_MIN, RPE_MAX = 6, 20


class RpeDialog(ModalScreen[int | None]):
    """Returns the RPE (6–20), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("How hard is it right now?", classes="dialog-title")
            yield Static(
                "\n".join(f"{n:>3}  {words}" for n, words in BORG_ANCHORS), classes="dialog-scale"
            )
            yield Input(
                placeholder=f"{RPE_MIN}-{RPE_MAX}, then Enter",
                type="integer",
                max_length=2,
                validators=[Integer(minimum=RPE_MIN, maximum=RPE_MAX)],
                id="rpe-input",
            )
            yield Label("", id="rpe-error", classes="dialog-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.query_one("#rpe-error", Label).update(
                f"Please type a number from {RPE_MIN} to {RPE_MAX}."
            )
            return
        self.dismiss(int(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
