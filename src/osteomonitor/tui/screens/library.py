"""Review, first screen: the recordings library of a folder.

One row per recording: date, patient, kind, length, alerts, jumps, minutes in band,
compliance badges and file (the first five fit in 80 columns). A filter bar above the
table narrows the view (patient, kind, alerts, date range) and searches its text; `s`
or a click on a column header sorts; `e` exports the rows on screen.

Loading is one worker (`services.library_loading`): it reads the rows and the kept
analyses from the folder's library index, builds the rows' cells (`views.library_cells`)
and posts them at once, and has only the files the index does not know analysed, in a
separate process, with progress on the status line. The event loop only sorts, fills the
table (`LibraryTable`: a virtual table that draws the rows on screen, nothing else) and
replaces analysed rows.

What is shown is decided by `app.library_view` (filters, search, sort) and written by
`app.view_exports`; this screen only keeps the query and renders the rows.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label

from osteomonitor import timefmt
from osteomonitor.app.library_view import (
    SORT_KEYS,
    LibraryQuery,
    LibraryRow,
    apply_query,
    choices,
    describe,
    library_rows,
)
from osteomonitor.app.review import RecordingInfo, ReviewCache, SessionReview
from osteomonitor.errors import OsteomonitorError
from osteomonitor.pseudonym import printable
from osteomonitor.tui.messages import (
    LibraryListed,
    LibraryProgress,
    SessionReviewed,
    SessionsReviewed,
)
from osteomonitor.tui.screens.help import HelpScreen
from osteomonitor.tui.views.display import plain
from osteomonitor.tui.views.library_cells import COLUMNS, TableRow, library_row
from osteomonitor.tui.widgets.library_filters import LibraryFilters
from osteomonitor.tui.widgets.library_table import LibraryTable
from osteomonitor.tui.widgets.text_update import update_label

ARROWS = {True: "↓", False: "↑"}
#: Seconds to gather analysis results before re-sorting/re-filtering the view.
REFRESH_DELAY_S = 0.25
#: Rows updated between two turns of the event loop.
UPDATE_CHUNK = 50


class LibraryScreen(Screen[None]):
    """Every recording in `folder`.

    Args:
        folder: the recordings folder (searched recursively).
        cache: analysed recordings shared with the detail and week screens.
        export_dir: where exports go (None: the reports folder of the config).
    """

    HELP_TITLE = "recordings library"
    HELP = """
Every recording in the folder, newest first. Alerts count the session's safety alerts
by severity; compliance badges name the target (HRR, RPE, min, jumps ...): ✓ met,
↓ below, ↑ above, ? indeterminate (data too poor or nothing marked); frequency is
judged in the patient's weeks (w). Sessions from simulated wearables are marked (sim).

The bar above the table filters: search (plain words, all must appear in the patient,
kind, file name, notes or alerts), patient, kind, alerts and a date range (YYYY-MM-DD,
both days included). s sorts by the next column (date, patient, kind, length, alerts),
S reverses; a click on a column header sorts by it. e writes the rows on screen as CSV
(owner-only) into the reports folder.
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Detail"),
        Binding("w", "weeks", "Weeks"),
        Binding("slash", "search", "Search"),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse", "Reverse sort", show=False),
        Binding("f", "filter", "Only this patient", show=False),
        Binding("a", "alerts", "With/without alerts", show=False),
        Binding("c", "clear", "Clear filters", show=False),
        Binding("e", "export('csv')", "Export CSV"),
        Binding("E", "export('report')", "Export reports"),
        Binding("r", "rescan", "Rescan", show=False),
        Binding("escape", "to_table", "Back to the table", show=False),
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
    ]
    AUTO_FOCUS = "#library"
    DEFAULT_CSS = """
    LibraryScreen #library-status {
        width: 1fr;
    }
    """

    def __init__(
        self, folder: Path, cache: ReviewCache | None = None, export_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.export_dir = export_dir
        self.cache = cache or ReviewCache()
        self.infos: list[RecordingInfo] = []
        self.reviews: dict[Path, SessionReview] = {}
        self.query_state = LibraryQuery()
        self.shown: list[LibraryRow] = []
        self._shown_index: dict[Path, int] = {}  # row index of each shown recording
        self.last_export: list[Path] = []
        self._refresh_timer: Timer | None = None
        # Each recording's table row, kept while its analysis is the same object.
        self._table_rows: dict[Path, tuple[SessionReview | None, TableRow]] = {}
        self.progress = ""  # what the loading worker is doing ("" when idle)
        self._status_shown = ("", "")  # (status line, sort words) on screen
        self.loaded = False  # every row listed and analysed (for tests and benchmarks)

    def compose(self) -> ComposeResult:
        yield Label(plain(f" osteomonitor review   {self.folder}"), id="title-bar")
        yield LibraryFilters(id="library-filters")
        yield LibraryTable(id="library", zebra_stripes=True)
        yield Label("", id="library-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load_recordings()

    # -- loading (one place: the listing, then the analysis in a worker) ---------------
    def load_recordings(self) -> None:
        """List the folder's recordings and their analyses in a worker (`_load_library`)."""
        self.loaded = False
        self._load_library()

    def action_rescan(self) -> None:
        self.load_recordings()

    @work(thread=True, exclusive=True, group="library-analysis")
    def _load_library(self) -> None:
        """The loading path (`services.library_loading`), in a worker thread."""
        from textual.worker import get_current_worker

        from osteomonitor.tui.services.library_loading import load_library

        worker = get_current_worker()
        load_library(self.folder, self.cache, self.post_message, lambda: worker.is_cancelled)

    def on_library_listed(self, message: LibraryListed) -> None:
        """Every row at once (one `LibraryTable.fill`)."""
        self.infos = message.infos
        self.reviews = {r.path: r for r in message.reviews}
        self._table_rows = dict(message.rows)
        rows = self.rows()
        self._set_choices(rows)
        self.refill(rows)

    def on_library_progress(self, message: LibraryProgress) -> None:
        self.progress = message.text
        self._status()
        if not message.text:
            self.loaded = True

    async def on_sessions_reviewed(self, message: SessionsReviewed) -> None:
        """Analysed rows replaced, `UPDATE_CHUNK` rows between turns of the loop."""
        for k, review in enumerate(message.reviews, start=1):
            self.on_session_reviewed(SessionReviewed(review))
            if k % UPDATE_CHUNK == 0:
                await asyncio.sleep(0)

    def on_session_reviewed(self, message: SessionReviewed) -> None:
        review: SessionReview = message.review
        self.reviews[review.path] = review
        q = self.query_state
        depends = q.sort == "alerts" or q.has_alerts is not None or bool(q.text.strip())
        table = self.query_one(LibraryTable)
        index = self._shown_index.get(review.path)
        if index is not None:
            row = self.shown[index] = replace(self.shown[index], review=review)
            table.update_row(self._table_row(row))  # draws that row alone again
        if depends and self._refresh_timer is None:
            self._refresh_timer = self.set_timer(REFRESH_DELAY_S, self._refresh_due)

    def _refresh_due(self) -> None:
        self._refresh_timer = None
        self.refill()

    # -- the view ---------------------------------------------------------------------
    def rows(self) -> list[LibraryRow]:
        """Every listed recording with its analysis so far."""
        return library_rows(self.infos, self.reviews.get)

    def refill(self, rows: list[LibraryRow] | None = None) -> None:
        """Apply the query to `rows` (None: `rows()`) and redraw the table, keeping the
        cursor on its recording."""
        table = self.query_one(LibraryTable)
        selected = self.selected()
        self.shown = apply_query(self.rows() if rows is None else rows, self.query_state)
        q = self.query_state
        columns = [
            (key, label + (f" {ARROWS[q.descending]}" if key == q.sort else ""))
            for key, label in COLUMNS
        ]
        self._shown_index = {row.path: k for k, row in enumerate(self.shown)}
        table.fill(columns, [self._table_row(row) for row in self.shown])
        if selected is not None and selected.path in self._shown_index:
            table.move_cursor(self._shown_index[selected.path])
        self._status()

    def _table_row(self, row: LibraryRow) -> TableRow:
        """The row's cells, kept while its analysis is the same."""
        kept = self._table_rows.get(row.path)
        if kept is None or kept[0] is not row.review:
            kept = self._table_rows[row.path] = (row.review, library_row(row))
        return kept[1]

    def _status(self, extra: str = "") -> None:
        q = self.query_state
        total = len(self.infos)
        shown = len(self.shown)
        words = f"{shown} of {total} recordings" if shown != total else f"{total} recordings"
        if total == 1 and shown == 1:
            words = "1 recording"
        filters = describe(q)
        if filters:
            words += f" ({filters})"
        busy = f"   {self.progress} ..." if self.progress else ""
        line = f" {words} in {self.folder}{busy}" + (f"   {extra}" if extra else "")
        sort = f"{dict(COLUMNS)[q.sort]} {ARROWS[q.descending]}"
        # Only what changed, the status line without a re-layout of the screen (its width
        # is the screen's): progress arrives several times a second while files are read.
        if (line, sort) != self._status_shown:
            if line != self._status_shown[0]:
                label = self.query_one("#library-status", Label)
                update_label(label, plain(self._status_shown[0]), plain(line))
            if sort != self._status_shown[1]:
                self.query_one(LibraryFilters).show_sort(sort)
            self._status_shown = (line, sort)

    def _set_choices(self, rows: list[LibraryRow]) -> None:
        patients, kinds = choices(rows)
        self.query_one(LibraryFilters).set_choices(patients, kinds)
        q = self.query_state
        self.query_state = replace(
            q,
            patient=q.patient if q.patient in patients else None,
            kind=q.kind if q.kind in kinds else None,
        )

    def set_query(self, **changes: Any) -> None:
        """Change the query (fields of `LibraryQuery`) and redraw."""
        self.query_state = replace(self.query_state, **changes)
        self.refill()

    # -- the filter bar ----------------------------------------------------------------
    def on_library_filters_changed(self, message: LibraryFilters.Changed) -> None:
        changes = {k: v for k, v in message.changes.items() if getattr(self.query_state, k) != v}
        if changes:
            self.set_query(**changes)
        else:
            self._status()

    def on_library_filters_invalid(self, message: LibraryFilters.Invalid) -> None:
        self._status(message.reason)

    @on(Input.Submitted)
    def _input_submitted(self) -> None:
        self.action_to_table()

    def on_library_table_header_selected(self, event: LibraryTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key
        if key not in SORT_KEYS:
            self.notify(f"sortable columns: {', '.join(dict(COLUMNS)[k] for k in SORT_KEYS)}")
            return
        q = self.query_state
        self.set_query(sort=key, descending=not q.descending if key == q.sort else key != "patient")

    def action_sort(self) -> None:
        """Sort by the next of `SORT_KEYS` (dates, lengths and alerts largest first)."""
        nxt = SORT_KEYS[(SORT_KEYS.index(self.query_state.sort) + 1) % len(SORT_KEYS)]
        self.set_query(sort=nxt, descending=nxt in ("date", "duration", "alerts"))

    def action_reverse(self) -> None:
        self.set_query(descending=not self.query_state.descending)

    def action_search(self) -> None:
        self.query_one(LibraryFilters).focus_search()

    def action_to_table(self) -> None:
        self.query_one(LibraryFilters).flush_search()
        self.query_one(LibraryTable).focus()

    def action_filter(self) -> None:
        """Only the patient under the cursor; again: every patient."""
        row = self.selected()
        self.query_one(LibraryFilters).toggle_patient(row.patient if row is not None else None)

    def action_alerts(self) -> None:
        """Cycle the alerts filter: any → with alerts → without → any."""
        self.query_one(LibraryFilters).cycle_alerts()

    def action_clear(self) -> None:
        """Every filter off, search emptied (the sort stays)."""
        self.query_one(LibraryFilters).clear()
        q = self.query_state
        self.query_state = LibraryQuery(sort=q.sort, descending=q.descending)
        self.refill()

    # -- export -----------------------------------------------------------------------
    def action_export(self, kind: str) -> None:
        """Export the rows on screen, in their order, as `kind` (app.view_exports)."""
        rows = list(self.shown)
        if kind == "report":  # seconds per recording: off the event loop
            self.notify(f"writing {timefmt.plural(len(rows), 'report')}…", title="Reports")

            def in_worker() -> None:
                self.app.call_from_thread(self._exported, kind, rows, *self._export(kind, rows))

            self.run_worker(in_worker, thread=True, group="export", exclusive=True)
            return
        self._exported(kind, rows, *self._export(kind, rows))

    def _export(self, kind: str, rows: list[LibraryRow]) -> tuple[list[Path], str | None]:
        """Write the export: (files written, the error to tell instead)."""
        from osteomonitor.app.view_exports import export_library

        try:
            return export_library(kind, rows, self.export_dir), None
        except OsteomonitorError as exc:
            return [], printable(exc)

    def _exported(
        self, kind: str, rows: list[LibraryRow], written: list[Path], error: str | None
    ) -> None:
        """Tell what the export wrote, or why it failed (on the event loop)."""
        if error is not None:
            self.notify(error, title="Export failed", severity="error", markup=False)
            return
        self.last_export = written
        where = ", ".join(str(p) for p in written)
        self.notify(
            printable(f"{timefmt.plural(len(rows), 'row')} written to {where}"),
            title=f"{kind.upper()} exported",
            markup=False,
        )
        self._status(printable(f"exported: {where}"))

    # -- navigation -------------------------------------------------------------------
    def selected(self) -> LibraryRow | None:
        """The recording under the cursor."""
        index = self.query_one(LibraryTable).cursor_row
        return self.shown[index] if 0 <= index < len(self.shown) else None

    def on_library_table_row_selected(self, event: LibraryTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from osteomonitor.tui.screens.session_detail import SessionDetailScreen

        row = self.selected()
        if row is not None and row.error is None:
            self.app.push_screen(SessionDetailScreen(row.path, self.cache, self.export_dir))

    def action_weeks(self) -> None:
        from osteomonitor.tui.screens.weeks import WeeksScreen

        row = self.selected()
        if row is not None and row.patient:
            paths = [i.path for i in self.infos if i.patient == row.patient and not i.error]
            self.app.push_screen(
                WeeksScreen(row.patient, paths, self.cache, export_dir=self.export_dir)
            )

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self.app.exit(0)
