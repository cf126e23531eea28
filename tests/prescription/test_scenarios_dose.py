"""Clinical scenarios, dose side (issue 13 items 6, 7, 8, 9, 15, 16), from the guideline text.

KSBMR 2023 (reference/fitt-targets.md): impact 10–50 jumps/session; resistance ≥ 50 %
1RM starting at 50 % and progressing to 85 %, 2–5 sets; balance ≥ 15 min/day;
weight-bearing aerobic ≥ 20 min/day at 40–60 %HRR, RPE 11–14, 3–6 METs; physical
activity 10–60 min/day. ACSM: aerobic 4–5 days/week, 20 min (max 45–60 min); resistance
1 set, 2 sets after ~2 weeks. Impacts ≥ 3.9 g are osteogenic (Vainionpää 2006).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from scenario_sim import EXERCISES, Events, ScenarioLab, day, meta, on_day, rx, sets

from osteomonitor.model import EventKind, SessionSummary
from osteomonitor.prescription import (
    TEMPLATES,
    ElementResult,
    Prescription,
    SessionCompliance,
    Status,
    WeekReport,
    evaluate_session,
    evaluate_week,
)

LOW: dict[str, Any] = dict(
    fracture_risk="low", pct=90
)  # no impact ceiling; HR ceiling 131 bpm (jumps ~128)


def _week(
    items: list[SessionSummary],
    prx: Prescription,
    iso: str = "2025-W10",
    as_of: dt.date | None = None,
) -> WeekReport:
    return evaluate_week([(meta(s.kind), s) for s in items], prx, iso, as_of=as_of)


def _element(sc: SessionCompliance, mod: str, key: str) -> ElementResult:
    mc = next(m for m in sc.modalities if m.modality == mod)
    return next(e for e in mc.elements if e.key == key)


# ------------------------------------------------------------ 6: dose, not presence


def test_s14_forty_gentle_jumps_are_not_an_impact_dose(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023", **LOW)
    s = on_day(lab.jumps(prx, 40, gentle=True), day(1))
    row = _week([s], prx).modality("impact")
    assert (row.days_trained, row.days_met) == (1, 0)
    # shown beside all jumps (the detector finds 39-40 of the 40 gentle landings)
    assert row.jumps is not None and row.jumps >= 38 and row.jumps_osteogenic == 0
    assert "3.9 g" in row.day_doses[0].evidence


def test_s15_forty_firm_jumps_are_an_impact_dose(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023", **LOW)
    s = on_day(lab.jumps(prx, 40), day(1))
    row = _week([s], prx).modality("impact")
    assert (row.days_trained, row.days_met) == (1, 1)
    assert row.jumps == 40 and row.jumps_osteogenic == 40


def test_s16_the_prescriptions_landing_threshold_decides(lab: ScenarioLab) -> None:
    extra_rx = rx("ksbmr-2023", **LOW)
    text_rx = rx(
        "ksbmr-2023",
        extra="\n[[impact.phases]]\nafter_weeks = 1\nlanding_peak_g = { min = 6.5 }\n",
        **LOW,
    )
    s = on_day(lab.jumps(extra_rx, 40), day(8))  # programme week 2: threshold 6.5 g
    row = _week([s], text_rx, "2025-W11").modality("impact")
    assert (row.days_met, row.jumps, row.jumps_osteogenic) == (0, 40, 0)
    assert "6.5 g" in row.day_doses[0].evidence


def test_s17_resistance_at_30_pct_1rm_is_not_a_dose(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023", extra=EXERCISES)
    light = sets([("squat", 10, 15.0)] * 3 + [("row", 10, 12.0)] * 3)  # ~30 % 1RM
    firm = sets([("squat", 10, 27.0)] * 3 + [("row", 10, 21.0)] * 3)  # ~53 % 1RM
    _, s_light = lab.strap(prx, "res_light", "resistance", 5, 90.0, light)
    _, s_firm = lab.strap(prx, "res_firm", "resistance", 5, 90.0, firm)
    assert _element(evaluate_session(s_light, prx), "resistance", "pct_1rm").status == "below"
    w = _week([on_day(s_light, day(1)), on_day(s_firm, day(3))], prx)
    row = w.modality("resistance")
    assert (row.days_trained, row.days_met) == (2, 1)


def test_s18_cycling_in_the_band_is_an_aerobic_dose(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    _, s = lab.strap(prx, "cycle25", "aerobic", 25, 100.0)
    row = _week([on_day(s, day(1))], prx).modality("aerobic")
    assert (row.days_trained, row.days_met) == (1, 1)


def test_s19_twenty_five_minutes_below_the_band_are_not(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    _, s = lab.strap(prx, "cycle25_easy", "aerobic", 25, 80.0)
    row = _week([on_day(s, day(1))], prx).modality("aerobic")
    assert (row.days_trained, row.days_met) == (1, 0)


def test_s20_rpe_is_the_dose_criterion_on_hr_lowering_medication(lab: ScenarioLab) -> None:
    kw = dict(hr_modulating_medication=True, hrmax_method="tanaka", hrmax_date=None)
    prx = rx("ksbmr-2023", bpm=120, **kw)
    ok = ((1400.0, EventKind.RPE, {"rpe": 12, "scale": "borg6-20"}),)
    easy = ((1400.0, EventKind.RPE, {"rpe": 9, "scale": "borg6-20"}),)
    _, s_ok = lab.strap(prx, "meds_rpe12", "aerobic", 25, 95.0, ok)
    _, s_easy = lab.strap(prx, "meds_rpe9", "aerobic", 25, 95.0, easy)
    row = _week([on_day(s_ok, day(1)), on_day(s_easy, day(3))], prx).modality("aerobic")
    assert (row.days_trained, row.days_met) == (2, 1)


# ----------------------------------------------- 7: minimum, range or safety cap


def test_s21_seventy_five_minutes_of_activity_are_above_the_range_not_a_failure(
    lab: ScenarioLab,
) -> None:
    prx = rx("ksbmr-2023")
    _, s = lab.strap(prx, "activity75", "activity", 75, 85.0)
    assert _element(evaluate_session(s, prx), "activity", "minutes_per_session").status == (
        Status.ABOVE_RANGE
    )
    row = _week([on_day(s, day(2))], prx).modality("activity")
    assert row.days_met == 1


def test_s22_six_aerobic_days_are_information_not_a_failure(lab: ScenarioLab) -> None:
    prx = rx("acsm-osteoporosis")
    _, s = lab.strap(prx, "cycle25", "aerobic", 25, 100.0)
    row = _week([on_day(s, day(i)) for i in range(1, 7)], prx).modality("aerobic")
    assert row.frequency_status == Status.ABOVE_RANGE
    assert row.days_met == 6 and row.adherence_pct == 100.0


def test_s23_two_sets_in_acsm_week_one_still_count(lab: ScenarioLab) -> None:
    prx = rx("acsm-osteoporosis")
    _, s = lab.strap(prx, "res_acsm2", "resistance", 5, 90.0, sets([("squat", 10, 25.0)] * 2))
    sc = evaluate_session(on_day(s, day(1)), prx)
    assert _element(sc, "resistance", "sets_per_exercise").status == Status.ABOVE_RANGE
    assert _week([on_day(s, day(1))], prx).modality("resistance").days_met == 1


def test_s24_a_stated_cap_spoils_the_day(lab: ScenarioLab) -> None:
    prx = rx("acsm-osteoporosis")  # "max 45–60 min"
    _, s = lab.strap(prx, "cycle65", "aerobic", 65, 100.0)
    sc = evaluate_session(on_day(s, day(1)), prx)
    assert _element(sc, "aerobic", "minutes_per_session").status == Status.ABOVE
    assert _week([on_day(s, day(1))], prx).modality("aerobic").days_met == 0


def test_s25_every_template_target_is_marked_minimum_range_or_cap() -> None:
    for tpl in TEMPLATES.values():
        for m in tpl.modalities.values():
            targets = list(m.targets.items()) + [kv for ph in m.phases for kv in ph.targets.items()]
            for key, t in targets:
                assert t.kind in ("minimum", "range", "cap"), (tpl.name, m.modality, key)
    acsm = TEMPLATES["acsm-osteoporosis"].modalities
    assert acsm["aerobic"].targets["minutes_per_session"].kind == "cap"
    assert acsm["aerobic"].targets["days_per_week"].kind == "range"
    assert TEMPLATES["ksbmr-2023"].modalities["aerobic"].targets["days_per_week"].kind == (
        "minimum"
    )


# -------------------------------------------------------------- 8: per-day sums


def test_s26_two_balance_sessions_make_the_days_fifteen_minutes(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    ev: Events = (
        (20.0, EventKind.BALANCE_START, {"eyes": "open"}),
        (500.0, EventKind.BALANCE_END, {}),
    )
    _, s = lab.strap(prx, "balance8", "balance", 9, 80.0, ev)
    row = _week([on_day(s, day(2), 9), on_day(s, day(2), 17)], prx).modality("balance")
    assert (row.days_trained, row.days_met) == (1, 1)
    assert row.day_doses[0].value == pytest.approx(16.0)


def test_s27_two_walks_make_the_days_twenty_minutes(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    walk = lab.walk(prx, 12)
    row = _week([on_day(walk, day(3), 8), on_day(walk, day(3), 18)], prx).modality("aerobic")
    assert (row.days_trained, row.days_met) == (1, 1)
    assert row.day_doses[0].value >= 20.0


def test_s28_the_day_is_the_patients_local_day(lab: ScenarioLab) -> None:
    tz = "America/New_York"
    prx = rx("ksbmr-2023", timezone=tz)
    walk = lab.walk(prx, 12)
    # 18:00 and 21:00 on Tuesday in New York are 23:00 Tuesday and 02:00 Wednesday UTC
    items = [on_day(walk, day(2), 18, tz=tz), on_day(walk, day(2), 21, tz=tz)]
    row = _week(items, prx).modality("aerobic")
    assert (row.days_trained, row.days_met) == (1, 1)


def test_s29_two_short_activity_bouts_make_the_days_ten_minutes(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    _, s = lab.strap(prx, "activity6", "activity", 6, 85.0)
    row = _week([on_day(s, day(4), 9), on_day(s, day(4), 15)], prx).modality("activity")
    assert (row.days_trained, row.days_met) == (1, 1)


# ------------------------------------------------------- 9: intensity progression


def test_s30_ksbmr_ramp_is_dated_phases_from_50_to_85_pct() -> None:
    res = TEMPLATES["ksbmr-2023"].modalities["resistance"]
    los = [res.active(w)[0]["pct_1rm"].lo for w in range(1, 40)]
    assert los[0] == 50 and los[-1] == 85
    assert all(a <= b for a, b in itertools.pairwise(los))
    assert all(ph.after_weeks is not None for ph in res.phases if "pct_1rm" in ph.targets)


def test_s31_85_pct_in_week_one_is_above_the_phase_and_55_late_is_below(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023", extra=EXERCISES)
    heavy = sets([("squat", 6, 43.0)] * 3)  # 84.9 % of 50.67 kg
    mid = sets([("squat", 10, 28.0)] * 3)  # 55 %
    _, s_heavy = lab.strap(prx, "res_heavy", "resistance", 5, 90.0, heavy)
    _, s_mid = lab.strap(prx, "res_mid", "resistance", 5, 90.0, mid)
    sc = evaluate_session(on_day(s_heavy, day(1)), prx)
    assert _element(sc, "resistance", "pct_1rm").status == Status.ABOVE_RANGE
    assert _week([on_day(s_heavy, day(1))], prx).modality("resistance").days_met == 1
    late = day(7 * 20 + 1)  # programme week 21: ≥ 85 %
    sc = evaluate_session(on_day(s_mid, late), prx)
    assert _element(sc, "resistance", "pct_1rm").status == Status.BELOW
    iso = late.isocalendar()
    week = _week([on_day(s_mid, late)], prx, f"{iso.year}-W{iso.week:02d}")
    assert week.modality("resistance").days_met == 0


def test_s32_target_load_follows_the_phase() -> None:
    from osteomonitor.prescription.strength import target_load_kg

    prx = rx("ksbmr-2023", extra=EXERCISES)
    one_rm = 40 * (1 + 8 / 30)
    assert target_load_kg(prx, "squat", day(1)) == pytest.approx(0.50 * one_rm, abs=0.05)
    assert target_load_kg(prx, "Squat", day(7 * 30)) == pytest.approx(0.85 * one_rm, abs=0.05)
    assert target_load_kg(prx, "deadlift", day(1)) is None
    assert target_load_kg(rx("acsm-osteoporosis"), "squat", day(1)) is None


def test_s33_one_rm_is_re_estimated_and_a_retest_prompted(lab: ScenarioLab) -> None:
    from osteomonitor.prescription.strength import one_rm_status

    prx = rx("ksbmr-2023", extra=EXERCISES)
    _, s = lab.strap(prx, "res_45x6", "resistance", 5, 90.0, sets([("squat", 6, 45.0)]))
    sc = evaluate_session(on_day(s, day(10)), prx)
    st = one_rm_status(prx, "squat", [(sc.local_date, x) for x in sc.sets], day(12))
    assert st.one_rm_kg == pytest.approx(45 * (1 + 6 / 30))  # Epley, the exercise's equation
    assert st.basis == "logged set" and not st.retest_due
    old = one_rm_status(prx, "row", [], day(7 * 14))  # tested 24 Feb, 15 weeks earlier
    assert old.retest_due and old.basis == "test set"


# --------------------------------------------------------------------- 15: METs


def test_s44_walking_cadence_gives_mets_in_the_ksbmr_range(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    sc = evaluate_session(on_day(lab.walk(prx, 25), day(1)), prx)
    e = _element(sc, "aerobic", "mets")
    assert e.status == Status.MET
    assert e.measured == pytest.approx(3.0 + (114 - 103.1) * 3 / (142.9 - 103.1), abs=0.2)
    assert "Tudor-Locke" in e.evidence


def test_s45_cycling_has_no_cadence_mets(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    _, s = lab.strap(prx, "cycle25", "aerobic", 25, 100.0)
    assert _element(evaluate_session(s, prx), "aerobic", "mets").status == Status.NOT_MEASURABLE


# ------------------------------------------------------------ 16: weight-bearing


def test_s46_cycling_is_aerobic_but_not_weight_bearing(lab: ScenarioLab) -> None:
    prx = rx("ksbmr-2023")
    _, cyc = lab.strap(prx, "cycle25", "aerobic", 25, 100.0)
    walk = lab.walk(prx, 25)
    row = _week([on_day(cyc, day(1))], prx).modality("aerobic")
    assert (row.days_met, row.weight_bearing_days) == (1, 0)
    assert "not weight-bearing" in _element(evaluate_session(cyc, prx), "aerobic", "types").evidence
    row = _week([on_day(walk, day(1))], prx).modality("aerobic")
    assert (row.days_met, row.weight_bearing_days) == (1, 1)
