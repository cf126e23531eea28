"""`osteomonitor analyze` and `osteomonitor week` over real recording files.

A simulated week of recordings (Polar H10 acceleration + HR replaying the simulator's
session model, chest-strap HR sessions with marked sets) evaluated against the
prescription snapshot stored in each recording gives the expected week table. Jump
counts are compared with the session model's truth, not with an earlier run.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import stat
from pathlib import Path

import pytest
from recordings import SETS, hr_recording, impact_recording
from rx_builders import EXERCISES_TOML, rx_text

from osteomonitor.cli import main
from osteomonitor.model import EventKind

D = dt.date(2025, 3, 10)  # Monday of ISO 2025-W11; programme started 3 March


@pytest.fixture(scope="module")
def week_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("recordings")
    rx = rx_text() + EXERCISES_TOML
    models = {
        "mon": impact_recording(root / "mon.omrec", D, 1, rx, duration_s=370),
        "thu": impact_recording(root / "thu.omrec", D + dt.timedelta(3), 2, rx, duration_s=370),
    }
    truth = {k: len(m.jumps()) for k, m in models.items()}
    # landings above the moderate-risk ceiling (5.4 g) in the model's truth
    truth |= {f"{k}_above": sum(j.peak_g > 5.4 for j in m.jumps()) for k, m in models.items()}
    hr_recording(
        root / "tue.omrec",
        D + dt.timedelta(1),
        "aerobic",
        25,
        110,
        rx,
        events=((1490.0, EventKind.RPE, {"rpe": 13}),),
    )
    hr_recording(root / "wed.omrec", D + dt.timedelta(2), "resistance", 8, 95, rx, events=SETS)
    hr_recording(
        root / "fri.omrec",
        D + dt.timedelta(4),
        "aerobic",
        15,
        110,
        rx,
        events=((600.0, EventKind.PAIN, {"level": 4, "where": "back"}),),
    )
    hr_recording(root / "other.omrec", D, "aerobic", 5, 110, None, patient="P11")
    (root / "broken.omrec").write_bytes(b"not a recording at all" * 10)
    return root, truth


def test_week_table_from_recordings(
    week_dir: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, truth = week_dir
    assert (truth["mon"], truth["thu"]) == (20, 20)  # the model's plan: two blocks of 10 jumps
    assert main(["week", str(root), "--patient", "P07", "--json"]) == 0
    cap = capsys.readouterr()
    assert "skipped" in cap.err and "broken.omrec" in cap.err
    w = json.loads(cap.out)
    assert (w["schema"], w["iso_week"], w["patient"]) == ("osteomonitor.week/1", "2025-W11", "P07")
    by = {m["modality"]: m for m in w["modalities"]}
    got = {
        k: (m["days_trained"], m["days_met"], m["frequency_status"], m["adherence_pct"])
        for k, m in by.items()
    }
    # 20 jumps each, target 10–50; a day with a landing above the moderate ceiling (5.4 g)
    # broke a safety cap and is not a dose day
    imp_met = (truth["mon_above"] == 0) + (truth["thu_above"] == 0)
    assert got == {
        "impact": (2, imp_met, "met", 50.0 * imp_met),
        "aerobic": (2, 1, "below", pytest.approx(100 / 3)),  # 25 min met, 15 min below 20
        "resistance": (1, 1, "below", 50.0),  # reps 8–10 in 5–12, 2 sets each in 2–5
        "balance": (0, 0, "below", 0.0),
        "activity": (0, 0, "below", 0.0),
    }
    assert by["impact"]["jumps"] == truth["mon"] + truth["thu"]
    assert by["aerobic"]["minutes"] == pytest.approx(40.0, abs=0.1)
    assert [d["modalities"] for d in w["days"]] == [
        ["impact"],
        ["aerobic"],
        ["resistance"],
        ["impact"],
        ["aerobic"],
        [],
        [],
    ]
    expected = [("2025-03-10", "impact-ceiling")] * (truth["mon_above"] > 0)
    expected += [("2025-03-13", "impact-ceiling")] * (truth["thu_above"] > 0)
    expected += [("2025-03-14", "pain")]
    assert [(a["date"], a["rule"]) for a in w["alerts"]] == expected
    assert w["alerts"][-1]["value"] == 4.0


def test_week_text_and_detraining(
    week_dir: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = week_dir
    assert (
        main(["week", str(root), "--patient", "P07", "--week", "2025-W11", "--as-of", "2025-03-20"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("Week 2025-W11 (2025-03-10 – 2025-03-16, Europe/Helsinki) · P07")
    assert (
        "Balance training: no balance session since the programme started 2025-03-03 (17 days"
        in out
    )
    assert main(["week", str(root), "--patient", "P99"]) == 2
    assert "no readable recordings of patient 'P99'" in capsys.readouterr().err


def test_analyze_json_matches_the_model_truth(
    week_dir: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root, truth = week_dir
    jumps_csv, minutes_csv = tmp_path / "j.csv", tmp_path / "m.csv"
    assert (
        main(
            [
                "analyze",
                str(root / "mon.omrec"),
                "--json",
                "--csv-jumps",
                str(jumps_csv),
                "--csv-minutes",
                str(minutes_csv),
            ]
        )
        == 0
    )
    d = json.loads(capsys.readouterr().out)
    assert d["schema"] == "osteomonitor.session/1"
    assert d["measured"]["jumps"]["count"] == truth["mon"]
    assert d["prescription"]["source"].endswith("mon.omrec (prescription snapshot)")
    el = {e["key"]: e for e in d["compliance"]["modalities"][0]["elements"]}
    assert el["jumps_per_session"]["status"] == "met"
    assert el["jumps_per_session"]["measured"] == truth["mon"]
    for f in (jumps_csv, minutes_csv):
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    rows = list(csv.DictReader(jumps_csv.open()))
    assert len(rows) == truth["mon"]
    minutes = list(csv.DictReader(minutes_csv.open()))
    assert len(minutes) == 7  # 370 s
    assert sum(int(r["jumps"]) for r in minutes) == truth["mon"]
    # the model jumps in 240–270 s and 330–360 s: minutes 4 and 5
    assert [int(r["jumps"]) for r in minutes] == [0, 0, 0, 0, 10, 10, 0]
    # with RR intervals the HR points are beats: a minute holds about HR-in-bpm of them
    for r in minutes[:6]:
        assert abs(int(r["hr_points"]) - float(r["hr_mean_bpm"])) <= 4, r
    assert 60 < float(minutes[0]["hr_mean_bpm"]) < 90  # the model rests near 70 bpm


def test_analyze_against_another_prescription(
    week_dir: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root, truth = week_dir
    strict = tmp_path / "strict.toml"
    strict.write_text(rx_text("conservative", fracture_risk="high"), encoding="utf-8")
    assert main(["analyze", str(root / "thu.omrec"), "--prescription", str(strict)]) == 0
    out = capsys.readouterr().out
    assert "Impact exercise: not in this prescription" in out
    assert f"flight-phase ×{truth['thu']}" in out


def test_analyze_without_any_prescription(
    week_dir: tuple[Path, dict[str, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = week_dir
    assert main(["analyze", str(root / "other.omrec")]) == 0
    assert "No prescription" in capsys.readouterr().out
    assert main(["analyze", str(root / "broken.omrec")]) != 0
    err = capsys.readouterr().err
    assert "broken.omrec" in err and "Traceback" not in err


def test_minute_csv_covers_a_long_session_from_its_first_minute(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 30 min of 1 Hz HR with one RR each: 1800 beat values, twice the live plot's window
    rec = tmp_path / "long.omrec"
    hr_recording(rec, D, "aerobic", 30, 100.0, None)
    out = tmp_path / "minutes.csv"
    assert main(["analyze", str(rec), "--csv-minutes", str(out)]) == 0
    err = capsys.readouterr().err
    assert "covers only" not in err
    minutes = list(csv.DictReader(out.open()))
    assert len(minutes) == 30
    for r in minutes:
        # every minute, first included, holds its ~60 beats around 100 bpm
        assert 55 <= int(r["hr_points"]) <= 61, r
        assert abs(float(r["hr_mean_bpm"]) - 100.0) < 2.0, r
