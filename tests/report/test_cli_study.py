"""`osteomonitor analyze DIR… --jobs N --out PREFIX`: a study table over many recordings.

Real files (Polar H10 sessions replaying the simulator's session model, a strap session)
beside a file that is no recording: the table holds one row per file, the broken one
with its error and the others with what `analyze` says of each; both files are
owner-only; progress and the skipped file are reported on stderr; the study does not
stop at the bad file.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from recordings import hr_recording, impact_recording

from osteomonitor.app.study import study_row
from osteomonitor.cli import main

D = dt.date(2025, 3, 10)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("study")
    sub = root / "p02"
    sub.mkdir()
    truth = {
        "a": len(impact_recording(root / "a.omrec", D, 1, None, duration_s=130).jumps()),
        "b": len(impact_recording(sub / "b.omrec", D, 2, None, "P02", duration_s=130).jumps()),
    }
    hr_recording(root / "c.omrec", D, "aerobic", 3.0, 110.0, None)
    (root / "broken.omrec").write_bytes(b"not a recording at all")
    return root, truth


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_study_writes_one_row_per_recording(
    folder: tuple[Path, dict[str, int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    jobs: str,
) -> None:
    root, truth = folder
    out = tmp_path / "study"
    assert main(["analyze", str(root), "--jobs", jobs, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    rows = list(csv.DictReader((tmp_path / "study.csv").open()))
    lines = [json.loads(x) for x in (tmp_path / "study.jsonl").read_text().splitlines()]
    for p in (tmp_path / "study.csv", tmp_path / "study.jsonl"):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    names = [Path(r["file"]).name for r in rows]
    assert names == ["a.omrec", "broken.omrec", "c.omrec", "b.omrec"]
    by = {Path(r["file"]).stem: r for r in lines}
    assert by["broken"]["error"] and "not an osteomonitor recording" in by["broken"]["error"]
    assert by["a"]["error"] is None and by["a"]["jumps"] == truth["a"]
    assert by["b"]["jumps"] == truth["b"] and by["b"]["patient"] == "P02"
    assert by["c"]["jumps"] == 0 and by["c"]["hr_mean_bpm"] == pytest.approx(110, abs=3)
    assert rows[0]["jumps"] == str(truth["a"]) and rows[1]["jumps"] == ""
    assert f"skipped {root / 'broken.omrec'}" in err
    assert "4/4 recordings" in err and "1 error" in err  # plain lines when not a terminal


def test_a_row_is_what_analyze_says(folder: tuple[Path, dict[str, int]]) -> None:
    root, _ = folder
    row = study_row(str(root / "a.omrec"))
    from osteomonitor.session import analyze_recording

    _, s = analyze_recording(root / "a.omrec")
    assert row["jumps"] == len(s.jumps) and row["steps"] == s.gait.steps
    assert row["impact_peaks"] == s.impacts.n_peaks and row["packets"] == s.packets


def test_a_study_needs_an_output_and_refuses_single_file_flags(
    folder: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = folder
    assert main(["analyze", str(root)]) == 2
    assert "give --out PREFIX" in capsys.readouterr().err
    assert main(["analyze", str(root), "--out", "x", "--json"]) == 2
    assert "--json is for one recording" in capsys.readouterr().err
    assert main(["analyze", str(root), "--jobs", "0", "--out", "x"]) == 2
    assert "not a number of workers" in capsys.readouterr().err
