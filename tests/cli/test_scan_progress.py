"""`scan` says what it is doing during its listening time (issue 16: it printed nothing
for 5 s): a line per wearable as it is found, a countdown on a terminal."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pytest

from osteomonitor.app.scanning import ScanResult
from osteomonitor.cli import main
from osteomonitor.cli.scan import ScanPrinter

REPO = Path(__file__).resolve().parents[2]


def test_plain_lines_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["scan", "--simulate", "h10,hr-strap", "--sim-speed", "20", "--timeout", "1"]
    assert main(argv) == 0
    out = capsys.readouterr()
    lines = out.err.splitlines()
    assert lines[0] == "listening for wearables for 1 s…"
    found = [ln for ln in lines if ln.startswith("found ")]
    assert any("Polar H10 0A3B5C7D [C0:9E:1A:00:00:01] polar-h10" in ln for ln in found)
    assert any("HRM-Dual:0A1B2D" in ln and "hr-strap" in ln for ln in found)
    assert lines.index("reading battery levels…") > lines.index(found[-1])
    assert "\r" not in out.err and "\033" not in out.err  # no terminal codes in a log
    assert "HRM-Dual:0A1B2D" in out.out and "76%" in out.out  # the table on stdout


class _Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_countdown_and_found_lines_on_a_terminal() -> None:
    stream, clock = io.StringIO(), _Clock()
    printer = ScanPrinter(stream, tty=True, clock=clock)
    printer.tick()
    assert stream.getvalue() == ""  # nothing before the radio listens
    printer.listening(5.0)
    assert stream.getvalue().endswith("listening for wearables… 5 s left, 0 found")
    printer.found(ScanResult("AA:BB:CC:DD:EE:01", "Polar H10 1", -61, None))
    screen = stream.getvalue()
    assert "\r\033[Kfound Polar H10 1 [AA:BB:CC:DD:EE:01] no known profile, -61 dBm\n" in screen
    assert screen.endswith("5 s left, 1 found")
    clock.t += 2.5
    printer.tick()
    assert stream.getvalue().endswith("3 s left, 1 found")
    clock.t += 3.0
    printer.close()
    assert stream.getvalue().endswith("\r\033[K")  # the countdown line is cleared


def test_scan_reaches_the_domain_through_app_only() -> None:
    cfg = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    ignored = [
        rule
        for contract in cfg["tool"]["importlinter"]["contracts"]
        for rule in contract.get("ignore_imports", [])
    ]
    assert not [r for r in ignored if r.startswith("osteomonitor.cli.scan")]
