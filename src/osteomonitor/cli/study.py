"""`osteomonitor analyze DIR… --jobs N --out PREFIX`: a study table over many recordings.

Parse and print only: the work is `app.study` (a pure per-recording function mapped
over a process pool). Progress goes to stderr: a bar redrawn in place on a terminal,
one plain line per recording otherwise (logs, CI). A recording that cannot be analysed
is reported on its own line and becomes a row with its error; the study goes on.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, TextIO

from osteomonitor.errors import UsageError

_BAR = 30  # characters of the progress bar


class Progress:
    """Progress of a study on `stream`: a bar on a terminal, plain lines otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.hours = 0.0
        self.errors = 0
        self.t0 = time.monotonic()

    def __call__(self, done: int, total: int, row: dict[str, Any]) -> None:
        from osteomonitor.pseudonym import printable

        if row.get("error"):
            self.errors += 1
            msg = f"osteomonitor: skipped {row['file']}: {row['error']}"
            self.stream.write(("\r\x1b[K" if self.tty else "") + printable(msg) + "\n")
        else:
            self.hours += float(row.get("duration_s") or 0.0) / 3600.0
        rate = self.hours / max(1e-9, time.monotonic() - self.t0)
        text = (
            f"{done}/{total} recordings, {self.hours:.1f} h analysed "
            f"({rate:.1f} recording-h/s), {self.errors} error{'s' if self.errors != 1 else ''}"
        )
        if self.tty:
            filled = round(_BAR * done / max(1, total))
            bar = "#" * filled + "." * (_BAR - filled)
            self.stream.write(f"\r[{bar}] {text}")
            if done == total:
                self.stream.write("\n")
        else:
            self.stream.write(f"analysed {printable(str(row['file']))}: {text}\n")
        self.stream.flush()


def run_study_command(args: argparse.Namespace) -> int:
    """Analyse every recording named or found below the folders; write the table."""
    from osteomonitor.app.study import run_study, study_csv, study_files, study_jsonl
    from osteomonitor.report.files import check_export_target, write_export

    if args.out is None:
        raise UsageError(
            "a study (several recordings, a folder or --jobs) writes a table: "
            "give --out PREFIX for PREFIX.csv and PREFIX.jsonl"
        )
    for flag, value in (
        ("--prescription", args.prescription),
        ("--csv-jumps", args.csv_jumps),
        ("--csv-minutes", args.csv_minutes),
        ("--json", args.json or None),
    ):
        if value is not None:
            raise UsageError(f"{flag} is for one recording; a study writes --out PREFIX.csv/.jsonl")
    files = study_files(args.file)
    if not files:
        raise UsageError(f"no recordings (*.omrec) in {', '.join(map(str, args.file))}")
    csv_path = args.out.with_name(args.out.name + ".csv")
    jsonl_path = args.out.with_name(args.out.name + ".jsonl")
    for out in (csv_path, jsonl_path):  # refuse before hours of work
        check_export_target(out, files)
    jobs = args.jobs or os.cpu_count() or 1
    rows = run_study(files, jobs=jobs, on_row=Progress(len(files)))
    write_export(csv_path, study_csv(rows), files)
    write_export(jsonl_path, study_jsonl(rows), files)
    bad = sum(1 for r in rows if r.get("error"))
    print(
        f"wrote {csv_path} and {jsonl_path} ({len(rows)} recordings, {bad} with errors)",
        file=sys.stderr,
    )
    return 0
