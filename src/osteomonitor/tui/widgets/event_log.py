"""The session's recent events (markers, RPE, pain, sets, balance, link), newest last."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.widgets import Static

from osteomonitor.app.coaching import CR10
from osteomonitor.model import EventKind
from osteomonitor.pseudonym import printable
from osteomonitor.tui.views.display import clock_text

# How many events the live panel lists.
EVENTS_SHOWN = 8
#: The kind of a log row that is a safety alert (not a recorded event).
ALERT_ROW = "alert"


def event_words(kind: str, data: Mapping[str, Any]) -> str:
    """A short human description of an event."""
    if kind == ALERT_ROW:
        times = int(data.get("count", 1))
        repeat = f" ({times}×)" if times > 1 else ""
        return f"ALERT {data.get('severity', '')}: {data.get('text', '')}{repeat}"
    if kind == EventKind.RPE:
        scale = "CR-10" if data.get("scale") == CR10 else "RPE"
        return f"effort ({scale}) {data.get('rpe', '?')}"
    if kind == EventKind.STRETCH_HOLD:
        return f"{data.get('exercise') or 'stretch'} held {data.get('hold_s', '?')} s"
    if kind == EventKind.PAIN:
        where = data.get("where") or ""
        return f"PAIN {data.get('level', '?')}/10 {where}".rstrip()
    if kind == EventKind.SET_DONE:
        load = data.get("load_kg")
        ex = data.get("exercise") or "set"
        return f"{ex}: {data.get('reps', '?')} reps" + (f" @ {load:g} kg" if load else "")
    if kind == EventKind.BALANCE_START:
        return f"balance start (eyes {data.get('eyes', 'open')})"
    if kind == EventKind.BALANCE_END:
        return "balance end"
    if kind == EventKind.MARKER:
        return f"marker {data.get('label', '')}".rstrip()
    if kind == EventKind.NOTE:
        return str(data.get("text", "note"))
    if kind == EventKind.LINK_LOST:
        return "link lost"
    if kind == EventKind.FALL_SUSPECTED:
        return "POSSIBLE FALL: asked 'are you all right?'"
    if kind == EventKind.FALL_RESPONSE:
        answer = {"fine": "I'm fine", "help": "I NEED HELP"}.get(str(data.get("response")), "?")
        return f"fall answer: {answer}"
    if kind == EventKind.LINK_RESTORED:
        gap = data.get("gap_s")
        return "link restored" + (f" after {gap:.0f} s" if isinstance(gap, int | float) else "")
    return kind.replace("_", " ")


def event_row(t_s: float, kind: str, data: Mapping[str, Any], device: str | None) -> Text:
    """One log line: session time, then the words."""
    alarming = (EventKind.PAIN, EventKind.LINK_LOST, EventKind.FALL_SUSPECTED, ALERT_ROW)
    style = "bold yellow" if kind in alarming else ""
    t = Text(f"{clock_text(t_s):>7}  ", style="dim")
    t.append(printable(event_words(kind, data)), style=style)
    if device:
        t.append(f"  [{printable(device)}]", style="dim")
    return t


class EventLog(Static):
    """The last `EVENTS_SHOWN` events of the session."""

    _last: tuple[int, Any] | None = None

    def show(self, rows: Sequence[tuple[float, str, Mapping[str, Any], str | None]]) -> None:
        """Show `(t_s, kind, data, device)` rows, oldest first (redraws only on change)."""
        shown = list(rows)[-EVENTS_SHOWN:]
        key = (len(rows), shown)  # every row shown: an alert's count grows in place
        if key == self._last:
            return
        self._last = key
        if not shown:
            self.update(Text("no events yet", style="dim"))
            return
        self.update(Text("\n").join(event_row(*r) for r in shown))
