"""Safety rules, live (SafetyMonitor) and in review (check_safety)."""

from __future__ import annotations

import pytest
from rx_builders import START, ev, jumps, make_rx, summary

from osteomonitor.model import Event, EventKind, Jump
from osteomonitor.prescription import Rule, SafetyMonitor, Severity, check_safety
from osteomonitor.prescription.strength import brzycki_1rm, epley_1rm, estimate_1rm

NS = 1_000_000_000


def jump(t_s: float, peak_g: float) -> Jump:
    return Jump(t_s - 0.25, t_s, 0.25, 0.077, peak_g, 120.0)


def test_one_rm_equations() -> None:
    # Epley: w·(1 + r/30); Brzycki: w·36/(37 − r). Both give 133.3 % of the load at
    # 10 repetitions (the published equations cross there) and differ below.
    assert epley_1rm(100, 10) == pytest.approx(133.333, abs=1e-3)
    assert brzycki_1rm(100, 10) == pytest.approx(133.333, abs=1e-3)
    assert epley_1rm(40, 8) == pytest.approx(50.667, abs=1e-3)
    assert brzycki_1rm(40, 8) == pytest.approx(49.655, abs=1e-3)
    assert estimate_1rm(40, 8, "brzycki") == brzycki_1rm(40, 8)


def test_brisk_walk_ceiling_forbids_any_flight() -> None:
    rx = make_rx("conservative", fracture_risk="high")
    mon = SafetyMonitor(rx)
    alerts = mon.on_jump(jump(12.0, 2.1))  # a small hop: flight, soft landing
    assert [(a.rule, a.severity) for a in alerts] == [(Rule.FLIGHT_PHASE, Severity.STOP)]
    a = alerts[0]
    assert a.t_s == 12.0 and a.limit == 0.0 and "brisk-walk" in a.physio_message
    assert "Strong, Steady and Straight" in a.source  # UK consensus 2022
    hard = mon.on_jump(jump(100.0, 3.0))  # later: flight again and above 2.5 g
    assert {a.rule for a in hard} == {Rule.FLIGHT_PHASE, Rule.IMPACT_CEILING}
    imp = next(a for a in hard if a.rule == Rule.IMPACT_CEILING)
    assert (imp.value, imp.limit, imp.unit) == (3.0, 2.5, "g")


def test_moderate_ceiling_flags_only_the_top_band() -> None:
    rx = make_rx()  # moderate risk: derived ceiling "moderate", 5.4 g
    mon = SafetyMonitor(rx)
    assert mon.on_jump(jump(10.0, 4.8)) == []
    alerts = mon.on_jump(jump(20.0, 6.1))
    assert [(a.rule, a.value, a.limit) for a in alerts] == [(Rule.IMPACT_CEILING, 6.1, 5.4)]


def test_repeats_within_a_minute_are_counted_not_shown() -> None:
    mon = SafetyMonitor(make_rx())
    assert len(mon.on_jump(jump(10.0, 6.0))) == 1
    assert mon.on_jump(jump(30.0, 6.5)) == []
    assert mon.on_jump(jump(69.0, 5.9)) == []
    assert len(mon.on_jump(jump(71.0, 6.0))) == 1  # 61 s after the first alert
    first, second = mon.alerts
    assert (first.count, first.value) == (3, 6.5) and second.count == 1
    # the first time stays, the latest repeat is kept beside it
    assert (first.t_s, first.last_t_s) == (10.0, 69.0) and second.last_t_s is None


def test_hr_ceiling_needs_a_sustained_excess_and_rearms() -> None:
    rx = make_rx()  # ceiling 75 %HRR = 134 bpm
    mon = SafetyMonitor(rx)
    out = []
    for t in range(0, 10):  # 9 s above: not yet
        out += mon.on_hr(float(t), 140.0)
    assert out == []
    out = mon.on_hr(10.0, 142.0)
    assert len(out) == 1 and out[0].t_s == 0.0 and out[0].value == 142.0
    assert out[0].limit == pytest.approx(134.0)
    for t in range(11, 30):
        assert mon.on_hr(float(t), 141.0) == []
    assert mon.on_hr(30.0, 131.0) == []  # below, but within 5 bpm: not re-armed
    assert all(mon.on_hr(float(t), 140.0) == [] for t in range(31, 45))
    assert mon.on_hr(50.0, 0.0) == []  # a dropout is not a value
    assert mon.on_hr(60.0, 120.0) == []  # re-armed
    new = []
    for t in range(100, 112):
        new += mon.on_hr(float(t), 139.0)
    assert len(new) == 1 and new[0].t_s == 100.0


def test_pain_balance_and_link_events() -> None:
    rx = make_rx(fracture_risk="high", template="conservative")
    start = 1_000 * NS
    mon = SafetyMonitor(rx, start_t_ns=start)
    pain = mon.on_event(Event(start + 90 * NS, EventKind.PAIN, {"level": 4, "where": "back"}))
    assert [(a.rule, a.severity, a.t_s, a.value) for a in pain] == [
        (Rule.PAIN, Severity.STOP, 90.0, 4.0)
    ]
    assert "back" in pain[0].physio_message and "rest" in pain[0].patient_message
    assert mon.on_event(Event(start + 95 * NS, EventKind.PAIN, {"level": 0})) == []
    eyes = mon.on_event(Event(start, EventKind.BALANCE_START, {"eyes": "closed"}), t_s=5.0)
    assert [(a.rule, a.t_s) for a in eyes] == [(Rule.EYES_CLOSED, 5.0)]
    assert mon.on_event(Event(start, EventKind.BALANCE_START, {"eyes": "open"})) == []
    link = mon.on_event(
        Event(start + 200 * NS, EventKind.LINK_LOST, {"reason": "out of range"}, "h10")
    )
    assert link[0].rule == Rule.DATA_QUALITY and link[0].severity == Severity.INFO
    low = SafetyMonitor(make_rx(), start_t_ns=start)  # moderate risk: eyes closed allowed
    assert low.on_event(Event(start, EventKind.BALANCE_START, {"eyes": "closed"})) == []


def test_review_folds_jumps_and_keeps_the_first_time() -> None:
    rx = make_rx("conservative", fracture_risk="high")
    s = summary(
        "aerobic",
        START,
        30,
        jump_list=jumps(12, peak_g=2.8),
        hr_coverage=0.95,
        hr_mean=110,
        hr_max=150,
    )
    alerts = check_safety(s, rx)
    by_rule = {a.rule: a for a in alerts}
    assert by_rule[Rule.FLIGHT_PHASE].count == 12 and by_rule[Rule.FLIGHT_PHASE].t_s == 30.0
    assert by_rule[Rule.FLIGHT_PHASE].last_t_s == s.jumps[-1].landing_s > 30.0
    assert by_rule[Rule.IMPACT_CEILING].count == 12
    assert by_rule[Rule.IMPACT_CEILING].value == 2.8
    hr = by_rule[Rule.HR_CEILING]  # summary peak only: time unknown
    assert hr.t_s is None and hr.value == 150 and "not in the summary" in hr.physio_message


def test_review_with_hr_samples_gives_times() -> None:
    rx = make_rx()
    s = summary("aerobic", START, 30, hr_coverage=0.95, hr_mean=110, hr_max=150)
    samples = [(float(t), 120.0) for t in range(300)] + [(300.0 + t, 145.0) for t in range(30)]
    alerts = [a for a in check_safety(s, rx, hr_samples=samples) if a.rule == Rule.HR_CEILING]
    assert len(alerts) == 1 and alerts[0].t_s == 300.0


def test_review_judges_the_summarys_hr_points_as_live_does() -> None:
    import dataclasses

    rx = make_rx()  # ceiling 134 bpm, sustained 10 s
    s = summary("aerobic", START, 30, hr_coverage=0.95, hr_mean=110, hr_max=150)
    spike = tuple((float(t), 150.0 if 100 <= t < 104 else 118.0) for t in range(600))
    # a 4-s excursion (the summary's peak of 150 bpm) is not a sustained excess
    quiet = dataclasses.replace(s, hr_points=spike)
    assert not [a for a in check_safety(quiet, rx) if a.rule == Rule.HR_CEILING]
    long = tuple((float(t), 150.0 if 200 <= t < 260 else 118.0) for t in range(600))
    alerts = check_safety(dataclasses.replace(s, hr_points=long), rx)
    hr = [a for a in alerts if a.rule == Rule.HR_CEILING]
    assert len(hr) == 1 and hr[0].t_s == 200.0 and hr[0].value == 150.0


def test_review_lists_every_pain_report_and_poor_coverage() -> None:
    rx = make_rx()
    s = summary(
        "impact",
        START,
        20,
        jump_list=jumps(20),
        acc_coverage=0.55,
        events=(ev(60, EventKind.PAIN, level=2), ev(70, EventKind.PAIN, level=5, where="hip")),
    )
    alerts = check_safety(s, rx)
    pains = [a for a in alerts if a.rule == Rule.PAIN]
    assert [a.t_s for a in pains] == [60.0, 70.0]
    dq = [a for a in alerts if a.rule == Rule.DATA_QUALITY]
    assert len(dq) == 1 and dq[0].value == 0.55 and dq[0].limit == 0.8


def test_histogram_counts_impacts_above_a_ceiling_on_a_band_edge() -> None:
    from osteomonitor.model import ImpactSummary

    rx = make_rx("conservative", fracture_risk="high")
    imp = ImpactSummary(
        band_edges_g=(0.3, 1.1, 2.5, 3.9, 5.4, 9.2),
        band_counts=(500, 300, 7, 2, 0, 0),
        n_peaks=809,
        peak_max_g=4.1,
    )
    s = summary("activity", START, 30, impacts=imp)
    a = next(a for a in check_safety(s, rx) if a.rule == Rule.IMPACT_CEILING)
    assert (a.count, a.value, a.limit, a.t_s) == (9, 4.1, 2.5, None)
