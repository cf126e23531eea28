"""Compact compliance badges for a session: one letter per FITT element and its status.

Colour is never the only signal (a symbol says it too): ✓ met, ↓ below, ↑ above a cap
(the day is not a dose day), ⇡ above a range (information: the dose is there),
? indeterminate; each badge names its target ("HRR↓ RPE✓ min↓").
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
    "above-range": ("⇡", "green"),
    "indeterminate": ("?", "dim"),
}
# Short names of the targets for the badges (fallback: the label's first word).
TARGET_SHORT: dict[str, str] = {
    "hrr_pct": "HRR",
    "rpe_borg": "RPE",
    "cr10": "CR10",
    "mets": "METs",
    "minutes_per_session": "min",
    "jumps_per_session": "jumps",
    "landing_peak_g": "peak",
    "pct_1rm": "%1RM",
    "challenging_last_reps": "last-reps",
    "reps_per_set": "reps",
    "sets_per_exercise": "sets",
    "exercises_per_session": "exercises",
    "muscle_groups": "groups",
    "hold_s": "hold",
    "reps_per_stretch": "reps",
}


def short_name(key: str, label: str) -> str:
    """The badge name of a target: "HRR", "jumps" …"""
    return TARGET_SHORT.get(key) or (label.split()[0] if label else key)


def compliance_badges(compliance: Any) -> Text:
    """Badges for a `SessionCompliance` (empty text for None)."""
    out = Text()
    if compliance is None:
        return Text("no prescription", style="dim")
    for mod in compliance.modalities:
        marks = [
            (short_name(e.key, e.label), *STATUS_MARKS[e.status])
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
