"""The analysis parameters a prescription implies (`AnalysisParams` lives in analysis)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from osteomonitor.analysis.params import AnalysisParams

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription import Prescription


def params_for(prescription: Prescription | None) -> AnalysisParams:
    """The analysis parameters a prescription implies (HRrest, HRmax, band, mass)."""
    if prescription is None:
        return AnalysisParams()
    from osteomonitor.prescription import analysis_params

    return analysis_params(prescription)


__all__ = ["AnalysisParams", "params_for"]
