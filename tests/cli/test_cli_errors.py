"""User mistakes at the command line: one clear line, non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from osteomonitor.model import DeviceInfo, Packet, SessionMeta
from osteomonitor.store import RecordingWriter


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "osteomonitor", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_version() -> None:
    from osteomonitor import __version__

    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"osteomonitor {__version__}"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("recordings", "info", "/nonexistent/x.omrec"), "no such file"),
        (("recordings", "list", "/nonexistent/dir"), "no such folder"),
        (("recordings", "info", __file__), "not an osteomonitor recording"),
        (("recordings", "frobnicate"), "invalid choice"),
        (("no-such-command",), "invalid choice"),
    ],
)
def test_mistakes_are_one_clear_line(args: tuple[str, ...], needle: str) -> None:
    out = run(*args)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("osteomonitor: error:") and needle in lines[0]


def test_recordings_list_and_info(tmp_path: Path) -> None:
    path = tmp_path / "s.omrec"
    with RecordingWriter.create(
        path, SessionMeta("P03", "aerobic", "2026-11-20T17:05:00+01:00", "Europe/Paris", "0.1.0")
    ) as w:
        w.add_device(DeviceInfo("strap", "AA:BB", "HRM-Pro", "hr-strap", battery_pct=55))
        w.write_packet(Packet(0, "strap", "hr", b"\x00\x3c"))
        w.write_packet(Packet(65_000_000_000, "strap", "hr", b"\x00\x50"))
    out = run("recordings", "list", str(tmp_path))
    assert out.returncode == 0, out.stderr
    line = out.stdout.splitlines()[1]
    for field in ("2026-11-20 17:05", "P03", "aerobic", "1:05", "strap (hr-strap)", "2", "yes"):
        assert field in line
    out = run("recordings", "info", str(path))
    assert out.returncode == 0, out.stderr
    assert "P03" in out.stdout and "battery 55%" in out.stdout and "ended cleanly" in out.stdout
