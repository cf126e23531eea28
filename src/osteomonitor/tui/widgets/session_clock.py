"""The session clock: time since the session started (data time, never the wall clock)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Digits, Label

from osteomonitor.tui.display import clock_text


class SessionClock(Vertical):
    """Large m:ss of session time."""

    def compose(self) -> ComposeResult:
        yield Label("SESSION", classes="tile-title")
        yield Digits("0:00", id="clock-digits")
        yield Label("", id="clock-line", classes="tile-line")

    def show(self, elapsed_s: float, line: str = "") -> None:
        """Show `elapsed_s` (s) and an optional line below (steps, cadence …)."""
        self.query_one("#clock-digits", Digits).update(clock_text(elapsed_s))
        self.query_one("#clock-line", Label).update(line)
