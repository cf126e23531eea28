"""Clinical scenarios over weeks and inputs (issue 13 items 10–14, 17), from the guideline text.

ACSM: resistance on non-consecutive days; aerobic effort CR-10 3–4; flexibility hold
10–30 s, 2–4 repetitions each. KSBMR: impact and physical activity ≥ 6 months; aerobic
RPE 11–14. Seeds: supervised training appears superior; benefits fade with detraining.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import pytest
from scenario_sim import START, ScenarioLab, day, draft, meta, on_day, rx, sets, strap_recording

from osteomonitor.errors import PrescriptionError
from osteomonitor.model import EventKind, SessionMeta, SessionSummary
from osteomonitor.prescription import (
    ElementResult,
    Prescription,
    PrescriptionFileError,
    SessionCompliance,
    evaluate_session,
    evaluate_week,
)
from osteomonitor.store import RecordingReader

LOW: dict[str, Any] = dict(fracture_risk="low", pct=90)  # HR ceiling 131 bpm: jumping HR ~128


def _element(sc: SessionCompliance, mod: str, key: str) -> ElementResult:
    mc = next(m for m in sc.modalities if m.modality == mod)
    return next(e for e in mc.elements if e.key == key)


# ------------------------------------------------- 10: across the ISO-week boundary


def test_s34_sunday_then_monday_resistance_is_consecutive(lab: ScenarioLab) -> None:
    prx = rx("acsm-osteoporosis")
    _, s = lab.strap(prx, "res_acsm1", "resistance", 5, 90.0, sets([("squat", 10, 25.0)]))
    items = [(meta("resistance"), on_day(s, day(7))), (meta("resistance"), on_day(s, day(8)))]
    w = evaluate_week(items, prx, "2025-W11")
    assert w.modality("resistance").consecutive_days is True
    w10 = evaluate_week(items[:1], prx, "2025-W10")
    assert w10.modality("resistance").consecutive_days is False


# ------------------------------------------ 11 and 12: programme, recent dose, lapse


def _impact_history(
    lab: ScenarioLab,
) -> tuple[Prescription, list[tuple[SessionMeta, SessionSummary]]]:
    prx = rx("ksbmr-2023", **LOW)
    s = lab.jumps(prx, 20)
    days = [7 * w + d for w in range(10) for d in (1, 4)] + [7 * w + 1 for w in range(10, 13)]
    return prx, [(meta("impact"), on_day(s, day(n))) for n in days]


def test_s35_programme_length_is_judged(lab: ScenarioLab) -> None:
    prx, items = _impact_history(lab)
    w = evaluate_week(items, prx, "2025-W22")  # programme week 13, as of day 91
    p = w.modality("impact").programme
    assert p is not None
    assert p.months_target == 6
    assert p.months_completed == pytest.approx(91 / 30.4375, abs=0.01)
    assert (p.dose_days, p.expected_days) == (23, 26)
    assert p.adherence_pct == pytest.approx(100 * 23 / 26)
    assert p.complete is False


def test_s36_recent_dose_and_the_lapse_label(lab: ScenarioLab) -> None:
    prx, items = _impact_history(lab)
    row = evaluate_week(items, prx, "2025-W22").modality("impact")
    got = {r.weeks: (r.dose_days, r.target_days) for r in row.recent_dose}
    assert got == {4: (5, 8), 8: (13, 16), 12: (21, 24)}
    lapse = evaluate_week(items, prx, "2025-W25").modality("impact")  # 3 weeks later
    assert "osteomonitor's choice" in lapse.detraining


# --------------------------------------------------------------- 13: effort scales


def test_s37_acsm_states_cr10_and_judges_it(lab: ScenarioLab) -> None:
    prx = rx("acsm-osteoporosis")
    assert prx.effort is not None
    assert prx.effort.scale == "cr10" and (prx.effort.target.lo, prx.effort.target.hi) == (3, 4)
    ev = ((1400.0, EventKind.RPE, {"rpe": 3.5, "scale": "cr10"}),)
    _, s = lab.strap(prx, "cycle25_cr10", "aerobic", 25, 100.0, ev)
    e = _element(evaluate_session(s, prx), "aerobic", "cr10")
    assert (e.status, e.measured) == ("met", 3.5)


def test_s38_an_old_rpe_event_without_scale_is_borg(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    assert prx.effort is not None and prx.effort.scale == "borg6-20"
    ev = ((1400.0, EventKind.RPE, {"rpe": 13}),)
    _, s = lab.strap(prx, "cycle25_oldrpe", "aerobic", 25, 100.0, ev)
    e = _element(evaluate_session(s, prx), "aerobic", "rpe_borg")
    assert (e.status, e.measured) == ("met", 13.0)


def test_s39_hr_lowering_medication_gets_a_measurable_rpe_target() -> None:
    kw: dict[str, Any] = dict(hr_modulating_medication=True, hrmax_method="tanaka", hrmax_date=None)
    prx = rx("conservative", bpm=120, **kw)
    assert prx.effort is not None and prx.effort.scale == "borg6-20"
    assert (prx.effort.target.lo, prx.effort.target.hi) == (11, 14)
    text, _ = draft("ksbmr-2023", bpm=120, **kw)
    no_rpe = re.sub(r"\nrpe_borg = [^\n]*", "", text)
    with pytest.raises(PrescriptionFileError, match="RPE"):
        from osteomonitor.prescription import parse_prescription

        parse_prescription(no_rpe, "meds.toml")


def test_s40_an_absurd_cr10_never_reaches_a_verdict(lab: ScenarioLab) -> None:
    prx = rx("acsm-osteoporosis")
    ev = ((1400.0, EventKind.RPE, {"rpe": 12, "scale": "cr10"}),)
    _, s = lab.strap(prx, "cycle25_cr10_bad", "aerobic", 25, 100.0, ev)
    sc = evaluate_session(s, prx)
    e = _element(sc, "aerobic", "cr10")
    assert e.measured is None and e.status == "indeterminate"
    assert any("CR-10" in n and "12" in n for n in sc.notes)


# ------------------------------------------------------- 14: stretch holds, balance


def _holds(spec: list[tuple[str, float]]) -> tuple[tuple[float, str, dict[str, Any]], ...]:
    return tuple(
        (30.0 + 40.0 * i, EventKind.STRETCH_HOLD, {"exercise": ex, "hold_s": h})
        for i, (ex, h) in enumerate(spec)
    )


def test_s41_holds_of_10_to_30_s_two_to_four_times_meet_flexibility(lab: ScenarioLab) -> None:
    prx = rx("acsm-osteoporosis")
    ev = _holds([("hamstring", 20.0)] * 3 + [("calf", 15.0)] * 2 + [("calf", -4.0)])
    _, s = lab.strap(prx, "flex_ok", "flexibility", 5, 75.0, ev)
    sc = evaluate_session(on_day(s, day(1)), prx)
    assert _element(sc, "flexibility", "hold_s").status == "met"
    assert _element(sc, "flexibility", "reps_per_stretch").status == "met"
    w = evaluate_week([(meta("flexibility"), on_day(s, day(1)))], prx, "2025-W10")
    assert w.modality("flexibility").days_met == 1


def test_s42_one_short_hold_does_not(lab: ScenarioLab) -> None:
    prx = rx("acsm-osteoporosis")
    _, s = lab.strap(prx, "flex_short", "flexibility", 5, 75.0, _holds([("hamstring", 5.0)]))
    sc = evaluate_session(on_day(s, day(1)), prx)
    assert _element(sc, "flexibility", "hold_s").status == "below"
    assert _element(sc, "flexibility", "reps_per_stretch").status == "below"
    w = evaluate_week([(meta("flexibility"), on_day(s, day(1)))], prx, "2025-W10")
    assert w.modality("flexibility").days_met == 0


def test_s43_no_stretch_marked_is_indeterminate_not_met(lab: ScenarioLab) -> None:
    prx = rx("acsm-osteoporosis")
    _, s = lab.strap(prx, "flex_none", "flexibility", 5, 75.0)
    sc = evaluate_session(s, prx)
    assert _element(sc, "flexibility", "hold_s").status == "indeterminate"


# ----------------------------------------------------------------- 17: supervised


def test_s47_adherence_is_shown_supervised_and_all(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    _, s = lab.strap(prx, "cycle25", "aerobic", 25, 100.0)
    items = [
        (meta("aerobic", True), on_day(s, day(1))),
        (meta("aerobic", False), on_day(s, day(3))),
        (meta("aerobic", None), on_day(s, day(5))),
    ]
    row = evaluate_week(items, prx, "2025-W10").modality("aerobic")
    assert row.adherence_pct == 100.0
    assert row.adherence_supervised_pct == pytest.approx(100 / 3)
    assert row.adherence_unsupervised_pct == pytest.approx(100 / 3)
    assert row.supervision == (1, 1, 1)


def test_s48_supervised_flag_is_stored_and_overridden_beside_the_file(
    lab: ScenarioLab, tmp_path: Path
) -> None:
    from osteomonitor.store.overrides import effective_meta, write_supervised

    p_sup, p_old = tmp_path / "sup.omrec", tmp_path / "old.omrec"
    strap_recording(p_sup, "aerobic", 1, 90.0, supervised=True)
    strap_recording(p_old, "aerobic", 1, 90.0)
    with RecordingReader(p_sup) as r:
        assert r.meta.supervised is True
    with RecordingReader(p_old) as r:
        assert r.meta.supervised is None  # an old file: unknown
    before = hashlib.sha256(p_sup.read_bytes()).hexdigest()
    side = write_supervised(p_sup, False)
    assert hashlib.sha256(p_sup.read_bytes()).hexdigest() == before
    assert oct(os.stat(side).st_mode & 0o777) == "0o600"
    assert effective_meta(p_sup).supervised is False
    with RecordingReader(p_sup) as r:
        assert r.meta.supervised is True  # the recording itself is unchanged


def test_s49_draft_start_is_the_programme_start() -> None:
    with pytest.raises(PrescriptionError):
        draft("ksbmr-2023", bpm=50)  # below resting HR: refused, not silently kept
    assert rx("ksbmr-2023").start_date == START
