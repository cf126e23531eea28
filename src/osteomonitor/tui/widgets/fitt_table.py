"""The FITT table of a session: element, target, measured, status and evidence/source.

A Rich table inside a scrolling container: long text (a type list, the evidence, the
source) wraps inside its column, so every column stays on screen at 100 terminal
columns and every row can be reached (a `DataTable` cannot wrap a cell). Text from
files is shown as plain text (never markup).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from osteomonitor.tui.views.display import plain
from osteomonitor.tui.widgets.compliance_badges import STATUS_MARKS

COLUMNS = ("element", "target", "measured", "status", "evidence / source")


def _measured(e: Any) -> str:
    if e.measured is None:
        return "-"
    v = e.measured
    text = f"{v:.0f}" if float(v).is_integer() or abs(v) >= 10 else f"{v:.1f}"
    return f"{text} {e.unit}".strip()


def _status(status: str) -> Text:
    symbol, style = STATUS_MARKS.get(status, ("", "dim"))
    return Text(f"{symbol} {status}".strip(), style=style)


def _evidence(e: Any) -> Text:
    out = plain(e.evidence)
    if e.source:
        out.append("\n")
        out.append_text(plain(f"source: {e.source}", style="dim italic"))
    return out


#: Widths of the fixed columns (characters): "20 jumps", "? indeterminate".
MEASURED_WIDTH = 9
STATUS_WIDTH = 15


@dataclass(frozen=True, slots=True)
class FittSection:
    """One modality of the table: its heading and a row per FITT element."""

    heading: Text
    rows: tuple[tuple[Text, ...], ...]


def fitt_sections(compliance: Any) -> list[FittSection]:
    """The table's sections for a `SessionCompliance` (None: no prescription): one per
    modality the session trained."""
    if compliance is None:
        return [FittSection(Text("no prescription in the recording", style="dim"), ())]
    out = []
    for mod in compliance.modalities:
        head = mod.label + ("" if mod.prescribed else " (not prescribed)")
        rows = tuple(
            (plain(e.label), plain(e.target), Text(_measured(e)), _status(e.status), _evidence(e))
            for e in mod.elements
        )
        out.append(FittSection(plain(head, style="bold"), rows))
    return out


def _table(rows: tuple[tuple[Text, ...], ...], header: bool) -> Table:
    # Fixed widths for measured and status and ratios for the rest: every section's
    # table gets the same column widths at the same terminal width, so they line up.
    table = Table(
        box=box.SIMPLE_HEAD,
        expand=True,
        pad_edge=False,
        show_edge=False,
        show_header=header,
    )
    table.add_column(COLUMNS[0], ratio=3, overflow="fold")
    table.add_column(COLUMNS[1], ratio=3, overflow="fold")
    table.add_column(COLUMNS[2], width=MEASURED_WIDTH, no_wrap=True)
    table.add_column(COLUMNS[3], width=STATUS_WIDTH, no_wrap=True)
    table.add_column(COLUMNS[4], ratio=7, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def fitt_renderable(sections: list[FittSection]) -> Group:
    """The header, then each modality's heading (full width) and its element rows."""
    parts: list[Any] = [_table((), header=True)]
    for sec in sections:
        parts.append(sec.heading)
        if sec.rows:
            parts.append(_table(sec.rows, header=False))
    return Group(*parts)


class FittTable(VerticalScroll):
    """One row per FITT element, under a heading row per modality the session trained.

    Focusable: Up/Down/PageUp/PageDown scroll when the table is taller than its box.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.sections: list[FittSection] = []

    def compose(self) -> ComposeResult:
        yield Static("", classes="fitt-body")

    def show(self, compliance: Any) -> None:
        """Fill from a `SessionCompliance` (None: no prescription)."""
        self.sections = fitt_sections(compliance)
        self.query_one(".fitt-body", Static).update(fitt_renderable(self.sections))

    @property
    def rows(self) -> list[tuple[Text, ...]]:
        """Every element row, in order (headings left out)."""
        return [row for sec in self.sections for row in sec.rows]
