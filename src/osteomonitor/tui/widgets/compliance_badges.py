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


def compliance_runs(compliance: Any) -> tuple[tuple[str, str], ...]:
    """Badges for a `SessionCompliance` as (text, style) runs: plain data, cheap to
    build in a worker thread (the library table draws them; `compliance_badges` makes
    them a Rich `Text`)."""
    if compliance is None:
        return (("no prescription", "dim"),)
    out: list[tuple[str, str]] = []
    for mod in compliance.modalities:
        marks = [
            (short_name(e.key, e.label), *STATUS_MARKS[e.status])
            for e in mod.elements
            if e.status in STATUS_MARKS
        ]
        if not marks:
            continue
        if out:
            out.append(("  ", ""))
        for letter, symbol, style in marks:
            out.append((f"{letter}{symbol}", style))
            out.append((" ", ""))
    return tuple(out) if out else (("-", "dim"),)


def alert_runs(alerts: Any) -> tuple[tuple[str, str], ...]:
    """ "2 stop, 1 warning" style count of alerts, coloured by the worst, as one run."""
    counts: dict[str, int] = {}
    for a in alerts:
        counts[str(a.severity)] = counts.get(str(a.severity), 0) + 1
    if not counts:
        return (("none", "dim"),)
    order = ("stop", "warning", "info")
    worst = next((s for s in order if s in counts), "info")
    style = {"stop": "bold red", "warning": "yellow", "info": "dim"}[worst]
    return ((", ".join(f"{counts[s]} {s}" for s in order if s in counts), style),)


def _text(runs: tuple[tuple[str, str], ...]) -> Text:
    out = Text()
    for text, style in runs:
        out.append(text, style=style or None)
    return out


def compliance_badges(compliance: Any) -> Text:
    """Badges for a `SessionCompliance` ("no prescription" for None)."""
    return _text(compliance_runs(compliance))


def alert_badge(alerts: Any) -> Text:
    """ "2 stop, 1 warning" style count of alerts, coloured by the worst."""
    return _text(alert_runs(alerts))
