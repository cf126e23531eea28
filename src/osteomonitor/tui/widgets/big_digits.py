"""Block digits a third of an 80×24 screen tall, readable across a room mid-exercise.

Textual's `Digits` is 3 rows (1/8 of a 24-row terminal). These glyphs are `HEIGHT` rows
of full blocks, 7 columns wide with 2-column verticals (a terminal cell is about twice
as tall as it is wide, so a 2-column stroke looks as thick as a 1-row one). Only digits,
":", "-", " " and "." are drawn; any other character is drawn as a blank.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.reactive import reactive
from textual.widget import Widget

#: Rows of every glyph: at least a third of a 24-row terminal (the patient screen's
#: readability target, issue 16).
HEIGHT = 8
#: Columns between two glyphs.
GAP = 1

_FONT: dict[str, tuple[str, ...]] = {
    "0": (" █████ ", "██   ██", "██   ██", "██   ██", "██   ██", "██   ██", "██   ██", " █████ "),
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


def render_lines(text: str, v_scale: int = 1, h_scale: int = 1) -> list[str]:
    """`text` as `HEIGHT` × `v_scale` lines of block characters, each glyph column
    repeated `h_scale` times (unknown characters blank)."""
    glyphs = [_FONT.get(ch, _BLANK) for ch in text]
    if not glyphs:
        return [""] * HEIGHT * v_scale
    sep = " " * GAP * h_scale
    rows = [sep.join(g[row] for g in glyphs) for row in range(HEIGHT)]
    if h_scale > 1:
        rows = ["".join(c * h_scale for c in row) for row in rows]
    return [row for row in rows for _ in range(v_scale)]


def text_width(text: str, h_scale: int = 1) -> int:
    """Columns `text` takes when drawn."""
    return len(render_lines(text, 1, h_scale)[0])


#: Terminal rows from which the digits are drawn twice as tall (a 140×45 terminal: the
#: patient view then still fits with a four-line alert banner).
TALL_FROM_ROWS = 40


class BigDigits(Widget):
    """A number or clock in `HEIGHT`-row block digits (styled from CSS: colour, bold).

    On a terminal of `TALL_FROM_ROWS` rows or more the digits are twice as tall, and
    twice as wide where the widget is wide enough. The words next to them carry the
    meaning (colour is never the only signal).
    """

    DEFAULT_CSS = """
    BigDigits {
        width: 100%;
        height: 8;
        content-align: center top;
    }
    """

    value: reactive[str] = reactive("", layout=False)
    v_scale: reactive[int] = reactive(1, layout=True)

    def __init__(self, value: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self.set_reactive(BigDigits.value, value)

    def update_value(self, value: str) -> None:
        """Draw `value` (redraws only when it changed)."""
        self.value = value

    def watch_v_scale(self, v_scale: int) -> None:
        self.styles.height = HEIGHT * v_scale

    def on_resize(self) -> None:
        self.v_scale = 2 if self.screen.size.height >= TALL_FROM_ROWS else 1

    def render(self) -> RenderResult:
        width = self.content_size.width
        h = 2 if self.v_scale > 1 and text_width(self.value, 2) <= width else 1
        lines = render_lines(self.value, self.v_scale, h)
        return Text("\n".join(lines), no_wrap=True, overflow="crop")
