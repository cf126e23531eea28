"""Ask the patient how hard it is, on the scale their prescription uses (Borg 6-20 or CR-10)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Integer
from textual.widgets import Input, Label, Static

from osteomonitor.app.coaching import DEFAULT_SCALE, SCALES, EffortScale


class RpeDialog(ModalScreen[int | None]):
    """Returns the rating on `scale`, or None when cancelled.

    Args:
        scale: the scale to ask on (the prescription's, `effort.effort_scale`).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, scale: EffortScale = SCALES[DEFAULT_SCALE]) -> None:
        super().__init__()
        self.scale = scale

    def compose(self) -> ComposeResult:
        s = self.scale
        with Vertical(classes="dialog"):
            yield Label(f"How hard is it right now? ({s.label})", classes="dialog-title")
            yield Static(
                "\n".join(f"{n:>3}  {words}" for n, words in s.anchors), classes="dialog-scale"
            )
            yield Input(
                placeholder=f"{s.lo}-{s.hi}, then Enter",
                type="integer",
                max_length=len(str(s.hi)),
                validators=[Integer(minimum=s.lo, maximum=s.hi)],
                id="rpe-input",
            )
            yield Label("", id="rpe-error", classes="dialog-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        result = event.validation_result
        if not event.value or (result is not None and not result.is_valid):
            self.query_one("#rpe-error", Label).update(
                f"Please type a number from {self.scale.lo} to {self.scale.hi}."
            )
            return
        self.dismiss(int(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
