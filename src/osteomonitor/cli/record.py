"""`osteomonitor record`: headless recording with a one-line live status.

    osteomonitor record --device "Polar H10" --patient P07 --kind impact -o p07.omrec
    osteomonitor record --simulate h10 --patient DEMO --kind impact --duration 120

Ctrl-C or SIGTERM stops the device streams first, then disconnects, then closes the
recording cleanly. The session itself is `osteomonitor.app.recording_session`; this
module parses and prints. The use case (and with it bleak, bumble and numpy) is imported
inside the handler on purpose, so `osteomonitor --help` stays fast (tested).
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

from osteomonitor.cli.supervision import add_supervision_flag, supervision_of
from osteomonitor.errors import PrescriptionError, UsageError
from osteomonitor.model import SessionKind
from osteomonitor.pseudonym import pseudonym_arg
from osteomonitor.timefmt import clock, plural

#: Wall seconds between status-line refreshes on a terminal, and between printed
#: status lines when the output is not a terminal (logs, CI).
STATUS_REFRESH_S = 0.5
STATUS_LOG_EVERY_S = 10.0
#: Exit code when stopped before any device had started (as for Ctrl-C in a shell).
INTERRUPTED_EXIT = 130
#: Length of the built-in simulated session when --duration is not given, s.
SIMULATED_SESSION_S = 600.0


def add_simulation_arguments(p: argparse.ArgumentParser) -> None:
    """--simulate and its companions (shared with `scan`)."""
    p.add_argument(
        "--simulate",
        metavar="KINDS",
        help="use virtual wearables on a virtual BLE link instead of Bluetooth: h10, "
        "h10-delta, hr-strap, metamotion, movesense, thingy52, osteo-imu, or several "
        "comma-separated (e.g. hr-strap,metamotion)",
    )
    add_simulation_companions(p)


def add_simulation_companions(p: argparse.ArgumentParser) -> None:
    """--sim-speed, --sim-faults, --sim-seed and --sim-source (shared with `live`)."""
    p.add_argument(
        "--sim-speed",
        type=float,
        default=1.0,
        metavar="FACTOR",
        help="simulated seconds per real second (default 1)",
    )
    p.add_argument(
        "--sim-faults",
        default="",
        metavar="FAULTS",
        help="faults of the virtual wearables, e.g. 'drop@30,malformed=50,late=20,"
        "cp-error=8,drift=100,stopped@60' (times in simulated seconds)",
    )
    p.add_argument("--sim-seed", type=int, default=0, metavar="N", help="session model seed")
    p.add_argument(
        "--sim-source",
        type=Path,
        metavar="FILE",
        help="the virtual wearables play this recording instead of the built-in session",
    )


def register(sub: Any) -> None:
    """Add the `record` command."""
    p = sub.add_parser(
        "record",
        help="record wearables without the dashboard (one-line status)",
        description="Connect to the wearables, record every notification to a crash-safe "
        "file, show a one-line status. Ctrl-C stops cleanly: device streams first, then "
        "the connection, then the file.",
    )
    p.add_argument(
        "--device",
        action="append",
        default=[],
        metavar="[KEY=]ADDRESS|NAME[@PROFILE]",
        help="a wearable's address or advertised name (prefix allowed); repeat for several",
    )
    p.add_argument(
        "--patient", required=True, type=pseudonym_arg, help="pseudonym (never a real name)"
    )
    p.add_argument(
        "--kind",
        default=SessionKind.IMPACT.value,
        help=f"session kind: {', '.join(k.value for k in SessionKind)} (default impact)",
    )
    p.add_argument(
        "--prescription",
        type=Path,
        metavar="FILE",
        help="the patient's prescription (.toml); default: the one in force today in the "
        "patient's record (osteomonitor patient show P07)",
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="recording file (default recordings/<patient>-<time>-<kind>.omrec)",
    )
    p.add_argument(
        "--duration", type=float, metavar="SECONDS", help="stop after this many session seconds"
    )
    p.add_argument("--rate", type=float, metavar="HZ", help="accelerometer sample rate")
    p.add_argument("--range", type=float, metavar="G", help="accelerometer range, ±g")
    p.add_argument("--quiet", action="store_true", help="no live status line")
    add_supervision_flag(p)
    add_simulation_arguments(p)
    p.set_defaults(func=_record)


def _check_kind(kind: str) -> str:
    values = [k.value for k in SessionKind]
    if kind not in values:
        raise UsageError(f"--kind {kind!r}: choose one of {', '.join(values)}")
    return kind


def _read_prescription(path: Path | None, patient: str) -> tuple[str | None, str]:
    """The prescription's text and a line saying where it came from: the file given, else
    the one in force today in the patient's record (or why there is none). The line is
    printed once the recording has started, so a usage error stays one line."""
    if path is None:
        from osteomonitor.app.patients import session_prescription  # lazy: --help stays fast

        found, note = session_prescription(patient)
        return (found.text if found is not None else None), note
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PrescriptionError(f"{path}: cannot read the prescription ({exc.strerror})") from None
    from osteomonitor.prescription import load_prescription  # lazy: numpy; --help stays fast

    load_prescription(path)  # validates; raises PrescriptionError naming the key
    return text, ""


class _EarlyStop:
    """A Ctrl-C or SIGTERM that arrives before the event loop runs (while the collector is
    still being imported, which takes seconds on a busy machine) is remembered and
    honoured as soon as the loop's own handlers are in place, instead of being lost."""

    requested = False

    @classmethod
    def install(cls) -> None:
        def remember(_sig: int, _frame: object) -> None:
            cls.requested = True

        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(ValueError, OSError):  # not the main thread
                signal.signal(sig, remember)


def _plan(args: argparse.Namespace, kind: str, prescription: str | None) -> Any:
    from osteomonitor.app.collection import CollectionPlan  # lazy: --help stays fast

    return CollectionPlan(
        patient=args.patient,
        kind=kind,
        devices=tuple(args.device),
        simulate=(args.simulate,) if args.simulate else (),
        prescription_toml=prescription,
        output=args.output,
        rate_hz=args.rate,
        range_g=args.range,
        sim_speed=args.sim_speed,
        sim_seed=args.sim_seed,
        sim_duration_s=args.duration or SIMULATED_SESSION_S,
        sim_faults=args.sim_faults,
        sim_source=args.sim_source,
        supervised=supervision_of(args),
    )


def _record(args: argparse.Namespace) -> int:
    import asyncio  # only when recording: `analyze` never loads it

    _EarlyStop.install()
    # lazy: the collection use case loads the radio stack; `osteomonitor --help` must not
    from osteomonitor.app.recording_session import check_devices

    kind = _check_kind(args.kind)
    if not args.device and not args.simulate:
        raise UsageError(
            "record: name a wearable with --device ADDRESS|NAME (see 'osteomonitor scan'), "
            "or use --simulate h10"
        )
    if args.sim_speed <= 0:
        raise UsageError("--sim-speed must be > 0")
    if args.duration is not None and args.duration <= 0:
        raise UsageError("--duration must be > 0 seconds")
    check_devices(_plan(args, kind, None))
    prescription, note = _read_prescription(args.prescription, args.patient)
    return asyncio.run(_main(args, _plan(args, kind, prescription), note))


class _StatusPrinter:
    """What `record` prints of the session: devices, errors once, the status line."""

    def __init__(self, output: Path, quiet: bool, prescription_note: str = "") -> None:
        self.output = output
        self.prescription_note = prescription_note
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last_log = time.monotonic()
        self.errors_shown: set[str] = set()

    def started(self, status: Any) -> None:
        print(f"recording to {self.output}", file=sys.stderr)
        if self.prescription_note:
            print(f"  {self.prescription_note}", file=sys.stderr)
        for d in status.devices:
            print(f"  {d.key}: {d.name} [{d.address}] profile {d.profile}", file=sys.stderr)
        self.last_log = time.monotonic()

    def status(self, status: Any) -> None:
        for d in status.devices:
            if d.last_error and d.last_error not in self.errors_shown:
                self.errors_shown.add(d.last_error)
                _print_line(f"device error: {d.last_error}", self.tty, final=True)
        if status.recording_error:
            _print_line(f"recording failed: {status.recording_error}", self.tty, final=True)
            return
        if not self.quiet and (self.tty or time.monotonic() - self.last_log >= STATUS_LOG_EVERY_S):
            _print_line(status.line(), self.tty, final=not self.tty)
            self.last_log = time.monotonic()

    def stopping(self) -> None:
        if self.tty and not self.quiet:
            print(file=sys.stderr)
        print("stopping: device streams, then the connection, then the file…", file=sys.stderr)


async def _main(args: argparse.Namespace, plan: Any, prescription_note: str = "") -> int:
    import asyncio  # only when recording: `analyze` never loads it

    from osteomonitor.app.recording_session import run_recording  # lazy: --help stays fast

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    if _EarlyStop.requested:
        stop.set()
    printer = _StatusPrinter(plan.path, args.quiet, prescription_note)
    outcome = await run_recording(
        plan,
        stop,
        duration_s=plan.sim_duration_s if args.simulate else args.duration,
        refresh_s=STATUS_REFRESH_S,
        on_started=printer.started,
        on_status=printer.status,
        on_stopping=printer.stopping,
    )
    if outcome.status is None:
        print("interrupted while connecting: nothing was recorded", file=sys.stderr)
        return INTERRUPTED_EXIT
    _summary(outcome.path, outcome.status)
    return 0


def _print_line(text: str, tty: bool, final: bool) -> None:
    if tty and not final:
        width = shutil.get_terminal_size((120, 20)).columns - 1
        sys.stderr.write("\r" + text[:width].ljust(width))
        sys.stderr.flush()
    else:
        if tty:
            sys.stderr.write("\r")
        print(text, file=sys.stderr)


def _summary(output: Path, status: Any) -> None:
    print(f"saved {output}: {clock(status.elapsed_s)} long, {plural(status.recorded, 'packet')}")
    for d in status.devices:
        streams = ", ".join(f"{k} {v}" for k, v in sorted(d.packets_by_stream.items()))
        extra = []
        if d.dropped:
            extra.append(f"{d.dropped} DROPPED by a full queue")
        if d.decode_errors:
            extra.append(f"{d.decode_errors} malformed (kept raw, skipped by analysis)")
        if d.link_losses:
            losses = plural(d.link_losses, "link loss", "link losses")
            extra.append(f"{losses}, {d.reconnects} restored")
        if d.last_error:
            extra.append(f"error: {d.last_error}")
        tail = f"; {'; '.join(extra)}" if extra else ""
        print(f"  {d.key}: {streams}{tail}")
