"""Review, first screen: the recordings library of a folder.

One row per recording (newest first): date, patient, kind, duration, jumps, minutes in
band, compliance badges and alerts. Analysis runs in a worker thread and fills the
last columns as each file is done, so the table is usable at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from osteomonitor.app.review import RecordingInfo, ReviewCache, SessionReview, list_recordings
from osteomonitor.tui.messages import SessionReviewed
from osteomonitor.tui.screens.help import HelpScreen
from osteomonitor.tui.views.display import clock_text, minutes_text
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

    def compose(self) -> ComposeResult:
        yield Label(f" osteomonitor review   {self.folder}", id="title-bar")
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
        self.infos = sorted(
            list_recordings(self.folder), key=lambda i: (i.error is None, i.start_iso), reverse=True
        )
        self._fill()
        self._analyse([i.path for i in self.infos if i.error is None])

    def _visible(self) -> list[RecordingInfo]:
        if self.patient_filter is None:
            return self.infos
        return [i for i in self.infos if i.patient == self.patient_filter]

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for info in self._visible():
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
                    f"{info.path.name}: {info.error}",
                    key=str(info.path),
                )
                continue
            review = self.cache.get(info.path)
            table.add_row(
                _date(info),
                info.patient + (" (sim)" if info.simulated else ""),
                info.kind,
                clock_text(info.duration_s),
                *self._analysed_cells(review),
                info.path.name,
                key=str(info.path),
            )
        shown = len(self._visible())
        words = f"{shown} recording{'s' if shown != 1 else ''}"
        if self.patient_filter:
            words += f" of patient {self.patient_filter} (f shows all)"
        self.query_one("#library-status", Label).update(f" {words} in {self.folder}")

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

    @work(thread=True, exclusive=True, group="library-analysis")
    def _analyse(self, paths: list[Path]) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        for path in paths:
            if worker.is_cancelled:
                return
            self.post_message(SessionReviewed(self.cache.review(path)))

    def on_session_reviewed(self, message: SessionReviewed) -> None:
        review: SessionReview = message.review
        table = self.query_one(DataTable)
        key = str(review.path)
        if key not in table.rows:
            return
        for (col, _label), value in zip(COLUMNS[4:8], self._analysed_cells(review), strict=True):
            table.update_cell(key, col, value, update_width=True)

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
