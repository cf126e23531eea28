"""`osteomonitor scan`: nearby wearables, their profile, signal strength and battery.

    osteomonitor scan                      # 5 s, wearables with a known profile
    osteomonitor scan --timeout 10 --all   # every advertising device
    osteomonitor scan --simulate h10,hr-strap

Prints a clear one-line error when the host has no usable Bluetooth (no adapter,
BlueZ not running, permission denied) instead of a traceback.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from osteomonitor.cli.record import add_simulation_arguments
from osteomonitor.errors import UsageError

#: Default listening time, s (straps advertise every ~0.1-1 s).
DEFAULT_SCAN_S = 5.0


def register(sub: Any) -> None:
    """Add the `scan` command."""
    p = sub.add_parser(
        "scan",
        help="list nearby wearables (profile, RSSI, battery)",
        description="Listen for wearables, match each to a firmware profile, and read "
        "its battery level where the device allows it.",
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


async def _run(args: argparse.Namespace) -> list[Any]:
    from osteomonitor.collect.scanner import scan

    if not args.simulate:
        return await scan(timeout_s=args.timeout, all_devices=args.all, battery=not args.no_battery)
    from osteomonitor.sim.faults import parse_faults
    from osteomonitor.sim.world import parse_kinds, virtual_world

    async with virtual_world(
        parse_kinds(args.simulate),
        speed=args.sim_speed,
        faults=parse_faults(args.sim_faults),
        seed=args.sim_seed,
    ) as world:
        return await scan(
            world.stack, args.timeout, all_devices=args.all, battery=not args.no_battery
        )
