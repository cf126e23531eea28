"""Safety alerts, live and in review.

Rules (each alert cites its source): a landing above the impact ceiling, any flight
phase when the ceiling forbids them, heart rate above the HR ceiling, pain reported,
eyes-closed balance at high fracture risk, a suspected fall, sustained forward bending
when the prescription restricts spinal flexion (`trunk_alerts.py`), data too poor to
judge. Every `Alert` carries
the time, the value, the limit, the rule source, a severity, a calm message for the
patient and a precise one for the physio.

This module gathers the public names of three smaller ones:
- `safety_alerts`: `Severity`, `Rule`, `Alert`, `PATIENT_MESSAGES`, `limit_text`;
- `safety_monitor`: `SafetyMonitor`, the per-sample form the live dashboard calls;
- `safety_review`: `check_safety`, which reviews a finished `SessionSummary`, and
  `data_quality_alerts`.
"""

from __future__ import annotations

from osteomonitor.prescription.safety_alerts import (
    PATIENT_MESSAGES,
    Alert,
    Rule,
    Severity,
    limit_text,
)
from osteomonitor.prescription.safety_monitor import NS_PER_S, SafetyMonitor
from osteomonitor.prescription.safety_review import (
    ACC_KINDS,
    HR_KINDS,
    check_safety,
    data_quality_alerts,
)

__all__ = [
    "ACC_KINDS",
    "HR_KINDS",
    "NS_PER_S",
    "PATIENT_MESSAGES",
    "Alert",
    "Rule",
    "SafetyMonitor",
    "Severity",
    "check_safety",
    "data_quality_alerts",
    "limit_text",
]
