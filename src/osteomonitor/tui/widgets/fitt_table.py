"""The FITT table of a session: element, target, measured, status and evidence [source].

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

COLUMNS = ("element", "target", "measured", "status", "evidence [source]")


def _measured(e: Any) -> str:
    if e.measured is None:
        return "-"
    v = e.measured
    text = f"{v:.0f}" if float(v).is_integer() or abs(v) >= 10 else f"{v:.1f}"
    return f"{text} {e.unit}".strip()


def _status(status: str) -> Text:
    symbol, style = STATUS_MARKS.get(status, ("", "dim"))
    return Text(f"{symbol} {status}".strip(), style=style)


def _evidence(e: Any, sources: list[str]) -> Text:
    """The evidence, then the number of its source in the list under the table
    (sources repeat across elements: each is written once)."""
    out = plain(e.evidence)
    if e.source:
        if e.source not in sources:
            sources.append(e.source)
        out.append(f" [{sources.index(e.source) + 1}]", style="dim")
    return out


#: Widths of the fixed columns (characters): "20 jumps", "? indeterminate".
MEASURED_WIDTH = 9
STATUS_WIDTH = 15


@dataclass(frozen=True, slots=True)
class FittSection:
    """One modality of the table: its heading and a row per FITT element."""

    heading: Text
    rows: tuple[tuple[Text, ...], ...]


@dataclass(frozen=True, slots=True)
class FittContent:
    """The table's sections and the sources its evidence cells number ([1] …)."""

    sections: tuple[FittSection, ...]
    sources: tuple[str, ...] = ()


def fitt_content(compliance: Any) -> FittContent:
    """The table for a `SessionCompliance` (None: no prescription): a section per
    modality the session trained, and the numbered sources of its targets."""
    if compliance is None:
        return FittContent((FittSection(Text("no prescription in the recording", "dim"), ()),))
    out = []
    sources: list[str] = []
    for mod in compliance.modalities:
        head = mod.label + ("" if mod.prescribed else " (not prescribed)")
        rows = tuple(
            (
                plain(e.label),
                plain(e.target),
                Text(_measured(e)),
                _status(e.status),
                _evidence(e, sources),
            )
            for e in mod.elements
        )
        out.append(FittSection(plain(head, style="bold"), rows))
    return FittContent(tuple(out), tuple(sources))


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
    table.add_column(Text(COLUMNS[0], style="bold"), ratio=3, overflow="fold")
    table.add_column(Text(COLUMNS[1], style="bold"), ratio=3, overflow="fold")
    table.add_column(Text(COLUMNS[2], style="bold"), width=MEASURED_WIDTH, no_wrap=True)
    table.add_column(Text(COLUMNS[3], style="bold"), width=STATUS_WIDTH, no_wrap=True)
    table.add_column(Text(COLUMNS[4], style="bold"), ratio=7, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def fitt_renderable(content: FittContent) -> Group:
    """The header, each modality's heading (full width) and its element rows, then the
    sources the evidence cells number."""
    parts: list[Any] = [_table((), header=True)]
    for sec in content.sections:
        parts.append(sec.heading)
        if sec.rows:
            parts.append(_table(sec.rows, header=False))
    if content.sources:
        parts.append(Text("sources", style="bold dim"))
        for n, src in enumerate(content.sources, 1):
            parts.append(plain(f"[{n}] {src}", style="dim"))
    return Group(*parts)


class FittTable(VerticalScroll):
    """One row per FITT element, under a heading row per modality the session trained.

    Focusable: Up/Down/PageUp/PageDown scroll when the table is taller than its box.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.content = FittContent(())

    def compose(self) -> ComposeResult:
        yield Static("", classes="fitt-body")

    def show(self, compliance: Any) -> None:
        """Fill from a `SessionCompliance` (None: no prescription)."""
        self.content = fitt_content(compliance)
        self.query_one(".fitt-body", Static).update(fitt_renderable(self.content))

    @property
    def rows(self) -> list[tuple[Text, ...]]:
        """Every element row, in order (headings left out)."""
        return [row for sec in self.content.sections for row in sec.rows]
