"""The `osteomonitor` command.

Each command group lives in its own module here and exposes
`register(subparsers) -> None`; a command's handler is `func(args) -> int`.
Modules import heavy layers (numpy, bleak, textual …) inside the handler, never at
import time, so `osteomonitor --help` and headless commands stay fast and the
headless ones never load textual.

User mistakes raise `OsteomonitorError`; `main` prints its message on one line
(prefixed "osteomonitor: error:") and exits with its `exit_code`, never a traceback.
Commands quoted in messages ('osteomonitor scan') are spelled the way the person ran
the program (`osteomonitor.invocation`), so a hint pastes as it is.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from osteomonitor import __version__
from osteomonitor.errors import OsteomonitorError

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


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from osteomonitor.errors import UsageError

        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every command group that is installed."""
    parser = _Parser(
        prog="osteomonitor",
        description="Watch bone-loading exercise sessions: record BLE wearables, "
        "analyse jumps, impacts and heart-rate intensity, check the FITT prescription.",
    )
    parser.add_argument("--version", action="version", version=f"osteomonitor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # group not written yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
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
