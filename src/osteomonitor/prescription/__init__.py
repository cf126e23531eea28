"""Prescription layer: FITT prescription files, guideline templates, compliance, safety.

Public API:
- `load_prescription(path)`, `parse_prescription(text, origin)` → `Prescription`
  (strict validation; `PrescriptionFileError` lists every problem).
- `draft_prescription(template, patient=…, start_date=…, hr_ceiling_…)` → TOML text.
- `TEMPLATES`: the built-in guideline templates.
- `evaluate_session(summary, rx, when=None)` → `SessionCompliance`.
- `evaluate_week(sessions, rx, iso_week, as_of=None)` → `WeekReport`.
- `analysis_params(rx)` → `analysis.params.AnalysisParams` (HRrest, HRmax, band, mass).
- `check_safety(summary, rx, hr_samples=None)` → `list[Alert]`; `SafetyMonitor(rx)` live.

Imports point down only: model, analysis. Never textual, bleak or bumble.
"""

from osteomonitor.prescription.compliance import (
    ElementResult,
    ModalityCompliance,
    SessionCompliance,
    Status,
    evaluate_session,
)
from osteomonitor.prescription.fitt import (
    ModalityRx,
    Patient,
    Phase,
    Prescription,
    Safety,
    Target,
    analysis_params,
)
from osteomonitor.prescription.safety import Alert, Rule, SafetyMonitor, Severity, check_safety
from osteomonitor.prescription.templates import TEMPLATES
from osteomonitor.prescription.toml_reader import (
    PrescriptionFileError,
    load_prescription,
    parse_prescription,
)
from osteomonitor.prescription.toml_writer import draft_prescription, to_toml
from osteomonitor.prescription.trunk_alerts import FallRecord, session_falls
from osteomonitor.prescription.week import ModalityWeek, WeekReport, evaluate_week

__all__ = [
    "TEMPLATES",
    "Alert",
    "ElementResult",
    "FallRecord",
    "ModalityCompliance",
    "ModalityRx",
    "ModalityWeek",
    "Patient",
    "Phase",
    "Prescription",
    "PrescriptionFileError",
    "Rule",
    "Safety",
    "SafetyMonitor",
    "SessionCompliance",
    "Severity",
    "Status",
    "Target",
    "WeekReport",
    "analysis_params",
    "check_safety",
    "draft_prescription",
    "evaluate_session",
    "evaluate_week",
    "load_prescription",
    "parse_prescription",
    "session_falls",
    "to_toml",
]
