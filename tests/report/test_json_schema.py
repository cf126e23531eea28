"""docs/json-schema.md and the JSON the code writes list the same fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rx_builders import ev, jumps, summary
from week_scenario import rx, sessions

from osteomonitor import report
from osteomonitor.model import EventKind, Fall, PostureSummary, SessionMeta, SetAsideFrames
from osteomonitor.prescription import evaluate_session, evaluate_week

DOC = Path(__file__).resolve().parents[2] / "docs" / "json-schema.md"


def paths(obj: Any, prefix: str = "") -> set[str]:
    """Every field path of a JSON value; list items as `[]`; event data is free-form."""
    out: set[str] = set()
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = f"{prefix}.{k}" if prefix else k
            out.add(p)
            if p != "events[].data":
                out |= paths(v, p)
    elif isinstance(obj, list):
        for v in obj:
            out |= paths(v, prefix + "[]")
    return out


def documented(schema: str) -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"## {schema}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([^`]+)` \|", section, re.M))


def session_docs() -> list[dict[str, Any]]:
    r = rx()
    docs = []
    for meta, s in sessions():
        docs.append(report.session_json(meta, s, evaluate_session(s, r), r, "x.omrec"))
    day = sessions()[0][1].start_t_ns and rx().start_date
    assert isinstance(day, dt.date)
    extra = summary(
        "mixed",
        day,
        30,
        jump_list=jumps(5),
        hr_coverage=0.9,
        hr_mean=100,
        band_min=10,
        events=(
            ev(10, EventKind.RPE, rpe=12),
            ev(20, EventKind.RPE, cr10=3),
            ev(30, EventKind.STRETCH_HOLD, exercise="calf", hold_s=20.0),
        ),
    )
    extra = dataclasses.replace(
        extra, set_aside=(SetAsideFrames("hip", "imu_data", "value outside ±16 g", 3),)
    )
    meta = SessionMeta("P07", "mixed", "2025-03-03T10:00:00+02:00", "Europe/Helsinki", "t")
    docs.append(report.session_json(meta, extra, evaluate_session(extra, r), r))
    docs.append(report.session_json(meta, extra))  # without a prescription
    trunk = dataclasses.replace(
        extra,
        falls=(Fall(12.0, 14.5, 0.99, 3.2, 85.0),),
        posture=PostureSummary(True, 600.0, 8.0, 30.0, 70.0, 45.0, 12.0, 0.0, 2, 6.0, (40.0, 90.0)),
        events=(
            *extra.events,
            ev(
                14.6,
                EventKind.FALL_SUSPECTED,
                t_s=12.0,
                probability=0.99,
                peak_g=3.2,
                tilt_deg=85.0,
            ),
            ev(20, EventKind.FALL_RESPONSE, response="fine", suspected_t_s=12.0),
        ),
    )
    docs.append(report.session_json(meta, trunk, evaluate_session(trunk, r), r))
    return docs


def test_session_fields_match_the_document() -> None:
    written: set[str] = set()
    for d in session_docs():
        assert d["schema"] == "osteomonitor.session/1"
        json.dumps(d, allow_nan=False)
        written |= paths(d)
    assert written == documented("osteomonitor.session/1")


def test_week_fields_match_the_document() -> None:
    d = report.week_json(evaluate_week(sessions(), rx(), "2025-W11"))
    assert d["schema"] == "osteomonitor.week/1" and d["iso_week"] == "2025-W11"
    json.dumps(d, allow_nan=False)
    assert paths(d) == documented("osteomonitor.week/1")


def test_json_values() -> None:
    r = rx()
    meta, s = sessions()[6]  # Monday 10 March: 35 jumps, 30 of them at 4.4 g
    d = report.session_json(meta, s, evaluate_session(s, r), r)
    j = d["measured"]["jumps"]
    assert (j["count"], j["osteogenic"], j["peak_max_g"]) == (35, 30, 4.4)
    assert d["compliance"]["iso_week"] == "2025-W11"
    assert d["compliance"]["local_date"] == "2025-03-10"
    el = {e["key"]: e for e in d["compliance"]["modalities"][0]["elements"]}
    assert el["jumps_per_session"]["status"] == "met"
    assert el["jumps_per_session"]["measured"] == 35
    assert d["prescription"]["impact_ceiling"] == "moderate"


def test_nan_becomes_null() -> None:
    from dataclasses import replace

    meta, s = sessions()[1]
    s = replace(s, heart=replace(s.heart, hr_mean_bpm=float("nan")))
    d = report.session_json(meta, s)
    assert d["measured"]["heart"]["hr_mean_bpm"] is None
    json.dumps(d, allow_nan=False)


@pytest.mark.parametrize("schema", ["osteomonitor.session/1", "osteomonitor.week/1"])
def test_document_names_the_schemas(schema: str) -> None:
    assert f"`{schema}`" in DOC.read_text(encoding="utf-8")
