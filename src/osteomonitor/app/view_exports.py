"""Exports of what a review screen shows: the library's visible rows, a patient's weeks.

Every file is written by `report.write_export` (owner-only 0600, atomic, never over a
recording or through a link) into the reports folder of `config.folders()` unless a
folder is given (`review --export-dir`), which is created owner-only (0700).

The export kinds of each view are tables (`LIBRARY_EXPORTS`, `WEEKS_EXPORTS`): kind →
writer. A screen asks for a kind by name, so a new kind is one entry here and one key
binding on the screen.

CSV cells that a spreadsheet would run as a formula (text from a file starting with
``= + - @``, a tab or a carriage return) are written with a leading apostrophe (OWASP,
"CSV Injection").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from osteomonitor import report, timefmt
from osteomonitor.app.library_view import LibraryRow, alert_words
from osteomonitor.app.reports import write_period_report, write_session_report
from osteomonitor.app.weeks_view import WeeksTrend, weeks_table
from osteomonitor.config import ensure_private_dir, folders
from osteomonitor.errors import UsageError

#: Statuses of FITT elements written in the compliance column (the others are judged
#: weekly, or not at all).
JUDGED = ("met", "below", "above", "above-range", "indeterminate")

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Columns of the library CSV.
LIBRARY_COLUMNS: tuple[str, ...] = (
    "date",
    "patient",
    "simulated",
    "kind",
    "duration",
    "duration_s",
    "jumps",
    "band_min",
    "compliance",
    "alerts",
    "alert_messages",
    "file",
    "error",
)


def export_folder(given: Path | None = None) -> Path:
    """Where exports go: `given`, else the reports folder of `config.folders()`; created
    owner-only (0700) when missing.

    Raises:
        ConfigError: the folder cannot be created.
    """
    return ensure_private_dir(Path(given) if given is not None else folders().reports)


def safe_cell(text: str) -> str:
    """`text` as a CSV cell a spreadsheet shows as text, never runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def compliance_words(compliance: object) -> str:
    """ "jumps per session: met; time: below" for a `SessionCompliance`; "" for None."""
    if compliance is None:
        return ""
    parts = []
    for mod in getattr(compliance, "modalities", ()):
        for e in mod.elements:
            if e.status in JUDGED:
                parts.append(f"{e.label}: {e.status}")
    return "; ".join(parts)


def library_table(rows: Sequence[LibraryRow]) -> list[list[str]]:
    """The library rows as CSV text cells (`LIBRARY_COLUMNS`), in the order given."""
    out = []
    for r in rows:
        rv = r.review
        s = rv.summary if rv is not None else None
        error = r.error or (rv.error if rv is not None else None) or ""
        analysed = s is not None
        out.append(
            [
                r.date_text if r.error is None else "",
                r.patient,
                "yes" if r.simulated else "",
                r.kind,
                timefmt.clock(r.duration_s) if r.error is None else "",
                f"{r.duration_s:.1f}" if r.error is None else "",
                str(len(s.jumps)) if s is not None else "",
                f"{s.heart.target_s / 60:.1f}" if s is not None and s.heart.valid_s else "",
                compliance_words(rv.compliance) if rv is not None else "",
                alert_words(r.alerts) if analysed else ("pending" if r.error is None else ""),
                " | ".join(
                    f"{a.severity} {timefmt.at(a.t_s)}: {a.physio_message}"  # type: ignore[attr-defined]
                    for a in r.alerts
                ),
                r.path.name,
                error,
            ]
        )
    return out


def library_csv(rows: Sequence[LibraryRow]) -> str:
    """CSV of the library rows (header `LIBRARY_COLUMNS`), formula-safe."""
    cells = [[safe_cell(c) for c in row] for row in library_table(rows)]
    return report.csv_text(LIBRARY_COLUMNS, cells)


def weeks_csv(trend: WeeksTrend) -> str:
    """CSV of a patient's weeks, oldest first (see `weeks_view.weeks_table`)."""
    header, rows = weeks_table(trend)
    return report.csv_text(header, [[safe_cell(c) for c in row] for row in rows])


def _stamp(now: dt.datetime | None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def _file_part(text: str) -> str:
    """A pseudonym as a safe part of a file name (letters, digits, - and _)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "patient"


def export_library_csv(
    rows: Sequence[LibraryRow], folder: Path, now: dt.datetime | None = None
) -> list[Path]:
    """Write the visible library rows as `library-YYYYMMDD-HHMMSS.csv` in `folder`."""
    name = f"library-{_stamp(now)}.csv"
    inputs = [r.path for r in rows]
    return [report.write_export(folder / name, library_csv(rows), inputs)]


def export_weeks_csv(trend: WeeksTrend, folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """Write a patient's weeks as `weeks-<patient>-YYYYMMDD-HHMMSS.csv` in `folder`."""
    name = f"weeks-{_file_part(trend.patient)}-{_stamp(now)}.csv"
    return [report.write_export(folder / name, weeks_csv(trend))]


def export_session_reports(
    rows: Sequence[LibraryRow], folder: Path, now: dt.datetime | None = None
) -> list[Path]:
    """Write one printable session report (HTML, `app.reports`) per readable row in
    `folder`, as `<recording>-report.html`; unreadable rows are left out.

    Raises:
        UsageError: no row is readable, or a report cannot be written.
    """
    readable = [r for r in rows if r.error is None]
    if not readable:
        raise UsageError("nothing to report on: none of the rows shown is a readable recording")
    return [write_session_report(r.path, folder / f"{r.path.stem}-report.html") for r in readable]


def export_period_report(
    patient: str, paths: Sequence[Path], folder: Path | None = None, now: dt.datetime | None = None
) -> Path:
    """Write a patient's printable report over all the weeks of `paths` (HTML,
    `app.reports.write_period_report`) as `period-<patient>-YYYYMMDD-HHMMSS.html`."""
    name = f"period-{_file_part(patient)}-{_stamp(now)}.html"
    return write_period_report(list(paths), patient, None, None, export_folder(folder) / name)


LibraryExporter = Callable[[Sequence[LibraryRow], Path, dt.datetime | None], list[Path]]
WeeksExporter = Callable[[WeeksTrend, Path, dt.datetime | None], list[Path]]

#: Export kinds of the library view (the rows on screen, in their order).
LIBRARY_EXPORTS: dict[str, LibraryExporter] = {
    "csv": export_library_csv,
    "report": export_session_reports,
}

#: Export kinds of the weeks view.
WEEKS_EXPORTS: dict[str, WeeksExporter] = {
    "csv": export_weeks_csv,
}
# The weeks' printable report needs the recordings, not only the trend: it is
# `export_period_report`, which the weeks screen calls for its "report" export.


def export_library(
    kind: str,
    rows: Sequence[LibraryRow],
    folder: Path | None = None,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Export the library rows as `kind` (see `LIBRARY_EXPORTS`); returns the files.

    Raises:
        UsageError: unknown kind, nothing to export, or the file cannot be written.
        ConfigError: the export folder cannot be created.
    """
    writer = LIBRARY_EXPORTS.get(kind)
    if writer is None:
        raise UsageError(f"export {kind!r}: the library exports {', '.join(LIBRARY_EXPORTS)}")
    if not rows:
        raise UsageError("nothing to export: no recording matches the filters")
    return writer(rows, export_folder(folder), now)


def export_weeks(
    kind: str, trend: WeeksTrend, folder: Path | None = None, now: dt.datetime | None = None
) -> list[Path]:
    """Export a patient's weeks as `kind` (see `WEEKS_EXPORTS`); returns the files.

    Raises:
        UsageError: unknown kind, no week, or the file cannot be written.
        ConfigError: the export folder cannot be created.
    """
    writer = WEEKS_EXPORTS.get(kind)
    if writer is None:
        raise UsageError(f"export {kind!r}: the weeks view exports {', '.join(WEEKS_EXPORTS)}")
    if not trend.weeks:
        raise UsageError(f"nothing to export: patient {trend.patient} has no analysed week")
    return writer(trend, export_folder(folder), now)
