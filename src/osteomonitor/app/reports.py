"""Report use cases: a session or a patient's period as a self-contained HTML page (and PDF).

Headless, shared by `osteomonitor report` and the review screens. Both reports judge
exactly as `osteomonitor analyze` and `osteomonitor week` do (`app.review`): a session
with the prescription stored in its recording, a period with ONE prescription (the
snapshot in the patient's newest recording) for every session.

Files go to the reports folder (`config.folders().reports`, created 0700) unless an
output is given, and are written owner-only (0600) and atomically by
`report.write_export`, which never replaces an input or a recording. A PDF is the page
printed by headless Chromium (`report.pdf`); the HTML is written beside it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path

from osteomonitor import config
from osteomonitor.errors import UsageError
from osteomonitor.pseudonym import pseudonym_problem
from osteomonitor.report.files import check_export_target, write_export

__all__ = [
    "chromium_available",
    "report_targets",
    "write_period_report",
    "write_session_report",
]


def _default_folder() -> Path:
    return config.ensure_private_dir(config.folders().reports)


def report_targets(out: Path | None, default_name: str, pdf: bool) -> tuple[Path, Path | None]:
    """(HTML path, PDF path or None) for an output option.

    `out` None: `default_name` in the reports folder. An `out` ending in `.pdf` asks for
    a PDF (the HTML goes beside it with `.html`); otherwise `out` is the HTML and, with
    `pdf`, the PDF goes beside it. A missing parent folder is created owner-only.
    """
    if out is None:
        html_path = _default_folder() / default_name
    else:
        out = Path(out)
        if out.suffix.lower() == ".pdf":
            pdf = True
            html_path = out.with_suffix(".html")
        else:
            html_path = out
        parent = html_path.parent
        if str(parent) and not parent.exists():
            config.ensure_private_dir(parent)
    pdf_path = html_path.with_suffix(".pdf") if pdf else None
    if pdf_path is not None and pdf_path == html_path:
        raise UsageError(f"{out}: give the report a .html name (the PDF is written beside it)")
    return html_path, pdf_path


def _write(html: str, html_path: Path, pdf_path: Path | None, inputs: list[Path]) -> Path:
    for target in (html_path, pdf_path):  # refuse before anything is rendered or written
        if target is not None:
            check_export_target(target, inputs)
    pdf_bytes = None
    if pdf_path is not None:
        from osteomonitor.report.pdf import html_to_pdf

        pdf_bytes = html_to_pdf(html)
    write_export(html_path, html, inputs)
    if pdf_path is not None and pdf_bytes is not None:
        return write_export(pdf_path, pdf_bytes, inputs)
    return html_path


def write_session_report(recording: Path, out: Path | None = None, *, pdf: bool = False) -> Path:
    """Write the session report of one recording; returns the PDF's path with `pdf`
    (the HTML is written beside it), else the HTML's.

    The session is analysed and judged with the prescription stored in the recording,
    as `osteomonitor analyze` does.

    Raises:
        RecordingError / PrescriptionError: the recording or its snapshot cannot be read.
        UsageError: the output is refused (an input, a recording, a link …).
        BrowserError: a PDF was asked for and Chromium is missing or failed.
    """
    from osteomonitor.app.review import judge
    from osteomonitor.report.session_page import session_html
    from osteomonitor.session import process_recording_batch
    from osteomonitor.store.overrides import apply_overrides

    path = Path(recording)
    html_path, pdf_path = report_targets(out, f"{path.stem}-report.html", pdf)
    for target in (html_path, pdf_path):
        if target is not None:
            check_export_target(target, [path])
    meta, proc = process_recording_batch(path)  # the summary analyze gives, on arrays
    peaks = proc.impact_peaks()
    summary = proc.summary()
    review = judge(path, apply_overrides(meta, path), summary, proc.prescription, strict=True)
    assert review.meta is not None
    html = session_html(
        review.meta, summary, review.compliance, review.prescription, peaks, path.name
    )
    return _write(html, html_path, pdf_path, [path])


def _patient_files(
    folder_or_paths: Path | str | Iterable[Path | str], patient: str
) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The patient's recordings under the folder(s) or among the files, and the unreadable."""
    from osteomonitor.store.library import iter_recording_files, recording_info

    roots = (
        [Path(folder_or_paths)]
        if isinstance(folder_or_paths, str | os.PathLike)
        else [Path(p) for p in folder_or_paths]
    )
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for root in roots:
        for path in iter_recording_files(root):
            info = recording_info(path)
            if info.error is not None:
                skipped.append((path, info.error))
            elif info.patient == patient:
                found.append(path)
    return found, skipped


def write_period_report(
    folder_or_paths: Path | str | Iterable[Path | str],
    patient: str,
    start: dt.date | None,
    end: dt.date | None,
    out: Path | None = None,
    *,
    pdf: bool = False,
) -> Path:
    """Write a patient's report over a period (ISO weeks in the patient's time zone);
    returns the PDF's path with `pdf` (the HTML is written beside it), else the HTML's.

    Args:
        folder_or_paths: a folder of recordings (searched recursively), or files/folders.
        patient: the pseudonym.
        start / end: first and last local date of the period (default: the first and
            last session's date).
        out: the output file (default: in the reports folder).

    Raises:
        UsageError: a bad pseudonym or period, no readable recording of the patient, no
            prescription snapshot, or a refused output.
        BrowserError: a PDF was asked for and Chromium is missing or failed.
    """
    from osteomonitor.app.review import iso_weeks_between, patient_weeks
    from osteomonitor.prescription import evaluate_week
    from osteomonitor.report.period_page import PeriodSession, period_html

    problem = pseudonym_problem(patient)
    if problem is not None:
        raise UsageError(problem)
    if start is not None and end is not None and start > end:
        raise UsageError(f"the period starts {start}, after it ends {end}: swap --from and --to")
    paths, skipped = _patient_files(folder_or_paths, patient)
    where = folder_or_paths if isinstance(folder_or_paths, str | os.PathLike) else "the given files"
    if not paths:
        raise UsageError(f"no readable recordings of patient {patient!r} in {where}")
    try:
        weeks = patient_weeks(paths)
    except UsageError as exc:
        raise UsageError(
            f"the recordings of {patient!r} hold no prescription snapshot: a period report "
            "judges every session with the newest recording's prescription"
        ) from exc
    skipped += list(weeks.skipped)
    judged = [r for r in weeks.reviews if r.compliance is not None]
    skipped += [(r.path, r.error or "not judged") for r in weeks.reviews if r.compliance is None]
    if not judged:
        raise UsageError(f"no recording of patient {patient!r} could be judged")
    dates = [r.compliance.local_date for r in judged if r.compliance is not None]
    first = start if start is not None else min(dates)
    last = end if end is not None else max(dates)
    if first > last:
        raise UsageError(f"the period {first} – {last} is empty: check --from and --to")
    rx = weeks.prescription
    history = [
        (r.meta, r.summary)
        for r in judged
        if r.meta is not None
        and r.summary is not None
        and r.compliance is not None
        and r.compliance.local_date <= last
    ]
    week_reports = []
    for year, week in iso_weeks_between(first, last):
        sunday = dt.date.fromisocalendar(year, week, 7)
        week_reports.append(evaluate_week(history, rx, (year, week), as_of=min(sunday, last)))
    in_period = [
        PeriodSession(r.path.name, r.meta, r.summary, r.compliance)
        for r in judged
        if r.meta is not None
        and r.summary is not None
        and r.compliance is not None
        and first <= r.compliance.local_date <= last
    ]
    html = period_html(
        patient,
        first,
        last,
        rx,
        weeks.prescription_source,
        week_reports,
        in_period,
        [(p.name, why) for p, why in skipped],
    )
    html_path, pdf_path = report_targets(out, f"{patient}-{first}-{last}-report.html", pdf)
    return _write(html, html_path, pdf_path, list(paths))


def chromium_available() -> bool:
    """True when headless Chromium is on PATH (the review screen offers PDF only then)."""
    from osteomonitor.report.pdf import find_chromium

    return find_chromium() is not None
