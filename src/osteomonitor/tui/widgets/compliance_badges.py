"""Compact compliance badges for a session: one letter per FITT element and its status.

Colour is never the only signal (a symbol says it too): ✓ met, ↓ below, ↑ above,
? indeterminate. Letters: I intensity, T time/volume.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

# Status → (symbol, style). Statuses not listed (weekly, no target, not measurable)
# are not badges: they are judged elsewhere or not at all.
STATUS_MARKS: dict[str, tuple[str, str]] = {
    "met": ("✓", "green"),
    "below": ("↓", "yellow"),
    "above": ("↑", "yellow"),
    "indeterminate": ("?", "dim"),
}
ELEMENT_LETTERS: dict[str, str] = {"intensity": "I", "time": "T", "frequency": "F", "type": "Y"}


def compliance_badges(compliance: Any) -> Text:
    """Badges for a `SessionCompliance` (empty text for None)."""
    out = Text()
    if compliance is None:
        return Text("no prescription", style="dim")
    for mod in compliance.modalities:
        marks = [
            (ELEMENT_LETTERS.get(e.element, e.element[:1].upper()), *STATUS_MARKS[e.status])
            for e in mod.elements
            if e.status in STATUS_MARKS
        ]
        if not marks:
            continue
        if out:
            out.append("  ")
        for letter, symbol, style in marks:
            out.append(f"{letter}{symbol}", style=style)
            out.append(" ")
    return out if out else Text("-", style="dim")


def alert_badge(alerts: Any) -> Text:
    """ "2 stop, 1 warning" style count of alerts, coloured by the worst."""
    counts: dict[str, int] = {}
    for a in alerts:
        counts[str(a.severity)] = counts.get(str(a.severity), 0) + 1
    if not counts:
        return Text("none", style="dim")
    order = ("stop", "warning", "info")
    worst = next((s for s in order if s in counts), "info")
    style = {"stop": "bold red", "warning": "yellow", "info": "dim"}[worst]
    return Text(", ".join(f"{counts[s]} {s}" for s in order if s in counts), style=style)
