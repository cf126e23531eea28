"""Review of the trunk sensor's safety findings: suspected falls (with the patient's
answers) and, when the prescription restricts spinal flexion, the sustained bends.

Part of `check_safety` (kept apart from `safety.py`, which it builds on).
"""

from __future__ import annotations

from dataclasses import replace

from osteomonitor.model import SessionSummary
from osteomonitor.prescription.fitt import Prescription
from osteomonitor.prescription.safety_alerts import PATIENT_MESSAGES, Alert, Rule, Severity
from osteomonitor.prescription.safety_monitor import SafetyMonitor
from osteomonitor.prescription.trunk_alerts import (
    fall_physio_message,
    flexion_review_message,
    session_falls,
)


def trunk_review_alerts(summary: SessionSummary, rx: Prescription) -> list[Alert]:
    """Falls (found by the analysis or raised live, with the patient's answers) and,
    when the prescription restricts spinal flexion, the count of sustained bends."""
    mon = SafetyMonitor(rx, summary.start_t_ns)
    out = [
        replace(mon.on_fall(r.fall)[0], physio_message=fall_physio_message(r.fall, r.response))
        for r in session_falls(summary)
    ]
    p = summary.posture
    if rx.safety.avoid_spinal_flexion and p is not None and p.episodes:
        out.append(
            Alert(
                Rule.SPINAL_FLEXION,
                Severity.WARNING,
                p.episode_starts_s[0] if p.episode_starts_s else None,
                p.longest_episode_s,
                p.limit_deg,
                "s beyond the limit",
                rx.safety.spinal_source,
                PATIENT_MESSAGES[Rule.SPINAL_FLEXION],
                flexion_review_message(p),
                count=p.episodes,
                last_t_s=p.episode_starts_s[-1] if len(p.episode_starts_s) > 1 else None,
            )
        )
    return out
