"""The help screen: every key of the screen it was opened from, and what it does."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.keys import key_to_character
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

#: Textual's key names as a person types them: the character on the key, an arrow, or
#: the key's label ("equals_sign" is "=", "right" is "→", "space" is "space").
KEY_WORDS: dict[str, str] = {
    "escape": "Esc",
    "enter": "Enter",
    "space": "space",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "tab": "Tab",
    "backspace": "Backspace",
    "delete": "Del",
    "plus": "+",
    "minus": "-",
    "slash": "/",
    "backslash": "\\",
}
#: Modifier names as printed on the keys.
MODIFIER_WORDS: dict[str, str] = {"shift": "Shift", "ctrl": "Ctrl", "alt": "Alt", "meta": "Meta"}


def key_word(key: str) -> str:
    """One Textual key name as typed: "equals_sign" -> "=", "shift+right" -> "Shift+→"."""
    *mods, base = key.strip().split("+")
    word = KEY_WORDS.get(base)
    if word is None:
        char = key_to_character(base)
        word = char if char is not None and char.isprintable() and char.strip() else base
        word = word.upper() if re.fullmatch(r"f\d+", word) else word
    return "+".join([*(MODIFIER_WORDS.get(m, m.title()) for m in mods), word])


def key_text(keys: str) -> str:
    """ "question_mark,f1" -> "? / f1"."""
    return " / ".join(key_word(k) for k in keys.split(","))


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
