"""Start a stretch hold: which stretch."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from osteomonitor.app.coaching import HoldPlan


class StretchDialog(ModalScreen[str | None]):
    """Returns the stretch's name, or None when cancelled.

    Args:
        plan: the hold plan shown as a reminder.
        last: the previous stretch's name (Enter repeats it).
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, plan: HoldPlan, last: str = "") -> None:
        super().__init__()
        self.plan = plan
        self.last = last

    def compose(self) -> ComposeResult:
        (lo, hi), (r_lo, r_hi) = self.plan.hold_s, self.plan.reps
        with Vertical(classes="dialog"):
            yield Label("Stretch hold starts", classes="dialog-title")
            yield Label(
                f"hold {lo:.0f}-{hi:.0f} s, {r_lo}-{r_hi} times per stretch; press h again "
                "to release",
                classes="dialog-line",
            )
            yield Label("Stretch", classes="dialog-line")
            yield Input(value=self.last, placeholder="e.g. calf", id="stretch-name")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or "stretch")

    def action_cancel(self) -> None:
        self.dismiss(None)
