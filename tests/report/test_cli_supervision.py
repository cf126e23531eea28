"""The supervision flag end to end: recorded, corrected in review beside the file, shown."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from recordings import hr_recording
from rx_builders import rx_text

from osteomonitor.cli import main
from osteomonitor.cli.supervision import add_supervision_flag, supervision_of


def test_flags_parse_to_true_false_or_unknown() -> None:
    import argparse

    p = argparse.ArgumentParser()
    add_supervision_flag(p)
    assert supervision_of(p.parse_args(["--supervised"])) is True
    assert supervision_of(p.parse_args(["--unsupervised"])) is False
    assert supervision_of(p.parse_args([])) is None
    with pytest.raises(SystemExit):
        p.parse_args(["--supervised", "--unsupervised"])


@pytest.mark.parametrize("command", ["record", "live", "demo"])
def test_record_live_and_demo_offer_the_flag(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "--supervised" in out and "--unsupervised" in out


def test_review_override_is_kept_beside_the_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = tmp_path / "a.omrec"
    hr_recording(rec, dt.date(2025, 3, 4), "aerobic", 25, 108, rx_text())
    before = hashlib.sha256(rec.read_bytes()).hexdigest()
    assert main(["analyze", str(rec), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["session"]["supervised"] is None and doc["compliance"]["supervised"] is None
    assert main(["recordings", "supervised", str(rec), "yes"]) == 0
    assert "recording unchanged" in capsys.readouterr().out
    assert hashlib.sha256(rec.read_bytes()).hexdigest() == before
    assert main(["analyze", str(rec), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["session"]["supervised"] is True and doc["compliance"]["supervised"] is True
    assert main(["analyze", str(rec)]) == 0
    assert "Session: supervised" in capsys.readouterr().out
    assert main(["week", str(tmp_path), "--patient", "P07"]) == 0
    assert "1 supervised, 0 unsupervised" in capsys.readouterr().out
