"""The help screen: every key of the screen it was opened from, and what it does."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

# Names of keys as a person reads them.
KEY_WORDS: dict[str, str] = {
    "question_mark": "?",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "left": "Left",
    "right": "Right",
    "shift+left": "Shift+Left",
    "shift+right": "Shift+Right",
    "home": "Home",
    "end": "End",
    "plus": "+",
    "minus": "-",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
}


def key_text(keys: str) -> str:
    """ "question_mark,f1" -> "? / f1"."""
    return " / ".join(KEY_WORDS.get(k.strip(), k.strip()) for k in keys.split(","))


def reflow(text: str) -> str:
    """Join the lines of each paragraph (paragraphs are separated by blank lines)."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def binding_rows(bindings: list[BindingType]) -> list[tuple[str, str]]:
    """(keys, description) for each binding that has a description."""
    rows = []
    for b in bindings:
        if isinstance(b, Binding):
            keys, desc = b.key, b.description
        else:
            keys, desc = b[0], b[2] if len(b) > 2 else ""
        if desc:
            rows.append((key_text(keys), desc))
    return rows


class HelpScreen(ModalScreen[None]):
    """Lists the keys of `for_screen` (its BINDINGS and HELP text)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "close", "Close help")
    ]

    def __init__(self, for_screen: Screen[Any]) -> None:
        super().__init__()
        self.for_screen = for_screen

    def compose(self) -> ComposeResult:
        screen = self.for_screen
        rows = binding_rows(list(type(screen).BINDINGS))
        width = max((len(k) for k, _ in rows), default=4)
        with VerticalScroll(classes="dialog help"):
            yield Label(
                f"Keys - {getattr(screen, 'HELP_TITLE', 'this screen')}", classes="dialog-title"
            )
            text = getattr(screen, "HELP", "")
            if text:
                yield Static(reflow(text), classes="help-text")
            yield Static("\n".join(f"{k:>{width}}   {d}" for k, d in rows), classes="help-keys")
            yield Label("Esc or ? closes this help.", classes="dialog-line")

    def action_close(self) -> None:
        self.dismiss(None)
