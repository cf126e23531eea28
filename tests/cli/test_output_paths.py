"""`-o` where a file cannot be created: one clear line and a non-zero exit, never a traceback
(issue 11 item 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from osteomonitor.cli import main


def _one_line_error(capsys: pytest.CaptureFixture[str], code: int, needle: str) -> None:
    err = capsys.readouterr().err
    assert code != 0, err
    lines = [ln for ln in err.splitlines() if ln.startswith("osteomonitor: error:")]
    assert len(lines) == 1 and needle in lines[0], err
    assert "Traceback" not in err


def test_record_into_a_folder_that_is_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "p07.toml").write_text("not a folder\n")
    out = tmp_path / "p07.toml" / "r.omrec"
    argv = ["record", "--simulate", "h10", "--patient", "P07", "-o", str(out), "--quiet"]
    code = main([*argv, "--duration", "1"])
    _one_line_error(capsys, code, "p07.toml is a file, not a folder")


def test_demo_into_a_folder_that_cannot_be_made(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "-o", "/proc/x/y.omrec"])
    _one_line_error(capsys, code, "cannot create the folder /proc/x")


def test_import_into_a_folder_that_cannot_be_made(
    datasets_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    psl = datasets_dir / "polar-sensor-logger"
    code = main(["import", "polar-sensor-logger", str(psl), "-o", "/proc/x/i.omrec"])
    _one_line_error(capsys, code, "cannot create the folder /proc/x")
