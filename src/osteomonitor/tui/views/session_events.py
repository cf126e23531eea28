"""A reviewed session's events and alerts as list items: a one-line headline (wrapped,
never cut) and the full detail shown when the item is selected.

Pure (no widgets): session detail renders these. Times use `osteomonitor.timefmt`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from osteomonitor import timefmt
from osteomonitor.model import Event
from osteomonitor.tui.widgets.event_log import event_words


@dataclass(frozen=True, slots=True)
class EventItem:
    """One line of the events-and-alerts list.

    Attributes:
        t_s: seconds from the session start (None: unknown, listed first).
        severity: the alert's severity, None for an event.
        headline: what the list shows (wrapped to the list's width).
        detail: everything known about it, lines of plain text.
    """

    t_s: float | None
    severity: str | None
    headline: str
    detail: tuple[str, ...]


def _value(v: float | None, unit: str) -> str:
    if v is None:
        return "–"
    text = f"{v:.0f}" if float(v).is_integer() or abs(v) >= 10 else f"{v:.2g}"
    return f"{text} {unit}".strip()


def alert_item(alert: Any) -> EventItem:
    """The list item of one safety alert (`prescription.Alert`)."""
    sev = str(alert.severity)
    when = timefmt.at(alert.t_s)
    if alert.count > 1:
        last = f", last {timefmt.at(alert.last_t_s)}" if alert.last_t_s is not None else ""
        when += f" ({timefmt.plural(alert.count, 'time')}{last})"
    detail = [
        f"{sev.upper()} alert {when}",
        str(alert.physio_message),
        f"rule: {alert.rule}   measured {_value(alert.value, alert.unit)}, "
        f"limit {_value(alert.limit, alert.unit)}",
        f"source: {alert.source or '–'}",
        f"the patient was told: {alert.patient_message}",
    ]
    return EventItem(alert.t_s, sev, f"{sev.upper()}: {alert.physio_message}", tuple(detail))


def event_item(event: Event, start_ns: int) -> EventItem:
    """The list item of one recorded event."""
    t_s = (event.t_ns - start_ns) / 1e9
    words = event_words(event.kind, event.data) + (f" [{event.device}]" if event.device else "")
    detail = [f"event {timefmt.at(t_s)}: {event.kind}", words]
    detail += [f"{k}: {v}" for k, v in sorted(event.data.items())]
    return EventItem(t_s, None, words, tuple(detail))


def session_items(
    events: Sequence[Event], start_ns: int, alerts: Sequence[Any] = ()
) -> list[EventItem]:
    """Events and alerts in time order (an alert before an event at the same time)."""
    items = [event_item(e, start_ns) for e in events] + [alert_item(a) for a in alerts]
    return sorted(
        items,
        key=lambda i: (-1.0 if i.t_s is None else i.t_s, i.severity is None),
    )
