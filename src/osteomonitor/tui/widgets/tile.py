"""Base of the live tiles: a titled column that only redraws what changed.

A snapshot arrives several times a second but most numbers change once a second or
less; skipping identical updates keeps the dashboard's CPU low.
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.widgets import Digits, Label

from osteomonitor.tui.widgets.text_update import update_label


class Tile(Vertical):
    """A titled tile whose labels and digits are updated only when their text changes."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: dict[str, str] = {}

    def set_text(self, widget_id: str, text: str) -> None:
        """Show `text` in the Label or Digits with id `widget_id`, if it changed."""
        old = self._shown.get(widget_id)
        if old == text:
            return
        self._shown[widget_id] = text
        widget = self.query_one(f"#{widget_id}")
        if isinstance(widget, Label):
            update_label(widget, old, text)
        elif isinstance(widget, Digits):
            widget.update(text)  # re-lays out only when the digits' width changes
