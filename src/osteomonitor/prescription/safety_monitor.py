"""`SafetyMonitor`: the live safety checks, fed sample by sample (jumps, heart rate,
falls, bends, events), with repeats of a rule folded into one alert.

Review of a finished session replays the same monitor (`safety_review.check_safety`).
"""

from __future__ import annotations

from dataclasses import replace

from osteomonitor.model import Event, EventKind, Fall, Jump
from osteomonitor.prescription.fitt import Prescription
from osteomonitor.prescription.limits import THRESHOLDS
from osteomonitor.prescription.safety_alerts import PATIENT_MESSAGES, Alert, Rule, Severity
from osteomonitor.prescription.safety_alerts import fmt_t as _fmt_t
from osteomonitor.prescription.sources import REFERENCES
from osteomonitor.prescription.trunk_alerts import (
    FALL_SOURCE,
    fall_physio_message,
    flexion_physio_message,
)

NS_PER_S = 1_000_000_000


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
