"""`osteomonitor recordings list|info|repair|supervised`: parse, call `app.recordings`, print.

The use cases (reading, repairing, marking) live in `osteomonitor.app.recordings`; it is
imported inside each handler on purpose: `osteomonitor --help` must not load numpy and the
store for a command nobody ran (tested).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from osteomonitor import timefmt
from osteomonitor.cli.supervision import CHOICES
from osteomonitor.errors import OsteomonitorError, UsageError
from osteomonitor.pseudonym import printable

DEFAULT_DIR = Path("recordings")


def register(sub: Any) -> None:
    """Add the `recordings` command group."""
    p = sub.add_parser("recordings", help="list and inspect recording files")
    rsub = p.add_subparsers(dest="recordings_command", metavar="ACTION", required=True)

    ls = rsub.add_parser("list", help="every recording in a folder (default ./recordings)")
    ls.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ls.add_argument("--json", action="store_true", help="machine-readable output")
    ls.set_defaults(func=_list)

    info = rsub.add_parser("info", help="metadata, devices, streams and events of one file")
    info.add_argument("file", type=Path)
    info.add_argument("--json", action="store_true", help="machine-readable output")
    info.set_defaults(func=_info)

    sup = rsub.add_parser(
        "supervised",
        help="say in review whether a session was supervised (kept beside the file)",
        description=(
            "Writes FILE.review.json beside the recording (owner-only); the recording itself "
            "is never modified. analyze and week use the corrected flag."
        ),
    )
    sup.add_argument("file", type=Path)
    sup.add_argument("value", choices=tuple(CHOICES), help="yes, no or unknown")
    sup.set_defaults(func=_supervised)

    fix = rsub.add_parser(
        "repair",
        help="finish a crashed recording in place, or salvage a damaged one into a new file",
        description=(
            "A crashed recording keeps its last data in FILE-wal: repair moves it into the "
            "file so FILE can be copied alone. A damaged recording is never modified: "
            "everything still readable (including every intact frame of a damaged -wal) is "
            "copied into FILE.salvaged.omrec (or -o), and the original is kept unchanged "
            "as FILE.damaged."
        ),
    )
    fix.add_argument("files", nargs="+", type=Path, metavar="FILE")
    fix.add_argument(
        "-v", "--verbose", action="store_true", help="also show SQLite's own diagnostics"
    )
    fix.add_argument(
        "-o", "--output", type=Path, help="salvage file (one FILE only; default beside it)"
    )
    fix.set_defaults(func=_repair)


def _fmt_duration(s: float) -> str:
    return timefmt.clock(s)


def _list(args: argparse.Namespace) -> int:
    from osteomonitor.app.recordings import ENDED_UNEXPECTEDLY, list_recordings  # lazy: --help

    infos = list_recordings(args.dir)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "path": str(i.path),
                        "patient": i.patient,
                        "kind": i.kind,
                        "start": i.start_iso,
                        "duration_s": round(i.duration_s, 3),
                        "devices": list(i.devices),
                        "packets": i.packet_count,
                        "status": i.status,
                        "simulated": i.simulated,
                        "error": i.error,
                    }
                    for i in infos
                ],
                indent=2,
            )
        )
        return 0
    if not infos:
        print(f"no recordings in {args.dir}")
        return 0
    header = ("start", "patient", "kind", "duration", "devices", "packets", "ended", "file")
    rows = []
    for i in infos:
        if i.error:
            state = "damaged" if i.error.startswith("damaged") else "unreadable"
            rows.append(("?", "", "", "", "", "", state, f"{i.path}: {i.error}"))
            continue
        ended = {"ended cleanly": "yes", "recording": "recording…"}.get(i.status, "NO (crash)")
        rows.append(
            (
                i.start_iso[:16].replace("T", " "),
                i.patient + (" (sim)" if i.simulated else ""),
                i.kind,
                _fmt_duration(i.duration_s),
                ", ".join(i.devices),
                str(i.packet_count),
                ended,
                str(i.path),
            )
        )
    widths = [max(len(str(r[c])) for r in [header, *rows]) for c in range(len(header) - 1)]
    for r in [header, *rows]:
        _line("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=False)) + "  " + r[-1])
    crashed = sum(1 for i in infos if not i.error and i.status == ENDED_UNEXPECTEDLY)
    damaged = sum(1 for i in infos if i.error)
    if crashed or damaged:
        from osteomonitor.invocation import command

        print(
            f"\n{crashed} ended unexpectedly, {damaged} unreadable: `{command()} recordings "
            "repair FILE` makes a crashed file self-contained and salvages a damaged one"
        )
    return 0


def _line(text: str) -> None:
    """Print one line of text that came from a file: control characters escaped."""
    print(printable(text))


def _info(args: argparse.Namespace) -> int:
    from osteomonitor.app.recordings import recording_details  # lazy: --help stays fast
    from osteomonitor.report import set_aside_lines  # lazy: --help stays fast

    rec = recording_details(args.file)
    meta, devices, counts, kinds = rec.meta, rec.devices, rec.packets_by_device, rec.event_kinds
    span, status, n, damage = rec.span_ns, rec.status, rec.packets, rec.damage
    set_aside = rec.set_aside
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(args.file),
                    "meta": meta,
                    "status": status,
                    "packets": n,
                    "span_ns": span,
                    "devices": [
                        {**{k: getattr(d, k) for k in d.__slots__}, "packets": counts.get(d.key, 0)}
                        for d in devices
                    ],
                    "events": kinds,
                    "set_aside": [{k: getattr(a, k) for k in a.__slots__} for a in set_aside],
                    "damage": damage,
                },
                indent=2,
                default=dict,
            )
        )
        return 0
    _line(f"file      {args.file}")
    _line(
        f"patient   {meta.get('patient')}   kind {meta.get('kind')}"
        + ("   (simulated wearable)" if meta.get("simulated") else "")
    )
    _line(f"start     {meta.get('start_iso')} ({meta.get('timezone')})")
    dur = 0.0 if span is None else (span[1] - span[0]) / 1e9
    shown = "salvaged from a damaged file" if meta.get("salvaged_from") else status
    print(f"duration  {_fmt_duration(dur)}   packets {n}   {shown}")
    if meta.get("end_reason"):
        _line(f"ended     {meta['end_reason']}")
    if meta.get("repaired_ns"):
        _line("repaired  crashed recording finished with `recordings repair`")
    if meta.get("salvaged_from"):
        print(f"salvaged  from {meta['salvaged_from']} ({meta.get('salvage_damage', 'damaged')})")
        print(
            "lost      "
            + _loss_text(
                _number(meta.get("salvage_lost_packets")),
                _number(meta.get("salvage_lost_s")),
                [str(x) for x in _listed(meta.get("salvage_lost_streams"))],
                bool(meta.get("salvage_end_lost")),
            )
        )
    for line in set_aside_lines(set_aside):
        print(f"quality   {line}")
    if damage:
        print(f"damaged   {damage}")
    print(f"software  osteomonitor {meta.get('software_version')}")
    print(f"prescription  {'yes' if meta.get('prescription_toml') else 'none recorded'}")
    print("devices")
    for d in devices:
        extra = ", ".join(
            f"{k} {v}"
            for k, v in (
                ("model", d.model),
                ("firmware", d.firmware),
                ("battery", f"{d.battery_pct}%" if d.battery_pct is not None else None),
            )
            if v
        )
        _line(
            f"  {d.key:10} {d.name} [{d.address}] profile {d.profile}; "
            f"{timefmt.plural(counts.get(d.key, 0), 'packet')}" + (f"; {extra}" if extra else "")
        )
    if kinds:
        _line("events    " + ", ".join(f"{k} ×{v}" for k, v in sorted(kinds.items())))
    return 0


def _number(value: Any) -> int:
    """A count from a file's metadata; anything not a number reads as 0."""
    return int(value) if isinstance(value, int | float) and value == value else 0


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _packets_events(packets: int, events: int) -> str:
    """ "120 packets, 1 event"."""
    return f"{timefmt.plural(packets, 'packet')}, {timefmt.plural(events, 'event')}"


def _loss_text(packets: int, seconds: float, streams: list[str], end_lost: bool) -> str:
    """What a salvage lost, in the user's terms."""
    if not packets and not end_lost and not streams:
        return "nothing lost"
    text = f"{timefmt.plural(packets, 'packet')} lost ({seconds:.1f} s of recording)"
    if end_lost:
        text += "; the end of the recording is unreadable (packets after it estimated)"
    if streams:
        text += "; streams with nothing left: " + ", ".join(streams)
    return text


def _repair(args: argparse.Namespace) -> int:
    from osteomonitor.app.recordings import CHECKPOINTED, INTACT, repair_recording  # lazy: --help

    if args.output is not None and len(args.files) > 1:
        raise UsageError("-o/--output names one salvage file: give one FILE with it")
    failed = 0
    for path in args.files:
        try:
            r = repair_recording(path, args.output)
        except OsteomonitorError as exc:
            from osteomonitor.invocation import in_hints

            print(f"osteomonitor: error: {in_hints(str(exc))}", file=sys.stderr)
            failed += 1
            continue
        if r.action == INTACT:
            print(f"{path}: intact, nothing to do ({_packets_events(r.packets, r.events)})")
        elif r.action == CHECKPOINTED:
            print(
                f"{path}: finished: everything committed ({_packets_events(r.packets, r.events)}) "
                "is now in the file itself; it still reads as ended unexpectedly"
            )
        else:
            print(f"{path}: damaged: {r.damage}")
            if r.wal_frames != (0, 0):
                kept, bad = r.wal_frames
                print(f"  -wal log: {timefmt.plural(kept, 'frame')} intact and kept, {bad} damaged")
            loss = r.loss
            print(
                f"  salvaged {timefmt.plural(r.packets, 'packet')} and "
                f"{timefmt.plural(r.events, 'event')} into {r.output}; "
                + _loss_text(loss.packets, loss.seconds, list(loss.streams), loss.end_lost)
            )
            print(f"  the original is kept unchanged as {r.set_aside}")
            if args.verbose:
                for line in r.problems:
                    print(f"  sqlite: {line}")
    return 1 if failed else 0


def _supervised(args: argparse.Namespace) -> int:
    from osteomonitor.app.recordings import mark_supervised  # lazy: --help stays fast

    value = CHOICES[args.value]
    side = mark_supervised(args.file, value)
    word = {True: "supervised", False: "unsupervised", None: "not recorded"}[value]
    print(f"{args.file}: session marked {word} in review ({side.name}; recording unchanged)")
    return 0
