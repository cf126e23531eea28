"""Ask the patient how much it hurts (0–10) and where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Integer
from textual.widgets import Input, Label

PAIN_MIN, PAIN_MAX = 0, 10


@dataclass(frozen=True, slots=True)
class PainReport:
    """A pain report: `level` 0–10 (numeric rating scale) and free-text `where`."""

    level: int
    where: str


class PainDialog(ModalScreen[PainReport | None]):
    """Returns a `PainReport`, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Pain: how much, 0 (none) to 10 (worst)?", classes="dialog-title")
            yield Input(
                placeholder=f"{PAIN_MIN}-{PAIN_MAX}",
                type="integer",
                max_length=2,
                validators=[Integer(minimum=PAIN_MIN, maximum=PAIN_MAX)],
                id="pain-level",
            )
            yield Label("Where? (optional: back, knee, hip ...)", classes="dialog-line")
            yield Input(placeholder="where it hurts, then Enter", id="pain-where")
            yield Label("", id="pain-error", classes="dialog-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        level_input = self.query_one("#pain-level", Input)
        if event.input is level_input:
            self.query_one("#pain-where", Input).focus()
            return
        check = level_input.validate(level_input.value)
        if (check is not None and not check.is_valid) or not level_input.value:
            self.query_one("#pain-error", Label).update(
                f"Please type how much it hurts, {PAIN_MIN} to {PAIN_MAX}."
            )
            level_input.focus()
            return
        where = self.query_one("#pain-where", Input).value.strip()
        self.dismiss(PainReport(int(level_input.value), where))

    def action_cancel(self) -> None:
        self.dismiss(None)
