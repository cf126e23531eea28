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
from typing import Any

from osteomonitor.errors import PrescriptionError
from osteomonitor.prescription import limits
from osteomonitor.prescription.fitt import (
    TARGET_KINDS,
    TARGET_SPECS,
    ExerciseLoad,
    ImpactCeiling,
    ModalityRx,
    Patient,
    Phase,
    Prescription,
    Safety,
    Target,
    TargetKind,
    TargetSpec,
)
from osteomonitor.prescription.hr_band import check_band
from osteomonitor.prescription.problems import (
    BAD,
    Checker,
    Missing,
    PrescriptionFileError,
    Problem,
    join_key,
)
from osteomonitor.prescription.sources import Source
from osteomonitor.prescription.strength import EQUATIONS, estimate_1rm
from osteomonitor.prescription.templates import TEMPLATES
from osteomonitor.prescription.toml_patient import (
    SAFETY_KEYS,
    predicted_hrmax,
    read_patient,
    read_safety,
)

#: The value of the top-level `format` key this reader understands.
FORMAT = "osteomonitor-prescription/1"

_TOP_KEYS = ("format", "template", "start_date", "patient", "safety", *TARGET_SPECS)
_MODALITY_EXTRA = ("non_consecutive_days", "types", "intensity_text", "evidence", "notes", "phases")
_PHASE_EXTRA = ("after_weeks", "on_review", "note", "non_consecutive_days")
_TARGET_KEYS = ("min", "max", "at_least", "max_from", "kind")
_EXERCISE_KEYS = ("name", "test_load_kg", "test_reps", "equation", "test_date")


# ----------------------------------------------------------------------- targets


def _target(r: Checker, value: Any, path: str, spec: TargetSpec, origin: str) -> Target | Missing:
    src = Source.from_file(origin)
    if isinstance(value, dict):
        t = r.table(value, path, _TARGET_KEYS, ())
        if isinstance(t, Missing):
            return t
        vals: dict[str, float | None] = {}
        for k in ("min", "max", "max_from"):
            vals[k] = None
            if k in t:
                v = _target_number(r, t[k], join_key(path, k), spec)
                vals[k] = None if isinstance(v, Missing) else v
        at_least = r.boolean(t.get("at_least", False), join_key(path, "at_least"))
        if any(k in t and vals[k] is None for k in ("min", "max", "max_from")) or isinstance(
            at_least, Missing
        ):
            return BAD
        lo, hi, hi_from = vals["min"], vals["max"], vals["max_from"]
        if lo is None and hi is None:
            return r.fail(path, "give min, max or both")
        if lo is not None and hi is not None and lo > hi:
            return r.fail(path, f"min {lo:g} is above max {hi:g}")
        if hi_from is not None and (
            hi is None or hi_from > hi or (lo is not None and hi_from < lo)
        ):
            return r.fail(path, "max_from must lie between min and max (a ranged cap: max 45–60)")
        if at_least and (lo is None or hi is None):
            return r.fail(path, 'at_least ("≥ min–max") needs both min and max')
        kind = ""
        if "kind" in t:
            kv = r.choice(t["kind"], join_key(path, "kind"), TARGET_KINDS)
            if isinstance(kv, Missing):
                return BAD
            kind = kv
            if kind == TargetKind.RANGE and (lo is None or hi is None):
                return r.fail(join_key(path, "kind"), 'a "range" needs both min and max')
            if kind == TargetKind.CAP and hi is None:
                return r.fail(join_key(path, "kind"), 'a "cap" needs max')
            if kind == TargetKind.MINIMUM and lo is None:
                return r.fail(join_key(path, "kind"), 'a "minimum" needs min')
        return Target(lo, hi, at_least=at_least, hi_from=hi_from, source=src, kind=kind)
    v = _target_number(r, value, path, spec)
    if isinstance(v, Missing):
        return v
    return Target(v, v, source=src)


def _target_number(r: Checker, value: Any, path: str, spec: TargetSpec) -> float | Missing:
    if spec.integer:
        iv = r.integer(value, path, int(spec.lo_bound), int(spec.hi_bound), spec.unit)
        return iv if isinstance(iv, Missing) else float(iv)
    bound = limits.Bound(spec.lo_bound, spec.hi_bound, spec.unit, f"plausible {spec.label}")
    return r.number(value, path, bound)


def _targets(
    r: Checker, table: Mapping[str, Any], path: str, modality: str, origin: str
) -> dict[str, Target]:
    out: dict[str, Target] = {}
    for spec in TARGET_SPECS[modality]:
        if spec.key in table:
            t = _target(r, table[spec.key], join_key(path, spec.key), spec, origin)
            if isinstance(t, Target):
                out[spec.key] = t
    return out


# -------------------------------------------------------------------- modalities


def _modality(r: Checker, value: Any, name: str, origin: str) -> ModalityRx | Missing:
    keys = tuple(s.key for s in TARGET_SPECS[name]) + _MODALITY_EXTRA
    if name == "resistance":
        keys += ("exercises",)
    t = r.table(value, name, keys, ())
    if isinstance(t, Missing):
        return t
    targets = _targets(r, t, name, name, origin)
    src = Source.from_file(origin)
    fields: dict[str, Any] = {}
    for key, reader in (
        ("non_consecutive_days", r.boolean),
        ("types", r.strings),
        ("intensity_text", r.string),
        ("evidence", r.string),
        ("notes", r.string),
    ):
        if key in t:
            v = reader(t[key], join_key(name, key))
            if not isinstance(v, Missing):
                fields[key] = v
    phases: list[Phase] = []
    raw_phases = t.get("phases", [])
    if not isinstance(raw_phases, list):
        r.fail(join_key(name, "phases"), "expected [[phases]] tables")
        raw_phases = []
    last_week = 0
    for i, raw in enumerate(raw_phases):
        ph = _phase(r, raw, name, i, origin)
        if isinstance(ph, Phase):
            if ph.after_weeks is not None:
                if ph.after_weeks <= last_week:
                    r.fail(
                        f"{name}.phases[{i}].after_weeks",
                        f"{ph.after_weeks} must be later than the previous phase ({last_week})",
                    )
                last_week = ph.after_weeks
            phases.append(ph)
    exercises = _exercises(r, t.get("exercises", []), name) if name == "resistance" else ()
    return ModalityRx(
        name,
        targets,
        phases=tuple(phases),
        types_source=src if "types" in fields else None,
        intensity_source=src if "intensity_text" in fields else None,
        exercises=exercises,
        **fields,
    )


def _phase(r: Checker, value: Any, modality: str, i: int, origin: str) -> Phase | Missing:
    path = f"{modality}.phases[{i}]"
    keys = tuple(s.key for s in TARGET_SPECS[modality]) + _PHASE_EXTRA
    t = r.table(value, path, keys, ())
    if isinstance(t, Missing):
        return t
    n_bad = len(r.problems)
    after: int | None = None
    on_review = False
    if ("after_weeks" in t) == ("on_review" in t):
        r.fail(path, "give exactly one of after_weeks = N or on_review = true")
    elif "after_weeks" in t:
        a = r.integer(t["after_weeks"], join_key(path, "after_weeks"), 1, 520, "weeks")
        after = None if isinstance(a, Missing) else a
    else:
        rv = r.boolean(t["on_review"], join_key(path, "on_review"))
        if rv is False:
            r.fail(join_key(path, "on_review"), "write on_review = true, or use after_weeks = N")
        on_review = True
    targets = _targets(r, t, path, modality, origin)
    nc = (
        r.boolean(t["non_consecutive_days"], join_key(path, "non_consecutive_days"))
        if ("non_consecutive_days" in t)
        else None
    )
    note = r.string(t.get("note", ""), join_key(path, "note"))
    if not targets and nc is None and len(r.problems) == n_bad:
        r.fail(path, "the phase changes nothing: give the targets it sets")
    if len(r.problems) > n_bad or isinstance(note, Missing) or isinstance(nc, Missing):
        return BAD
    return Phase(
        after,
        targets,
        on_review=on_review,
        non_consecutive_days=nc,
        note=note,
        source=Source.from_file(origin),
    )


def _exercises(r: Checker, value: Any, modality: str) -> tuple[ExerciseLoad, ...]:
    if not isinstance(value, list):
        r.fail(join_key(modality, "exercises"), "expected [[resistance.exercises]] tables")
        return ()
    out: list[ExerciseLoad] = []
    seen: set[str] = set()
    for i, raw in enumerate(value):
        path = f"{modality}.exercises[{i}]"
        t = r.table(raw, path, _EXERCISE_KEYS, _EXERCISE_KEYS)
        if isinstance(t, Missing) or any(k not in t for k in _EXERCISE_KEYS):
            continue
        name = r.string(t["name"], join_key(path, "name"))
        load = r.number(
            t["test_load_kg"], join_key(path, "test_load_kg"), limits.PATIENT_BOUNDS["test_load_kg"]
        )
        reps = r.integer(t["test_reps"], join_key(path, "test_reps"), 1, 36, "repetitions")
        eq = r.choice(t["equation"], join_key(path, "equation"), tuple(EQUATIONS))
        day = r.date(t["test_date"], join_key(path, "test_date"))
        if any(isinstance(v, Missing) for v in (name, load, reps, eq, day)):
            continue
        assert isinstance(name, str) and isinstance(load, float) and isinstance(reps, int)
        assert isinstance(eq, str) and isinstance(day, dt.date)
        if name.casefold() in seen:
            r.fail(join_key(path, "name"), f"exercise {name!r} is listed twice")
            continue
        seen.add(name.casefold())
        try:
            one_rm = estimate_1rm(load, reps, eq)
        except PrescriptionError as exc:
            r.fail(join_key(path, "test_reps"), str(exc))
            continue
        out.append(ExerciseLoad(name, load, reps, eq, day, one_rm))
    return tuple(out)


# -------------------------------------------------------------------------- file


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
            m = _modality(r, data[name], name, origin)
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
