"""`osteomonitor live | replay | review`: the dashboard commands.

Textual and the analysis layers are imported inside the handlers, so `--help` and the
headless commands never load them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from osteomonitor.cli.record import add_simulation_companions
from osteomonitor.cli.supervision import add_supervision_flag, supervision_of
from osteomonitor.errors import UsageError
from osteomonitor.pseudonym import pseudonym_arg

DEFAULT_DIR = Path("recordings")
# Speeds a replay accepts: a factor from 1 to 64 (×1 … ×64) or "max".
MIN_SPEED, MAX_SPEED = 1.0, 64.0


def parse_speed(text: str) -> float | None:
    """ "8" → 8.0, "max" → None (as fast as possible).

    Raises:
        UsageError: not a number in [1, 64] nor "max".
    """
    if text.strip().lower() in ("max", "inf"):
        return None
    try:
        value = float(text.lower().lstrip("x"))
    except ValueError:
        raise UsageError(f"--speed {text!r}: give a factor from 1 to 64, or 'max'") from None
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise UsageError(f"--speed {text}: give a factor from 1 to 64, or 'max'")
    return value


def register(sub: Any) -> None:
    """Add the `live`, `replay` and `review` commands."""
    live = sub.add_parser(
        "live",
        help="record a session and show it live (patient dashboard)",
        description="Connect to the wearables, record every notification and show the "
        "session live. Keys: r effort (on the prescription's scale: Borg 6-20 or CR-10), "
        "p pain, m marker, b balance start/end, h stretch hold start/end, s set done, "
        "a acknowledge alert, q stop, ? help.",
    )
    live.add_argument(
        "--device",
        action="append",
        default=[],
        metavar="NAME_OR_ADDRESS",
        help="a wearable's advertised name or address (repeat for several)",
    )
    live.add_argument(
        "--simulate",
        action="append",
        default=[],
        metavar="MODEL",
        help="use a virtual wearable on a virtual BLE link instead (e.g. h10)",
    )
    add_simulation_companions(live)
    live.add_argument(
        "--patient", required=True, type=pseudonym_arg, help="pseudonym (never a real name)"
    )
    live.add_argument(
        "--prescription",
        type=Path,
        help="the patient's prescription (.toml); default: the one in force today in the "
        "patient's record (osteomonitor patient show P07)",
    )
    live.add_argument("--kind", default="impact", help="session kind (impact, aerobic, ...)")
    add_supervision_flag(live)
    live.add_argument(
        "-o",
        "--output",
        type=Path,
        help="recording file (default recordings/<patient>-<time>.omrec)",
    )
    live.set_defaults(func=_live)

    replay = sub.add_parser(
        "replay",
        help="play a recording into the dashboard",
        description="Play a recording through the live analysis. Keys: space pause, +/- "
        "speed, Left/Right seek 10 s, [ ] seek 1 min, Home/End, q quit, ? help.",
    )
    replay.add_argument("file", type=Path)
    replay.add_argument(
        "--speed", type=parse_speed, default=1.0, help="1 to 64 times real time, or 'max'"
    )
    replay.add_argument(
        "--prescription",
        type=Path,
        help="judge against this prescription instead of the recording's",
    )
    replay.add_argument(
        "--rehearse",
        action="store_true",
        help="practise the patient keys on a recording: what is logged goes into the "
        "analysis on screen, never into the file",
    )
    replay.set_defaults(func=_replay)

    review = sub.add_parser(
        "review",
        help="review recordings: library, session detail, patient weeks (physios)",
        description="Browse the recordings of a folder: filter, search and sort the "
        "library, Enter opens a session, w the patient's weeks, p replays, e exports "
        "(the library's rows or the weeks as CSV, a session's report), ? help.",
    )
    review.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    review.add_argument(
        "--export-dir",
        type=Path,
        default=None,
        help="where 'e' writes exports (default: the reports folder: $OSTEOMONITOR_REPORTS, "
        "else [folders] reports in the config file, else ~/.local/share/osteomonitor/reports)",
    )
    review.set_defaults(func=_review)


def _load_rx(path: Path | None) -> Any:
    if path is None:
        return None
    from osteomonitor.prescription import load_prescription

    return load_prescription(path)


def _session_rx(patient: str, path: Path | None) -> tuple[Any, str | None]:
    """The session's prescription and its text: the file given, else the one in force
    today in the patient's record (a line on stderr says which, or that there is none)."""
    import sys

    if path is not None:
        rx = _load_rx(path)
        return rx, path.read_text(encoding="utf-8")
    from osteomonitor.app.patients import session_prescription

    found, note = session_prescription(patient)
    print(f"osteomonitor: {note}", file=sys.stderr)
    return (found.prescription, found.text) if found is not None else (None, None)


def _replay(args: argparse.Namespace) -> int:
    from osteomonitor.app.review import recording_prescription
    from osteomonitor.tui.app import OsteomonitorApp
    from osteomonitor.tui.feeds.replay import ReplayFeed
    from osteomonitor.tui.screens.replay import ReplayScreen
    from osteomonitor.tui.views.dashboard import session_targets

    rx = _load_rx(args.prescription)
    feed = ReplayFeed(args.file, speed=args.speed, prescription=rx, rehearsal=args.rehearse)
    meta = feed.open()
    rx = rx if rx is not None else recording_prescription(meta, args.file)
    targets = session_targets(rx, meta)
    app = OsteomonitorApp(lambda: ReplayScreen(feed, targets=targets))
    return app.run() or 0


def _review(args: argparse.Namespace) -> int:
    from osteomonitor.errors import RecordingError
    from osteomonitor.tui.app import OsteomonitorApp
    from osteomonitor.tui.screens.library import LibraryScreen

    folder: Path = args.dir
    if not folder.exists():
        raise RecordingError(f"{folder}: no such folder (give the recordings folder to review)")
    app = OsteomonitorApp(lambda: LibraryScreen(folder, export_dir=args.export_dir))
    return app.run() or 0


def _live(args: argparse.Namespace) -> int:
    from osteomonitor.app.collection import CollectionPlan
    from osteomonitor.tui.services.live_session import run_live

    if not args.device and not args.simulate:
        raise UsageError(
            "live: name a wearable with --device NAME_OR_ADDRESS, or use --simulate h10 "
            "(see 'osteomonitor scan')"
        )
    if args.sim_speed <= 0:
        raise UsageError("--sim-speed must be > 0")
    rx, rx_toml = _session_rx(args.patient, args.prescription)
    plan = CollectionPlan(
        patient=args.patient,
        kind=args.kind,
        devices=tuple(args.device),
        simulate=tuple(args.simulate),
        prescription_toml=rx_toml,
        output=args.output,
        sim_speed=args.sim_speed,
        sim_seed=args.sim_seed,
        sim_faults=args.sim_faults,
        sim_source=args.sim_source,
        supervised=supervision_of(args),
    )
    return run_live(plan, rx)
