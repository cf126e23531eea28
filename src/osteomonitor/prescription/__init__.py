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
- `target_load_kg(rx, exercise, on)`: the phase's load for an exercise (shown live).
- `day_doses(rx, modality, items)`: a modality's days with their summed dose and verdict.

Imports point down only: model, analysis. Never textual, bleak or bumble.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from osteomonitor.lazy import lazy_attributes

if TYPE_CHECKING:
    from osteomonitor.prescription.compliance import (
        ElementResult,
        ModalityCompliance,
        SessionCompliance,
        Status,
        evaluate_session,
    )
    from osteomonitor.prescription.dose import DayDose, day_doses
    from osteomonitor.prescription.fitt import (
        EffortTarget,
        ModalityRx,
        Patient,
        Phase,
        Prescription,
        Safety,
        Target,
        TargetKind,
        analysis_params,
    )
    from osteomonitor.prescription.programme import ProgrammeProgress, RecentDose
    from osteomonitor.prescription.safety import (
        Alert,
        Rule,
        SafetyMonitor,
        Severity,
        check_safety,
        limit_text,
    )
    from osteomonitor.prescription.strength import OneRmStatus, one_rm_status, target_load_kg
    from osteomonitor.prescription.templates import TEMPLATES
    from osteomonitor.prescription.toml_reader import (
        PrescriptionFileError,
        load_prescription,
        parse_prescription,
    )
    from osteomonitor.prescription.toml_writer import draft_prescription, to_toml
    from osteomonitor.prescription.trunk_alerts import FallRecord, session_falls
    from osteomonitor.prescription.week import ModalityWeek, WeekReport, evaluate_week

#: Where each public name lives. The package imports a module when one of its names is
#: first used (PEP 562): `from osteomonitor.prescription import Prescription` loads
#: `fitt` and what it needs, not the TOML reader and writer, templates and weeks
#: (`osteomonitor analyze` of a recording without a prescription loads none of them).
_HOME: dict[str, str] = {
    **dict.fromkeys(
        ("ElementResult", "ModalityCompliance", "SessionCompliance", "Status", "evaluate_session"),
        "compliance",
    ),
    **dict.fromkeys(("DayDose", "day_doses"), "dose"),
    **dict.fromkeys(
        (
            "EffortTarget",
            "ModalityRx",
            "Patient",
            "Phase",
            "Prescription",
            "Safety",
            "Target",
            "TargetKind",
            "analysis_params",
        ),
        "fitt",
    ),
    **dict.fromkeys(("ProgrammeProgress", "RecentDose"), "programme"),
    **dict.fromkeys(
        ("Alert", "Rule", "SafetyMonitor", "Severity", "check_safety", "limit_text"), "safety"
    ),
    **dict.fromkeys(("OneRmStatus", "one_rm_status", "target_load_kg"), "strength"),
    "TEMPLATES": "templates",
    **dict.fromkeys(
        ("PrescriptionFileError", "load_prescription", "parse_prescription"), "toml_reader"
    ),
    **dict.fromkeys(("draft_prescription", "to_toml"), "toml_writer"),
    **dict.fromkeys(("FallRecord", "session_falls"), "trunk_alerts"),
    **dict.fromkeys(("ModalityWeek", "WeekReport", "evaluate_week"), "week"),
}


__getattr__, __dir__ = lazy_attributes(__name__, _HOME)


__all__ = [
    "TEMPLATES",
    "Alert",
    "DayDose",
    "EffortTarget",
    "ElementResult",
    "FallRecord",
    "ModalityCompliance",
    "ModalityRx",
    "ModalityWeek",
    "OneRmStatus",
    "Patient",
    "Phase",
    "Prescription",
    "PrescriptionFileError",
    "ProgrammeProgress",
    "RecentDose",
    "Rule",
    "Safety",
    "SafetyMonitor",
    "SessionCompliance",
    "Severity",
    "Status",
    "Target",
    "TargetKind",
    "WeekReport",
    "analysis_params",
    "check_safety",
    "day_doses",
    "draft_prescription",
    "evaluate_session",
    "evaluate_week",
    "limit_text",
    "load_prescription",
    "one_rm_status",
    "parse_prescription",
    "session_falls",
    "target_load_kg",
    "to_toml",
]
