"""Reports: JSON for machines, text tables for people, CSV of per-jump and per-minute data.

Modules:
    documents: versioned JSON documents (docs/json-schema.md).
    tables: plain-text tables for people.
    exports: CSV of per-jump and per-minute data.
    rx_sheet: `prescription_sheet`, a prescription as text for a terminal.
    files: `write_private` / `write_export`, the one way exports are written: owner-only
        (0600), atomic, never over an input, a recording or through a symlink.
    html_page, figures, session_plots, session_page, period_plots, period_page: the
        printable report pages (self-contained HTML, matplotlib SVG plots); pdf: the page
        printed by headless Chromium. Imported by their module (they load matplotlib),
        never from this package's namespace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from osteomonitor.lazy import lazy_attributes

if TYPE_CHECKING:
    from osteomonitor.report.documents import (
        OSTEOGENIC_G,
        SESSION_SCHEMA,
        WEEK_SCHEMA,
        alert_json,
        compliance_json,
        session_json,
        week_json,
    )
    from osteomonitor.report.exports import (
        JUMP_COLUMNS,
        MINUTE_COLUMNS,
        csv_text,
        jump_rows,
        minute_rows,
    )
    from osteomonitor.report.files import check_export_target, write_export, write_private
    from osteomonitor.report.rx_sheet import prescription_sheet
    from osteomonitor.report.tables import (
        format_table,
        prescription_text,
        session_text,
        set_aside_lines,
        week_text,
    )

#: Where each public name lives. The package imports a module when one of its names is
#: first used (PEP 562), so `analyze --json` loads `documents` alone, not the text
#: tables, the prescription sheet and their imports.
_HOME: dict[str, str] = {
    **dict.fromkeys(
        (
            "OSTEOGENIC_G",
            "SESSION_SCHEMA",
            "WEEK_SCHEMA",
            "alert_json",
            "compliance_json",
            "session_json",
            "week_json",
        ),
        "documents",
    ),
    **dict.fromkeys(
        ("JUMP_COLUMNS", "MINUTE_COLUMNS", "csv_text", "jump_rows", "minute_rows"), "exports"
    ),
    **dict.fromkeys(("check_export_target", "write_export", "write_private"), "files"),
    "prescription_sheet": "rx_sheet",
    **dict.fromkeys(
        ("format_table", "prescription_text", "session_text", "set_aside_lines", "week_text"),
        "tables",
    ),
}


__getattr__, __dir__ = lazy_attributes(__name__, _HOME)


__all__ = [
    "JUMP_COLUMNS",
    "MINUTE_COLUMNS",
    "OSTEOGENIC_G",
    "SESSION_SCHEMA",
    "WEEK_SCHEMA",
    "alert_json",
    "check_export_target",
    "compliance_json",
    "csv_text",
    "format_table",
    "jump_rows",
    "minute_rows",
    "prescription_sheet",
    "prescription_text",
    "session_json",
    "session_text",
    "set_aside_lines",
    "week_json",
    "week_text",
    "write_export",
    "write_private",
]
