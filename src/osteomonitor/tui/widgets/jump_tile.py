"""Jumps done against the session's target, with the last landings' impact."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Digits, Label

from osteomonitor.tui.widgets.tile import Tile

# How many recent landings the tile lists (newest first).
LAST_LANDINGS_SHOWN = 5


def _target_text(target: Any) -> tuple[str, float | None]:
    """A jump target (int, (lo, hi) range or None) as text and its lower bound."""
    if target is None:
        return "no target", None
    if isinstance(target, tuple | list):
        lo, hi = target
        return (f"of {lo:.0f}-{hi:.0f}", float(lo)) if lo != hi else (f"of {lo:.0f}", float(lo))
    return f"of {target:.0f}", float(target)


class JumpTile(Tile):
    """Large jump count, the target, and the last landings' peaks (g)."""

    def compose(self) -> ComposeResult:
        yield Label("JUMPS", classes="tile-title")
        yield Digits("0", id="jump-count")
        yield Label("", id="jump-target", classes="tile-line")
        yield Label("", id="jump-hard", classes="tile-line")
        yield Label("", id="jump-last", classes="tile-line")

    def show(
        self, state: Any, target: tuple[float, float] | float | None, landings_fresh: bool = True
    ) -> None:
        """Update from a `SessionState` and the jumps prescribed per session; the last
        landings only while they are recent (`landings_fresh`, see session.coaching)."""
        n = int(state.jumps)
        self.set_text("jump-count", str(n))
        text, lo = _target_text(target)
        hard = state.impacts.n_above_3_9g
        osteo = f"   {hard} impacts ≥ 3.9 g" if n or hard else ""
        self.set_text("jump-target", text)
        self.set_text("jump-hard", osteo.strip())
        self.set_class(lo is not None and n >= lo, "-done")
        last = list(state.last_jumps)[-LAST_LANDINGS_SHOWN:][::-1] if landings_fresh else []
        peaks = "  ".join(f"{j.peak_g:.1f}" + ("!" if j.clipped else "") for j in last)
        self.set_text("jump-last", f"last: {peaks} g" if last else "")
