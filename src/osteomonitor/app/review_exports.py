"""A reviewed session's documents: the plain-text report, the `osteomonitor.session/1`
JSON, per-jump and per-minute CSV, and `export_review` writing them beside each other
(folder 0700, files 0600), the same documents as `osteomonitor analyze`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from osteomonitor import report
from osteomonitor.app.session_review import SessionReview
from osteomonitor.errors import UsageError
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
    stem = review.path.stem
    return [
        report.write_private(folder / f"{stem}-report.txt", session_text(review), [review.path]),
        report.write_private(
            folder / f"{stem}-report.json", session_json_text(review), [review.path]
        ),
        report.write_private(
            folder / f"{stem}-jumps.csv", jumps_csv(review.summary), [review.path]
        ),
    ]


def session_text(review: SessionReview) -> str:
    """The review as the plain-text report."""
    assert review.meta is not None and review.summary is not None
    return report.session_text(review.meta, review.summary, review.compliance, review.prescription)


def session_json_text(review: SessionReview) -> str:
    """The review as an `osteomonitor.session/1` JSON document (text, newline-ended)."""
    assert review.meta is not None and review.summary is not None
    doc = report.session_json(
        review.meta,
        review.summary,
        review.compliance,
        review.prescription,
        recording=str(review.path),
    )
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def jumps_csv(summary: SessionSummary) -> str:
    """One CSV row per jump."""
    return report.csv_text(report.JUMP_COLUMNS, report.jump_rows(summary))


def minutes_csv(summary: SessionSummary) -> tuple[str, int]:
    """One CSV row per session minute, and the number of minutes."""
    rows = report.minute_rows(summary, summary.hr_points)
    return report.csv_text(report.MINUTE_COLUMNS, rows), len(rows)
