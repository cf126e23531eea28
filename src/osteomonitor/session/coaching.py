"""One message hierarchy for the live screen: what the patient is told, and when.

Every live widget renders the same `Coaching`, so the screen never says two things
that contradict each other. The levels, highest first (`Level`):

1. **safety**: the heart rate is above the ceiling, or a safety alert (stop or
   warning) is showing. All encouragement is silenced; the heart tile repeats the
   banner's action ("slow down", "stop and rest").
2. **block**: a timed balance block or stretch hold is running; the heart-rate band
   is not the goal of that block, so the tile neither urges nor slows.
3. **rest**: a prescribed rest (an open `rest_start` event) or a detected one (no
   movement for `REST_DETECT_S`); the tile says "rest".
4. **exercise**: where the heart rate sits against the band, the band cut at the
   safety ceiling (`band_under_ceiling`) so "in band" or "a bit more effort" can
   never point above the ceiling.

Below these, `no signal` (no valid heart rate) and `none` (no band) describe the
tile's own data. Every figure that describes "now" fades once its evidence is older
than its entry in `STALE_AFTER_S`.

Pure: no Textual, no I/O (tested in tests/session/test_coaching.py).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from osteomonitor.analysis.intensity import MAX_HOLD_S
from osteomonitor.analysis.movement import STILL_STEP_S, STILL_WINDOW_S
from osteomonitor.model import Event, EventKind
from osteomonitor.prescription.safety import Rule, Severity
from osteomonitor.session.state import SessionState


class Level(enum.StrEnum):
    """Which layer of the hierarchy decided the message (highest first)."""

    SAFETY = "safety"
    BLOCK = "block"
    REST = "rest"
    EXERCISE = "exercise"


#: How long each live figure stays on screen after its latest evidence, s of session
#: time. After this the figure is shown as "--" (or hidden): a number that describes
#: "now" must not outlive the data behind it.
STALE_AFTER_S: dict[str, float] = {
    # The heart-rate value: the same hold the zone integration gives a sample
    # (analysis.intensity.MAX_HOLD_S, 5 s at 1 Hz notifications): longer and the value
    # shown is no longer the one being judged.
    "hr": MAX_HOLD_S,
    # Cadence: steps reach the analysis in 2 s batches (session ACC_BATCH_S) and the
    # slowest cadence the step counter accepts is one step per 1.0 s
    # (analysis.steps.STEP_INTERVAL_S); two missed steps plus one batch = 4 s, and 1 s
    # of slack for the screen's refresh.
    "cadence": 5.0,
    # The last landings' peaks on the jump tile: the demo and KSBMR-style jump blocks
    # space jumps a few seconds apart (sim JUMP_SPACING_S = 3 s) and rest 30-60 s
    # between blocks; 30 s keeps a block's landings readable through its short pauses
    # and clears them once the block's rest is under way.
    "landings": 30.0,
    # Stillness: judged once per `STILL_STEP_S` on samples analysed in 2 s batches;
    # older than one batch plus three steps and the accelerometer has stopped.
    "movement": 2.0 + 3 * STILL_STEP_S,
}

#: No movement for this long (s) is a detected rest: one whole still window of
#: analysis.movement (van Hees et al., J Appl Physiol 2014;117:738: 10 s, SD < 13 mg per
#: axis). USC-HAD: no walking, stairs, running or jumping second is still.
REST_DETECT_S = STILL_WINDOW_S

#: Banner order of the safety rules, lowest first. A ceiling (heart rate, impact,
#: flight) describes what the person is doing this moment and their action changes it
#: now; a pain report is the person's own note and stays (sticky) until acknowledged,
#: so it never pushes a current ceiling off the banner. A data-quality notice is
#: informational. Unknown rules come after the known ones; a UI-side "feed" alert
#: (data stopped arriving) ranks with the ceilings: without data nothing is judged.
ALERT_PRIORITY: dict[str, int] = {
    Rule.FALL: 0,  # a possible fall, and the person asking for help, come first
    "help": 0,
    Rule.HR_CEILING: 0,
    Rule.SPINAL_FLEXION: 1,  # bending beyond the limit now: a movement limit, like flight
    Rule.FLIGHT_PHASE: 1,
    Rule.IMPACT_CEILING: 1,
    Rule.EYES_CLOSED: 1,
    "feed": 1,
    Rule.PAIN: 2,
    Rule.DATA_QUALITY: 4,
}
_UNKNOWN_PRIORITY = 3

#: Severity order, most severe first; unknown severities sort last.
SEVERITY_ORDER: tuple[str, ...] = ("stop", "critical", "high", "warning", "caution", "info")
#: Severities that silence encouragement (an "info" notice does not).
SILENCING: frozenset[str] = frozenset({"stop", "critical", "high", "warning", "caution"})

#: The heart tile's words per tone. Short (a tile is ~26 characters wide at 120
#: columns), calm, actionable; none of the safety, block or rest words asks for more
#: effort, and the safety words repeat the banner's action rather than adding one.
HR_WORDS: dict[str, str] = {
    "ceiling": "Above your limit - slow down",
    "stop": "Stop and rest",
    "caution": "Take it easy",
    "block": "No HR target in this block",
    "rest": "Rest - breathe easily",
    "in": "In band - keep going",
    "below": "Below band - a bit more effort",
    "above": "Above band - ease off a little",
    "none": "No target band",
    "capped": "Stay below your limit",
    "invalid": "No heart signal - check the strap",
}


@dataclass(frozen=True, slots=True)
class LiveFacts:
    """What the hierarchy needs to know about the session right now.

    Attributes:
        now_s: session time, s.
        hr_bpm: latest valid heart rate, bpm (None when there is none).
        hr_valid: `hr_bpm` is current and trustworthy.
        hrr_pct: `hr_bpm` as %HRR (None when HRrest/HRmax are unknown).
        band_pct: prescribed %HRR band (lo, hi), or None.
        hrrest_bpm / hrmax_bpm: for converting the ceiling to %HRR.
        ceiling_bpm: the prescription's heart-rate safety ceiling, bpm, or None.
        last_step_s: session time of the latest counted step, s (None: none yet).
        cadence_spm: cadence over the latest steps, steps/min (None: none).
        still_s: how long the accelerometer had been still at `acc_until_s`, s
            (analysis.movement; None: no accelerometer).
        acc_until_s: session time of the latest analysed accelerometer sample, s.
        rest_marked: a prescribed rest is open (`rest_start` without `rest_end`).
        block_open: a balance block or a stretch hold is running.
        last_landing_s: landing time of the latest jump, s (None: no jump yet).
    """

    now_s: float = 0.0
    hr_bpm: float | None = None
    hr_valid: bool = False
    hrr_pct: float | None = None
    band_pct: tuple[float, float] | None = None
    hrrest_bpm: float | None = None
    hrmax_bpm: float | None = None
    ceiling_bpm: float | None = None
    last_step_s: float | None = None
    cadence_spm: float | None = None
    still_s: float | None = None
    acc_until_s: float | None = None
    rest_marked: bool = False
    block_open: bool = False
    last_landing_s: float | None = None


def live_facts(
    state: SessionState, ceiling_bpm: float | None, *, holding: bool = False
) -> LiveFacts:
    """The facts of a live snapshot.

    Args:
        state: the processor's snapshot.
        ceiling_bpm: the prescription's heart-rate ceiling, bpm (None: none).
        holding: a stretch hold is running (the screen's timer; holds are recorded
            only when they end).
    """
    heart = state.heart
    return LiveFacts(
        now_s=state.elapsed_s,
        hr_bpm=state.hr_bpm,
        hr_valid=state.hr_valid,
        hrr_pct=state.hrr_pct,
        band_pct=state.target_band_pct,
        hrrest_bpm=heart.hrrest_bpm,
        hrmax_bpm=heart.hrmax_bpm,
        ceiling_bpm=ceiling_bpm,
        last_step_s=state.last_step_s,
        cadence_spm=state.cadence_now_spm,
        still_s=state.still_s,
        acc_until_s=state.acc_until_s,
        rest_marked=rest_is_marked(state.events),
        block_open=holding or balance_is_open(state.events),
        last_landing_s=state.last_jumps[-1].landing_s if state.last_jumps else None,
    )


@dataclass(frozen=True, slots=True)
class Coaching:
    """What every live widget shows, decided once.

    Attributes:
        level: the layer of the hierarchy that decided the message.
        hr_tone: the heart tile's tone (a key of `HR_WORDS`, also its CSS class).
        hr_words: the heart tile's sentence.
        band_pct: the band shown, %HRR, cut at the ceiling (None: no band to show).
        band_capped: the prescribed band's top was above the ceiling and was cut.
        cadence_spm: cadence to show, steps/min (None: stale or none).
        landings_fresh: the last landings may still be shown.
        alerts: the active alerts in banner order (see `order_alerts`).
    """

    level: Level
    hr_tone: str
    hr_words: str
    band_pct: tuple[float, float] | None = None
    band_capped: bool = False
    cadence_spm: float | None = None
    landings_fresh: bool = False
    alerts: tuple[object, ...] = ()


def severity_rank(alert: object) -> int:
    """Position of an alert's severity in `SEVERITY_ORDER` (unknown: last)."""
    sev = str(getattr(alert, "severity", "")).lower()
    return SEVERITY_ORDER.index(sev) if sev in SEVERITY_ORDER else len(SEVERITY_ORDER)


def order_alerts(alerts: Sequence[object]) -> tuple[object, ...]:
    """Alerts in banner order: `ALERT_PRIORITY`, then severity, then newest first."""

    def key(alert: object) -> tuple[int, int, float]:
        rule = str(getattr(alert, "rule", ""))
        t = getattr(alert, "last_t_s", None) or getattr(alert, "t_s", None) or 0.0
        return (ALERT_PRIORITY.get(rule, _UNKNOWN_PRIORITY), severity_rank(alert), -float(t))

    return tuple(sorted(alerts, key=key))


def banner_severity(alerts: Sequence[object]) -> str | None:
    """The most severe severity among `alerts` (None when there are none)."""
    if not alerts:
        return None
    top = min(alerts, key=severity_rank)
    return str(getattr(top, "severity", "warning")).lower()


def ceiling_pct(facts: LiveFacts) -> float | None:
    """The heart-rate ceiling as %HRR (None without ceiling, HRrest or HRmax)."""
    c, rest, hrmax = facts.ceiling_bpm, facts.hrrest_bpm, facts.hrmax_bpm
    if c is None or rest is None or hrmax is None or hrmax <= rest:
        return None
    return 100.0 * (c - rest) / (hrmax - rest)


def band_under_ceiling(
    band: tuple[float, float] | None, ceiling: float | None
) -> tuple[tuple[float, float] | None, bool]:
    """The band cut at the ceiling (same unit for both, %HRR or bpm).

    Returns:
        (band shown, whether it was cut). None when the whole band lies at or above
        the ceiling: no part of it may be aimed at.
    """
    if band is None or ceiling is None:
        return band, False
    lo, hi = band
    if lo >= ceiling:
        return None, True
    if hi > ceiling:
        return (lo, ceiling), True
    return band, False


def marked_open(events: Sequence[Event], start: str, end: str) -> bool:
    """The latest of the `start` / `end` markers among `events` is a `start`."""
    for e in reversed(events):
        if e.kind == end:
            return False
        if e.kind == start:
            return True
    return False


def rest_is_marked(events: Sequence[Event]) -> bool:
    """A prescribed rest is open (a `rest_start` not yet ended)."""
    return marked_open(events, EventKind.REST_START, EventKind.REST_END)


def balance_is_open(events: Sequence[Event]) -> bool:
    """A balance block is running (a `balance_start` not yet ended)."""
    return marked_open(events, EventKind.BALANCE_START, EventKind.BALANCE_END)


def fresh(evidence_s: float | None, now_s: float, figure: str) -> bool:
    """The evidence at `evidence_s` is recent enough to show `figure` at `now_s`."""
    return evidence_s is not None and now_s - evidence_s <= STALE_AFTER_S[figure]


def resting_detected(facts: LiveFacts) -> bool:
    """Still for `REST_DETECT_S` while the accelerometer is streaming."""
    return (
        fresh(facts.acc_until_s, facts.now_s, "movement")
        and facts.still_s is not None
        and facts.still_s >= REST_DETECT_S
    )


def _above_ceiling(facts: LiveFacts) -> bool:
    return (
        facts.hr_valid
        and facts.hr_bpm is not None
        and facts.ceiling_bpm is not None
        and facts.hr_bpm > facts.ceiling_bpm
    )


def _band_tone(facts: LiveFacts, band: tuple[float, float] | None) -> str:
    if not facts.hr_valid or facts.hr_bpm is None:
        return "invalid"
    if facts.hrr_pct is None or band is None:
        return "none"
    lo, hi = band
    if facts.hrr_pct < lo:
        return "below"
    if facts.hrr_pct > hi:
        return "above"
    return "in"


def coach(facts: LiveFacts, active_alerts: Sequence[object] = ()) -> Coaching:
    """Decide what the live screen says now (see the module docstring for the order).

    Args:
        facts: the session now.
        active_alerts: the alerts the banner shows now (any order).
    """
    alerts = order_alerts(active_alerts)
    band, capped = band_under_ceiling(facts.band_pct, ceiling_pct(facts))
    cadence = facts.cadence_spm if fresh(facts.last_step_s, facts.now_s, "cadence") else None
    silencing = [a for a in alerts if str(getattr(a, "severity", "")).lower() in SILENCING]
    if _above_ceiling(facts):
        tone, level = "ceiling", Level.SAFETY
    elif silencing:
        tone = "stop" if banner_severity(silencing) == Severity.STOP else "caution"
        level = Level.SAFETY
    elif facts.block_open:
        tone, level = "block", Level.BLOCK
    elif facts.rest_marked or resting_detected(facts):
        tone, level = "rest", Level.REST
    else:
        tone, level = _band_tone(facts, band), Level.EXERCISE
        if tone == "none" and capped:
            tone = "capped"  # the whole band is above the ceiling: nothing to aim at
    return Coaching(
        level,
        tone,
        HR_WORDS[tone],
        band_pct=band,
        band_capped=capped,
        cadence_spm=cadence,
        landings_fresh=fresh(facts.last_landing_s, facts.now_s, "landings"),
        alerts=alerts,
    )
