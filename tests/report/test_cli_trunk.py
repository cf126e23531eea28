"""`osteomonitor analyze` flags falls and counts bends against the spinal restriction,
in text and JSON, over a recording of the simulator's chest strap that bends forward,
walks and falls."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from recordings import impact_recording
from rx_builders import rx_text

from osteomonitor.cli import main
from osteomonitor.sim.session_model import BEND_DEG, Segment

D = dt.date(2025, 3, 10)
#: Still 5 s (the standing reference), a 15 s bend (≈ 10 s held beyond 45°), walking,
#: then a fall at 31.8 s and lying still (longer than a bend: reclined, not a bend).
PLAN = (
    Segment("rest", 0.0, 5.0),
    Segment("bend", 5.0, 20.0),
    Segment("walk", 20.0, 30.0),
    Segment("fall", 30.0, 90.0),
)


@pytest.fixture(scope="module")
def trunk_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trunk") / "trunk.omrec"
    rx = rx_text(prior_vertebral_fracture=True)  # sets the spinal restriction
    impact_recording(path, D, 3, rx, duration_s=90.0, plan=PLAN)
    return path


def test_analyze_text_flags_the_fall_and_the_bend(
    trunk_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(trunk_file)]) == 0
    out = capsys.readouterr().out
    assert "FALLS: 1 suspected: 0:31" in out
    assert "no answer recorded" in out
    assert "1 bend beyond 45° for ≥ 2 s" in out
    assert "spinal restriction: avoid flexion" in out
    assert "Possible fall" in out  # the alert, for the physio
    assert "Trunk inclined beyond" not in out  # review counts bends in one line
    assert "sustained bend beyond 45°" in out


def test_analyze_json_lists_falls_posture_and_alerts(
    trunk_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(trunk_file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (fall,) = doc["measured"]["falls"]
    assert fall["t_s"] == pytest.approx(31.8, abs=0.5)  # the model's impact
    assert fall["response"] is None and fall["found"] and not fall["live"]
    assert fall["tilt_deg"] == pytest.approx(90.0, abs=5.0)
    p = doc["measured"]["posture"]
    assert p["reference_known"] and p["episodes"] == 1
    assert p["max_deg"] == pytest.approx(90.0, abs=3.0)  # lying after the fall
    assert p["episode_starts_s"][0] == pytest.approx(6.0, abs=1.0)
    assert 9.0 < p["longest_episode_s"] < 13.0
    assert p["reclined_s"] > 50.0  # lying after the fall is not a bend
    assert doc["prescription"]["avoid_spinal_flexion"] is True
    rules = {a["rule"]: a for a in doc["alerts"]}
    assert rules["fall"]["severity"] == "stop"
    assert rules["spinal-flexion"]["severity"] == "warning"
    assert rules["spinal-flexion"]["count"] == 1
    assert BEND_DEG > 45.0


def test_without_the_restriction_bends_raise_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plain.omrec"
    impact_recording(path, D, 4, rx_text(), duration_s=25.0, plan=PLAN[:2])
    assert main(["analyze", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["measured"]["posture"]["episodes"] == 1  # measured and reported
    assert doc["prescription"]["avoid_spinal_flexion"] is False
    assert not [a for a in doc["alerts"] if a["rule"] in ("spinal-flexion", "fall")]
    assert doc["measured"]["falls"] == []
