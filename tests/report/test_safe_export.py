"""Exports never replace an input or a recording, never follow a link, and are written
atomically owner-only (issue 11 item 2). Before, `analyze X.omrec --csv-jumps X.omrec`
replaced the recording with CSV."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from recordings import impact_recording

from osteomonitor.cli import main
from osteomonitor.report.files import write_export
from osteomonitor.store import RecordingReader

DAY = dt.date(2025, 3, 4)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rec") / "s.omrec"
    impact_recording(path, DAY, seed=1, rx_toml=None, duration_s=60.0)
    return path


def _intact(path: Path) -> int:
    with RecordingReader(path) as r:
        return r.packet_count


@pytest.mark.parametrize("flag", ["--csv-jumps", "--csv-minutes"])
def test_analyze_refuses_to_export_over_its_own_recording(
    recording: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    before = recording.read_bytes()
    code = main(["analyze", str(recording), flag, str(recording)])
    err = capsys.readouterr().err
    assert code == 2 and "is also an input" in err and "Traceback" not in err
    assert recording.read_bytes() == before and _intact(recording) > 0


def test_analyze_refuses_another_recording_even_renamed(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.csv"  # a recording under a CSV name is still a recording
    other.write_bytes(recording.read_bytes())
    code = main(["analyze", str(recording), "--csv-jumps", str(other)])
    assert code == 2 and "is a recording" in capsys.readouterr().err
    assert other.read_bytes() == recording.read_bytes()


def test_analyze_refuses_to_write_through_a_symlink(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    link = tmp_path / "jumps.csv"
    link.symlink_to(victim)
    code = main(["analyze", str(recording), "--csv-jumps", str(link)])
    assert code == 2 and "symbolic link" in capsys.readouterr().err
    assert victim.read_text() == "keep me\n" and link.is_symlink()


def test_an_export_is_owner_only_and_replaces_only_an_export(
    recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "jumps.csv"
    out.write_text("old export\n")
    os.chmod(out, 0o644)
    assert main(["analyze", str(recording), "--csv-jumps", str(out)]) == 0
    assert out.read_text().startswith("jump,") or "," in out.read_text().splitlines()[0]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["jumps.csv"]  # no temporary left


def test_write_export_renames_a_complete_file_over_the_old_one(tmp_path: Path) -> None:
    """Never truncated in place (an interrupted `prescription new > p07.toml` left an empty
    file): a reader of the old file keeps the whole old content, the new one appears whole."""
    out = tmp_path / "p07.toml"
    out.write_text("previous\n")
    with out.open() as old:
        write_export(out, "new\n")
        assert old.read() == "previous\n"
    assert out.read_text() == "new\n" and stat.S_IMODE(out.stat().st_mode) == 0o600
