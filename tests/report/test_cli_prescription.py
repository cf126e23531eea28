"""`osteomonitor prescription new|check|show|templates` through the real entry point."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from osteomonitor.cli import main
from osteomonitor.prescription import TEMPLATES, load_prescription

NEW = [
    "prescription",
    "new",
    "--template",
    "ksbmr-2023",
    "--patient",
    "P07",
    "--age",
    "67",
    "--risk",
    "moderate",
    "--vertebral-fracture",
    "no",
    "--hr-medication",
    "no",
    "--mass",
    "64",
    "--resting-hr",
    "62",
    "--resting-hr-method",
    "seated-5min",
    "--resting-hr-date",
    "2025-02-24",
    "--hrmax",
    "tanaka",
    "--timezone",
    "Europe/Helsinki",
    "--start",
    "2025-03-03",
    "--hr-ceiling",
    "75%hrr",
]


def _opt(args: list[str], name: str, value: str) -> list[str]:
    out = list(args)
    out[out.index(name) + 1] = value
    return out


def test_new_check_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(NEW) == 0
    text = capsys.readouterr().out
    f = tmp_path / "p07.toml"
    f.write_text(text, encoding="utf-8")
    rx = load_prescription(f)
    assert rx.template == "ksbmr-2023" and rx.patient.hrmax_method == "tanaka"
    assert '# ksbmr-2023 "Impact exercise" × "Time / volume": "10–50 jumps/session"' in text
    assert main(["prescription", "check", str(f)]) == 0
    out = capsys.readouterr().out
    assert f"{f}: valid: P07, ksbmr-2023" in out
    assert "no [[resistance.exercises]] give a 1RM" in out
    assert main(["prescription", "show", str(f)]) == 0
    shown = capsys.readouterr().out
    assert "10–50 jumps" in shown and "HR ceiling 136 bpm (75 %HRR)" in shown


def test_new_writes_owner_only_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "p07.toml"
    assert main([*NEW, "-o", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert load_prescription(out).patient.pseudonym == "P07"


def test_new_at_high_risk_leaves_impact_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_opt(NEW, "--risk", "high")) == 0
    cap = capsys.readouterr()
    assert "\n[impact]" not in cap.out
    assert "[impact] left out: the impact ceiling is brisk-walk" in cap.err


def test_new_measured_hrmax_and_bpm_ceiling(capsys: pytest.CaptureFixture[str]) -> None:
    args = _opt(_opt(NEW, "--hrmax", "158"), "--hr-ceiling", "130")
    assert main(args) == 2
    assert "add --hrmax-date" in capsys.readouterr().err
    assert main([*args, "--hrmax-date", "2025-02-20"]) == 0
    assert (
        'hrmax = { method = "measured", bpm = 158, date = 2025-02-20 }' in capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("--age", "250", "patient.age_y: 250 is outside 18–110 years"),
        ("--risk", "severe", "'severe': fracture risk is low, moderate or high"),
        ("--resting-hr", "170", "patient.resting_hr.bpm: 170 is outside 30–120 bpm"),
        ("--template", "who", "unknown template 'who'"),
        ("--timezone", "Europe/Atlantis", "not an IANA time zone"),
        ("--hr-ceiling", "fast", "--hr-ceiling 'fast'"),
        ("--start", "March", "is not a date like 2025-03-03"),
    ],
)
def test_new_rejects_bad_values(
    name: str, value: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_opt(NEW, name, value)) != 0
    cap = capsys.readouterr()
    assert cap.out == ""
    assert message in cap.err and "Traceback" not in cap.err


def test_new_requires_every_patient_option(capsys: pytest.CaptureFixture[str]) -> None:
    i = NEW.index("--vertebral-fracture")
    assert main(NEW[:i] + NEW[i + 2 :]) == 2
    assert "--vertebral-fracture" in capsys.readouterr().err


def test_check_reports_file_key_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(NEW)
    text = capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(
        text.replace("age_y = 67", "age_y = 250").replace("[impact]\n", "[impact]\njumpz = 3\n"),
        encoding="utf-8",
    )
    good = tmp_path / "good.toml"
    good.write_text(text, encoding="utf-8")
    assert main(["prescription", "check", str(good), str(bad)]) == 1
    cap = capsys.readouterr()
    assert f"{good}: valid" in cap.out
    assert f"{bad}: patient.age_y: 250 is outside 18–110" in cap.err
    assert f"{bad}: impact.jumpz: unknown key" in cap.err
    assert main(["prescription", "show", str(bad)]) == 1
    assert main(["prescription", "check", str(tmp_path / "none.toml")]) == 1
    assert "cannot read the prescription" in capsys.readouterr().err


def test_templates_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prescription", "templates"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in TEMPLATES)
