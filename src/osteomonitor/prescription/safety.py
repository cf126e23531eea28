"""Safety alerts, live and in review.

Rules (each alert cites its source): a landing above the impact ceiling, any flight
phase when the ceiling forbids them, heart rate above the HR ceiling, pain reported,
eyes-closed balance at high fracture risk, a suspected fall, sustained forward bending
when the prescription restricts spinal flexion (`trunk_alerts.py`), data too poor to
judge. Every `Alert` carries
the time, the value, the limit, the rule source, a severity, a calm message for the
patient and a precise one for the physio.

`SafetyMonitor` is the per-sample form the live dashboard calls; `check_safety` reviews
a finished `SessionSummary`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from osteomonitor import timefmt
from osteomonitor.model import Event, EventKind, Fall, Jump, SessionSummary
from osteomonitor.prescription.fitt import Prescription
from osteomonitor.prescription.limits import THRESHOLDS
from osteomonitor.prescription.sources import REFERENCES
from osteomonitor.prescription.trunk_alerts import (
    FALL_PATIENT_MESSAGE,
    FALL_SOURCE,
    FLEXION_PATIENT_MESSAGE,
    fall_physio_message,
    flexion_physio_message,
)

NS_PER_S = 1_000_000_000


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


def _fmt_t(t_s: float | None) -> str:
    return timefmt.at(t_s)


class SafetyMonitor:
    """Live safety checks, fed sample by sample.

    Each `on_*` method returns the alerts to show now. An alert of a rule that already
    alerted within `alert_repeat_s` is not shown again; its count goes up instead (see
    `alerts`).

    Args:
        rx: the prescription in force.
        start_t_ns: session start, host ns; needed to place events (which carry host
            time) on the session clock. Jumps and HR are given in session seconds.
        repeat_s: an alert of a rule within this many seconds of the last one is folded
            into it (default `alert_repeat_s`; 0 lists every occurrence, as review does
            for pain reports and balance blocks).
    """

    def __init__(
        self, rx: Prescription, start_t_ns: int | None = None, repeat_s: float | None = None
    ) -> None:
        self.rx = rx
        self.start_t_ns = start_t_ns
        self._alerts: list[Alert] = []
        self._last_index: dict[str, int] = {}
        self._hr_above_since: float | None = None
        self._hr_peak = 0.0
        self._hr_armed = True
        self._repeat_s = THRESHOLDS["alert_repeat_s"].value if repeat_s is None else repeat_s
        self._sustain_s = THRESHOLDS["hr_ceiling_sustain_s"].value
        self._rearm_bpm = THRESHOLDS["hr_ceiling_rearm_bpm"].value

    @property
    def alerts(self) -> tuple[Alert, ...]:
        """Every alert raised so far, with repeat counts folded in."""
        return tuple(self._alerts)

    def _emit(self, alert: Alert, fold: bool = True) -> list[Alert]:
        idx = self._last_index.get(alert.rule)
        if idx is not None and fold:
            last = self._alerts[idx]
            if (
                alert.t_s is not None
                and last.t_s is not None
                and alert.t_s - last.t_s < self._repeat_s
            ):
                value = last.value
                if alert.value is not None and (value is None or alert.value > value):
                    value = alert.value
                self._alerts[idx] = replace(
                    last, count=last.count + 1, value=value, last_t_s=alert.t_s
                )
                return []
        self._last_index[alert.rule] = len(self._alerts)
        self._alerts.append(alert)
        return [alert]

    def on_jump(self, jump: Jump) -> list[Alert]:
        """Check one detected jump (times in session seconds)."""
        ceiling = self.rx.safety.impact
        out: list[Alert] = []
        if not ceiling.flight_allowed:
            out += self._emit(
                Alert(
                    Rule.FLIGHT_PHASE,
                    Severity.STOP,
                    jump.landing_s,
                    jump.flight_s,
                    0.0,
                    "s flight",
                    ceiling.source,
                    PATIENT_MESSAGES[Rule.FLIGHT_PHASE],
                    f"Jump {_fmt_t(jump.landing_s)}: flight {jump.flight_s:.2f} s, landing "
                    f"{jump.peak_g:.1f} g; impact ceiling '{ceiling.mode}' allows no flight "
                    "phase.",
                )
            )
        if ceiling.peak_g is not None and jump.peak_g > ceiling.peak_g:
            out += self._emit(self.impact_alert(jump.landing_s, jump.peak_g, 1))
        return out

    def impact_alert(self, t_s: float | None, peak_g: float, count: int) -> Alert:
        """The impact-ceiling alert for `count` landings peaking at `peak_g` (not recorded)."""
        c = self.rx.safety.impact
        assert c.peak_g is not None
        return Alert(
            Rule.IMPACT_CEILING,
            Severity.WARNING,
            t_s,
            peak_g,
            c.peak_g,
            "g",
            c.source,
            PATIENT_MESSAGES[Rule.IMPACT_CEILING],
            f"Landing peak {peak_g:.1f} g {_fmt_t(t_s)} is above the '{c.mode}' impact "
            f"ceiling of {c.peak_g:g} g.",
            max(count, 1),
        )

    def on_hr(self, t_s: float, bpm: float) -> list[Alert]:
        """Check one heart-rate value (session seconds, bpm; 0 or less is a dropout)."""
        if bpm <= 0:
            return []
        ceiling = self.rx.safety.hr_ceiling_bpm
        if bpm > ceiling:
            if self._hr_above_since is None:
                self._hr_above_since, self._hr_peak = t_s, bpm
            self._hr_peak = max(self._hr_peak, bpm)
            if self._hr_armed and t_s - self._hr_above_since >= self._sustain_s:
                self._hr_armed = False
                return self._emit(self.hr_alert(self._hr_above_since, self._hr_peak))
            return []
        self._hr_above_since = None
        if bpm < ceiling - self._rearm_bpm:
            self._hr_armed = True
        return []

    def hr_alert(self, t_s: float | None, bpm: float, sustained: bool = True) -> Alert:
        """The HR-ceiling alert for `bpm` from `t_s` (not recorded)."""
        s = self.rx.safety
        how = (
            f"for ≥ {self._sustain_s:g} s, starting {_fmt_t(t_s)}"
            if sustained
            else "(peak of valid HR; time above the ceiling is not in the summary)"
        )
        return Alert(
            Rule.HR_CEILING,
            Severity.WARNING,
            t_s,
            bpm,
            s.hr_ceiling_bpm,
            "bpm",
            f"prescription HR ceiling {s.hr_ceiling_text}",
            PATIENT_MESSAGES[Rule.HR_CEILING],
            f"HR {bpm:.0f} bpm above the ceiling of {s.hr_ceiling_text} {how}.",
        )

    def on_fall(self, fall: Fall) -> list[Alert]:
        """A suspected fall (session seconds): a STOP alert every time, never folded
        into an earlier one."""
        return self._emit(self._fall_alert(fall), fold=False)

    def _fall_alert(self, fall: Fall, response: str | None = None) -> Alert:
        return Alert(
            Rule.FALL,
            Severity.STOP,
            fall.t_s,
            fall.peak_g,
            None,
            "g impact",
            FALL_SOURCE,
            PATIENT_MESSAGES[Rule.FALL],
            fall_physio_message(fall, response),
        )

    def on_flexion(self, start_s: float, limit_deg: float, held_s: float) -> list[Alert]:
        """A bend beyond `limit_deg` held `held_s` from `start_s` (session seconds): a
        caution when the prescription restricts spinal flexion, else nothing."""
        s = self.rx.safety
        if not s.avoid_spinal_flexion:
            return []
        return self._emit(
            Alert(
                Rule.SPINAL_FLEXION,
                Severity.WARNING,
                start_s,
                held_s,
                limit_deg,
                "s beyond the limit",
                s.spinal_source,
                PATIENT_MESSAGES[Rule.SPINAL_FLEXION],
                flexion_physio_message(start_s, limit_deg, held_s),
            )
        )

    def on_event(self, event: Event, t_s: float | None = None) -> list[Alert]:
        """Check a session event: pain reports, balance blocks, lost links.

        Args:
            event: the event (host time in ns).
            t_s: its time in session seconds; None derives it from `start_t_ns`.
        """
        if t_s is None and self.start_t_ns is not None:
            t_s = (event.t_ns - self.start_t_ns) / NS_PER_S
        data = event.data
        if event.kind == EventKind.PAIN:
            level = data.get("level")
            if isinstance(level, int | float) and level <= 0:
                return []
            where = data.get("where") or "site not given"
            return self._emit(
                Alert(
                    Rule.PAIN,
                    Severity.STOP,
                    t_s,
                    float(level) if isinstance(level, int | float) else None,
                    0.0,
                    "/10",
                    f"exercise must not cause or worsen pain ({REFERENCES['acsm-special']})",
                    PATIENT_MESSAGES[Rule.PAIN],
                    f"Pain {level if level is not None else '?'}/10 ({where}) reported "
                    f"{_fmt_t(t_s)}.",
                )
            )
        if (
            event.kind == EventKind.BALANCE_START
            and data.get("eyes") == "closed"
            and not self.rx.safety.eyes_closed_balance
        ):
            return self._emit(
                Alert(
                    Rule.EYES_CLOSED,
                    Severity.STOP,
                    t_s,
                    None,
                    None,
                    "",
                    self.rx.safety.eyes_closed_source,
                    PATIENT_MESSAGES[Rule.EYES_CLOSED],
                    f"Eyes-closed balance block started {_fmt_t(t_s)}; not allowed at "
                    f"{self.rx.patient.fracture_risk} fracture risk.",
                )
            )
        if event.kind == EventKind.LINK_LOST:
            return self._emit(
                Alert(
                    Rule.DATA_QUALITY,
                    Severity.INFO,
                    t_s,
                    None,
                    None,
                    "",
                    "a lost link leaves a gap that cannot be judged",
                    PATIENT_MESSAGES[Rule.DATA_QUALITY],
                    f"Link to {event.device or 'a sensor'} lost {_fmt_t(t_s)} "
                    f"({data.get('reason', 'no reason given')}).",
                )
            )
        return []


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


def _coverage_alert(what: str, coverage: float) -> Alert:
    limit = THRESHOLDS["coverage_min"]
    return Alert(
        Rule.DATA_QUALITY,
        Severity.INFO,
        None,
        coverage,
        limit.value,
        "coverage",
        limit.source,
        PATIENT_MESSAGES[Rule.DATA_QUALITY],
        f"{what} covers {coverage:.0%} of the session (< {limit.value:.0%}): too little to "
        "judge it.",
    )


def check_safety(
    summary: SessionSummary,
    rx: Prescription,
    hr_samples: Iterable[tuple[float, float]] | None = None,
) -> list[Alert]:
    """Review a finished session against the safety limits.

    Args:
        summary: the session.
        rx: the prescription in force.
        hr_samples: (session s, bpm) pairs; default the summary's `hr_points`. With
            them HR alerts carry the time and need `hr_ceiling_sustain_s` above the
            ceiling, as live; without any the summary's peak HR is compared and the
            time is unknown.

    Returns:
        Alerts ordered by rule: impact, HR, events, data quality.
    """
    mon = SafetyMonitor(rx, summary.start_t_ns)
    alerts: list[Alert] = []
    if hr_samples is None and summary.hr_points:
        hr_samples = summary.hr_points
    c = rx.safety.impact
    jumps: Sequence[Jump] = summary.jumps
    if jumps and not c.flight_allowed:
        first = jumps[0]
        a = mon.on_jump(first)[0]
        when = _fmt_t(first.landing_s)
        which = f"1 jump {when}" if len(jumps) == 1 else f"{len(jumps)} jumps, the first {when}"
        alerts.append(
            replace(
                a,
                count=len(jumps),
                last_t_s=jumps[-1].landing_s if len(jumps) > 1 else None,
                physio_message=f"{which} (flight {first.flight_s:.2f} s, landing "
                f"{first.peak_g:.1f} g); impact ceiling '{c.mode}' allows no flight phase.",
            )
        )
    if c.peak_g is not None:
        above = [j for j in jumps if j.peak_g > c.peak_g]
        n_hist = _histogram_count_above(summary, c.peak_g)
        peak = max([j.peak_g for j in above] + [summary.impacts.peak_max_g or 0.0])
        if peak > c.peak_g:
            t_s = above[0].landing_s if above else None
            a = mon.impact_alert(t_s, peak, max(len(above), n_hist or 1))
            alerts.append(replace(a, last_t_s=above[-1].landing_s) if len(above) > 1 else a)
    if hr_samples is not None:
        hr_mon = SafetyMonitor(rx, summary.start_t_ns)
        for t_s, bpm in hr_samples:
            hr_mon.on_hr(t_s, bpm)
        alerts += [a for a in hr_mon.alerts if a.rule == Rule.HR_CEILING]
    elif (
        summary.heart.hr_max_bpm is not None and summary.heart.hr_max_bpm > rx.safety.hr_ceiling_bpm
    ):
        alerts.append(mon.hr_alert(None, summary.heart.hr_max_bpm, sustained=False))
    ev_mon = SafetyMonitor(rx, summary.start_t_ns, repeat_s=0.0)  # every pain report listed
    for ev in summary.events:
        if ev.kind in (EventKind.PAIN, EventKind.BALANCE_START):
            ev_mon.on_event(ev)
    alerts += list(ev_mon.alerts)
    from osteomonitor.prescription.trunk_review import trunk_review_alerts  # uses this module

    alerts += trunk_review_alerts(summary, rx)
    alerts += data_quality_alerts(summary)
    return alerts


def _histogram_count_above(summary: SessionSummary, limit_g: float) -> int | None:
    """Peaks above `limit_g` from the impact histogram, when a band starts at the limit."""
    imp = summary.impacts
    for i, edge in enumerate(imp.band_edges_g):
        if abs(edge - limit_g) < 1e-9 and len(imp.band_counts) == len(imp.band_edges_g):
            return int(sum(imp.band_counts[i:]))
    return None


#: Session kinds whose judgement rests on heart rate / on acceleration (other kinds
#: are checked when the stream was present at all).
HR_KINDS = frozenset({"aerobic"})
ACC_KINDS = frozenset({"impact", "mixed"})


def data_quality_alerts(summary: SessionSummary) -> list[Alert]:
    """'Too poor to judge' alerts for HR and acceleration coverage below the minimum."""
    out: list[Alert] = []
    limit = THRESHOLDS["coverage_min"].value
    h = summary.heart
    hr_present = h.valid_s > 0 or h.unknown_s > 0
    if (summary.kind in HR_KINDS or hr_present) and h.coverage < limit:
        out.append(_coverage_alert("Valid heart rate", h.coverage))
    if (summary.kind in ACC_KINDS or summary.acc_s > 0) and summary.acc_coverage < limit:
        out.append(_coverage_alert("Accelerometer data", summary.acc_coverage))
    return out
