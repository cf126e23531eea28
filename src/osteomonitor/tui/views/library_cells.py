"""What the library table draws for a recording: plain data, no Textual, no Rich.

A cell is runs of (text, Rich style definition) on one line (`Cell`); a row is its key,
cells and their widths (`TableRow`), counted once when built. Everything here is cheap
and safe in a worker thread (the library's loading worker builds the rows of 1000
recordings in ≈ 20 ms). Text from files (patient pseudonym, kind, file name, errors)
goes through `cell`, which escapes control characters (`pseudonym.printable`) and is
never read as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len

from osteomonitor import timefmt
from osteomonitor.app.library_view import LibraryRow
from osteomonitor.app.review import SessionReview
from osteomonitor.pseudonym import printable
from osteomonitor.tui.widgets.compliance_badges import alert_runs, compliance_runs

#: One styled piece of a cell: (text, Rich style definition; "" = the row's style).
Run = tuple[str, str]
#: A cell: its runs, left to right, on one line.
Cell = tuple[Run, ...]

#: (column key, header). Alerts come before the long columns so that it is on screen
#: at 80 columns (date 16 + patient 9 + kind 7 + length 6 + alerts 17, with padding).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("date", "date"),
    ("patient", "patient"),
    ("kind", "kind"),
    ("duration", "length"),
    ("alerts", "alerts"),
    ("jumps", "jumps"),
    ("band", "band"),
    ("compliance", "compliance"),
    ("file", "file"),
)
#: The columns filled by the analysis.
ANALYSED = ("alerts", "jumps", "band", "compliance")


def cell(text: object, style: str = "") -> Cell:
    """A one-run cell showing `text` as plain text (control characters escaped; markup
    characters are kept as typed, never interpreted)."""
    return ((printable(text), style),)


def cell_text(value: Cell) -> str:
    """The cell's text, without styles."""
    return "".join(text for text, _ in value)


def cell_width(value: Cell) -> int:
    """Terminal cells the cell takes."""
    if len(value) == 1:  # most cells: one run
        return cell_len(value[0][0])
    return sum(cell_len(text) for text, _ in value)


@dataclass(frozen=True, slots=True)
class TableRow:
    """One row: its key (unique in a table), its cells in column order and their widths.

    Rows are replaced, never changed: a table knows a changed row by its identity."""

    key: str
    cells: tuple[Cell, ...]
    widths: tuple[int, ...]

    @classmethod
    def of(cls, key: str, cells: Iterable[Cell]) -> TableRow:
        """A row of `cells`, their widths counted here."""
        kept = tuple(cells)
        return cls(key, kept, tuple(cell_width(c) for c in kept))


PENDING: Cell = (("...", "dim"),)
EMPTY: Cell = (("", ""),)


def analysed_cells(review: SessionReview | None) -> tuple[Cell, Cell, Cell, Cell]:
    """The `ANALYSED` cells: alerts, jumps, minutes in band, compliance badges."""
    if review is None:
        return PENDING, PENDING, PENDING, PENDING
    if review.summary is None:
        return (("error", "red"),), EMPTY, EMPTY, cell(review.error or "", "red")
    s = review.summary
    return (
        alert_runs(review.alerts),
        cell(len(s.jumps)),
        cell(timefmt.minutes(s.heart.target_s) if s.heart.valid_s else "-"),
        compliance_runs(review.compliance),
    )


def library_row(row: LibraryRow) -> TableRow:
    """The table row of a recording (`COLUMNS`), keyed by its path."""
    if row.error:
        cells: tuple[Cell, ...] = (
            cell("?"),
            EMPTY,
            EMPTY,
            EMPTY,
            (("unreadable", "red"),),
            EMPTY,
            EMPTY,
            EMPTY,
            cell(f"{row.path.name}: {row.error}"),
        )
    else:
        cells = (
            cell(row.date_text),
            cell(row.patient + (" (sim)" if row.simulated else "")),
            cell(row.kind),
            cell(timefmt.clock(row.duration_s)),
            *analysed_cells(row.review),
            cell(row.path.name),
        )
    return TableRow.of(str(row.path), cells)
