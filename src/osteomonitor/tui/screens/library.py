"""Review, first screen: the recordings library of a folder.

One row per recording (newest first): date, patient, kind, duration, jumps, minutes in
band, compliance badges and alerts. Loading is one worker (`_load_library`): it reads
the rows and the kept analyses from the folder's library index (`app.library`), posts
them in batches, and analyses only the files the index did not know, with progress on
the status line. The event loop only adds rows and updates cells.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label
from textual.widgets.data_table import ColumnKey

from osteomonitor.app.review import RecordingInfo, ReviewCache, SessionReview
from osteomonitor.tui.messages import (
    LibraryListed,
    LibraryProgress,
    SessionReviewed,
    SessionsReviewed,
)
from osteomonitor.tui.screens.help import HelpScreen
from osteomonitor.tui.views.display import clock_text, minutes_text, plain
from osteomonitor.tui.widgets.compliance_badges import alert_badge, compliance_badges

COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "date"),
    ("patient", "patient"),
    ("kind", "kind"),
    ("duration", "duration"),
    ("jumps", "jumps"),
    ("band", "in band"),
    ("compliance", "compliance"),
    ("alerts", "alerts"),
    ("file", "file"),
)
PENDING = Text("...", style="dim")
#: The loading worker posts analysed rows at most this often, s (each post is one
#: batch of table updates on the event loop).
POST_EVERY_S = 0.1
#: Rows added (or updated) between two turns of the event loop: keeps each turn well
#: under the 50 ms a stall is (≈ 0.3 ms a row on the bench machine).
FILL_CHUNK = 50


def _date(info: RecordingInfo) -> str:
    return info.start_iso[:16].replace("T", " ") if info.start_iso else "?"


class LibraryScreen(Screen[None]):
    """Every recording in `folder`.

    Args:
        folder: the recordings folder (searched recursively).
        cache: analysed recordings shared with the detail and week screens.
        export_dir: where the session detail's `e` writes reports.
    """

    HELP_TITLE = "recordings library"
    HELP = """
Every recording in the folder, newest first. Compliance badges name the target (HRR,
RPE, min, jumps ...): ✓ met, ↓ below, ↑ above, ? indeterminate (data too poor or
nothing marked); frequency is judged in the patient's weeks (w).
Sessions from simulated wearables are marked (sim).
"""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Session detail"),
        Binding("w", "weeks", "Patient's weeks"),
        Binding("f", "filter", "Only this patient"),
        Binding("r", "rescan", "Rescan"),
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Help"),
    ]

    def __init__(
        self, folder: Path, cache: ReviewCache | None = None, export_dir: Path | None = None
    ) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.export_dir = export_dir
        self.cache = cache or ReviewCache()
        self.infos: list[RecordingInfo] = []
        self.patient_filter: str | None = None
        self.progress = ""
        self._reviews: dict[str, SessionReview] = {}  # delivered by the loading worker
        self.loaded = False  # every row listed and analysed (for tests and benchmarks)

    def compose(self) -> ComposeResult:
        yield Label(plain(f" osteomonitor review   {self.folder}"), id="title-bar")
        yield DataTable(id="library", cursor_type="row", zebra_stripes=True)
        yield Label("", id="library-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.action_rescan()

    # -- data -----------------------------------------------------------------------
    def action_rescan(self) -> None:
        self.loaded = False
        self._load_library()

    @work(thread=True, exclusive=True, group="library-load")
    def _load_library(self) -> None:
        """The loading path: rows and kept reviews from the folder's index, then the new
        files analysed in a worker process, posted in batches with progress."""
        import time

        from textual.worker import get_current_worker

        from osteomonitor.app.library import analyse_new, library_rows

        worker = get_current_worker()

        def reading(done: int, total: int) -> None:
            self.post_message(LibraryProgress(f"reading new recordings: {done} of {total}"))

        infos = sorted(
            library_rows(self.folder, progress=reading),
            key=lambda i: (i.error is None, i.start_iso),
            reverse=True,
        )
        paths = [i.path for i in infos if i.error is None]
        # Reviews kept in memory or in the index go out with the rows (added whole, never
        # updated cell by cell: DataTable re-measures every row after each change).
        first: list[SessionReview] = []
        new: list[Path] = []
        for path in paths:
            if worker.is_cancelled:
                return
            kept = self.cache.kept(path)
            if kept is None:
                new.append(path)
            else:
                first.append(kept)
        self.post_message(LibraryListed(infos, tuple(first)))
        # New files: analysed in a separate process (never holding this interpreter's
        # lock), kept in the index, then read back here.
        batch: list[SessionReview] = []
        last = time.monotonic()
        stream = analyse_new(new, cancelled=lambda: worker.is_cancelled)
        for done, (path, error) in enumerate(stream, start=1):
            if error is None:
                batch.append(self.cache.review(path))  # kept in the index by the worker
            else:
                batch.append(SessionReview(path, error=error))
            now = time.monotonic()
            if now - last >= POST_EVERY_S or done == len(new):
                self.post_message(SessionsReviewed(tuple(batch)))
                text = f"analysing new recordings: {done} of {len(new)}"
                self.post_message(LibraryProgress("" if done == len(new) else text))
                batch, last = [], now
        if not new:
            self.post_message(LibraryProgress(""))

    def on_library_listed(self, message: LibraryListed) -> None:
        """Every row at once (DataTable re-measures all rows after each change: adding
        them in chunks costs more in all and stalls as often)."""
        self.infos = message.infos
        for review in message.reviews:
            self._reviews[str(review.path)] = review
        table = self.query_one(DataTable)
        table.clear()
        for info in self._visible():
            self._add_row(table, info, known=True)
        self._status()

    def on_library_progress(self, message: LibraryProgress) -> None:
        self.progress = message.text
        self._status()
        if not message.text and self.infos:
            self.loaded = True

    async def on_sessions_reviewed(self, message: SessionsReviewed) -> None:
        """Cells of analysed rows, `FILL_CHUNK` rows at a time between loop turns."""
        for k, review in enumerate(message.reviews, start=1):
            self._reviews[str(review.path)] = review
            self.on_session_reviewed(SessionReviewed(review))
            if k % FILL_CHUNK == 0:
                await asyncio.sleep(0)

    def _visible(self) -> list[RecordingInfo]:
        if self.patient_filter is None:
            return self.infos
        return [i for i in self.infos if i.patient == self.patient_filter]

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for info in self._visible():
            self._add_row(table, info)
        self._status()

    def _status(self) -> None:
        shown = len(self._visible())
        words = f"{shown} recording{'s' if shown != 1 else ''}"
        if self.patient_filter:
            words += f" of patient {self.patient_filter} (f shows all)"
        busy = f"   {self.progress} ..." if self.progress else ""
        self.query_one("#library-status", Label).update(plain(f" {words} in {self.folder}{busy}"))

    def _add_row(self, table: DataTable[Any], info: RecordingInfo, known: bool = False) -> None:
        """One recording's row; `known`: take its review from what the loading worker
        delivered (no file is touched on the event loop) rather than from the cache."""
        if info.error:
            table.add_row(
                "?",
                "",
                "",
                "",
                "",
                "",
                "",
                Text("unreadable", "red"),
                plain(f"{info.path.name}: {info.error}"),
                key=str(info.path),
            )
            return
        review = self._reviews.get(str(info.path)) if known else self.cache.get(info.path)
        table.add_row(
            _date(info),
            plain(info.patient + (" (sim)" if info.simulated else "")),
            plain(info.kind),
            clock_text(info.duration_s),
            *self._analysed_cells(review),
            plain(info.path.name),
            key=str(info.path),
        )

    def _analysed_cells(self, review: SessionReview | None) -> list[Any]:
        if review is None:
            return [PENDING] * 4
        if review.summary is None:
            return ["", "", Text("error", "red"), Text(review.error or "", "red")]
        s = review.summary
        return [
            str(len(s.jumps)),
            minutes_text(s.heart.target_s) if s.heart.valid_s else "-",
            compliance_badges(review.compliance),
            alert_badge(review.alerts),
        ]

    def on_session_reviewed(self, message: SessionReviewed) -> None:
        review: SessionReview = message.review
        table = self.query_one(DataTable)
        key = str(review.path)
        if key not in table.rows:
            return
        for (col, _label), value in zip(COLUMNS[4:8], self._analysed_cells(review), strict=True):
            # Widen a column when the value needs it; never re-measure a whole column
            # (DataTable does that for a narrower value: quadratic over a library).
            wider = cell_len(str(value)) > table.columns[ColumnKey(col)].content_width
            table.update_cell(key, col, value, update_width=wider)

    # -- navigation -----------------------------------------------------------------
    def selected(self) -> RecordingInfo | None:
        """The recording under the cursor."""
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((i for i in self.infos if str(i.path) == key), None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from osteomonitor.tui.screens.session_detail import SessionDetailScreen

        info = self.selected()
        if info is not None and info.error is None:
            self.app.push_screen(SessionDetailScreen(info.path, self.cache, self.export_dir))

    def action_weeks(self) -> None:
        from osteomonitor.tui.screens.weeks import WeeksScreen

        info = self.selected()
        if info is not None and info.patient:
            paths = [i.path for i in self.infos if i.patient == info.patient and not i.error]
            self.app.push_screen(WeeksScreen(info.patient, paths, self.cache))

    def action_filter(self) -> None:
        info = self.selected()
        if self.patient_filter is not None:
            self.patient_filter = None
        elif info is not None:
            self.patient_filter = info.patient
        self._fill()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self))

    def action_quit(self) -> None:
        self.app.exit(0)
