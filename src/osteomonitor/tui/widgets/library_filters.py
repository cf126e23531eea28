"""The library's filter bar: search box and sort order on one line; patient, kind,
alerts and a date range on the next.

The bar only reads what is typed and chosen; it posts `LibraryFilters.Changed` with the
`app.library_view.LibraryQuery` fields that changed, and `LibraryFilters.Invalid` with
the reason when a date cannot be read (the filter in force stays). The search follows
the last key typed after `SEARCH_DELAY_S`, so typing never waits for a redraw.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, Select

from osteomonitor.app.library_view import parse_day
from osteomonitor.errors import OsteomonitorError
from osteomonitor.pseudonym import printable
from osteomonitor.tui.views.display import plain

#: Seconds after the last key typed in the search box before the view follows (a redraw
#: of 1000 rows takes ~0.1-0.2 s: typing must not wait for one per key).
SEARCH_DELAY_S = 0.15
#: The alerts choice → `LibraryQuery.has_alerts`.
ALERT_FILTER: dict[str, bool] = {"with": True, "without": False}


class LibraryFilters(Vertical):
    """Search, patient, kind, alerts and date range of the library."""

    class Changed(Message):
        """Fields of `LibraryQuery` to change (`patient`, `kind`, `has_alerts`,
        `date_from`, `date_to`, `text`)."""

        def __init__(self, changes: dict[str, Any]) -> None:
            super().__init__()
            self.changes = changes

    class Invalid(Message):
        """What the person typed cannot be used (the reason, in words)."""

        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._search_timer: Timer | None = None
        self._search_sent = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="filter-bar"):
            yield Label(" search: ", id="search-label")
            yield Input(placeholder="patient, kind, notes, alerts (/)", id="search", compact=True)
            yield Label("", id="sort-label")
        with Horizontal(id="filter-choices"):
            yield Select[str]([], prompt="all patients", id="patient-filter", compact=True)
            yield Select[str]([], prompt="all kinds", id="kind-filter", compact=True)
            yield Select[str](
                [("with alerts", "with"), ("without alerts", "without")],
                prompt="any alerts",
                id="alert-filter",
                compact=True,
            )
            yield Input(placeholder="from YYYY-MM-DD", id="date-from", compact=True)
            yield Input(placeholder="to YYYY-MM-DD", id="date-to", compact=True)

    # -- what the screen tells the bar -------------------------------------------------
    def set_choices(self, patients: list[str], kinds: list[str]) -> None:
        """The patients and kinds to choose from (a choice no longer there is dropped)."""
        for sel_id, values in (("#patient-filter", patients), ("#kind-filter", kinds)):
            select = self.query_one(sel_id, Select)
            keep = select.value
            with select.prevent(Select.Changed):
                select.set_options([(plain(v), v) for v in values])  # never markup
                if keep in values:
                    select.value = keep

    def show_sort(self, words: str) -> None:
        """ "sort: date ↓" at the end of the search line."""
        self.query_one("#sort-label", Label).update(plain(f" sort: {words} "))

    def focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def toggle_patient(self, patient: str | None) -> None:
        """Only `patient`; when a patient is already chosen: every patient."""
        select = self.query_one("#patient-filter", Select)
        if select.value != Select.NULL:
            select.clear()
        elif patient:
            select.value = patient

    def cycle_alerts(self) -> None:
        """Any → with alerts → without → any."""
        select = self.query_one("#alert-filter", Select)
        order: list[Any] = [Select.NULL, "with", "without"]
        current = select.value if select.value in order else Select.NULL
        nxt = order[(order.index(current) + 1) % len(order)]
        if nxt == Select.NULL:
            select.clear()
        else:
            select.value = nxt

    def clear(self) -> None:
        """Every choice back to "all", every box emptied (no message is posted)."""
        for sel in self.query(Select):
            with sel.prevent(Select.Changed):
                sel.clear()
        for inp in self.query(Input):
            with inp.prevent(Input.Changed):
                inp.value = ""
            inp.remove_class("-invalid")
        self._search_sent = ""

    def flush_search(self) -> None:
        """Send the search text now if it is waiting for the typing to pause."""
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        text = self.query_one("#search", Input).value
        if text != self._search_sent:
            self._search_sent = text
            self.post_message(self.Changed({"text": text}))

    # -- what the person does ----------------------------------------------------------
    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY_S, self.flush_search)

    @on(Input.Changed, "#date-from, #date-to")
    def _dates_changed(self, event: Input.Changed) -> None:
        event.stop()
        field = "date_from" if event.input.id == "date-from" else "date_to"
        try:
            day = parse_day(event.value, "from" if field == "date_from" else "to")
        except OsteomonitorError as exc:
            event.input.add_class("-invalid")
            self.post_message(self.Invalid(printable(exc)))
            return
        event.input.remove_class("-invalid")
        self.post_message(self.Changed({field: day}))

    @on(Select.Changed)
    def _choice_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) else None
        if event.select.id == "patient-filter":
            self.post_message(self.Changed({"patient": value}))
        elif event.select.id == "kind-filter":
            self.post_message(self.Changed({"kind": value}))
        else:
            has = ALERT_FILTER.get(value) if value is not None else None
            self.post_message(self.Changed({"has_alerts": has}))
