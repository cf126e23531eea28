"""Replay position, speed and pause state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from osteomonitor.tui.views.display import clock_text


def speed_text(speed: float | None) -> str:
    """ "x8", or "max" for as fast as possible."""
    return "max" if speed is None else f"x{speed:g}"


class ReplayBar(Horizontal):
    """[> x8] [=====-----] 3:21 / 10:00."""

    def compose(self) -> ComposeResult:
        yield Label("", id="replay-state")
        yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="replay-progress")
        yield Label("", id="replay-time")

    def show(
        self,
        position_s: float,
        duration_s: float,
        speed: float | None,
        paused: bool,
        finished: bool,
    ) -> None:
        """Update the bar (times in s)."""
        word = "END" if finished else ("PAUSED" if paused else "PLAY")
        self.query_one("#replay-state", Label).update(f" {word} {speed_text(speed)} ")
        self.set_class(paused and not finished, "-paused")
        self.set_class(finished, "-finished")
        self.query_one("#replay-progress", ProgressBar).update(
            total=max(duration_s, 1e-9), progress=min(position_s, duration_s)
        )
        self.query_one("#replay-time", Label).update(
            f" {clock_text(position_s)} / {clock_text(duration_s)} "
        )
