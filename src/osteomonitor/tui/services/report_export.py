"""Export a reviewed session: the same text, JSON and per-jump CSV as `osteomonitor analyze`.

Files are written owner-only (0600) into an export folder (created 0700), named after
the recording: `<recording>-report.txt`, `-report.json`, `-jumps.csv`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from osteomonitor.errors import UsageError
from osteomonitor.tui.services.review_data import SessionReview


def export_review(review: SessionReview, folder: Path) -> list[Path]:
    """Write the review's reports into `folder`; returns the files written.

    Raises:
        UsageError: the session could not be analysed, or the folder is not writable.
    """
    from osteomonitor import report

    if review.meta is None or review.summary is None:
        raise UsageError(f"{review.path.name}: nothing to export ({review.error})")
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{folder}: cannot create the export folder ({exc.strerror})") from exc
    if not os.access(folder, os.W_OK):
        raise UsageError(f"{folder}: not writable; choose another folder with --export-dir")
    meta, summary, rx, comp = review.meta, review.summary, review.prescription, review.compliance
    stem = review.path.stem
    doc = report.session_json(meta, summary, comp, rx, recording=str(review.path))
    return [
        report.write_private(
            folder / f"{stem}-report.txt", report.session_text(meta, summary, comp, rx)
        ),
        report.write_private(
            folder / f"{stem}-report.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        ),
        report.write_private(
            folder / f"{stem}-jumps.csv",
            report.csv_text(report.JUMP_COLUMNS, report.jump_rows(summary)),
        ),
    ]
