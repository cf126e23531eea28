"""One instrument for every figure: run each benchmark and drill, print one table, write BENCHMARKS.md.

Modules: `bench/bench_*.py`, `bench/accuracy*.py` and `bench/drills/drill_*.py`, each
exposing `run(smoke: bool = False) -> list[benchlib.Row]`. A module that crashes is a
FAIL row with its error and makes the runner exit 1 (so CI's smoke run catches rot);
a missed target is reported, not fatal.

Usage: bench/run [--smoke] [--no-write] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
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
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}\n"
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
        mode = (
            "smoke run (small inputs: figures are not comparable to targets)"
            if args.smoke
            else "full run"
        )
        text = (
            "# osteomonitor benchmarks and drills\n\n"
            f"Produced by `bench/run` ({mode}). Timings are medians of repeated runs; "
            "peers are measured in the same run. Regenerate with `bench/run`.\n\n"
            f"{machine()}\n\n{table}\n\n"
            f"{n_pass} targets met, {n_fail} missed, {crashed} modules crashed.\n"
        )
        (HERE.parent / "BENCHMARKS.md").write_text(text)
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
