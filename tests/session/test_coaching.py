"""The live message hierarchy: safety silences encouragement, rests say rest, figures fade."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osteomonitor.model import Event, EventKind
from osteomonitor.prescription.safety import PATIENT_MESSAGES, Alert, Rule, Severity
from osteomonitor.session.coaching import (
    HR_WORDS,
    REST_DETECT_S,
    STALE_AFTER_S,
    Level,
    LiveFacts,
    band_under_ceiling,
    coach,
    order_alerts,
    rest_is_marked,
)

#: P01 of the demo recording: HRrest 56, HRmax 161.1 (Tanaka, 67 y), band 40-60 %HRR
#: (98-119 bpm), ceiling 110 bpm (51.4 %HRR).
P01 = LiveFacts(
    now_s=60.0,
    hr_valid=True,
    band_pct=(40.0, 60.0),
    hrrest_bpm=56.0,
    hrmax_bpm=161.1,
    ceiling_bpm=110.0,
)
ENCOURAGING = ("keep going", "more effort")


def _hr(facts: LiveFacts, bpm: float, **kw: Any) -> LiveFacts:
    pct = 100.0 * (bpm - 56.0) / (161.1 - 56.0)
    return dataclasses.replace(facts, hr_bpm=bpm, hrr_pct=pct, **kw)


def _alert(rule: str, severity: str, t_s: float) -> Alert:
    return Alert(rule, severity, t_s, None, None, "", "", PATIENT_MESSAGES[rule], "")


PAIN = _alert(Rule.PAIN, Severity.STOP, 37.0)
CEILING = _alert(Rule.HR_CEILING, Severity.WARNING, 38.0)
QUALITY = _alert(Rule.DATA_QUALITY, Severity.INFO, 10.0)


def test_hr_above_the_ceiling_inside_the_band_is_never_in_band() -> None:
    c = coach(_hr(P01, 115.0))
    assert c.level is Level.SAFETY
    assert c.hr_tone == "ceiling"
    assert not any(w in c.hr_words.lower() for w in ENCOURAGING)


def test_the_band_shown_is_cut_at_the_ceiling() -> None:
    c = coach(_hr(P01, 105.0))
    assert c.band_capped
    assert c.band_pct is not None
    assert c.band_pct[1] == pytest.approx(100.0 * (110 - 56) / (161.1 - 56))
    assert c.hr_tone == "in"  # 105 bpm is inside the band and under the ceiling


def test_band_wholly_above_the_ceiling_asks_to_stay_below() -> None:
    facts = dataclasses.replace(P01, ceiling_bpm=95.0)
    c = coach(_hr(facts, 90.0))
    assert c.band_pct is None
    assert c.hr_tone == "capped"
    assert "more effort" not in c.hr_words


def test_band_under_ceiling_in_any_unit() -> None:
    assert band_under_ceiling((100.0, 120.0), 110.0) == ((100.0, 110.0), True)
    assert band_under_ceiling((100.0, 120.0), 130.0) == ((100.0, 120.0), False)
    assert band_under_ceiling((100.0, 120.0), 100.0) == (None, True)
    assert band_under_ceiling(None, 100.0) == (None, False)
    assert band_under_ceiling((1.0, 2.0), None) == ((1.0, 2.0), False)


def test_pain_silences_below_band_encouragement() -> None:
    c = coach(_hr(P01, 80.0), [PAIN])
    assert c.level is Level.SAFETY
    assert c.hr_tone == "stop"
    assert "rest" in c.hr_words.lower()
    assert not any(w in c.hr_words.lower() for w in ENCOURAGING)
    # without the alert the same heart rate is encouraged: the alert is what silences
    assert coach(_hr(P01, 80.0)).hr_tone == "below"


def test_an_info_notice_does_not_silence() -> None:
    assert coach(_hr(P01, 80.0), [QUALITY]).hr_tone == "below"


def test_the_ceiling_outranks_pain_on_the_banner() -> None:
    assert order_alerts([PAIN, QUALITY, CEILING]) == (CEILING, PAIN, QUALITY)


def test_a_marked_rest_says_rest() -> None:
    events = [Event(1, EventKind.REST_START)]
    assert rest_is_marked(events)
    assert not rest_is_marked([*events, Event(2, EventKind.REST_END)])
    c = coach(_hr(P01, 80.0, rest_marked=True))
    assert (c.level, c.hr_words) == (Level.REST, HR_WORDS["rest"])


def test_no_movement_is_a_detected_rest_and_movement_is_not() -> None:
    still = _hr(P01, 80.0, acc_until_s=59.0, still_s=REST_DETECT_S)
    assert coach(still).level is Level.REST
    moving = _hr(P01, 80.0, acc_until_s=59.0, still_s=0.0)
    assert coach(moving).hr_tone == "below"
    # the accelerometer stopped long ago: its stillness says nothing about now
    old = _hr(P01, 80.0, acc_until_s=60.0 - STALE_AFTER_S["movement"] - 1, still_s=30.0)
    assert coach(old).level is Level.EXERCISE
    # no accelerometer evidence at all: movement is unknown, never a detected rest
    assert coach(_hr(P01, 80.0)).level is Level.EXERCISE


def test_a_balance_block_neither_urges_nor_rests() -> None:
    c = coach(_hr(P01, 80.0, block_open=True, acc_until_s=60.0, still_s=20.0))
    assert c.level is Level.BLOCK
    assert "effort" not in c.hr_words


def test_safety_outranks_rest_and_block() -> None:
    c = coach(_hr(P01, 115.0, rest_marked=True, block_open=True))
    assert c.hr_tone == "ceiling"


def test_cadence_fades_when_steps_stop() -> None:
    walking = _hr(P01, 100.0, last_step_s=59.0, cadence_spm=114.0)
    assert coach(walking).cadence_spm == 114.0
    stale = _hr(P01, 100.0, last_step_s=60.0 - STALE_AFTER_S["cadence"] - 0.1, cadence_spm=114.0)
    assert coach(stale).cadence_spm is None


def test_landings_fade() -> None:
    assert coach(_hr(P01, 100.0, last_landing_s=50.0)).landings_fresh
    assert not coach(_hr(P01, 100.0, last_landing_s=60.0 - 31.0)).landings_fresh
    assert not coach(P01).landings_fresh


@given(
    bpm=st.floats(40, 200),
    rest=st.booleans(),
    block=st.booleans(),
    with_pain=st.booleans(),
)
def test_nothing_encourages_above_the_ceiling_or_during_a_safety_alert(
    bpm: float, rest: bool, block: bool, with_pain: bool
) -> None:
    c = coach(_hr(P01, bpm, rest_marked=rest, block_open=block), [PAIN] if with_pain else [])
    if bpm > 110.0 or with_pain:
        assert c.level is Level.SAFETY
        assert not any(w in c.hr_words.lower() for w in ENCOURAGING)
    if c.hr_tone in ("in", "below"):
        assert bpm <= 110.0


def test_the_alerts_demo_ends_resting_with_its_cadence_faded() -> None:
    """The processor's snapshot feeds the hierarchy: at the end of the alerts demo the
    walk ended ~45 s earlier and the last 15 s were still."""
    from pathlib import Path

    from osteomonitor.session import process_recording
    from osteomonitor.session.coaching import live_facts

    rec = Path(__file__).resolve().parents[2] / "recordings" / "demo-P01-alerts-sim.omrec"
    _, proc = process_recording(rec)
    state = proc.state()
    assert state.last_step_s is not None and state.elapsed_s - state.last_step_s > 30
    assert state.cadence_now_spm == pytest.approx(114, abs=3)  # the walk's, now stale
    assert state.still_s is not None and state.still_s >= REST_DETECT_S
    facts = live_facts(state, 110.0)
    c = coach(facts)
    assert c.cadence_spm is None
    assert c.level is Level.REST
    assert coach(facts, [PAIN]).level is Level.SAFETY


def test_band_positions_when_nothing_outranks_them() -> None:
    """(Moved from the heart tile's band_position, which the hierarchy replaced.)"""
    wide = dataclasses.replace(P01, ceiling_bpm=None)
    assert coach(_hr(wide, 56 + 0.5 * 105.1)).hr_tone == "in"
    assert coach(_hr(wide, 56 + 0.399 * 105.1)).hr_tone == "below"
    assert coach(_hr(wide, 56 + 0.601 * 105.1)).hr_tone == "above"
    assert coach(_hr(wide, 100.0, hr_valid=False)).hr_tone == "invalid"
    no_hrr = dataclasses.replace(wide, hr_bpm=100.0, hr_valid=True)
    assert coach(no_hrr).hr_tone == "none"  # HR valid, no HRrest/HRmax known
    assert coach(_hr(wide, 100.0, band_pct=None)).hr_tone == "none"
