"""Small pieces of the collect layer: --device parsing, keys, file names, the status line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from osteomonitor.collect.device_spec import DeviceSpec, parse_device, unique_keys
from osteomonitor.collect.session_recording import default_output, local_timezone
from osteomonitor.collect.status import CollectorStatus, DeviceStatus
from osteomonitor.errors import UsageError


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("Polar H10", DeviceSpec("Polar H10")),
        (" C0:9E:1A:00:00:01 ", DeviceSpec("C0:9E:1A:00:00:01")),
        ("hip=MetaWear@metamotion", DeviceSpec("MetaWear", key="hip", profile="metamotion")),
        ("strap=HRM-Dual:0A1B2C", DeviceSpec("HRM-Dual:0A1B2C", key="strap")),
    ],
)
def test_parse_device(text: str, spec: DeviceSpec) -> None:
    assert parse_device(text) == spec


def test_parse_device_carries_rate_and_range() -> None:
    assert parse_device("X", 100.0, 16.0) == DeviceSpec("X", rate_hz=100.0, range_g=16.0)


@pytest.mark.parametrize("text", ["", "hip=", "Hip=X", "X@", "a b=X"])
def test_parse_device_rejects(text: str) -> None:
    with pytest.raises(UsageError):
        parse_device(text)


def test_unique_keys() -> None:
    assert unique_keys(["hr-strap", "polar-h10", "hr-strap"]) == [
        "hr-strap",
        "polar-h10",
        "hr-strap-2",
    ]


def test_default_output_is_file_safe() -> None:
    when = dt.datetime(2025, 3, 1, 10, 5, 7)
    assert default_output("P 07/../x", "impact", when) == Path(
        "recordings/P_07_x-20250301-100507-impact.omrec"
    )


def test_local_timezone_reads_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Helsinki")
    assert local_timezone() == "Europe/Helsinki"
    monkeypatch.setenv("TZ", "not a zone")
    assert local_timezone() != "not a zone"


def test_status_line_shows_what_a_person_needs() -> None:
    h10 = DeviceStatus(
        key="h10",
        name="Polar H10 1",
        address="A",
        profile="polar-h10",
        state="streaming",
        detail="streaming",
        connected=True,
        battery_pct=87,
        hr_bpm=96,
        contact=True,
        packets=1203,
        dropped=2,
        decode_errors=3,
        link_losses=1,
        settings={"sample_rate": 200},
    )
    lost = DeviceStatus(
        key="strap",
        name="HRM",
        address="B",
        profile="hr-strap",
        state="reconnecting",
        outage_s=12.4,
        contact=False,
        hr_bpm=80,
    )
    line = CollectorStatus((h10, lost), elapsed_s=3723.0, recorded=1500).line()
    assert line.startswith("1:02:03 rec 1500 | h10 streaming HR 96 ACC 200Hz bat 87% 1203 pkt")
    assert "2 DROPPED" in line and "3 bad" in line and "1 drop" in line and "1 drops" not in line
    assert "strap LINK LOST 12s, reconnecting HR 80 NO CONTACT" in line
