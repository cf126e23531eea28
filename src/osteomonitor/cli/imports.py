"""`osteomonitor import polar-sensor-logger DIR -o FILE`: other tools' exports → recordings.

Parses and prints; the use case is `osteomonitor.app.imports`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from osteomonitor.pseudonym import pseudonym_arg
from osteomonitor.timefmt import plural

#: Skipped lines printed in full; the rest are counted (all are kept in the file's metadata).
MAX_SKIPPED_SHOWN = 20


def register(sub: Any) -> None:
    """Add the `import` command group."""
    p = sub.add_parser("import", help="turn another tool's export into a recording")
    isub = p.add_subparsers(dest="import_format", metavar="FORMAT", required=True)
    psl = isub.add_parser(
        "polar-sensor-logger",
        help="a folder exported by the Polar Sensor Logger app (ACC, HR, PPI, MARKER files)",
        description="Import a Polar Sensor Logger export: ACC becomes Polar PMD frames, HR and "
        "PP intervals Heart Rate notifications, markers events; malformed lines are skipped "
        "and listed.",
    )
    psl.add_argument("dir", type=Path, metavar="DIR", help="the exported folder")
    psl.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="FILE",
        help="new recording file (.omrec); never overwritten",
    )
    psl.add_argument(
        "--patient",
        default="imported",
        type=pseudonym_arg,
        help="pseudonym to record (default: imported)",
    )
    psl.add_argument(
        "--timezone",
        default=None,
        help="IANA zone the phone was in (default: this computer's zone)",
    )
    psl.add_argument(
        "--profile",
        default=None,
        choices=["polar-h10", "polar-verity", "hr-strap"],
        help="device profile when the file names do not tell",
    )
    psl.add_argument("--kind", default="mixed", help="session kind (default: mixed)")
    psl.set_defaults(func=_polar_sensor_logger)


def _polar_sensor_logger(args: argparse.Namespace) -> int:
    # lazy: the importer loads numpy; `osteomonitor --help` must not (tested)
    from osteomonitor.app.imports import import_polar_sensor_logger, local_zone_name

    tz = args.timezone or local_zone_name()
    r = import_polar_sensor_logger(
        args.dir,
        args.output,
        patient=args.patient,
        timezone=tz,
        profile=args.profile,
        kind=args.kind,
    )
    print(f"wrote {r.out} ({r.profile}, device '{r.device_key}', phone times read as {tz})")
    print(
        f"  {r.acc_samples} ACC samples in {r.acc_frames} PMD frames, "
        f"{r.hr_notifications} HR notifications carrying {r.rr_intervals} PP intervals, "
        f"{r.markers} markers"
    )
    for notice in r.notices:
        print(f"  notice: {notice}")
    if r.ignored_files:
        print(f"  not imported: {', '.join(r.ignored_files)}")
    if r.skipped:
        print(f"  skipped {plural(len(r.skipped), 'malformed line')}:")
        for s in r.skipped[:MAX_SKIPPED_SHOWN]:
            print(f"    {s}")
        if len(r.skipped) > MAX_SKIPPED_SHOWN:
            print(
                f"    … and {len(r.skipped) - MAX_SKIPPED_SHOWN} more "
                "(all are listed in the recording's metadata)"
            )
    return 0
