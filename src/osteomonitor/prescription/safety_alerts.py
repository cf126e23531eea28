"""Safety alert types and their words: `Severity`, `Rule`, `Alert`, the calm patient
messages per rule and `limit_text` (an alert's limit as a person reads it).

The checks that raise them live in `safety_monitor.py` (live, per sample) and
`safety_review.py` (a finished session); `safety.py` re-exports all three.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from osteomonitor import timefmt
from osteomonitor.prescription.trunk_alerts import FALL_PATIENT_MESSAGE, FLEXION_PATIENT_MESSAGE


class Severity(enum.StrEnum):
    """How urgently an alert needs attention."""

    INFO = "info"  # the data cannot support a judgement
    WARNING = "warning"  # adjust (slow down, land softer)
    STOP = "stop"  # stop this exercise (pain, a forbidden movement)


class Rule(enum.StrEnum):
    """Safety rules."""

    IMPACT_CEILING = "impact-ceiling"
    FLIGHT_PHASE = "flight-phase"
    HR_CEILING = "hr-ceiling"
    PAIN = "pain"
    EYES_CLOSED = "eyes-closed-balance"
    FALL = "fall"
    SPINAL_FLEXION = "spinal-flexion"
    DATA_QUALITY = "data-quality"


@dataclass(frozen=True, slots=True)
class Alert:
    """One safety alert.

    Attributes:
        rule: `Rule` value.
        severity: `Severity` value.
        t_s: seconds from session start of the (first) occurrence, None when unknown.
        value / limit / unit: what was measured against what limit; with repeats
            folded in, `value` is the most extreme of them.
        source: citation of the rule.
        patient_message: calm, plain words for the patient.
        physio_message: precise words for the physio.
        count: occurrences folded into this alert.
        last_t_s: seconds from session start of the latest occurrence folded in
            (None while there is only one).
    """

    rule: str
    severity: str
    t_s: float | None
    value: float | None
    limit: float | None
    unit: str
    source: str
    patient_message: str
    physio_message: str
    count: int = 1
    last_t_s: float | None = None


PATIENT_MESSAGES: dict[str, str] = {
    Rule.IMPACT_CEILING: "That landing was harder than your plan allows. Please step more softly.",
    Rule.FLIGHT_PHASE: "That movement had a small jump in it. Your plan keeps one foot on the "
    "ground: please carry on without jumping.",
    Rule.HR_CEILING: "Your heart rate is above your safe limit. Slow down and breathe easily "
    "until it settles.",
    Rule.PAIN: "You reported pain. Please stop the exercise that hurts and rest. Your "
    "physiotherapist will see your report.",
    Rule.EYES_CLOSED: "Please keep your eyes open during balance exercises.",
    Rule.FALL: FALL_PATIENT_MESSAGE,
    Rule.SPINAL_FLEXION: FLEXION_PATIENT_MESSAGE,
    Rule.DATA_QUALITY: "The sensor signal is patchy. Check that the strap is snug and the "
    "sensor is switched on.",
}


def fmt_t(t_s: float | None) -> str:
    """A session time (s) as physio messages show it (`timefmt.at`)."""
    return timefmt.at(t_s)


def limit_text(alert: Alert) -> str:
    """The alert's limit as a person reads it: "5.4 g", "110 bpm", "any pain" (pain of any
    level alerts), "no flight" (the ceiling allows no flight phase); "" when it has none."""
    if alert.rule == Rule.PAIN:
        return "any pain"
    if alert.rule == Rule.FLIGHT_PHASE:
        return "no flight"
    if alert.limit is None:
        return ""
    if alert.rule == Rule.SPINAL_FLEXION:  # the value is the time held beyond this angle
        return f"{alert.limit:g}°"
    value = f"{alert.limit:.0f}" if alert.unit == "bpm" else f"{alert.limit:.3g}"
    if alert.unit == "coverage":
        return f"{alert.limit:.0%} coverage"
    if alert.unit.startswith("/"):
        return f"{value}{alert.unit}"
    return f"{value} {alert.unit}".strip()
