"""The command line's side of issue 11: `prescription new -o` is the documented way (0600,
atomic; item 9), one pseudonym rule for every command that takes `--patient` (item 7),
and what the plausibility gates set aside is shown by `analyze` and `recordings info`
(items 4-5)."""

from __future__ import annotations

import json
import re
import stat
import struct
from pathlib import Path

import numpy as np
import pytest
from test_cli_prescription import NEW

from osteomonitor.cli import main
from osteomonitor.devices import osteomonitor_imu
from osteomonitor.model import DeviceInfo, Packet, SessionMeta
from osteomonitor.sim.session_model import SessionModel
from osteomonitor.store import RecordingWriter

README = Path(__file__).resolve().parents[2] / "README.md"
NS = 1_000_000_000
T0 = 1_790_000_000 * NS


def test_readme_writes_prescriptions_with_o_not_a_shell_redirect() -> None:
    text = README.read_text(encoding="utf-8")
    assert not re.search(r"prescription new[^`]*?> *\S+\.toml", text, re.S)
    assert "-o p07.toml" in text and "0600" in text


def test_prescription_new_o_is_owner_only_and_replaces_atomically(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "p07.toml"
    out.write_text("an older prescription\n")
    out.chmod(0o644)
    with out.open() as old:
        assert main([*NEW, "-o", str(out)]) == 0
        assert old.read() == "an older prescription\n"  # renamed over, never truncated
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and "[patient]" in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["p07.toml"]


@pytest.mark.parametrize("patient", ["Jane Doe", "", "P07\n", "P07\x1b[31m", "P07[/]"])
@pytest.mark.parametrize(
    "argv",
    [
        ["record", "--simulate", "h10", "--duration", "1", "--quiet"],
        ["live", "--simulate", "h10"],
        ["import", "polar-sensor-logger", "."],
        NEW,
    ],
    ids=["record", "live", "import", "prescription-new"],
)
def test_every_patient_option_follows_the_one_pseudonym_rule(
    argv: list[str], patient: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = list(argv)
    if "--patient" in args:
        args[args.index("--patient") + 1] = patient
    else:
        args += ["--patient", patient]
    code = main([*args, "-o", str(tmp_path / "x.omrec")])
    err = capsys.readouterr().err
    assert code == 2 and "is not a pseudonym" in err and "\x1b" not in err, err
    assert list(tmp_path.iterdir()) == []


def _imu_recording(path: Path) -> None:
    model = SessionModel(seed=3, duration_s=60.0)
    fs, per = 200, 38
    n = int(60 * fs) // per * per
    t = np.arange(n) / fs
    acc = model.acc_g(t)
    meta = SessionMeta("P07", "impact", "2026-09-21T14:13:20+00:00", "UTC", "test")
    dev = DeviceInfo("hip", "C0:00:00:00:00:20", "OsteoIMU 1", "osteomonitor-imu",
                     settings={"sample_rate": fs, "range_g": 16})  # fmt: skip
    with RecordingWriter.create(path, meta) as w:
        w.add_device(dev)
        for k in range(0, n, per):
            b = bytearray(
                osteomonitor_imu.encode_frame(round(t[k] * 1e6), k, acc[k : k + per], fs, 16)
            )
            if k // per == 50:
                b[2:4] = struct.pack("<H", 7368)  # one corrupted rate field
            if k // per in (60, 61, 62):
                b[16:18] = struct.pack("<h", 32767)
                b[1] = 2  # ±2 g frame in a ±16 g stream
            w.write_packet(Packet(T0 + round(t[k + per - 1] * NS), "hip", "imu_data", bytes(b)))


def test_analyze_and_info_show_what_was_set_aside_and_analyse_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "imu.omrec"
    _imu_recording(path)
    assert main(["analyze", str(path)]) == 0  # aborted the whole session before
    text = capsys.readouterr().out
    assert "1 frame set aside: rate differs from the stream's 200 Hz (hip imu_data)" in text
    assert "3 frames set aside: range differs from the stream's ±16 g (hip imu_data)" in text
    assert main(["analyze", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {(a["reason"], a["frames"]) for a in doc["session"]["set_aside"]} == {
        ("rate differs from the stream's 200 Hz", 1),
        ("range differs from the stream's ±16 g", 3),
    }
    assert doc["session"]["packets"] == 315 and doc["measured"]["acc_coverage"] > 0.9
    assert main(["recordings", "info", str(path)]) == 0
    info = capsys.readouterr().out
    assert "quality   3 frames set aside: range differs" in info
