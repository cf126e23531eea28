"""Read a prescription TOML file and validate it strictly.

Unknown keys, wrong types, values out of range, missing required keys and contradictions
(resting HR ≥ HRmax, jumps prescribed under a no-flight impact ceiling …) are all
reported together as `PrescriptionFileError`, each problem naming the file, the key path
(e.g. `impact.phases[1].jumps_per_session`) and the reason. Nothing is defaulted: a key
the format requires must be written. The file format is documented in docs/prescription.md.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from osteomonitor.errors import PrescriptionError
from osteomonitor.prescription.fitt import (
    TARGET_SPECS,
    ImpactCeiling,
    ModalityRx,
    Patient,
    Prescription,
    Safety,
    Target,
)
from osteomonitor.prescription.hr_band import check_band
from osteomonitor.prescription.problems import (
    BAD,
    Checker,
    Missing,
    PrescriptionFileError,
    Problem,
)
from osteomonitor.prescription.templates import TEMPLATES
from osteomonitor.prescription.toml_modality import read_modality
from osteomonitor.prescription.toml_patient import (
    SAFETY_KEYS,
    predicted_hrmax,
    read_patient,
    read_safety,
)

#: The value of the top-level `format` key this reader understands.
FORMAT = "osteomonitor-prescription/1"

_TOP_KEYS = ("format", "template", "start_date", "patient", "safety", *TARGET_SPECS)


def load_prescription(path: str | Path) -> Prescription:
    """Read and validate a prescription file.

    Raises:
        PrescriptionError: the file cannot be read or is not valid TOML.
        PrescriptionFileError: the content is invalid (every problem listed).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PrescriptionError(f"{p}: cannot read the prescription: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise PrescriptionError(f"{p}: not a UTF-8 text file ({exc.reason})") from exc
    return parse_prescription(text, str(p))


def parse_prescription(
    text: str, source: str = "<prescription>", *, snapshot: bool = False
) -> Prescription:
    """Validate prescription TOML text; `source` names it in messages (a file name, or
    "rec.omrec (snapshot)").

    A %HRR band whose top lies above the HR ceiling is refused; with `snapshot` (the
    copy stored in a recording, which must always open) it is cut at the ceiling and
    the cut is stated in `Prescription.warnings`.

    Raises:
        PrescriptionError: not valid TOML.
        PrescriptionFileError: the content is invalid (every problem listed).
    """
    origin = source
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PrescriptionError(f"{origin}: not valid TOML: {exc}") from exc
    r = Checker(origin)
    r.table(data, "", _TOP_KEYS, ("format", "start_date", "patient", "safety"))
    if "format" in data and data["format"] != FORMAT:
        r.fail(
            "format",
            f"{data['format']!r} is not {FORMAT!r}: this osteomonitor reads only that version",
        )
    template: str | None = None
    if "template" in data:
        tv = r.choice(data["template"], "template", tuple(TEMPLATES))
        template = tv if isinstance(tv, str) else None
    start = r.date(data.get("start_date"), "start_date") if "start_date" in data else BAD
    patient = read_patient(r, data["patient"]) if "patient" in data else BAD
    modalities: dict[str, ModalityRx] = {}
    for name in TARGET_SPECS:
        if name in data:
            m = read_modality(r, data[name], name, origin)
            if isinstance(m, ModalityRx):
                modalities[name] = m
    if not any(name in data for name in TARGET_SPECS):
        r.fail(
            "", "no modality is prescribed: add at least one of [" + "], [".join(TARGET_SPECS) + "]"
        )
    safety: Safety | Missing = BAD
    if isinstance(patient, Patient) and "safety" in data:
        tpl_spinal = TEMPLATES[template].spinal_text if template is not None else None
        safety = read_safety(r, data["safety"], patient, tpl_spinal)
    elif "safety" in data:  # limits depend on the patient: check the keys at least
        r.table(data["safety"], "safety", SAFETY_KEYS, ("hr_ceiling",))
    warnings: list[str] = []
    if isinstance(safety, Safety):
        _check_impact(r, modalities, safety.impact)
        assert isinstance(patient, Patient)
        if "aerobic" in modalities:
            modalities["aerobic"] = check_band(
                r, modalities["aerobic"], patient, safety, warnings if snapshot else None
            )
            _check_effort(r, modalities["aerobic"], patient)
    if r.problems:
        raise PrescriptionFileError(r.problems)
    assert isinstance(patient, Patient) and isinstance(safety, Safety)
    assert isinstance(start, dt.date)
    if template is not None:
        modalities = {
            k: _cite_template(m, TEMPLATES[template].modalities.get(k))
            for k, m in modalities.items()
        }
    return Prescription(
        patient, start, modalities, safety, template, origin, warnings=tuple(warnings)
    )


def _check_effort(r: Checker, aerobic: ModalityRx, p: Patient) -> None:
    """RPE-first patients need an effort target they can be judged against."""
    if p.hr_trusted:
        return
    if not any(k in aerobic.targets for k in ("rpe_borg", "cr10")):
        r.fail(
            "aerobic",
            "HR-modulating medication with a predicted HRmax makes RPE the intensity "
            "criterion, but no RPE target is given: add rpe_borg = { min = 11, max = 14 } "
            "(KSBMR) or cr10 = { min = 3, max = 4 } (ACSM)",
        )


def _check_impact(r: Checker, modalities: Mapping[str, ModalityRx], ceiling: ImpactCeiling) -> None:
    impact = modalities.get("impact")
    if impact is None:
        return
    if not ceiling.flight_allowed:
        r.fail(
            "impact",
            f"jumps are prescribed but the impact ceiling is {ceiling.mode} "
            f"(no flight phases; {ceiling.source}): remove [impact], or override "
            "safety.impact_ceiling with mode and reason",
        )
        return
    peak = impact.targets.get("landing_peak_g")
    if peak is not None and ceiling.peak_g is not None and (peak.lo or 0) > ceiling.peak_g:
        r.fail(
            "impact.landing_peak_g",
            f"min {peak.lo:g} g is above the impact ceiling {ceiling.peak_g:g} g ({ceiling.mode})",
        )


def _cite_template(m: ModalityRx, tm: ModalityRx | None) -> ModalityRx:
    """Give values that equal the template's the template's citation."""
    if tm is None:
        return m
    targets = {k: _cite_target(t, tm.targets.get(k)) for k, t in m.targets.items()}
    phases = []
    for i, ph in enumerate(m.phases):
        tp = tm.phases[i] if i < len(tm.phases) else None
        if tp is not None and (tp.after_weeks, tp.on_review) == (ph.after_weeks, ph.on_review):
            ph = replace(
                ph,
                source=tp.source,
                targets={k: _cite_target(t, tp.targets.get(k)) for k, t in ph.targets.items()},
            )
        phases.append(ph)
    types_source = tm.types_source if m.types == tm.types and m.types else m.types_source
    int_source = (
        tm.intensity_source
        if m.intensity_text == tm.intensity_text and m.intensity_text
        else m.intensity_source
    )
    return replace(
        m,
        targets=targets,
        phases=tuple(phases),
        types_source=types_source,
        intensity_source=int_source,
    )


def _cite_target(t: Target, tt: Target | None) -> Target:
    if tt is not None and t.same_numbers(tt):
        return replace(t, source=tt.source)
    return t


__all__ = [
    "FORMAT",
    "PrescriptionFileError",
    "Problem",
    "load_prescription",
    "parse_prescription",
    "predicted_hrmax",
]
