"""Accelerometer settings the profile does not offer are refused before connecting (issue 11
item 14): before, `record --simulate h10 --rate 7` printed "not offered", recorded heart
rate only and exited 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from osteomonitor.cli import main
from osteomonitor.devices.profiles import get_profile
from osteomonitor.errors import UsageError


@pytest.mark.parametrize(
    ("flag", "value", "listed"),
    [("--rate", "7", "25, 50, 100, 200 Hz"), ("--range", "99", "2, 4, 8 g")],
)
def test_record_refuses_a_setting_the_h10_does_not_offer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str, listed: str
) -> None:
    out = tmp_path / "r.omrec"
    argv = ["record", "--simulate", "h10", flag, value, "--patient", "P07", "-o", str(out)]
    code = main([*argv, "--duration", "2", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{flag} {value}" in err and f"it offers {listed}" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()  # nothing recorded: the session was refused, not half-made


def test_profiles_without_an_accelerometer_ignore_the_setting() -> None:
    get_profile("hr-strap").check_acc_request(7, 99)  # one --rate may serve IMU and strap
    get_profile("osteomonitor-imu").check_acc_request(400, 16)
    with pytest.raises(UsageError, match="it offers 25, 50, 100, 200, 400 Hz"):
        get_profile("osteomonitor-imu").check_acc_request(7, None)
