"""The heart tile: current heart rate, %HRR and the one sentence the hierarchy chose."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Digits, Label

from osteomonitor.app.coaching import HR_WORDS, Coaching
from osteomonitor.tui.views.display import NO_VALUE, number_text
from osteomonitor.tui.widgets.tile import Tile


def target_text(coaching: Coaching, ceiling_bpm: float | None) -> str:
    """The target line: the band as shown, and the ceiling when it cut the band."""
    band = coaching.band_pct
    limit = f"max {ceiling_bpm:.0f} bpm" if ceiling_bpm is not None else ""
    if band is None:
        return limit if coaching.band_capped else ""
    if coaching.band_capped and limit:
        return f"band {band[0]:.0f}-{band[1]:.0f} %, {limit}"
    return f"target {band[0]:.0f}-{band[1]:.0f} % HRR"


class HeartTile(Tile):
    """Large heart rate (bpm), %HRR, the target band and the hierarchy's words."""

    def compose(self) -> ComposeResult:
        yield Label("HEART RATE", classes="tile-title")
        yield Digits(NO_VALUE, id="hr-bpm")
        yield Label("", id="hr-hrr", classes="tile-line")
        yield Label("", id="hr-target", classes="tile-line")
        yield Label("", id="hr-words", classes="tile-words")

    def show(self, state: Any, coaching: Coaching, ceiling_bpm: float | None = None) -> None:
        """Update from a `SessionState` and the `Coaching` decided for it."""
        valid = bool(state.hr_valid) and state.hr_bpm is not None
        self.set_text("hr-bpm", number_text(state.hr_bpm) if valid else NO_VALUE)
        hrr = number_text(state.hrr_pct) if valid else NO_VALUE
        self.set_text("hr-hrr", f"bpm   {hrr} % HRR" if state.hrr_pct is not None else "bpm")
        self.set_text("hr-target", target_text(coaching, ceiling_bpm))
        self.set_text("hr-words", coaching.hr_words)
        if self._shown.get("tone") != coaching.hr_tone:  # restyle only on a change
            self._shown["tone"] = coaching.hr_tone
            for name in HR_WORDS:
                self.set_class(name == coaching.hr_tone, f"-{name}")
