"""Session compliance against hand-built summaries: target, measured, status, evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rx_builders import EXERCISES_TOML, START, TZ, ev, jumps, local_ns, make_rx, summary

from osteomonitor.model import EventKind, SessionSummary
from osteomonitor.prescription import Prescription, Status, evaluate_session
from osteomonitor.prescription.compliance import ElementResult, SessionCompliance, local_date

EXERCISES = EXERCISES_TOML


def element(sc: SessionCompliance, key: str, modality: str | None = None) -> ElementResult:
    mods = [m for m in sc.modalities if modality is None or m.modality == modality]
    return next(e for m in mods for e in m.elements if e.key == key)


def sets(*spec: tuple[str, int, float]) -> tuple[Any, ...]:
    return tuple(
        ev(60 + 90 * i, EventKind.SET_DONE, exercise=name, reps=reps, load_kg=load)
        for i, (name, reps, load) in enumerate(spec)
    )


def balance(*blocks: tuple[float, float, str]) -> tuple[Any, ...]:
    out = []
    for a, b, eyes in blocks:
        out += [ev(a, EventKind.BALANCE_START, eyes=eyes), ev(b, EventKind.BALANCE_END)]
    return tuple(out)


# (case, template, summary kwargs, day, key, status, measured, evidence fragment)
CASES: list[tuple[str, str, dict[str, Any], dt.date, str, Status, float | None, str]] = [
    (
        "impact: 38 jumps within 10–50",
        "ksbmr-2023",
        dict(kind="impact", minutes=20, jump_list=jumps(31, 4.4) + jumps(7, 3.0, first_s=200)),
        START,
        "jumps_per_session",
        Status.MET,
        38,
        "38 jumps, 31 ≥ 3.9 g; accelerometer coverage 100%; target 10–50 jumps",
    ),
    (
        "impact: 60 jumps is above the 10–50 range (information)",
        "ksbmr-2023",
        dict(kind="impact", minutes=20, jump_list=jumps(60)),
        START,
        "jumps_per_session",
        Status.ABOVE_RANGE,
        60,
        "60 jumps",
    ),
    (
        "impact: 6 jumps is below 10",
        "ksbmr-2023",
        dict(kind="impact", minutes=20, jump_list=jumps(6)),
        START,
        "jumps_per_session",
        Status.BELOW,
        6,
        "6 jumps",
    ),
    (
        "impact: 55 % accelerometer coverage is indeterminate",
        "ksbmr-2023",
        dict(kind="impact", minutes=20, jump_list=jumps(30), acc_coverage=0.55),
        START,
        "jumps_per_session",
        Status.INDETERMINATE,
        30,
        "accelerometer coverage 55%",
    ),
    (
        "impact: intensity has no target but is shown",
        "ksbmr-2023",
        dict(kind="impact", minutes=20, jump_list=jumps(20, 4.2)),
        START,
        "intensity",
        Status.NO_TARGET,
        None,
        "landing peaks median 4.2 g, max 4.2 g",
    ),
    (
        "impact: type cannot be seen",
        "ksbmr-2023",
        dict(kind="impact", minutes=20, jump_list=jumps(20)),
        START,
        "types",
        Status.NOT_MEASURABLE,
        None,
        "jump type is not identified",
    ),
    (
        "impact: frequency is weekly",
        "ksbmr-2023",
        dict(kind="impact", minutes=20, jump_list=jumps(20)),
        START,
        "days_per_week",
        Status.WEEKLY,
        None,
        "week view",
    ),
    (
        "aerobic: 22.5 min at 40–60 %HRR, coverage 96 %",
        "ksbmr-2023",
        dict(kind="aerobic", minutes=30, hr_coverage=0.96, hr_mean=110, band_min=22.5),
        START,
        "minutes_per_session",
        Status.MET,
        22.5,
        "22 min 30 s at 40–60 %HRR (longest bout 22 min 30 s), HR coverage 96%; target ≥ 20 min",
    ),
    (
        "aerobic: 12 min in band is below 20",
        "ksbmr-2023",
        dict(kind="aerobic", minutes=30, hr_coverage=0.96, hr_mean=90, band_min=12),
        START,
        "minutes_per_session",
        Status.BELOW,
        12,
        "12 min at 40–60 %HRR",
    ),
    (
        "aerobic: HR coverage 60 % is indeterminate",
        "ksbmr-2023",
        dict(kind="aerobic", minutes=30, hr_coverage=0.6, hr_mean=110, band_min=25),
        START,
        "minutes_per_session",
        Status.INDETERMINATE,
        25,
        "HR coverage 60%",
    ),
    (
        # (110 − 62) / (158 − 62) = 50 %HRR
        "aerobic: mean 50 %HRR is in 40–60",
        "ksbmr-2023",
        dict(kind="aerobic", minutes=30, hr_coverage=0.96, hr_mean=110, band_min=22),
        START,
        "hrr_pct",
        Status.MET,
        50.0,
        "mean 50 %HRR (HR 110 bpm; HRrest 62, HRmax 158",
    ),
    (
        # (130 − 62) / 96 = 70.8 %HRR
        "aerobic: mean 71 %HRR is above the 40–60 range",
        "ksbmr-2023",
        dict(kind="aerobic", minutes=30, hr_coverage=0.96, hr_mean=130, band_min=5),
        START,
        "hrr_pct",
        Status.ABOVE_RANGE,
        68 / 96 * 100,
        "mean 71 %HRR",
    ),
    (
        "aerobic: session RPE 13 in 11–14",
        "ksbmr-2023",
        dict(
            kind="aerobic",
            minutes=30,
            hr_coverage=0.96,
            hr_mean=110,
            band_min=22,
            events=(ev(600, EventKind.RPE, rpe=10), ev(1790, EventKind.RPE, rpe=13)),
        ),
        START,
        "rpe_borg",
        Status.MET,
        13,
        "session RPE (Borg 6-20) 13 (reports: 10, 13)",
    ),
    (
        "aerobic: no RPE reported",
        "ksbmr-2023",
        dict(kind="aerobic", minutes=30, hr_coverage=0.96, hr_mean=110, band_min=22),
        START,
        "rpe_borg",
        Status.INDETERMINATE,
        None,
        "no RPE",
    ),
    (
        "aerobic: METs need walking cadence",
        "ksbmr-2023",
        dict(kind="aerobic", minutes=30, hr_coverage=0.96, hr_mean=110, band_min=22),
        START,
        "mets",
        Status.NOT_MEASURABLE,
        None,
        "METs are estimated from walking cadence; no walking measured",
    ),
    (
        "aerobic ACSM: Borg rating does not answer a CR-10 target",
        "acsm-osteoporosis",
        dict(
            kind="aerobic",
            minutes=30,
            hr_coverage=0.96,
            hr_mean=110,
            band_min=22,
            events=(ev(1790, EventKind.RPE, rpe=13),),
        ),
        START,
        "cr10",
        Status.NOT_MEASURABLE,
        None,
        "rated on RPE (Borg 6-20), but this prescription uses effort (Borg CR-10)",
    ),
    (
        "aerobic ACSM: 50 min is within the 45–60 cap",
        "acsm-osteoporosis",
        dict(kind="aerobic", minutes=70, hr_coverage=0.96, hr_mean=105, band_min=50, band=(40, 59)),
        START,
        "minutes_per_session",
        Status.MET,
        50,
        "target ≥ 20 min (max 45–60 min)",
    ),
    (
        "aerobic ACSM: 65 min is above the cap",
        "acsm-osteoporosis",
        dict(kind="aerobic", minutes=70, hr_coverage=0.96, hr_mean=105, band_min=65, band=(40, 59)),
        START,
        "minutes_per_session",
        Status.ABOVE,
        65,
        "1 h 05 min at 40–59 %HRR",
    ),
    (
        "resistance: loads as %1RM from Epley/Brzycki estimates",
        "ksbmr-2023",
        # squat 1RM = 40·(1 + 8/30) = 50.67 kg; row 1RM = 30·36/27 = 40 kg
        dict(
            kind="resistance",
            minutes=40,
            events=sets(("squat", 10, 30), ("squat", 10, 30), ("row", 8, 24), ("row", 8, 36)),
        ),
        START,
        "pct_1rm",
        Status.MET,
        (30 / (40 * (1 + 8 / 30)) * 100 + 60) / 2,
        "4 sets with a known 1RM: 59.2, 59.2, 60, 90 %1RM (3 within, 0 below, 1 above the range)",
    ),
    (
        "resistance: reps per set",
        "ksbmr-2023",
        dict(kind="resistance", minutes=40, events=sets(("squat", 4, 30), ("squat", 3, 30))),
        START,
        "reps_per_set",
        Status.BELOW,
        3.5,
        "2 sets: 4, 3 reps (0 within, 2 below",
    ),
    (
        "resistance: one set of a region is below 2–5",
        "ksbmr-2023",
        dict(
            kind="resistance",
            minutes=40,
            events=sets(("squat", 10, 30), ("squat", 10, 30), ("row", 8, 24)),
        ),
        START,
        "sets_per_exercise",
        Status.BELOW,
        1,
        "squat 2, row 1 sets",
    ),
    (
        "resistance: an exercise without a 1RM",
        "ksbmr-2023",
        dict(kind="resistance", minutes=40, events=sets(("press", 10, 10))),
        START,
        "pct_1rm",
        Status.INDETERMINATE,
        None,
        "no 1RM estimate for press",
    ),
    (
        "resistance: nothing marked",
        "ksbmr-2023",
        dict(kind="resistance", minutes=40),
        START,
        "reps_per_set",
        Status.INDETERMINATE,
        None,
        "no sets were marked",
    ),
    (
        "resistance ACSM week 1: one set is the target",
        "acsm-osteoporosis",
        dict(kind="resistance", minutes=30, events=sets(("squat", 10, 30), ("row", 10, 25))),
        START,
        "sets_per_exercise",
        Status.MET,
        1,
        "squat 1, row 1 sets",
    ),
    (
        "resistance ACSM week 3: two sets after ~2 weeks",
        "acsm-osteoporosis",
        dict(kind="resistance", minutes=30, events=sets(("squat", 10, 30), ("row", 10, 25))),
        START + dt.timedelta(days=14),
        "sets_per_exercise",
        Status.BELOW,
        1,
        "target 2 sets",
    ),
    (
        "balance: two marked blocks, 16 min",
        "ksbmr-2023",
        dict(kind="balance", minutes=25, events=balance((60, 540, "open"), (600, 1080, "closed"))),
        START,
        "minutes_per_session",
        Status.MET,
        16,
        "16 min in 2 marked balance blocks",
    ),
    (
        "balance: nothing marked",
        "ksbmr-2023",
        dict(kind="balance", minutes=25),
        START,
        "minutes_per_session",
        Status.INDETERMINATE,
        None,
        "no balance blocks were marked (session 25 min)",
    ),
    (
        "activity: 45 min in 10–60",
        "ksbmr-2023",
        dict(kind="activity", minutes=45, acc_coverage=0.9),
        START,
        "minutes_per_session",
        Status.MET,
        45,
        "session 45 min, sensor coverage 90%",
    ),
    (
        "flexibility: no timed holds cannot be judged",
        "acsm-osteoporosis",
        dict(kind="flexibility", minutes=15),
        START,
        "hold_s",
        Status.INDETERMINATE,
        None,
        "no stretch holds were timed",
    ),
]


@pytest.mark.parametrize(
    ("case", "tpl", "kw", "day", "key", "status", "measured", "evidence"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_element(
    case: str,
    tpl: str,
    kw: dict[str, Any],
    day: dt.date,
    key: str,
    status: Status,
    measured: float | None,
    evidence: str,
) -> None:
    rx = make_rx(tpl, extra=EXERCISES)
    kind = kw.pop("kind")
    minutes = kw.pop("minutes")
    s = summary(kind, day, minutes, **kw)
    sc = evaluate_session(s, rx)
    e = element(sc, key)
    assert e.status == status, e
    if measured is None:
        assert e.measured is None
    else:
        assert e.measured == pytest.approx(measured, abs=0.05)
    assert evidence in e.evidence, e.evidence


def test_session_record_and_dates() -> None:
    rx = make_rx()
    # 23:30 local on Sunday 9 March = 21:30 UTC: still ISO week 10 in Helsinki
    s = summary(
        "impact",
        dt.date(2025, 3, 9),
        20,
        hour=23,
        jump_list=jumps(20),
        events=(ev(60, EventKind.RPE, rpe=12), ev(90, EventKind.PAIN, level=3, where="knee")),
    )
    sc = evaluate_session(s, rx)
    assert (sc.local_date, sc.iso_year, sc.iso_week, sc.program_week) == (
        dt.date(2025, 3, 9),
        2025,
        10,
        1,
    )
    assert [(r.value, r.scale) for r in sc.rpe] == [(12.0, "borg")]
    assert [(r.value, r.note, r.t_s) for r in sc.pain] == [(3.0, "knee", 90.0)]
    assert any(a.rule == "pain" for a in sc.alerts)
    # explicit date / aware datetime
    assert evaluate_session(s, rx, dt.date(2025, 3, 17)).program_week == 3
    aware = dt.datetime(2025, 3, 9, 22, 30, tzinfo=dt.UTC)  # 00:30 on the 10th in Helsinki
    assert evaluate_session(s, rx, aware).local_date == dt.date(2025, 3, 10)
    assert local_date(local_ns(dt.date(2025, 3, 9), 23), TZ) == dt.date(2025, 3, 9)


def test_session_before_the_programme_is_noted() -> None:
    rx = make_rx()
    sc = evaluate_session(
        summary("impact", START - dt.timedelta(days=3), 20, jump_list=jumps(20)), rx
    )
    assert sc.program_week == 0 and "before the programme start" in sc.notes[0]


def test_unprescribed_modality_and_mixed_sessions() -> None:
    rx = make_rx("conservative", fracture_risk="high")
    sc = evaluate_session(summary("impact", START, 10, jump_list=jumps(15)), rx)
    assert [(m.modality, m.prescribed) for m in sc.modalities] == [("impact", False)]
    assert "impact exercise is not in this prescription" in sc.notes
    assert {a.rule for a in sc.alerts} >= {"flight-phase"}
    rx2 = make_rx(extra=EXERCISES)
    mixed = summary(
        "mixed",
        START,
        60,
        jump_list=jumps(25),
        hr_coverage=0.9,
        hr_mean=105,
        band_min=21,
        events=sets(("squat", 10, 30), ("squat", 10, 30)) + balance((3000, 3600, "open")),
    )
    sc2 = evaluate_session(mixed, rx2)
    assert [m.modality for m in sc2.modalities] == ["impact", "aerobic", "resistance", "balance"]
    assert element(sc2, "jumps_per_session").status == Status.MET
    assert element(sc2, "minutes_per_session", "balance").measured == pytest.approx(10.0)
    rest = summary("rest-test", START, 10)
    assert evaluate_session(rest, rx2).modalities == ()


def test_rpe_first_with_hr_modulating_medication() -> None:
    text_rx = make_rx(hr_modulating_medication=True)  # measured HRmax: HR is trusted
    assert text_rx.patient.hr_trusted
    rx = _meds_rx()
    s = summary(
        "aerobic",
        START,
        30,
        hr_coverage=0.96,
        hr_mean=110,
        band_min=5,
        events=(ev(1700, EventKind.RPE, rpe=12),),
    )
    sc = evaluate_session(s, rx)
    hrr = element(sc, "hrr_pct")
    assert hrr.status == Status.NOT_MEASURABLE and "for information only" in hrr.evidence
    mins = element(sc, "minutes_per_session")
    assert mins.status == Status.MET and mins.measured == pytest.approx(30.0)
    assert "RPE-first" in mins.evidence
    assert element(sc, "rpe_borg").status == Status.MET


def _meds_rx() -> Prescription:
    from rx_builders import rx_text

    from osteomonitor.prescription import parse_prescription

    text = rx_text(hr_modulating_medication=True, pct=None)
    text = text.replace(
        'hrmax = { method = "measured", bpm = 158, date = 2025-02-20 }',
        'hrmax = { method = "tanaka" }',
    ).replace("hr_ceiling = { bpm = 140 }", "hr_ceiling = { bpm = 125 }")  # band top 121
    return parse_prescription(text, "meds.toml")


def test_volume_met_and_minutes_feed_the_week() -> None:
    rx = make_rx()
    ok = evaluate_session(summary("impact", START, 20, jump_list=jumps(30)), rx).modalities[0]
    assert ok.volume_met is True and ok.jumps == 30 and ok.minutes == pytest.approx(20.0)
    low = evaluate_session(summary("impact", START, 20, jump_list=jumps(3)), rx).modalities[0]
    assert low.volume_met is False
    bad = evaluate_session(
        summary("impact", START, 20, jump_list=jumps(30), acc_coverage=0.3), rx
    ).modalities[0]
    assert bad.volume_met is None


def test_zones_that_tile_the_band_are_used_when_the_target_differs() -> None:
    from dataclasses import replace

    from osteomonitor.model import ZoneTime

    rx = make_rx("acsm-osteoporosis")  # band 40–59 %HRR
    s: SessionSummary = summary("aerobic", START, 40, hr_coverage=0.95, hr_mean=105, band_min=0)
    zones = (
        ZoneTime("40-50", 40, 50, 900.0),
        ZoneTime("50-59", 50, 59, 600.0),
        ZoneTime("59-70", 59, 70, 300.0),
    )
    s = replace(s, heart=replace(s.heart, zones=zones, target_lo_pct=40, target_hi_pct=60))
    e = element(evaluate_session(s, rx), "minutes_per_session")
    assert e.measured == pytest.approx(25.0) and e.status == Status.MET
    s2 = replace(s, heart=replace(s.heart, zones=zones[:1]))
    assert element(evaluate_session(s2, rx), "minutes_per_session").status == Status.INDETERMINATE
