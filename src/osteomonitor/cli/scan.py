"""`osteomonitor scan`: nearby wearables, their profile, signal strength and battery.

    osteomonitor scan                      # 5 s, wearables with a known profile
    osteomonitor scan --timeout 10 --all   # every advertising device
    osteomonitor scan --simulate h10,hr-strap

While it listens it says so: each wearable as it is found, and on a terminal a spinner
with the seconds left (plain lines when the output is a file or a pipe). Progress goes
to stderr, the table (or --json) to stdout. Prints a clear one-line error when the host
has no usable Bluetooth (no adapter, BlueZ not running, permission denied) instead of a
traceback. The use case is `app.scanning`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from osteomonitor.cli.record import add_simulation_arguments
from osteomonitor.errors import UsageError

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.app.scanning import ScanResult

#: Default listening time, s (straps advertise every ~0.1-1 s); `app.scanning` has the same.
DEFAULT_SCAN_S = 5.0
#: Wall seconds between redraws of the countdown on a terminal.
TICK_S = 0.2
#: Spinner frames of the countdown.
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def register(sub: Any) -> None:
    """Add the `scan` command."""
    p = sub.add_parser(
        "scan",
        help="list nearby wearables (profile, RSSI, battery)",
        description="Listen for wearables, match each to a firmware profile, and read "
        "its battery level where the device allows it. Each wearable is reported as it "
        "is found.",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_SCAN_S,
        metavar="SECONDS",
        help=f"how long to listen (default {DEFAULT_SCAN_S:g})",
    )
    p.add_argument("--all", action="store_true", help="also list devices with no known profile")
    p.add_argument(
        "--no-battery", action="store_true", help="do not connect to read battery levels"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_simulation_arguments(p)
    p.set_defaults(func=_scan)


def device_words(r: ScanResult) -> str:
    """ "Polar H10 0A3B5C7D [C0:9E:1A:00:00:01] polar-h10, -58 dBm" (name as plain text)."""
    from osteomonitor.pseudonym import printable

    profile = r.profile.key if r.profile else "no known profile"
    return f"{printable(r.name or '?')} [{r.address}] {profile}, {r.rssi_dbm} dBm"


class ScanPrinter:
    """Progress of a scan as lines on `stream`: a countdown line redrawn in place on a
    terminal (`tty`), plain lines otherwise."""

    def __init__(self, stream: TextIO, tty: bool, clock: Any = time.monotonic) -> None:
        self.stream = stream
        self.tty = tty
        self._clock = clock
        self._until: float | None = None
        self._found = 0
        self._frame = 0
        self._status = ""  # the countdown line on screen (tty)
        self._battery_said = False

    def _countdown(self) -> str:
        """The countdown line ("" once listening is over)."""
        if self._until is None:
            return ""
        left = self._until - self._clock()
        if left <= 0:
            return ""
        return (
            f"{SPINNER[self._frame]} listening for wearables… {math.ceil(left)} s left, "
            f"{self._found} found"
        )

    def _say(self, line: str) -> None:
        if self.tty and self._status:
            self.stream.write("\r\033[K")
        self.stream.write(line + "\n")
        if self.tty and self._status:
            self._status = self._countdown() or self._status
            self.stream.write(self._status)
        self.stream.flush()

    def _draw(self, status: str) -> None:
        self._status = status
        self.stream.write("\r\033[K" + status)
        self.stream.flush()

    def listening(self, timeout_s: float) -> None:
        """The radio listens for `timeout_s` s."""
        self._until = self._clock() + timeout_s
        if self.tty:
            self.tick()
        else:
            self._say(f"listening for wearables for {timeout_s:g} s…")

    def found(self, result: ScanResult) -> None:
        """A line for a wearable found."""
        self._found += 1
        self._say(f"found {device_words(result)}")

    def reading_battery(self, result: ScanResult) -> None:
        """Say which battery is being read (terminal), or that they are (once, otherwise)."""
        from osteomonitor.pseudonym import printable

        if self.tty:
            self._draw(f"reading the battery level of {printable(result.name or result.address)}…")
        elif not self._battery_said:
            self._battery_said = True
            self._say("reading battery levels…")

    def tick(self) -> None:
        """Redraw the countdown (terminal only; nothing before listening or after it)."""
        if not self.tty:
            return
        self._frame = (self._frame + 1) % len(SPINNER)
        line = self._countdown()
        if line:
            self._draw(line)

    def close(self) -> None:
        """Clear the countdown line."""
        if self.tty and self._status:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._status = ""


def _scan(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        raise UsageError("--timeout must be > 0 seconds")
    import asyncio  # only when scanning: `analyze` never loads it

    results = asyncio.run(_run(args))
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "address": r.address,
                        "name": r.name,
                        "profile": r.profile.key if r.profile else None,
                        "rssi_dbm": r.rssi_dbm,
                        "battery_pct": r.battery_pct,
                    }
                    for r in results
                ],
                indent=2,
            )
        )
        return 0
    if not results:
        what = "devices" if args.all else "wearables with a known profile"
        print(
            f"no {what} found in {args.timeout:g} s: wear the strap (straps sleep without "
            "skin contact), check it is charged and not connected to a phone, or try --all"
        )
        return 0
    from osteomonitor.pseudonym import printable

    rows = [("address", "name", "profile", "RSSI", "battery")]
    for r in results:
        rows.append(
            (
                r.address,
                printable(r.name or "?"),
                r.profile.key if r.profile else "-",
                f"{r.rssi_dbm} dBm",
                f"{r.battery_pct}%" if r.battery_pct is not None else "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


async def _run(args: argparse.Namespace) -> list[ScanResult]:
    import asyncio

    from osteomonitor.app.scanning import ScanObserver, ScanRequest, scan_nearby

    request = ScanRequest(
        timeout_s=args.timeout,
        all_devices=args.all,
        battery=not args.no_battery,
        simulate=(args.simulate,) if args.simulate else (),
        sim_speed=args.sim_speed,
        sim_faults=args.sim_faults,
        sim_seed=args.sim_seed,
    )
    printer = ScanPrinter(sys.stderr, sys.stderr.isatty())

    class _Observer(ScanObserver):
        def listening(self, timeout_s: float) -> None:
            printer.listening(timeout_s)

        def found(self, result: ScanResult) -> None:
            printer.found(result)

        def reading_battery(self, result: ScanResult) -> None:
            printer.reading_battery(result)

    async def ticker() -> None:
        while True:
            printer.tick()
            await asyncio.sleep(TICK_S)

    tick_task = asyncio.create_task(ticker()) if printer.tty else None
    try:
        return await scan_nearby(request, _Observer())
    finally:
        if tick_task is not None:
            tick_task.cancel()
        printer.close()
