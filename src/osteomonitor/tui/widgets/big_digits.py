"""Block digits a third of an 80×24 screen tall, readable across a room mid-exercise.

Textual's `Digits` is 3 rows (1/8 of a 24-row terminal). These glyphs are `HEIGHT` rows
of full blocks, 7 columns wide with 2-column verticals (a terminal cell is about twice
as tall as it is wide, so a 2-column stroke looks as thick as a 1-row one). Only digits,
":", "-", " " and "." are drawn; any other character is drawn as a blank.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

#: Rows of every glyph: at least a third of a 24-row terminal (the patient screen's
#: readability target, issue 16).
HEIGHT = 8
#: Columns between two glyphs.
GAP = 1

_FONT: dict[str, tuple[str, ...]] = {
    "0": (" █████ ", "██   ██", "██  ███", "██ █ ██", "███  ██", "██   ██", "██   ██", " █████ "),
    "1": ("  ███  ", " ████  ", "   ██  ", "   ██  ", "   ██  ", "   ██  ", "   ██  ", " ██████"),
    "2": (" █████ ", "██   ██", "     ██", "    ██ ", "  ███  ", " ██    ", "██     ", "███████"),
    "3": (" █████ ", "██   ██", "     ██", "  ████ ", "     ██", "     ██", "██   ██", " █████ "),
    "4": ("    ██ ", "   ███ ", "  ████ ", " ██ ██ ", "██  ██ ", "███████", "    ██ ", "    ██ "),
    "5": ("███████", "██     ", "██     ", "██████ ", "     ██", "     ██", "██   ██", " █████ "),
    "6": ("  ████ ", " ██    ", "██     ", "██████ ", "██   ██", "██   ██", "██   ██", " █████ "),
    "7": ("███████", "     ██", "    ██ ", "   ██  ", "  ██   ", "  ██   ", "  ██   ", "  ██   "),
    "8": (" █████ ", "██   ██", "██   ██", " █████ ", "██   ██", "██   ██", "██   ██", " █████ "),
    "9": (" █████ ", "██   ██", "██   ██", "██   ██", " ██████", "     ██", "    ██ ", " ████  "),
    ":": ("   ", "   ", "██ ", "██ ", "   ", "██ ", "██ ", "   "),
    ".": ("   ", "   ", "   ", "   ", "   ", "   ", "██ ", "██ "),
    "-": ("     ", "     ", "     ", "█████", "     ", "     ", "     ", "     "),
    " ": ("   ",) * HEIGHT,
}
_BLANK = ("       ",) * HEIGHT


def render_lines(text: str) -> list[str]:
    """`text` as `HEIGHT` lines of block characters (unknown characters blank)."""
    glyphs = [_FONT.get(ch, _BLANK) for ch in text]
    if not glyphs:
        return [""] * HEIGHT
    sep = " " * GAP
    return [sep.join(g[row] for g in glyphs) for row in range(HEIGHT)]


def text_width(text: str) -> int:
    """Columns `text` takes when drawn."""
    return len(render_lines(text)[0])


class BigDigits(Static):
    """A number or clock in `HEIGHT`-row block digits (styled from CSS: colour, bold).

    The words next to it carry the meaning (colour is never the only signal).
    """

    DEFAULT_CSS = """
    BigDigits {
        width: 100%;
        height: 8;
        content-align: center top;
    }
    """

    def __init__(self, value: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self._value = ""
        self.update_value(value)

    @property
    def value(self) -> str:
        """The text drawn."""
        return self._value

    def update_value(self, value: str) -> None:
        """Draw `value` (redraws only when it changed)."""
        if value == self._value and self._value:
            return
        self._value = value
        self.update(Text("\n".join(render_lines(value)), no_wrap=True, overflow="crop"))
