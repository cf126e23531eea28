"""The heart tile: current heart rate, %HRR and where it sits against the target band."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Digits, Label

from osteomonitor.tui.views.display import NO_VALUE, number_text
from osteomonitor.tui.widgets.tile import Tile

# Patient-facing words for each position against the band (short, calm, actionable).
BAND_WORDS: dict[str, str] = {
    "in": "In band - keep going",
    "below": "Below band - a bit more effort",
    "above": "Above band - ease off a little",
    "none": "No target band",
    "invalid": "No heart signal - check the strap",
}


def band_position(hrr_pct: float | None, band: tuple[float, float] | None, valid: bool) -> str:
    """Where %HRR sits against the band: "in", "below", "above", "none" or "invalid"."""
    if not valid:
        return "invalid"
    if hrr_pct is None or band is None:
        return "none"
    lo, hi = band
    if hrr_pct < lo:
        return "below"
    if hrr_pct > hi:
        return "above"
    return "in"


class HeartTile(Tile):
    """Large heart rate (bpm), %HRR and the target band."""

    def compose(self) -> ComposeResult:
        yield Label("HEART RATE", classes="tile-title")
        yield Digits(NO_VALUE, id="hr-bpm")
        yield Label("", id="hr-hrr", classes="tile-line")
        yield Label("", id="hr-target", classes="tile-line")
        yield Label("", id="hr-words", classes="tile-words")

    def show(self, state: Any) -> None:
        """Update from a `SessionState`."""
        valid = bool(state.hr_valid) and state.hr_bpm is not None
        band = state.target_band_pct
        self.set_text("hr-bpm", number_text(state.hr_bpm) if valid else NO_VALUE)
        hrr = number_text(state.hrr_pct) if valid else NO_VALUE
        self.set_text("hr-hrr", f"bpm   {hrr} % HRR" if state.hrr_pct is not None else "bpm")
        self.set_text("hr-target", f"target {band[0]:.0f}-{band[1]:.0f} % HRR" if band else "")
        pos = band_position(state.hrr_pct, band, valid)
        self.set_text("hr-words", BAND_WORDS[pos])
        for name in BAND_WORDS:
            self.set_class(name == pos, f"-{name}")
