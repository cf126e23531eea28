"""Start a balance block: eyes open or eyes closed."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label


class BalanceDialog(ModalScreen[str | None]):
    """Returns "open" or "closed" (eyes), or None when cancelled.

    Args:
        eyes_closed_allowed: False at high fracture risk (eyes-closed balance tasks
            only at low or moderate risk; ACSM's Guidelines, osteoporosis).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "choose('open')", "Eyes open"),
        Binding("c", "choose('closed')", "Eyes closed"),
        Binding("escape", "choose('')", "Cancel"),
    ]

    def __init__(self, eyes_closed_allowed: bool = True) -> None:
        super().__init__()
        self.eyes_closed_allowed = eyes_closed_allowed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Balance block starts", classes="dialog-title")
            yield Label("o  eyes open", classes="dialog-line")
            if self.eyes_closed_allowed:
                yield Label("c  eyes closed", classes="dialog-line")
            else:
                yield Label("(eyes closed is not in your prescription)", classes="dialog-line")
            yield Label("Esc  cancel", classes="dialog-line")

    def action_choose(self, eyes: str) -> None:
        if eyes == "closed" and not self.eyes_closed_allowed:
            return
        self.dismiss(eyes or None)
