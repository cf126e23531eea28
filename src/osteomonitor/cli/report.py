"""`osteomonitor report`: a session or a patient's period as a printable page (HTML, PDF).

    osteomonitor report SESSION.omrec [-o OUT.html] [--pdf]
    osteomonitor report --patient P DIR [--from YYYY-MM-DD --to YYYY-MM-DD] [-o OUT] [--pdf]

The page is self-contained (styles and plots inline, loads nothing); `--pdf` prints it
with headless Chromium. Files go to the reports folder unless `-o` is given, owner-only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from osteomonitor.errors import UsageError


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-16") from exc


def register(sub: Any) -> None:
    """Add the `report` command."""
    from osteomonitor.pseudonym import pseudonym_arg

    r = sub.add_parser(
        "report",
        help="a printable report (HTML, --pdf) of a session or of a patient's weeks",
        description="Write a self-contained HTML report (plots inline, loads nothing) of one "
        "recording, or with --patient of a patient's recordings over a period; --pdf also "
        "prints it to PDF with headless Chromium. Files are owner-only; by default they go "
        "to the reports folder (OSTEOMONITOR_REPORTS or the config file).",
    )
    r.add_argument(
        "source",
        type=Path,
        help="a .omrec recording; with --patient, a folder of recordings (searched recursively)",
    )
    r.add_argument("--patient", type=pseudonym_arg, help="report this patient's period")
    r.add_argument(
        "--from",
        dest="start",
        type=_date,
        metavar="DATE",
        help="first day (default: first session)",
    )
    r.add_argument(
        "--to", dest="end", type=_date, metavar="DATE", help="last day (default: last session)"
    )
    r.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="the HTML file (a .pdf name writes the PDF and the HTML beside it); "
        "default: the reports folder",
    )
    r.add_argument("--pdf", action="store_true", help="also print the page to PDF (Chromium)")
    r.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from osteomonitor.app import reports

    if args.patient is None:
        if args.start is not None or args.end is not None:
            raise UsageError("--from and --to choose a period: give --patient P and a folder")
        if args.source.is_dir():
            raise UsageError(
                f"{args.source} is a folder: give a recording, or --patient P for a period report"
            )
        path = reports.write_session_report(args.source, args.output, pdf=args.pdf)
    else:
        path = reports.write_period_report(
            args.source, args.patient, args.start, args.end, args.output, pdf=args.pdf
        )
    if path.suffix == ".pdf":
        print(f"wrote {path.with_suffix('.html')}", file=sys.stderr)
    print(f"wrote {path}", file=sys.stderr)
    return 0
