"""Safety review of a finished `SessionSummary`: `check_safety` replays the live
`SafetyMonitor` over the summary's jumps, heart rate and events, adds the trunk review
(`trunk_review.py`) and the "too poor to judge" data-quality alerts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from osteomonitor.model import EventKind, Jump, SessionSummary
from osteomonitor.prescription.fitt import Prescription
from osteomonitor.prescription.limits import THRESHOLDS
from osteomonitor.prescription.safety_alerts import PATIENT_MESSAGES, Alert, Rule, Severity
from osteomonitor.prescription.safety_alerts import fmt_t as _fmt_t
from osteomonitor.prescription.safety_monitor import SafetyMonitor
from osteomonitor.prescription.trunk_review import trunk_review_alerts


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
