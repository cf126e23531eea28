"""Update a Label without a screen re-layout when its size cannot change.

`Static.update` re-lays out the whole screen by default (≈ 5–10 ms of pure Python for
the live screen at 120×36, several times a second). A label's size can only change when
its width follows its text (`width: auto`) and the text's cell length changed, or when
the text no longer fits on one line of the width it has (it would wrap: taller). A label
in a hidden part of the screen (the live screen keeps both views current, one shows)
never needs one: showing that part lays it out with the text it has then.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Label


def _one_line(text: str | Text) -> tuple[bool, int]:
    plain = text.plain if isinstance(text, Text) else text
    return "\n" not in plain, cell_len(plain)


def hidden(widget: Widget) -> bool:
    """Whether `widget` or one of its ancestors is not displayed (`display: none`)."""
    node: DOMNode | None = widget
    while node is not None:
        if not node.display:
            return True
        node = node.parent
    return False


def needs_layout(label: Label, old: str | Text | None, new: str | Text) -> bool:
    """Whether showing `new` instead of `old` in `label` can change what is on screen's
    layout (never while the label is hidden)."""
    if hidden(label):
        return False
    if old is None:
        return True
    old_single, old_len = _one_line(old)
    new_single, new_len = _one_line(new)
    if not (old_single and new_single):
        return True
    width = label.styles.width
    if width is None or width.is_auto:
        return old_len != new_len
    room = label.content_size.width
    return room <= 0 or max(old_len, new_len) > room


def update_label(label: Label, old: str | Text | None, new: str | Text) -> None:
    """Show `new` (`old` = what the label shows now, None when unknown), re-laying out
    the screen only when the label's size may change."""
    label.update(new, layout=needs_layout(label, old, new))
