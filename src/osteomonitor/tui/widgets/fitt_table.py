"""The FITT table of a session: element, target, measured, status and evidence."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from osteomonitor.tui.widgets.compliance_badges import STATUS_MARKS

COLUMNS = ("element", "target", "measured", "status", "evidence")


def _measured(e: Any) -> str:
    if e.measured is None:
        return "-"
    v = e.measured
    text = f"{v:.0f}" if float(v).is_integer() or abs(v) >= 10 else f"{v:.1f}"
    return f"{text} {e.unit}".strip()


def _status(status: str) -> Text:
    symbol, style = STATUS_MARKS.get(status, ("", "dim"))
    return Text(f"{symbol} {status}".strip(), style=style)


class FittTable(DataTable[Any]):
    """One row per FITT element, under a heading row per modality the session trained."""

    def on_mount(self) -> None:
        self.cursor_type = "row"
        self.zebra_stripes = True
        for name in COLUMNS:
            self.add_column(name, key=name)

    def show(self, compliance: Any) -> None:
        """Fill from a `SessionCompliance` (None: no prescription)."""
        self.clear()
        if compliance is None:
            self.add_row("-", "no prescription in the recording", "", "", "")
            return
        for mod in compliance.modalities:
            head = mod.label + ("" if mod.prescribed else " (not prescribed)")
            self.add_row(Text(head, style="bold"), "", "", "", "")
            for e in mod.elements:
                self.add_row(f"  {e.label}", e.target, _measured(e), _status(e.status), e.evidence)
