"""A reviewed session's documents: the plain-text report, the `osteomonitor.session/1`
JSON, per-jump and per-minute CSV, and `export_review` writing them beside each other
(folder 0700, files 0600), the same documents as `osteomonitor analyze`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from osteomonitor.errors import UsageError

if TYPE_CHECKING:  # each document imports its report module (`analyze --json`: one)
    from osteomonitor.app.session_review import SessionReview
    from osteomonitor.model import SessionSummary


def export_review(review: SessionReview, folder: Path) -> list[Path]:
    """Write the review's text, JSON and per-jump CSV into `folder` (0700, files 0600).

    Files are named after the recording: `<stem>-report.txt`, `-report.json`, `-jumps.csv`,
    the same documents as `osteomonitor analyze`.

    Raises:
        UsageError: the session could not be analysed, or the folder is not writable.
    """
    if review.meta is None or review.summary is None:
        raise UsageError(f"{review.path.name}: nothing to export ({review.error})")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot create the export folder ({exc.strerror})") from exc
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{folder}: not writable; choose another folder with --export-dir")
    from osteomonitor.report.files import write_private

    stem = review.path.stem
    return [
        write_private(folder / f"{stem}-report.txt", session_text(review), [review.path]),
        write_private(folder / f"{stem}-report.json", session_json_text(review), [review.path]),
        write_private(folder / f"{stem}-jumps.csv", jumps_csv(review.summary), [review.path]),
    ]


def session_text(review: SessionReview) -> str:
    """The review as the plain-text report."""
    from osteomonitor.report.tables import session_text as text_of

    assert review.meta is not None and review.summary is not None
    return text_of(review.meta, review.summary, review.compliance, review.prescription)


def session_json_text(review: SessionReview) -> str:
    """The review as an `osteomonitor.session/1` JSON document (text, newline-ended)."""
    from osteomonitor.report.documents import session_json

    assert review.meta is not None and review.summary is not None
    doc = session_json(
        review.meta,
        review.summary,
        review.compliance,
        review.prescription,
        recording=str(review.path),
    )
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def jumps_csv(summary: SessionSummary) -> str:
    """One CSV row per jump."""
    from osteomonitor.report.exports import JUMP_COLUMNS, csv_text, jump_rows

    return csv_text(JUMP_COLUMNS, jump_rows(summary))


def minutes_csv(summary: SessionSummary) -> tuple[str, int]:
    """One CSV row per session minute, and the number of minutes."""
    from osteomonitor.report.exports import MINUTE_COLUMNS, csv_text, minute_rows

    rows = minute_rows(summary, summary.hr_points)
    return csv_text(MINUTE_COLUMNS, rows), len(rows)
