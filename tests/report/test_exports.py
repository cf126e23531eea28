"""CSV exports, owner-only files and the text tables (golden week)."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pytest
from rx_builders import START, ev, jumps, summary
from week_scenario import rx, sessions

from osteomonitor import report
from osteomonitor.errors import UsageError
from osteomonitor.model import EventKind
from osteomonitor.prescription import evaluate_session, evaluate_week

GOLDEN = Path(__file__).parent / "golden"


def test_jump_rows() -> None:
    s = summary("impact", START, 3, jump_list=jumps(3, 4.4) + jumps(2, 3.1, first_s=130))
    rows = list(csv.reader(io.StringIO(report.csv_text(report.JUMP_COLUMNS, report.jump_rows(s)))))
    assert rows[0] == list(report.JUMP_COLUMNS)
    assert len(rows) == 6
    # jump 1: landing at 30 s, flight 0.3 s, height 0.11 m = 11 cm, peak 4.4 g ≥ 3.9
    assert rows[1] == ["1", "29.7", "30.0", "0.3", "11.0", "4.4", "150.0", "0", "1"]
    assert rows[5][0] == "5" and rows[5][-1] == "0"  # 3.1 g is not osteogenic


def test_minute_rows() -> None:
    s = summary(
        "impact",
        START,
        2.5,
        jump_list=jumps(3, 4.4) + jumps(2, 3.1, first_s=130),
        events=(ev(65, EventKind.PAIN, level=2), ev(70, EventKind.RPE, rpe=12)),
    )
    hr = [(float(t), 100.0 + (t // 60) * 10) for t in range(0, 150)]
    rows = report.minute_rows(s, hr)
    assert [r[0] for r in rows] == [0, 1, 2]
    assert rows[0][2:5] == (3, 3, 4.4)
    assert rows[1][2:5] == (0, 0, "")
    assert rows[2][2:5] == (2, 0, 3.1)
    assert [r[5] for r in rows] == [100.0, 110.0, 120.0]
    assert [r[6] for r in rows] == [60, 60, 30]
    assert rows[1][7] == "pain rpe"
    no_hr = report.minute_rows(s)
    assert no_hr[0][5:7] == ("", "")


def test_exports_are_owner_only(tmp_path: Path) -> None:
    p = tmp_path / "jumps.csv"
    p.write_text("old")
    os.chmod(p, 0o644)
    report.write_private(p, "a,b\n")
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert p.read_text() == "a,b\n"
    q = report.write_private(tmp_path / "new.json", "{}")
    assert stat.S_IMODE(q.stat().st_mode) == 0o600
    with pytest.raises(UsageError, match="cannot write the export"):
        report.write_private(tmp_path / "no" / "such" / "dir.csv", "x")


def test_golden_week_text() -> None:
    text = report.week_text(evaluate_week(sessions(), rx(), "2025-W11"))
    assert text == (GOLDEN / "week_2025-W11.txt").read_text(encoding="utf-8")


def test_session_text_shows_each_element_and_alert() -> None:
    r = rx()
    meta, s = sessions()[9]  # Thursday 13 March: 8 jumps, pain reported
    text = report.session_text(meta, s, evaluate_session(s, r), r)
    assert "jumps per session  10–50 jumps" in text
    assert "8 jumps, 8 ≥ 3.9 g; accelerometer coverage 100%; target 10–50 jumps" in text
    assert "below" in text
    assert "Pain 3/10 (left knee) reported at 6:40." in text
    assert "Reports: pain 3/10 left knee at 6:40" in text
    assert "No prescription" in report.session_text(meta, s, None)


def test_folded_alerts_show_first_and_latest_time() -> None:
    from rx_builders import make_rx

    from osteomonitor.model import SessionMeta

    r = make_rx("conservative", fracture_risk="high")  # no flight phase allowed
    s = summary("aerobic", START, 30, jump_list=jumps(12, peak_g=2.8))
    meta = SessionMeta("P07", "aerobic", "2025-03-10T10:00:00+02:00", "Europe/Helsinki", "t")
    text = report.session_text(meta, s, evaluate_session(s, r), r)
    first, last = s.jumps[0].landing_s, s.jumps[-1].landing_s
    span = f"{int(first // 60)}:{round(first % 60):02d}–{int(last // 60)}:{round(last % 60):02d}"
    row = next(ln for ln in text.splitlines() if "flight-phase ×12" in ln)
    assert row.lstrip().startswith(span), row


def test_prescription_table_lists_every_target_with_its_source() -> None:
    r = rx()
    text = report.prescription_text(r)
    for m in r.modalities.values():
        for t in m.targets.values():
            assert t.source.cite() in text
    assert "Flexibility" in text and "not prescribed" in text
    assert "1RM squat" in text and "50.7 kg" in text  # 40 kg × 8, Epley
    assert "phase 1 from week 3" in text
