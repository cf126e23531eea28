"""One instrument for every figure: run each benchmark and drill, print one table, write BENCHMARKS.md.

Modules: `bench/bench_*.py`, `bench/accuracy*.py` and `bench/drills/drill_*.py`, each
exposing `run(smoke: bool = False) -> list[benchlib.Row]`. A module that crashes is a
FAIL row with its error and makes the runner exit 1 (so CI's smoke run catches rot);
a missed target is reported, not fatal.

Usage: bench/run [--smoke] [--no-write] [--only NAME ...]

BENCHMARKS.md has one dated section per module; `--only` replaces just those
sections and keeps the rest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import re
import sys
import time
import traceback
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from benchlib import Row, format_table  # noqa: E402

PACKAGES = ("osteomonitor", "numpy", "scipy", "bleak", "bumble", "textual", "neurokit2")


def discover() -> list[Path]:
    """Benchmark and drill modules in a stable order."""
    mods = sorted(HERE.glob("bench_*.py"))
    mods += sorted(HERE.glob("accuracy*.py"))
    mods += sorted((HERE / "drills").glob("drill_*.py"))
    return mods


def load(path: Path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"bench_mod_{path.stem}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def machine() -> str:
    """One line per fact about the machine and the versions measured."""
    vers = []
    for name in PACKAGES:
        try:
            vers.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            vers.append(f"{name} (not installed)")
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"- machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}\n"
        f"- Python {platform.python_version()}; " + ", ".join(vers)
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/run", description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="seconds, not minutes (CI)")
    ap.add_argument("--no-write", action="store_true", help="do not write BENCHMARKS.md")
    ap.add_argument("--only", nargs="*", default=None, help="module names to run")
    args = ap.parse_args(argv)

    rows: list[tuple[str, Row]] = []
    crashed = 0
    for path in discover():
        if args.only and path.stem not in args.only:
            continue
        t0 = time.perf_counter()
        print(f"[bench] {path.relative_to(HERE)} …", file=sys.stderr, flush=True)
        try:
            for row in load(path).run(smoke=args.smoke):
                rows.append((path.stem, row))
        except Exception as exc:  # a crashed benchmark is a failure, reported in the table
            crashed += 1
            traceback.print_exc()
            rows.append(
                (path.stem, Row(f"{path.stem} crashed", 0, "", "runs", False, repr(exc)[:120]))
            )
        print(f"[bench]   {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

    table = format_table([r for _, r in rows])
    print(table)
    n_fail = sum(1 for _, r in rows if r.ok is False)
    n_pass = sum(1 for _, r in rows if r.ok)
    print(f"\n{n_pass} targets met, {n_fail} missed, {crashed} modules crashed")
    if not args.no_write:
        mode = "smoke run (small inputs: not comparable to targets)" if args.smoke else "full run"
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        fresh: dict[str, str] = {}
        for stem in dict.fromkeys(stem for stem, _ in rows):
            body = format_table([r for s, r in rows if s == stem])
            fresh[stem] = f"{stamp}, {mode}\n\n{body}"
        out = HERE.parent / "BENCHMARKS.md"
        kept = read_sections(out) if args.only else {}
        order = [p.stem for p in discover()]
        write_benchmarks(out, {**kept, **fresh}, order)
    return 1 if crashed else 0


SECTION = "## `"


def read_sections(path: Path) -> dict[str, str]:
    """The module sections of an existing BENCHMARKS.md: stem → "date line + table".

    A file in the older single-table layout has no sections: it yields nothing, so a
    partial run (`--only`) then writes only the modules it ran.
    """
    try:
        text = path.read_text()
    except OSError:
        return {}
    sections: dict[str, str] = {}
    for chunk in text.split("\n" + SECTION)[1:]:
        head, _, rest = chunk.partition("\n")
        stem = head.split("`", 1)[0]
        body = rest.split("\n\n---\n", 1)[0].strip("\n")
        sections[stem] = body.removeprefix("run: ")
    return sections


def tally(sections: dict[str, str]) -> tuple[int, int, int]:
    """(targets met, missed, modules crashed) over every section's table."""
    met = missed = crashed = 0
    for body in sections.values():
        for line in body.splitlines():
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)]
            if len(cells) < 7 or not line.startswith("| "):
                continue
            met += cells[5] == "PASS"
            missed += cells[5] == "FAIL"
            crashed += cells[1].endswith(" crashed") and cells[5] == "FAIL"
    return met, missed, crashed


def write_benchmarks(path: Path, sections: dict[str, str], order: list[str]) -> None:
    """BENCHMARKS.md: machine facts, totals, then one dated section per module."""
    met, missed, crashed = tally(sections)
    parts = [
        "# osteomonitor benchmarks and drills\n",
        "Produced by `bench/run`. Timings are medians of repeated runs; peers and floors are "
        "measured in the same run as the figure beside them. Each module's section carries "
        "the date it was measured: `bench/run --only bench_batch …` re-measures some modules "
        "and keeps the others' sections; `bench/run` re-measures everything.\n",
        f"{machine()}\n",
        f"{met} targets met, {missed} missed, {crashed} modules crashed.\n",
    ]
    ranked = sorted(sections, key=lambda s: (order.index(s) if s in order else len(order), s))
    for stem in ranked:
        parts.append(f"{SECTION}{stem}`\n\nrun: {sections[stem]}\n\n---\n")
    path.write_text("\n".join(parts))


if __name__ == "__main__":
    raise SystemExit(main())
