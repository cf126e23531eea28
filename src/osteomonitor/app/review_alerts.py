"""Review's safety alerts: the live `SafetyMonitor` path, replayed.

    recording ─► session.process_recording (the session driver's processor, with the
                 prescription's SafetyMonitor fed jumps, HR, falls, bends and events in
                 arrival order, exactly as live) ─► processor.alerts ─► review

Review used to recompute alerts from the finished summary (`prescription.check_safety`),
a second rule engine beside the live one that could (and did) disagree on counts and
times. Now the review's alerts ARE the live alerts of the same recording: the same
processor, the same monitor, the same folding of repeats. Review only adds what the
finished session knows and live could not:

- a suspected fall's alert carries the patient's recorded answer ("I'm fine" …), found
  by the fall's time among the session's `FALL_RESPONSE` events;
- "too little to judge" coverage alerts (`prescription.safety.data_quality_alerts`),
  which need the whole session (they follow the live alerts);
- an alert the monitor folded repeats into (count > 1) says so in the physio's text
  ("5 times, highest 5.9 g, last at 1:38"): live keeps the first occurrence's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from osteomonitor import timefmt
from osteomonitor.model import SessionMeta, SessionSummary
from osteomonitor.prescription import Alert, Prescription, Rule
from osteomonitor.prescription.safety import data_quality_alerts
from osteomonitor.prescription.trunk_alerts import (
    SAME_FALL_S,
    fall_physio_message,
    session_falls,
)
from osteomonitor.session import process_recording
from osteomonitor.store.overrides import apply_overrides


def analyse_with_alerts(
    path: str | Path, prescription: Prescription | None = None
) -> tuple[SessionMeta, SessionSummary, Prescription | None, tuple[Alert, ...]]:
    """One pass of the session driver over a file, with the live safety monitor.

    Args:
        path: the recording.
        prescription: the one to judge by (default: the recording's own snapshot).

    Returns:
        (meta with the review overrides, summary, prescription used, the alerts the
        live `SafetyMonitor` raises on this recording: none without a prescription).

    Raises:
        RecordingError / PrescriptionError: the file or its snapshot cannot be read.
    """
    meta, proc = process_recording(path, prescription)
    summary = proc.summary()  # finishes every segment: the last jumps reach the monitor
    return apply_overrides(meta, path), summary, proc.prescription, proc.safety_alerts


def review_alerts(live: Sequence[Alert], summary: SessionSummary) -> tuple[Alert, ...]:
    """The review's alerts: the live ones (falls with the patient's answer), then the
    coverage alerts only a finished session can give."""
    falls = session_falls(summary)
    out: list[Alert] = []
    for alert in live:
        if alert.rule == Rule.FALL and alert.t_s is not None:
            for record in falls:
                if abs(record.fall.t_s - alert.t_s) <= SAME_FALL_S:
                    message = fall_physio_message(record.fall, record.response)
                    alert = replace(alert, physio_message=message)
                    break
        out.append(_with_repeats(alert))
    return (*out, *data_quality_alerts(summary))


def _with_repeats(alert: Alert) -> Alert:
    """The physio's text of a folded alert, with how often, how high and until when."""
    if alert.count <= 1:
        return alert
    parts = [f"{alert.count} times"]
    if alert.value is not None and alert.unit:
        parts.append(f"highest {alert.value:.1f} {alert.unit}".rstrip())
    if alert.last_t_s is not None:
        parts.append(f"last {timefmt.at(alert.last_t_s)}")
    return replace(alert, physio_message=f"{alert.physio_message} ({', '.join(parts)})")
