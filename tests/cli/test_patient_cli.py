"""`osteomonitor patient …` and `record --patient` finding the prescription in force, through
the real entry point (issue 16 item 2). The conftest gives every test its own patients
folder (OSTEOMONITOR_PATIENTS)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from osteomonitor.cli import main

#: The five clinical answers `patient add` and `prescription new` both require.
ANSWERS = [
    "--age",
    "67",
    "--risk",
    "moderate",
    "--vertebral-fracture",
    "no",
    "--hr-medication",
    "no",
    "--resting-hr",
    "62",
]
ADD = [
    "patient",
    "add",
    "P07",
    *ANSWERS,
    "--mass",
    "64",
    "--timezone",
    "Europe/Helsinki",
    "--notes",
    "prefers mornings",
]


def _folder() -> Path:
    return Path(os.environ["OSTEOMONITOR_PATIENTS"])


def _widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def test_add_prescribe_show_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ADD) == 0
    cap = capsys.readouterr()
    assert "default: resting HR taken today" in cap.err
    assert (_folder() / "P07" / "patient.toml").is_file()
    assert (
        main(
            [
                "patient",
                "prescribe",
                "P07",
                "--from",
                "2025-03-03",
                "--start",
                "2025-03-03",
                "--hr-ceiling",
                "75%hrr",
            ]
        )
        == 0
    )
    cap = capsys.readouterr()
    assert "in force from 2025-03-03" in cap.out and "HR ceiling 136 bpm (75 %HRR)" in cap.out
    assert "default: template ksbmr-2023" in cap.err
    # a later one with every default: programme week 1 stays, ceiling is the template's
    assert main(["patient", "prescribe", "P07", "--from", "2025-04-14"]) == 0
    cap = capsys.readouterr()
    assert "programme week 1 stays 2025-03-03" in cap.err
    assert "HR ceiling 60 %HRR, the top of ksbmr-2023" in cap.err
    assert main(["patient", "show", "P07"]) == 0
    out = capsys.readouterr().out
    assert "prefers mornings" in out
    assert " 2025-03-03  2025-03-03.toml  ksbmr-2023" in out
    assert "*2025-04-14  2025-04-14.toml" in out
    week = (dt.date.today() - dt.date(2025, 3, 3)).days // 7 + 1
    assert f"In force today ({dt.date.today()}, programme week {week}): 2025-04-14.toml" in out
    assert "HR ceiling 121 bpm (60 %HRR)" in out
    assert _widest(out) <= 100
    assert main(["patient", "list"]) == 0
    out = capsys.readouterr().out
    assert "P07" in out and "2 prescription(s), in force since 2025-04-14" in out


def test_edit_changes_only_what_is_given(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ADD) == 0
    assert main(["patient", "prescribe", "P07"]) == 0
    capsys.readouterr()
    assert main(["patient", "edit", "P07", "--resting-hr", "58", "--age", "68"]) == 0
    cap = capsys.readouterr()
    assert "resting_hr_bpm: 62 → 58" in cap.out and "age_y: 67 → 68" in cap.out
    assert "osteomonitor patient prescribe P07" in cap.out
    text = (_folder() / "P07" / "patient.toml").read_text()
    assert (
        "bpm = 58" in text and f"date = {dt.date.today()}" in text and "body_mass_kg = 64" in text
    )
    assert main(["patient", "show", "P07"]) == 0
    out = capsys.readouterr().out
    assert "note: resting HR is 58 bpm in the facts but 62 bpm in this prescription" in out
    assert main(["patient", "edit", "P07", "--resting-hr-date", "2999-01-01"]) == 2
    assert "in the future" in capsys.readouterr().err
    assert main(["patient", "edit", "P07"]) == 2
    assert "give the facts to change" in capsys.readouterr().err
    assert main(["patient", "edit", "P07", "--clear", "mass", "--clear", "notes"]) == 0
    assert "body_mass_kg: 64 → –" in capsys.readouterr().out
    text = (_folder() / "P07" / "patient.toml").read_text()
    assert "body_mass_kg" not in text and "notes" not in text and "timezone" in text
    assert main(["patient", "edit", "P07", "--mass", "60", "--clear", "mass"]) == 1
    assert "cannot clear body_mass_kg" in capsys.readouterr().err


def test_bad_record_is_reported_and_left_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(ADD) == 0
    facts = _folder() / "P07" / "patient.toml"
    facts.write_text(facts.read_text().replace("age_y = 67", "age_y = sixty"))
    before = facts.read_bytes()
    assert main(["patient", "edit", "P07", "--age", "68"]) == 1
    err = capsys.readouterr().err
    assert str(facts) in err and "not valid TOML" in err and "fix the file by hand" in err
    assert "Traceback" not in err
    assert facts.read_bytes() == before
    facts.write_text(facts.read_text().replace("age_y = sixty", "age_y = 67\nheight_cm = 170"))
    assert main(["patient", "show", "P07"]) == 1
    err = capsys.readouterr().err
    assert f"{facts}: height_cm: unknown key" in err
    assert main(["patient", "list"]) == 0
    assert "P07          DOES NOT READ" in capsys.readouterr().out


def test_prescribe_from_a_file_and_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(ADD) == 0
    rx = tmp_path / "p07.toml"
    new = ["prescription", "new", "--patient", "P07", *ANSWERS]
    assert main([*new, "--template", "conservative", "-o", str(rx)]) == 0
    assert main(["patient", "prescribe", "P07", "--file", str(rx), "--from", "2025-01-06"]) == 0
    assert "conservative prescription in force from 2025-01-06" in capsys.readouterr().out
    assert main(["patient", "prescribe", "P07", "--file", str(rx), "--template", "x"]) == 2
    assert "drop --template" in capsys.readouterr().err
    other = tmp_path / "p09.toml"
    assert main([*new[:3], "P09", *new[4:], "-o", str(other)]) == 0
    assert main(["patient", "prescribe", "P07", "--file", str(other)]) == 1
    assert "for 'P09', not 'P07'" in capsys.readouterr().err
    assert main(["patient", "prescribe", "P99"]) == 1
    assert "osteomonitor patient add P99" in capsys.readouterr().err
    assert (
        main(
            [
                "patient",
                "add",
                "Jane Doe",
                "--age",
                "60",
                "--risk",
                "low",
                "--vertebral-fracture",
                "no",
                "--hr-medication",
                "no",
                "--resting-hr",
                "60",
            ]
        )
        == 2
    )
    assert "not a pseudonym" in capsys.readouterr().err


def test_record_uses_the_prescription_in_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from osteomonitor.session.recording import read_header

    assert main(ADD) == 0
    assert main(["patient", "prescribe", "P07"]) == 0
    in_force = next((_folder() / "P07" / "prescriptions").glob("*.toml"))
    capsys.readouterr()
    out = tmp_path / "r.omrec"
    args = ["record", "--simulate", "h10", "--duration", "1", "--quiet", "-o"]
    assert main([*args, str(out), "--patient", "P07"]) == 0
    assert f"P07: prescription in force since {dt.date.today()} ({in_force})" in (
        capsys.readouterr().err
    )
    assert read_header(out).meta.prescription_toml == in_force.read_text()
    assert main(["prescription", "show", str(out)]) == 0
    shown = " ".join(capsys.readouterr().out.split())  # a long path wraps
    assert "Prescription for P07" in shown and "(prescription snapshot)" in shown
    # no record: recorded without a prescription, and said so
    bare = tmp_path / "bare.omrec"
    assert main([*args, str(bare), "--patient", "P08"]) == 0
    assert "no patient record for P08" in capsys.readouterr().err
    assert read_header(bare).meta.prescription_toml is None
    assert main(["prescription", "show", str(bare)]) == 1
    assert "made without a prescription" in capsys.readouterr().err


def test_live_takes_the_prescription_in_force(capsys: pytest.CaptureFixture[str]) -> None:
    from osteomonitor.cli.live import _session_rx

    assert _session_rx("P07", None) == (None, None)
    assert "no patient record for P07" in capsys.readouterr().err
    assert main(ADD) == 0
    assert _session_rx("P07", None) == (None, None)
    assert "P07 has no prescription in force on" in capsys.readouterr().err
    assert main(["patient", "prescribe", "P07"]) == 0
    rx, text = _session_rx("P07", None)
    assert rx is not None and rx.patient.pseudonym == "P07"
    assert text == next((_folder() / "P07" / "prescriptions").glob("*.toml")).read_text()


def test_readme_patient_commands_parse() -> None:
    """Every `patient`, `config` and `prescription` line of the README parses as written."""
    import re
    import shlex

    from osteomonitor.cli import build_parser

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    text = readme.replace("\\\n", " ")
    lines = re.findall(r"^osteomonitor (?:patient|config|prescription)\b[^\n]*", text, re.M)
    assert len(lines) >= 10
    parser = build_parser()
    for line in lines:
        parser.parse_args(shlex.split(line, comments=True)[1:])


def test_add_names_what_is_missing_or_asks(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    assert main(["patient", "add", "P07", "--age", "67"]) == 2
    err = capsys.readouterr().err
    assert "patient add: missing --risk, --vertebral-fracture, --hr-medication" in err
    monkeypatch.setattr(sys, "stdin", io.StringIO("high\nyes\nno\nsixty\n60\n"))
    assert main(["patient", "add", "P07", "--age", "67", "--interactive"]) == 0
    cap = capsys.readouterr()
    assert "'sixty' is not a number of bpm; try again" in cap.err
    assert "age, years" not in cap.err
    text = (_folder() / "P07" / "patient.toml").read_text()
    assert 'fracture_risk = "high"' in text and "prior_vertebral_fracture = true" in text
