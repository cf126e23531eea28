"""Replay: the live screen fed from a recording, with pause, speed and seek."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from osteomonitor.tui.feeds.replay import ReplayFeed
from osteomonitor.tui.messages import PlaybackChanged
from osteomonitor.tui.screens.live import LiveScreen
from osteomonitor.tui.widgets.replay_bar import ReplayBar

# Seek steps, s.
SEEK_SMALL_S = 10.0
SEEK_LARGE_S = 60.0


class ReplayScreen(LiveScreen):
    """The live dashboard over a `ReplayFeed`, plus its controls."""

    HELP_TITLE = "replay"
    HELP = """
A recording played through the same analysis as a live session. At the end the
numbers equal `osteomonitor analyze` on the same file. The recording is read-only:
the keys that add events are not available here.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "view('staff')", "Staff"),
        Binding("v", "view('patient')", "Patient"),
        # The footer of an 80-column terminal holds the view, pause, speed and 10-s seek
        # keys; the 1-minute seeks, start and end are listed in the help (?).
        Binding("space", "pause", "Pause/play"),
        Binding("plus,equals_sign", "faster", "Faster"),
        Binding("minus", "slower", "Slower"),
        Binding("right", f"seek({SEEK_SMALL_S})", f"+{SEEK_SMALL_S:.0f} s"),
        Binding("left", f"seek({-SEEK_SMALL_S})", f"-{SEEK_SMALL_S:.0f} s"),
        Binding("shift+right,right_square_bracket", f"seek({SEEK_LARGE_S})", "+1 min", show=False),
        Binding("shift+left,left_square_bracket", f"seek({-SEEK_LARGE_S})", "-1 min", show=False),
        Binding("home", "seek_to(0)", "Start", show=False),
        Binding("end", "seek_end", "End", show=False),
        Binding("a", "acknowledge", "Acknowledge alert", show=False),
        Binding("q", "stop", "Quit"),
        Binding("question_mark", "help", "Help"),
    ]

    feed: ReplayFeed

    def compose_controls(self) -> ComposeResult:
        yield ReplayBar(id="replay-bar")

    def on_playback_changed(self, message: PlaybackChanged) -> None:
        self.query_one(ReplayBar).show(
            message.position_s, message.duration_s, message.speed, message.paused, message.finished
        )

    def action_pause(self) -> None:
        self.feed.set_paused(not self.feed.paused)

    def action_faster(self) -> None:
        self.feed.step_speed(+1)

    def action_slower(self) -> None:
        self.feed.step_speed(-1)

    def action_seek(self, delta_s: float) -> None:
        self.feed.seek_by(delta_s)

    def action_seek_to(self, position_s: float) -> None:
        self.feed.seek_to(position_s)

    def action_seek_end(self) -> None:
        self.feed.seek_to(self.feed.duration_s)
