"""Write a prescription as commented, human-editable TOML.

Every value copied from a guideline is preceded by a comment citing the table, row,
column and cell text it came from, so a physio reading the file sees why each number
is there. `draft_prescription` builds a new file from a built-in template and the
patient's details and validates it with the same reader `prescription check` uses.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import replace

from osteomonitor.errors import OsteomonitorError, PrescriptionError
from osteomonitor.prescription import limits
from osteomonitor.prescription.fitt import (
    MODALITY_LABELS,
    TARGET_SPECS,
    ImpactCeiling,
    ModalityRx,
    Patient,
    Phase,
    Prescription,
    Safety,
    Target,
    derived_kind,
)
from osteomonitor.prescription.hr_band import band_problem, cut_band, cut_text
from osteomonitor.prescription.sources import Source
from osteomonitor.prescription.templates import TEMPLATES
from osteomonitor.prescription.toml_reader import FORMAT, parse_prescription, predicted_hrmax

HRMAX_LABELS: dict[str, str] = {
    "tanaka": "Tanaka 2001: 208 − 0.7·age",
    "gellish": "Gellish 2007: 207 − 0.7·age",
    "fox": "Fox: 220 − age (kept for comparison; underestimates HRmax in older adults)",
}


def _s(text: str) -> str:
    """A TOML basic string."""
    return json.dumps(text, ensure_ascii=False)


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _target_toml(t: Target) -> str:
    derived = derived_kind(t.lo, t.hi, t.at_least, t.hi_from)
    scalar = t.lo is not None and t.lo == t.hi and not t.at_least and t.hi_from is None
    if scalar and t.kind == derived and t.lo is not None:
        return _n(t.lo)
    parts = []
    if t.lo is not None:
        parts.append(f"min = {_n(t.lo)}")
    if t.hi is not None:
        parts.append(f"max = {_n(t.hi)}")
    if t.hi_from is not None:
        parts.append(f"max_from = {_n(t.hi_from)}")
    if t.at_least:
        parts.append("at_least = true")
    parts.append(f"kind = {_s(t.kind)}")
    return "{ " + ", ".join(parts) + " }"


class _Lines:
    """Accumulates TOML lines, citing a source only when it changes."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._last: Source | None = None

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def cite(self, source: Source | None) -> None:
        if source is not None and source.is_guideline and source != self._last:
            self.lines.append(f"# {source.cite()}")
        self._last = source

    def section(self, header: str) -> None:
        self.lines.extend(["", header])
        self._last = None


def _targets(out: _Lines, modality: str, targets: dict[str, Target]) -> None:
    for spec in TARGET_SPECS[modality]:
        t = targets.get(spec.key)
        if t is not None:
            out.cite(t.source)
            out.add(f"{spec.key} = {_target_toml(t)}  # {t.text(spec.unit)}")


def _modality(out: _Lines, m: ModalityRx) -> None:
    label = MODALITY_LABELS[m.modality]
    out.section(f"[{m.modality}]")
    out.add(f"# {label}" + (f" (evidence {m.evidence})" if m.evidence else ""))
    _targets(out, m.modality, dict(m.targets))
    if m.non_consecutive_days:
        out.add("non_consecutive_days = true")
    if m.intensity_text:
        out.cite(m.intensity_source)
        out.add(f"intensity_text = {_s(m.intensity_text)}")
    if m.types:
        out.cite(m.types_source)
        out.add("types = [" + ", ".join(_s(t) for t in m.types) + "]")
    if m.evidence:
        out.add(f"evidence = {_s(m.evidence)}")
    if m.notes:
        out.add(f"notes = {_s(m.notes)}")
    for ph in m.phases:
        _phase(out, m.modality, ph)
    if m.modality == "resistance":
        _exercises(out, m)


def _phase(out: _Lines, modality: str, ph: Phase) -> None:
    out.section(f"[[{modality}.phases]]")
    out.cite(ph.source)
    if ph.on_review:
        out.add("on_review = true  # starts when the clinician replaces this with after_weeks = N")
    else:
        assert ph.after_weeks is not None
        out.add(f"after_weeks = {ph.after_weeks}  # from programme week {ph.after_weeks + 1}")
    if ph.note:
        out.add(f"note = {_s(ph.note)}")
    if ph.non_consecutive_days is not None:
        out.add(f"non_consecutive_days = {str(ph.non_consecutive_days).lower()}")
    _targets(out, modality, dict(ph.targets))


def _exercises(out: _Lines, m: ModalityRx) -> None:
    if not m.exercises:
        out.add("")
        out.add("# Loads are judged against a 1RM estimated from a submaximal set (maximal")
        out.add("# testing may be contraindicated). Add one table per exercise, e.g.:")
        out.add("# [[resistance.exercises]]")
        out.add('# name = "squat"        # as the patient marks it during the session')
        out.add("# test_load_kg = 40.0   # load of the test set")
        out.add("# test_reps = 8         # repetitions to fatigue, 2-10")
        out.add('# equation = "epley"    # or "brzycki"')
        out.add("# test_date = 2025-02-24")
    for ex in m.exercises:
        out.section("[[resistance.exercises]]")
        out.add(f"name = {_s(ex.name)}")
        out.add(f"test_load_kg = {_n(ex.test_load_kg)}")
        out.add(f"test_reps = {ex.test_reps}")
        out.add(f"equation = {_s(ex.equation)}  # estimated 1RM {ex.one_rm_kg:.1f} kg")
        out.add(f"test_date = {ex.test_date.isoformat()}")


def _patient(out: _Lines, p: Patient) -> None:
    out.section("[patient]")
    out.add(f"pseudonym = {_s(p.pseudonym)}  # never a real name")
    out.add(f"age_y = {p.age_y}")
    if p.body_mass_kg is not None:
        out.add(f"body_mass_kg = {_n(p.body_mass_kg)}")
    else:
        out.add("# body_mass_kg = 64  # kg: not given (only GRF estimates use it)")
    out.add(f"timezone = {_s(p.timezone)}  # IANA zone: ISO weeks are counted in it")
    out.add(f"fracture_risk = {_s(p.fracture_risk)}  # low, moderate or high")
    out.add(f"prior_vertebral_fracture = {str(p.prior_vertebral_fracture).lower()}")
    out.add(f"hr_modulating_medication = {str(p.hr_modulating_medication).lower()}")
    out.add(
        f"resting_hr = {{ bpm = {_n(p.resting_hr_bpm)}, method = {_s(p.resting_hr_method)}, "
        f"date = {p.resting_hr_date.isoformat()} }}"
    )
    if p.hrmax_method == "measured":
        assert p.hrmax_date is not None
        out.add(
            f'hrmax = {{ method = "measured", bpm = {_n(p.hrmax_bpm)}, '
            f"date = {p.hrmax_date.isoformat()} }}"
        )
    else:
        out.add(
            f"hrmax = {{ method = {_s(p.hrmax_method)} }}  # {p.hrmax_bpm:.1f} bpm "
            f"({HRMAX_LABELS[p.hrmax_method]})"
        )
    if not p.hr_trusted:
        out.add("# HR-modulating medication with a predicted HRmax: RPE is the intensity")
        out.add("# criterion and %HRR is shown for information only (Eston & Thompson, BJSM 1997).")


def _safety(out: _Lines, s: Safety, p: Patient) -> None:
    out.section("[safety]")
    if s.hr_ceiling_pct_hrr is not None:
        out.add(f"hr_ceiling = {{ pct_hrr = {_n(s.hr_ceiling_pct_hrr)} }}  # = {s.hr_ceiling_text}")
    else:
        out.add(f"hr_ceiling = {{ bpm = {_n(s.hr_ceiling_bpm)} }}")
    if p.fracture_risk not in limits.CEILING_BY_RISK:  # invalid: the reader reports it
        return
    derived = limits.derive_impact_ceiling(p.fracture_risk, p.prior_vertebral_fracture)
    if s.impact.override_reason:
        out.add(f"# derived from the fracture risk: {derived.mode}; overridden:")
        out.add(
            f"impact_ceiling = {{ mode = {_s(s.impact.mode)}, "
            f"reason = {_s(s.impact.override_reason)} }}"
        )
    else:
        out.add(f"# impact ceiling derived from fracture risk: {_ceiling_text(derived)}")
        out.add(f"#   ({derived.source})")
        out.add(
            '# to override: impact_ceiling = { mode = "none|moderate|brisk-walk", reason = "…" }'
        )
    eyes_derived = limits.eyes_closed_allowed(p.fracture_risk, p.prior_vertebral_fracture)
    if s.eyes_closed_balance != eyes_derived:
        out.add(f"eyes_closed_balance = {str(s.eyes_closed_balance).lower()}")
    else:
        word = "allowed" if eyes_derived else "not allowed"
        why = limits.restriction_reason(p.fracture_risk, p.prior_vertebral_fracture)
        out.add(f"# eyes-closed balance tasks {word} ({why or p.fracture_risk + ' fracture risk'})")
    spinal_derived = bool(limits.spinal_source(p.fracture_risk, p.prior_vertebral_fracture))
    if s.avoid_spinal_flexion and not spinal_derived:
        if s.spinal_source:
            out.add(f"# {s.spinal_source}")
        out.add("avoid_spinal_flexion = true")
    elif spinal_derived:
        out.add(f"# avoid spinal twisting, bending and compression: {s.spinal_source}")


def _ceiling_text(c: ImpactCeiling) -> str:
    if c.peak_g is None:
        return f"{c.mode} (no limit)"
    flight = "flight phases allowed" if c.flight_allowed else "no flight phases"
    return f"{c.mode} (peaks ≤ {c.peak_g:g} g, {flight})"


def to_toml(rx: Prescription, header: Iterable[str] = ()) -> str:
    """The prescription as commented TOML that `parse_prescription` reads back.

    Args:
        rx: the prescription.
        header: extra comment lines for the top of the file (without "#").
    """
    out = _Lines()
    out.add(f"# osteomonitor prescription for {rx.patient.pseudonym} ({FORMAT})")
    for line in header:
        out.add(f"# {line}".rstrip())
    out.add("# Guideline values cite their table; an edited value becomes a 'prescription file'")
    out.add("# value. Check the file with: osteomonitor prescription check FILE")
    out.add(f"format = {_s(FORMAT)}")
    if rx.template is not None:
        out.add(f"template = {_s(rx.template)}  # {TEMPLATES[rx.template].reference}")
    out.add(f"start_date = {rx.start_date.isoformat()}  # first day of programme week 1")
    _patient(out, rx.patient)
    _safety(out, rx.safety, rx.patient)
    for name in TARGET_SPECS:
        m = rx.modalities.get(name)
        if m is not None:
            _modality(out, m)
    return "\n".join(out.lines) + "\n"


#: The effort target drafted for a patient on HR-lowering medication when the template
#: states none (the conservative seed): KSBMR's "RPE 11–14" (Borg 6-20).
_MEDS_RPE = Target(
    11,
    14,
    kind="range",
    source=Source(
        "ksbmr-2023", "Weight-bearing aerobic", "Intensity", "RPE 11–14, 40–60% HRR, 3–6 METs"
    ),
)


def _fit_aerobic(m: ModalityRx, p: Patient, ceiling: float, notes: list[str]) -> ModalityRx:
    """The template's aerobic modality fitted to the patient: its %HRR band cut at the HR
    ceiling (stated in `notes`), and an RPE target when RPE is the criterion."""
    from dataclasses import replace

    targets = dict(m.targets)
    band = targets.get("hrr_pct")
    if band is not None and band_problem(band, p, ceiling):
        cut = cut_band(band, p, ceiling)  # raises when nothing is left under the ceiling
        notes.append(cut_text(band, cut, p, ceiling))
        targets["hrr_pct"] = replace(cut, source=Source.from_file("prescription new"))
    if not p.hr_trusted and not any(k in targets for k in ("rpe_borg", "cr10")):
        targets["rpe_borg"] = _MEDS_RPE
        notes.append(
            "aerobic.rpe_borg 11–14 added: HR-modulating medication with a predicted HRmax "
            "makes RPE the criterion and the template states no RPE (KSBMR's RPE 11–14)"
        )
    return replace(m, targets=targets)


def draft_prescription(
    template: str,
    *,
    patient: Patient,
    start_date: dt.date,
    hr_ceiling_bpm: float | None = None,
    hr_ceiling_pct_hrr: float | None = None,
) -> tuple[str, list[str]]:
    """A new prescription file from a built-in template, validated.

    The patient's HRmax fields are taken as given (`hrmax_bpm` is recomputed from the
    equation unless `hrmax_method == "measured"`). Modalities the patient's safety limits
    forbid (impact under a no-flight ceiling) are left out with a note.

    Returns:
        (TOML text, notes for the person running the command).

    Raises:
        PrescriptionError: unknown template, or any value invalid (as `check` reports it).
    """
    if template not in TEMPLATES:
        raise PrescriptionError(f"unknown template {template!r}: use one of {', '.join(TEMPLATES)}")
    tpl = TEMPLATES[template]
    if patient.hrmax_method != "measured" and patient.hrmax_method in HRMAX_LABELS:
        try:
            hrmax = predicted_hrmax(patient.age_y, patient.hrmax_method)
        except OsteomonitorError:  # an invalid age: the reader below names the key
            hrmax = 0.0
        patient = replace(patient, hrmax_bpm=hrmax)
    if (hr_ceiling_bpm is None) == (hr_ceiling_pct_hrr is None):
        raise PrescriptionError("give the HR ceiling either in bpm or in %HRR (one of them)")
    if hr_ceiling_pct_hrr is not None:
        rest, top = patient.resting_hr_bpm, patient.hrmax_bpm
        ceiling = rest + hr_ceiling_pct_hrr / 100.0 * (top - rest)
    else:
        assert hr_ceiling_bpm is not None
        ceiling = hr_ceiling_bpm
    if patient.fracture_risk in limits.CEILING_BY_RISK:
        impact = limits.derive_impact_ceiling(
            patient.fracture_risk, patient.prior_vertebral_fracture
        )
    else:
        impact = limits.IMPACT_CEILINGS["none"]  # invalid risk: the reader reports it
    if tpl.impact_ceiling is not None and tpl.impact_ceiling[0] != impact.mode:
        mode, reason = tpl.impact_ceiling
        impact = replace(limits.IMPACT_CEILINGS[mode], override_reason=f"{template}: {reason}")
    risk, vf = patient.fracture_risk, patient.prior_vertebral_fracture
    spinal_src = limits.spinal_source(risk, vf)
    if not spinal_src and tpl.spinal_text is not None:
        spinal_src = tpl.spinal_text
    safety = Safety(
        impact,
        ceiling,
        limits.eyes_closed_allowed(risk, vf),
        limits.eyes_closed_source(risk, vf),
        bool(spinal_src),
        spinal_src,
        hr_ceiling_pct_hrr,
    )
    notes: list[str] = []
    modalities = dict(tpl.modalities)
    if "impact" in modalities and not impact.flight_allowed:
        del modalities["impact"]
        notes.append(
            f"[impact] left out: the impact ceiling is {impact.mode} ({impact.source}); "
            "jumps are not prescribed"
        )
    if "aerobic" in modalities:
        modalities["aerobic"] = _fit_aerobic(modalities["aerobic"], patient, ceiling, notes)
    rx = Prescription(patient, start_date, modalities, safety, template)
    header = [
        f"Drafted by 'osteomonitor prescription new --template {template}'",
        f"from {tpl.reference}.",
        *notes,
    ]
    text = to_toml(rx, header)
    parse_prescription(text, f"<new {patient.pseudonym}>")
    return text, notes
