"""Every event of a session in a table (time, what, details), for review."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import DataTable

from osteomonitor.model import Event
from osteomonitor.tui.views.display import clock_text
from osteomonitor.tui.widgets.event_log import event_words


class EventTable(DataTable[Any]):
    """Session events and safety alerts, in time order."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        self.add_column("time", key="time")
        self.add_column("event", key="event")

    def show(self, events: Sequence[Event], start_ns: int, alerts: Sequence[Any] = ()) -> None:
        """Fill with `events` (times from `start_ns`) and the session's `alerts`."""
        self.clear()
        rows: list[tuple[float, str]] = [
            (
                (e.t_ns - start_ns) / 1e9,
                event_words(e.kind, e.data) + (f" [{e.device}]" if e.device else ""),
            )
            for e in events
        ]
        for a in alerts:
            t = a.t_s if a.t_s is not None else -1.0
            rows.append((t, f"ALERT {a.severity}: {a.physio_message}"))
        for t, words in sorted(rows, key=lambda r: r[0]):
            self.add_row(clock_text(t) if t >= 0 else "-", words)
        if not rows:
            self.add_row("-", "no events")
