"""Ask the patient, after a suspected fall, whether they are all right.

The question stays until answered: f ("I'm fine") or h ("I need help"). Escape is
not an answer (a dismissed question would hide a fall). The answer is recorded as a
`FALL_RESPONSE` event by the live screen.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

#: Answers, as recorded in `FALL_RESPONSE` data "response".
FINE, HELP = "fine", "help"


class FallDialog(ModalScreen[str]):
    """Returns "fine" or "help"."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "answer('fine')", "I'm fine"),
        Binding("h", "answer('help')", "I need help"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog fall"):
            yield Label(self.question, classes="dialog-title", id="fall-question")
            yield Label("f   I'm fine", classes="dialog-line")
            yield Label("h   I need help", classes="dialog-line")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
