"""The session clock: time since the session started (data time, never the wall clock)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Digits, Label

from osteomonitor.tui.views.display import clock_text
from osteomonitor.tui.widgets.tile import Tile


class SessionClock(Tile):
    """Large m:ss of session time."""

    def compose(self) -> ComposeResult:
        yield Label("SESSION", classes="tile-title")
        yield Digits("0:00", id="clock-digits")
        yield Label("", id="clock-line", classes="tile-line")
        yield Label("", id="clock-block", classes="tile-line")
        yield Label("", id="clock-load", classes="tile-line")

    def show(self, elapsed_s: float, line: str = "", block: str = "", load: str = "") -> None:
        """Show `elapsed_s` (s) and the lines below: steps and cadence, the timed block
        (stretch hold or balance minutes), the target loads."""
        self.set_text("clock-digits", clock_text(elapsed_s))
        self.set_text("clock-line", line)
        self.set_text("clock-block", block)
        self.set_text("clock-load", load)
