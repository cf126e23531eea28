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
import gc
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from osteomonitor.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription import Prescription


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-16") from exc


def _iso_week(text: str) -> tuple[int, int]:
    """--week, checked while parsing: a bad week is refused before any file is read."""
    from osteomonitor.prescription.week import parse_iso_week

    try:
        return parse_iso_week(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def register(sub: Any) -> None:
    """Add the `analyze` and `week` commands."""
    a = sub.add_parser(
        "analyze",
        help="analyse one recording against its prescription, or many into a study table",
    )
    a.add_argument(
        "file",
        type=Path,
        nargs="+",
        help="a .omrec recording; several recordings or folders (searched recursively) "
        "make a study: one table row per recording (needs --out)",
    )
    a.add_argument(
        "--jobs",
        type=_jobs,
        metavar="N",
        help="study: analyse N recordings at once in worker processes (default: every core)",
    )
    a.add_argument(
        "--out",
        type=Path,
        metavar="PREFIX",
        help="study: write PREFIX.csv and PREFIX.jsonl (one row per recording, owner-only)",
    )
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
    w.add_argument(
        "--week", type=_iso_week, help="ISO week like 2025-W11 (default: the latest session's)"
    )
    w.add_argument(
        "--as-of",
        type=_date,
        help="judge lapses and progressions at this date (default: the week's Sunday)",
    )
    w.add_argument("--json", action="store_true", help="osteomonitor.week/1 JSON on stdout")
    w.set_defaults(func=_week)


def _load_rx(path: Path | None) -> Prescription | None:
    if path is None:
        return None
    from osteomonitor.prescription import load_prescription

    return load_prescription(path)


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of workers (1 or more)")
    return n


def _analyze(args: argparse.Namespace) -> int:
    files: list[Path] = args.file
    if len(files) > 1 or files[0].is_dir() or args.jobs is not None or args.out is not None:
        from osteomonitor.cli.study import run_study_command

        return run_study_command(args)
    args.file = files[0]
    # One recording, then the process ends: the cyclic garbage collector is paused for
    # the command. Its passes over the objects of the imports and the analysis cost
    # 5-7 % of the CPU (40-50 ms of a one-hour file, measured with gc.callbacks), and
    # the analysis makes no cycles worth collecting: the peak RSS of a three-hour file
    # is the same with and without it (317 MB). Reference counting frees as always.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _analyze_one(args)
    finally:
        if was_enabled:
            gc.enable()


def _analyze_one(args: argparse.Namespace) -> int:
    """`analyze FILE`: one recording's report (text or --json) and its CSV exports."""
    # the two modules this command needs, not `app.review` (weeks, caches, every report)
    from osteomonitor.app import review_exports
    from osteomonitor.app.session_review import analyse_file, judge

    meta, summary, rx = analyse_file(args.file, _load_rx(args.prescription))
    rv = judge(args.file, meta, summary, rx, strict=True)
    inputs = [p for p in (args.file, args.prescription) if p is not None]
    if args.csv_jumps is not None or args.csv_minutes is not None:
        from osteomonitor.report.files import check_export_target, write_private

        for out in (args.csv_jumps, args.csv_minutes):  # refuse before anything is written
            if out is not None:
                check_export_target(out, inputs)
        if args.csv_jumps is not None:
            write_private(args.csv_jumps, review_exports.jumps_csv(summary), inputs)
            print(f"wrote {args.csv_jumps} ({len(summary.jumps)} jumps)", file=sys.stderr)
        if args.csv_minutes is not None:
            text, n = review_exports.minutes_csv(summary)
            write_private(args.csv_minutes, text, inputs)
            print(f"wrote {args.csv_minutes} ({n} minutes)", file=sys.stderr)
    if args.json:
        sys.stdout.write(review_exports.session_json_text(rv))
    else:
        sys.stdout.write(review_exports.session_text(rv))
    return 0


def _week(args: argparse.Namespace) -> int:
    from osteomonitor import report
    from osteomonitor.app import review as app_review
    from osteomonitor.app.library import patient_recordings

    paths, unreadable = patient_recordings(args.dir, args.patient)
    for path, reason in unreadable:
        print(f"osteomonitor: skipped {path}: {reason}", file=sys.stderr)
    if not paths:
        raise UsageError(f"no readable recordings of patient {args.patient!r} in {args.dir}")
    try:
        weeks = app_review.patient_weeks(paths, _load_rx(args.prescription))
    except UsageError as exc:
        raise UsageError(
            f"the recordings of {args.patient!r} hold no prescription snapshot: "
            "give --prescription FILE"
        ) from exc
    for path, reason in weeks.skipped:
        print(f"osteomonitor: skipped {path}: {reason}", file=sys.stderr)
    if not weeks.sessions:
        raise UsageError(f"no readable recordings of patient {args.patient!r} in {args.dir}")
    week = app_review.week_report(weeks, args.week, as_of=args.as_of)
    if args.json:
        print(json.dumps(report.week_json(week), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(report.week_text(week))
    return 0
