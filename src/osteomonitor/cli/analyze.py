"""`osteomonitor analyze FILE` and `osteomonitor week DIR --patient P`.

`analyze` runs the session processor over one recording and compares it with the
prescription (the one given with --prescription, else the snapshot stored in the
recording); `week` does it for every recording of a patient in a folder and prints the
ISO week. Text tables for people, `--json` for machines (docs/json-schema.md), CSV of
per-jump and per-minute data with --csv-jumps / --csv-minutes (owner-only files).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from osteomonitor.errors import OsteomonitorError, UsageError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-16") from exc


def register(sub: Any) -> None:
    """Add the `analyze` and `week` commands."""
    a = sub.add_parser("analyze", help="analyse one recording against its prescription")
    a.add_argument("file", type=Path, help="a .omrec recording")
    a.add_argument(
        "--prescription",
        type=Path,
        help="judge against this file instead of the recording's own snapshot",
    )
    a.add_argument("--json", action="store_true", help="osteomonitor.session/1 JSON on stdout")
    a.add_argument("--csv-jumps", type=Path, metavar="PATH", help="write one CSV row per jump")
    a.add_argument(
        "--csv-minutes", type=Path, metavar="PATH", help="write one CSV row per session minute"
    )
    a.set_defaults(func=_analyze)

    w = sub.add_parser("week", help="a patient's ISO week against the prescription")
    w.add_argument("dir", type=Path, help="folder of recordings (searched recursively)")
    w.add_argument("--patient", required=True, help="pseudonym")
    w.add_argument(
        "--prescription", type=Path, help="default: the snapshot in the patient's latest recording"
    )
    w.add_argument("--week", help="ISO week like 2025-W11 (default: the latest session's)")
    w.add_argument(
        "--as-of",
        type=_date,
        help="judge lapses and progressions at this date (default: the week's Sunday)",
    )
    w.add_argument("--json", action="store_true", help="osteomonitor.week/1 JSON on stdout")
    w.set_defaults(func=_week)


def _load_rx(path: Path | None) -> Any:
    if path is None:
        return None
    from osteomonitor.prescription import load_prescription

    return load_prescription(path)


def _analyze(args: argparse.Namespace) -> int:
    from osteomonitor import report
    from osteomonitor.prescription import evaluate_session
    from osteomonitor.session import process_recording
    from osteomonitor.store.overrides import apply_overrides

    rx = _load_rx(args.prescription)
    meta, proc = process_recording(args.file, rx)
    meta = apply_overrides(meta, args.file)  # a supervision flag corrected in review
    summary = proc.summary()
    rx = proc.prescription  # the one given, else the recording's snapshot
    compliance = (
        evaluate_session(summary, rx, supervised=meta.supervised) if rx is not None else None
    )
    if args.csv_jumps is not None:
        text = report.csv_text(report.JUMP_COLUMNS, report.jump_rows(summary))
        report.write_private(args.csv_jumps, text)
        print(f"wrote {args.csv_jumps} ({len(summary.jumps)} jumps)", file=sys.stderr)
    if args.csv_minutes is not None:
        rows = report.minute_rows(summary, summary.hr_points)
        report.write_private(args.csv_minutes, report.csv_text(report.MINUTE_COLUMNS, rows))
        print(f"wrote {args.csv_minutes} ({len(rows)} minutes)", file=sys.stderr)
    if args.json:
        doc = report.session_json(meta, summary, compliance, rx, recording=str(args.file))
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(report.session_text(meta, summary, compliance, rx))
    return 0


def _week(args: argparse.Namespace) -> int:
    from osteomonitor import report
    from osteomonitor.prescription import evaluate_week
    from osteomonitor.prescription.compliance import local_date
    from osteomonitor.session import process_recording
    from osteomonitor.store.library import iter_recording_files, recording_info
    from osteomonitor.store.overrides import apply_overrides

    rx = _load_rx(args.prescription)
    sessions: list[tuple[Any, Any]] = []
    snapshots: list[tuple[int, Any]] = []
    for path in iter_recording_files(args.dir):
        info = recording_info(path)
        if info.error is not None:
            print(f"osteomonitor: skipped {path}: {info.error}", file=sys.stderr)
            continue
        if info.patient != args.patient:
            continue
        try:
            meta, proc = process_recording(path, rx)
            meta = apply_overrides(meta, path)
            summary = proc.summary()
            snap = proc.prescription if rx is None else None
        except OsteomonitorError as exc:
            print(f"osteomonitor: skipped {path}: {exc}", file=sys.stderr)
            continue
        sessions.append((meta, summary))
        if snap is not None:
            snapshots.append((summary.start_t_ns, snap))
    if not sessions:
        raise UsageError(f"no readable recordings of patient {args.patient!r} in {args.dir}")
    if rx is None:
        if not snapshots:
            raise UsageError(
                f"the recordings of {args.patient!r} hold no prescription snapshot: "
                "give --prescription FILE"
            )
        rx = max(snapshots, key=lambda s: s[0])[1]
    if args.week is not None:
        iso: Any = args.week
    else:
        last = max(s.start_t_ns for _, s in sessions)
        cal = local_date(last, rx.patient.timezone).isocalendar()
        iso = (cal.year, cal.week)
    week = evaluate_week(sessions, rx, iso, as_of=args.as_of)
    if args.json:
        print(json.dumps(report.week_json(week), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(report.week_text(week))
    return 0
