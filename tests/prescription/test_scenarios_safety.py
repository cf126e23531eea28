"""Clinical scenarios, safety side (issue 13 items 1, 3, 4, 5), from the guideline text.

Sources: reference/fitt-targets.md "Safety rules stated in the guidance"; seeds/000
(ACSM special considerations); seeds/003 (patient-facing conservative guidance).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from scenario_sim import Events, day, draft, meta, on_day, rx, walker

from osteomonitor.errors import PrescriptionError
from osteomonitor.model import EventKind
from osteomonitor.prescription import (
    PrescriptionFileError,
    Rule,
    evaluate_session,
    evaluate_week,
    parse_prescription,
)

# The patient: HRrest 64, HRmax 159 → KSBMR's 40–60 %HRR band is 102–121 bpm.
P01: dict[str, Any] = dict(resting_hr_bpm=64.0, hrmax_bpm=159.0, fracture_risk="high")


def _with_ceiling(text: str, bpm: int) -> str:
    return re.sub(r"hr_ceiling = \{[^}]*\}", f"hr_ceiling = {{ bpm = {bpm} }}", text)


# ----------------------------------------------------------- 1: band above ceiling


def test_s01_check_refuses_a_band_above_the_hr_ceiling() -> None:
    text, _ = draft("ksbmr-2023", bpm=140, **P01)
    with pytest.raises(PrescriptionFileError) as e:
        parse_prescription(_with_ceiling(text, 110), "p01.toml")
    msg = str(e.value)
    assert "aerobic.hrr_pct" in msg
    assert "121" in msg and "110" in msg


def test_s02_new_cuts_the_band_at_the_ceiling_with_a_stated_warning() -> None:
    text, notes = draft("ksbmr-2023", bpm=110, **P01)
    prx = parse_prescription(text, "p01.toml")
    band = prx.modalities["aerobic"].targets["hrr_pct"]
    assert band.lo == 40
    assert band.hi == pytest.approx(100 * (110 - 64) / (159 - 64), abs=0.1)
    assert any("cut" in n and "110" in n for n in notes)
    assert "cut at the HR ceiling" in text


def test_s03_new_refuses_a_ceiling_below_the_band_floor() -> None:
    with pytest.raises(PrescriptionError, match="ceiling"):
        draft("ksbmr-2023", bpm=95, **P01)


def test_s04_an_old_recording_snapshot_opens_with_the_band_cut() -> None:
    text, _ = draft("ksbmr-2023", bpm=140, **P01)
    bad = _with_ceiling(text, 110)
    prx = parse_prescription(bad, "old.omrec (prescription snapshot)", snapshot=True)
    assert prx.modalities["aerobic"].targets["hrr_pct"].hi == pytest.approx(48.4, abs=0.1)
    assert any("cut" in w for w in prx.warnings)


def test_s05_a_day_above_the_hr_ceiling_is_not_a_dose_day(lab) -> None:  # type: ignore[no-untyped-def]
    prx = rx("ksbmr-2023")  # ceiling 75 %HRR = 118.75 bpm; band 89–106 bpm
    spike = lambda i: 125.0 if 600 <= i < 720 else 100.0  # noqa: E731  two minutes above
    _, s = lab.strap(prx, "cycle25_spike", "aerobic", 25, spike)
    sc = evaluate_session(s, prx, day(1))
    assert any(a.rule == Rule.HR_CEILING for a in sc.alerts)
    aer = next(mc for mc in sc.modalities if mc.modality == "aerobic")
    assert aer.minutes is not None and aer.minutes >= 20  # the band minutes are there …
    w = evaluate_week([(meta("aerobic"), on_day(s, day(1)))], prx, "2025-W10")
    row = w.modality("aerobic")
    assert (row.days_trained, row.days_met) == (1, 0)  # … but the safety cap spoils the day
    assert "ceiling" in row.day_doses[0].evidence


# ------------------------------------------------------ 3: eyes-closed balance


def test_s06_vertebral_fracture_restricts_eyes_closed_balance_at_low_risk() -> None:
    prx = rx("ksbmr-2023", fracture_risk="low", prior_vertebral_fracture=True)
    assert prx.safety.eyes_closed_balance is False
    text, _ = draft("ksbmr-2023", fracture_risk="low", prior_vertebral_fracture=True)
    with pytest.raises(PrescriptionFileError, match="eyes_closed_balance"):
        parse_prescription(text.replace("[safety]\n", "[safety]\neyes_closed_balance = true\n"))


def test_s07_low_risk_without_fracture_may_close_the_eyes(lab) -> None:  # type: ignore[no-untyped-def]
    prx = rx("ksbmr-2023", fracture_risk="low")
    assert prx.safety.eyes_closed_balance is True
    ev: Events = (
        (30.0, EventKind.BALANCE_START, {"eyes": "closed"}),
        (330.0, EventKind.BALANCE_END, {}),
    )
    _, s = lab.strap(prx, "balance_closed_low", "balance", 6, 80.0, ev)
    assert not [a for a in evaluate_session(s, prx).alerts if a.rule == Rule.EYES_CLOSED]


def test_s08_eyes_closed_block_alerts_with_a_vertebral_fracture(lab) -> None:  # type: ignore[no-untyped-def]
    prx = rx("ksbmr-2023", fracture_risk="low", prior_vertebral_fracture=True)
    ev: Events = (
        (30.0, EventKind.BALANCE_START, {"eyes": "closed"}),
        (330.0, EventKind.BALANCE_END, {}),
    )
    _, s = lab.strap(prx, "balance_closed_vf", "balance", 6, 80.0, ev)
    alerts = [a for a in evaluate_session(s, prx).alerts if a.rule == Rule.EYES_CLOSED]
    assert alerts and "vertebral fracture" in alerts[0].source


# ---------------------------------------------- 4: conservative spinal restriction


def test_s09_conservative_template_carries_its_spinal_restriction() -> None:
    prx = rx("conservative", fracture_risk="low")
    assert prx.safety.avoid_spinal_flexion is True
    assert "Minimizing extreme positions of forward bending and twisting" in (
        prx.safety.spinal_source
    )
    # cited by its published source, never by a file outside the repository (issue 16)
    assert "iSpine" in prx.safety.spinal_source and "seeds/" not in prx.safety.spinal_source


def test_s10_conservative_draft_writes_the_restriction_with_its_source() -> None:
    text, _ = draft("conservative", fracture_risk="low")
    assert "avoid_spinal_flexion = true" in text
    assert "forward bending and twisting" in text
    # KSBMR states no spinal restriction: a low-risk patient without fracture has none
    assert rx("ksbmr-2023", fracture_risk="low").safety.avoid_spinal_flexion is False


# ------------------------------------------------------------ 5: fitting reasons


def test_s11_low_risk_conservative_reason_is_the_template_not_a_fracture() -> None:
    prx = rx("conservative", fracture_risk="low")
    src = prx.safety.impact.source
    assert "high fracture risk" not in src and "vertebral fracture" not in src
    assert "conservative" in src


def test_s12_low_risk_vertebral_fracture_reason_names_the_fracture_only() -> None:
    src = rx("ksbmr-2023", fracture_risk="low", prior_vertebral_fracture=True).safety.impact.source
    assert "prior vertebral fracture" in src
    assert "high fracture risk" not in src


def test_s13_high_risk_reason_names_the_risk_only() -> None:
    prx = rx("ksbmr-2023", fracture_risk="high")
    assert "high fracture risk" in prx.safety.impact.source
    assert "vertebral fracture" not in prx.safety.impact.source
    assert walker().fracture_risk == "moderate"
