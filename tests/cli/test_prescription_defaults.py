"""`prescription new` asks only what a clinician decides and prints every default;
`--interactive` asks for what is missing; `show` fits 100 columns (issue 16 item 2)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest

from osteomonitor.cli import main
from osteomonitor.prescription import TEMPLATES, parse_prescription

CLINICAL = [
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
    "--resting-hr",
    "62",
]
NEW = ["prescription", "new", *CLINICAL]


def test_six_answers_are_enough_and_defaults_are_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Helsinki")
    assert main(NEW) == 0
    cap = capsys.readouterr()
    rx = parse_prescription(cap.out, "new")
    today = dt.date.today()
    assert rx.template == "ksbmr-2023" and rx.start_date == today
    assert rx.patient.timezone == "Europe/Helsinki" and rx.patient.resting_hr_date == today
    assert rx.patient.hrmax_method == "tanaka" and rx.patient.body_mass_kg is None
    assert rx.safety.hr_ceiling_pct_hrr == 60
    for default in (
        "default: template ksbmr-2023",
        f"default: programme week 1 starts today, {today}",
        "default: time zone Europe/Helsinki, this computer's",
        f"default: resting HR taken today, {today}",
        "default: resting HR taken seated-5min",
        "default: HRmax by the Tanaka equation",
        'default: HR ceiling 60 %HRR, the top of ksbmr-2023 "Weight-bearing aerobic"',
    ):
        assert default in cap.err


def test_given_values_are_not_reported_as_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        *NEW,
        "--template",
        "acsm-osteoporosis",
        "--start",
        "2025-03-03",
        "--timezone",
        "Europe/Helsinki",
        "--resting-hr-date",
        "2025-02-24",
        "--hr-ceiling",
        "130",
    ]
    assert main(args) == 0
    cap = capsys.readouterr()
    assert "default: template" not in cap.err and "default: time zone" not in cap.err
    assert "default: HR ceiling" not in cap.err and "default: HRmax" in cap.err
    assert parse_prescription(cap.out, "new").safety.hr_ceiling_bpm == 130


def test_missing_answers_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prescription", "new", "--patient", "P07", "--age", "67"]) == 2
    err = capsys.readouterr().err
    assert "missing --risk, --vertebral-fracture, --hr-medication, --resting-hr" in err
    assert "--interactive" in err


def test_interactive_asks_only_for_what_is_missing_and_re_asks(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = "severe\nmoderate\nmaybe\nno\nno\n500\n62\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    assert main(["prescription", "new", "--interactive", "--patient", "P07", "--age", "67"]) == 0
    cap = capsys.readouterr()
    rx = parse_prescription(cap.out, "new")  # stdout is the prescription only
    assert rx.patient.fracture_risk == "moderate" and rx.patient.resting_hr_bpm == 62
    assert "pseudonym" not in cap.err and "age, years" not in cap.err  # given: not asked
    assert "fracture risk (low, moderate, high): " in cap.err
    assert "'severe': fracture risk is low, moderate or high; try again" in cap.err
    assert "'maybe': answer yes or no; try again" in cap.err
    assert "500 is outside 30–120 bpm; try again" in cap.err


def test_interactive_end_of_input_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("low\n"))
    out = tmp_path / "p.toml"
    assert main([*NEW[:4], "--interactive", "-o", str(out)]) == 2
    assert "no answer for" in capsys.readouterr().err and not out.exists()


def test_help_shows_a_pasteable_ceiling() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "osteomonitor", "prescription", "new", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "100", "PATH": ""},
    ).stdout
    assert "75%hrr" in out and "%%" not in out


def test_resting_hr_date_in_the_future_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    assert main([*NEW, "--resting-hr-date", future]) == 2
    err = capsys.readouterr().err
    assert f"the resting-HR date {future} is in the future" in err


def test_medication_without_measured_hrmax_needs_a_bpm_ceiling(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [*NEW]
    args[args.index("--hr-medication") + 1] = "yes"
    assert main(args) == 2
    assert "give one in bpm from a test on medication" in capsys.readouterr().err
    assert main([*args, "--hr-ceiling", "115"]) == 0


def test_write_failure_says_prescription(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*NEW, "-o", "/proc/nope/p07.toml"]) == 2
    err = capsys.readouterr().err
    assert "cannot write the prescription" in err and "export" not in err


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_show_fits_100_columns(
    template: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "p.toml"
    assert main([*NEW, "--template", template, "-o", str(tmp_path / "p.toml")]) == 0
    capsys.readouterr()
    assert main(["prescription", "show", str(f)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "source:" in out and f"({template})" in out


def test_show_reads_a_bundled_recording(capsys: pytest.CaptureFixture[str]) -> None:
    rec = Path(__file__).resolve().parents[2] / "recordings" / "demo-P00-impact-sim.omrec"
    assert main(["prescription", "show", str(rec)]) == 0
    out = capsys.readouterr().out
    assert "Prescription for P00" in out and "(prescription snapshot)" in out
    assert max(len(line) for line in out.splitlines()) <= 100
