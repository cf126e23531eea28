"""The `osteomonitor` command.

Each command group lives in its own module here and exposes
`register(subparsers) -> None`; a command's handler is `func(args) -> int`.
Modules import heavy layers (numpy, bleak, textual …) inside the handler, never at
import time, so `osteomonitor --help` and headless commands stay fast and the
headless ones never load textual. `main` builds the parser of the one command group
it is asked for (`COMMANDS` names each command's module), so `osteomonitor analyze`
imports no other group; `--help`, no command or an unknown one build them all.

User mistakes raise `OsteomonitorError`; `main` prints its message on one line
(prefixed "osteomonitor: error:") and exits with its `exit_code`, never a traceback.
Commands quoted in messages ('osteomonitor scan') are spelled the way the person ran
the program (`osteomonitor.invocation`), so a hint pastes as it is.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from osteomonitor import __version__
from osteomonitor.errors import OsteomonitorError

#: BLAS threads for this process, unless the person set their own (read once, when numpy
#: loads, so set before any command imports it). Our arrays are small (3-axis samples,
#: 3×3 matrices): a BLAS thread pool never helps, and OpenBLAS's pool costs CPU anyway:
#: its extra thread spins on start-up, ~60–90 ms of CPU in every process on this 2-core
#: machine (`osteomonitor analyze` of an hour: 0.48 → ~0.40 s, bench/bench_batch.py),
#: and spins again after calls it splits. MKL builds read the second name.
BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
for _name, _value in BLAS_THREADS.items():
    os.environ.setdefault(_name, _value)

# Command-group modules, in the order their commands appear in --help.
COMMAND_MODULES: tuple[str, ...] = (
    "osteomonitor.cli.demo",
    "osteomonitor.cli.live",
    "osteomonitor.cli.record",
    "osteomonitor.cli.scan",
    "osteomonitor.cli.recordings",
    "osteomonitor.cli.analyze",
    "osteomonitor.cli.report",
    "osteomonitor.cli.patient",
    "osteomonitor.cli.prescription",
    "osteomonitor.cli.config",
    "osteomonitor.cli.imports",
)

#: Each top-level command and the module of `COMMAND_MODULES` that registers it
#: (tests/cli/test_cli_dispatch.py checks this against the full parser).
COMMANDS: dict[str, str] = {
    "demo": "osteomonitor.cli.demo",
    "live": "osteomonitor.cli.live",
    "replay": "osteomonitor.cli.live",
    "review": "osteomonitor.cli.live",
    "record": "osteomonitor.cli.record",
    "scan": "osteomonitor.cli.scan",
    "recordings": "osteomonitor.cli.recordings",
    "analyze": "osteomonitor.cli.analyze",
    "week": "osteomonitor.cli.analyze",
    "report": "osteomonitor.cli.report",
    "patient": "osteomonitor.cli.patient",
    "prescription": "osteomonitor.cli.prescription",
    "config": "osteomonitor.cli.config",
    "import": "osteomonitor.cli.imports",
}


def _terminal_columns() -> int:
    """The terminal's width in columns as `shutil.get_terminal_size` gives it (COLUMNS,
    else the terminal of stdout, else 80)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    stdout = sys.__stdout__
    if columns <= 0 and stdout is not None:
        try:
            columns = os.get_terminal_size(stdout.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, told the width it would compute: argparse builds one
    for every argument added, and without a width each imports `shutil` (with its
    compression modules: ~3 ms of every command) only to read the terminal's size."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=_terminal_columns() - 2)


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting with code 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        from osteomonitor.errors import UsageError

        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser(modules: Sequence[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    """The argument parser with these command groups (default: every one installed)."""
    parser = _Parser(
        prog="osteomonitor",
        description="Watch bone-loading exercise sessions: record BLE wearables, "
        "analyse jumps, impacts and heart-rate intensity, check the FITT prescription.",
    )
    parser.add_argument("--version", action="version", version=f"osteomonitor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # group not written yet
                continue
            raise
        module.register(sub)
    return parser


def _modules_for(argv: Sequence[str]) -> Sequence[str]:
    """The command groups `argv` needs: its command's module, else all of them.

    The top-level parser has no option that takes a value, so the first word not
    starting with "-" is the command; `--help`/`--version` before it need no group, but
    `osteomonitor --help` lists every command, so anything but a known command word
    first builds the full parser.
    """
    for word in argv:
        if word.startswith("-"):
            return COMMAND_MODULES
        module = COMMANDS.get(word)
        return (module,) if module is not None else COMMAND_MODULES
    return COMMAND_MODULES


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser(_modules_for(sys.argv[1:] if argv is None else argv))
    try:
        args = parser.parse_args(argv)
        func = getattr(args, "func", None)
        if func is None:
            parser.print_help()
            return 0
        return int(func(args) or 0)
    except OsteomonitorError as exc:
        from osteomonitor.invocation import in_hints
        from osteomonitor.pseudonym import printable

        print(f"osteomonitor: error: {in_hints(printable(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("osteomonitor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
