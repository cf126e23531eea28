"""`osteomonitor record` and `osteomonitor scan` from the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
)

from osteomonitor.cli import main
from osteomonitor.collect.stack import bluetooth_unavailable
from osteomonitor.model import EventKind
from osteomonitor.store import RecordingReader

CLI = [sys.executable, "-m", "osteomonitor"]


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_streams_then_closes_the_recording(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "sig.omrec"
    proc = subprocess.Popen(
        [
            *CLI,
            "record",
            "--simulate",
            "h10",
            "--sim-speed",
            "20",
            "--patient",
            "T1",
            "-o",
            str(out),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    for line in proc.stderr:
        if line.startswith("recording to") or time.monotonic() > deadline:
            break
    time.sleep(1.0)  # ~20 simulated seconds
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "saved" in stdout
    reader = RecordingReader(out)
    assert reader.ended_cleanly
    assert reader.meta.simulated
    events = reader.events()
    assert events[-1].kind == EventKind.STREAM_STOPPED and events[-1].data["by"] == "host"
    assert sum(p.stream == "pmd_data" for p in reader.packets()) > 50
    reader.close()


def test_record_duration_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "d.omrec"
    code, stdout, stderr = run_cli(
        [
            "record",
            "--simulate",
            "h10,hr-strap",
            "--sim-speed",
            "25",
            "--duration",
            "20",
            "--sim-faults",
            "malformed=20",
            "--patient",
            "T2",
            "--kind",
            "aerobic",
            "-o",
            str(out),
        ],
        capsys,
    )
    assert code == 0, stderr
    assert f"saved {out}" in stdout
    assert "malformed (kept raw, skipped by analysis)" in stdout
    assert "h10: Polar H10 0A3B5C7D [C0:9E:1A:00:00:01] profile polar-h10" in stderr
    reader = RecordingReader(out)
    assert {d.key for d in reader.devices} == {"h10", "strap"}
    assert reader.meta.kind == "aerobic"
    assert "malformed=20" in reader.meta.notes
    reader.close()


def test_record_reports_a_control_point_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _stdout, stderr = run_cli(
        [
            "record",
            "--simulate",
            "h10",
            "--sim-speed",
            "25",
            "--duration",
            "6",
            "--sim-faults",
            "cp-error=9",
            "--patient",
            "T3",
            "-o",
            str(tmp_path / "e.omrec"),
        ],
        capsys,
    )
    assert code == 0
    assert "device error: h10 (Polar H10 0A3B5C7D): the device refused to start the " in stderr
    assert "INVALID_RANGE (status 9)" in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["record", "--patient", "P"], "name a wearable with --device"),
        (["record", "--patient", "P", "--simulate", "garmin"], "unknown virtual wearable garmin"),
        (["record", "--patient", "P", "--simulate", "h10", "--kind", "yoga"], "--kind 'yoga'"),
        (["record", "--patient", "P", "--simulate", "h10", "--sim-faults", "boom"], "'boom'"),
        (["record", "--patient", "P", "--device", "Hip=X"], "key 'Hip'"),
        (["scan", "--timeout", "0"], "--timeout must be > 0"),
    ],
)
def test_usage_errors_are_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, stderr = run_cli(args, capsys)
    assert code == 2
    assert message in stderr and "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_scan_simulated_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, stdout, _ = run_cli(
        ["scan", "--simulate", "h10,hr-strap", "--sim-speed", "20", "--timeout", "0.5", "--json"],
        capsys,
    )
    assert code == 0
    rows = {r["name"]: r for r in json.loads(stdout)}
    assert rows["Polar H10 0A3B5C7D"]["profile"] == "polar-h10"
    assert rows["HRM-Dual:0A1B2D"]["battery_pct"] == 76


def test_scan_without_bluetooth_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    if any(
        os.path.exists(p)
        for p in ("/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket")
    ):
        pytest.skip("this host has a D-Bus system bus; the no-Bluetooth path is covered below")
    code, _, stderr = run_cli(["scan", "--timeout", "0.5"], capsys)
    assert code == 1
    assert stderr.startswith("osteomonitor: error: Bluetooth is unavailable: the D-Bus system bus")


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (
            BleakBluetoothNotAvailableError("x", BleakBluetoothNotAvailableReason.NO_BLUETOOTH),
            "no Bluetooth adapter",
        ),
        (
            BleakBluetoothNotAvailableError("x", BleakBluetoothNotAvailableReason.POWERED_OFF),
            "switched off",
        ),
        (
            BleakBluetoothNotAvailableError("x", BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM),
            "'bluetooth' group",
        ),
        (
            BleakDBusError(
                "org.freedesktop.DBus.Error.ServiceUnknown", ["The name org.bluez was not provided"]
            ),
            "BlueZ (bluetoothd) is not running",
        ),
        (
            BleakDBusError("org.freedesktop.DBus.Error.AccessDenied", ["denied"]),
            "permission denied",
        ),
        (FileNotFoundError(2, "No such file or directory"), "D-Bus system bus is not reachable"),
        (PermissionError(13, "Permission denied"), "permission denied"),
    ],
)
def test_bluetooth_unavailable_messages(exc: BaseException, words: str) -> None:
    error = bluetooth_unavailable(exc)
    assert error is not None and words in str(error)


def test_other_errors_are_not_called_bluetooth_unavailable() -> None:
    assert bluetooth_unavailable(ValueError("nope")) is None
    assert (
        bluetooth_unavailable(BleakDBusError("org.bluez.Error.Failed", ["le-connection-abort"]))
        is None
    )


def test_interrupt_while_connecting_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "never.omrec"
    proc = subprocess.Popen(
        [
            *CLI,
            "record",
            "--simulate",
            "h10",
            "--device",
            "No Such Strap",
            "--patient",
            "T4",
            "-o",
            str(out),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)  # importing, powering the virtual radio, scanning for a missing name
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted while connecting: nothing was recorded" in stderr
    assert list(tmp_path.iterdir()) == []


def test_interrupt_while_still_importing_is_not_lost(tmp_path: Path) -> None:
    """A Ctrl-C in the first second (the collector still importing) stops at once: exit
    130 and no file, never a wait through the whole device search."""
    out = tmp_path / "never.omrec"
    proc = subprocess.Popen(
        [
            *CLI,
            "record",
            "--simulate",
            "h10",
            "--device",
            "No Such Strap",
            "--patient",
            "T5",
            "-o",
            str(out),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr
    assert time.monotonic() - t0 < 12, "the interrupt waited out the device search"
    assert list(tmp_path.iterdir()) == []
