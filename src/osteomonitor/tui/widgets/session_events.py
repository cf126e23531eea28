"""A reviewed session's events and alerts: a list (each line wrapped, never cut) and a
detail pane with the whole of the highlighted item (alert: message, rule, measured and
limit, source, time, what the patient was told)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from osteomonitor import timefmt
from osteomonitor.model import Event
from osteomonitor.tui.views.display import plain
from osteomonitor.tui.views.session_events import EventItem, session_items

#: Style of an alert's headline by severity (the word says it too).
SEVERITY_STYLES = {"stop": "bold red", "warning": "yellow", "info": "dim"}


def headline(item: EventItem) -> Text:
    """ "0:24  STOP: 10 jump(s), first at 0:24 …" as plain (non-markup) text."""
    when = timefmt.clock(item.t_s) if item.t_s is not None else "-"
    out = Text(f"{when:>5}  ")
    out.append_text(plain(item.headline, style=SEVERITY_STYLES.get(item.severity or "", "")))
    return out


class SessionEvents(Vertical):
    """The events-and-alerts list and, below it, the highlighted item in full."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[EventItem] = []

    def compose(self) -> ComposeResult:
        yield OptionList(id="event-list")
        with VerticalScroll(id="event-detail-box"):
            yield Static("", id="event-detail")

    def show(self, events: Sequence[Event], start_ns: int, alerts: Sequence[Any] = ()) -> None:
        """Fill with `events` (times from `start_ns`) and the session's `alerts`; the
        first alert (else the first event) is highlighted."""
        self.items = session_items(events, start_ns, alerts)
        options = self.query_one(OptionList)
        options.clear_options()
        if not self.items:
            options.add_option(Option("no events", disabled=True))
            self.query_one("#event-detail", Static).update("")
            return
        options.add_options([Option(headline(i)) for i in self.items])
        first = next((n for n, i in enumerate(self.items) if i.severity is not None), 0)
        options.highlighted = first
        self.show_detail(first)

    def show_detail(self, index: int | None) -> None:
        """Show item `index` in full in the detail pane."""
        detail = self.query_one("#event-detail", Static)
        if index is None or not 0 <= index < len(self.items):
            detail.update("")
            return
        item = self.items[index]
        lines = [plain(line) for line in item.detail]
        if lines:
            lines[0].stylize(SEVERITY_STYLES.get(item.severity or "", "bold"))
        detail.update(Text("\n").join(lines))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.show_detail(event.option_index)
