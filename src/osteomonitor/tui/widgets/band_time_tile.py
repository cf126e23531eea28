"""Minutes in the target band against the prescribed minutes."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Digits, Label, ProgressBar

from osteomonitor.tui.views.display import clock_text
from osteomonitor.tui.widgets.tile import Tile


class BandTimeTile(Tile):
    """Time in band (m:ss, large), the prescribed minutes and a progress bar."""

    def compose(self) -> ComposeResult:
        yield Label("TIME IN BAND", classes="tile-title")
        yield Digits("0:00", id="band-time")
        yield Label("", id="band-target", classes="tile-line")
        yield ProgressBar(total=1, show_eta=False, show_percentage=True, id="band-progress")

    def show(self, state: Any, target_min: float | None) -> None:
        """Update from a `SessionState` and the prescribed minutes in band."""
        in_band = float(state.in_band_s or 0.0)
        self.set_text("band-time", clock_text(in_band))
        bar = self.query_one("#band-progress", ProgressBar)
        if target_min:
            goal_s = float(target_min) * 60.0
            self.set_text(
                "band-target",
                f"of {target_min:.0f} min prescribed"
                + (
                    "  - done!"
                    if in_band >= goal_s
                    else f"  - {clock_text(goal_s - in_band)} to go"
                ),
            )
            progress = float(int(min(in_band, goal_s)))
            if (bar.total, bar.progress) != (goal_s, progress):
                bar.update(total=goal_s, progress=progress)
            self.set_class(in_band >= goal_s, "-done")
            bar.display = True
        else:
            # Not a failure: today's session (jumps, strength …) is not judged by
            # minutes in the band, so there is no percentage to show.
            self.set_text("band-target", "not prescribed today")
            bar.display = False
