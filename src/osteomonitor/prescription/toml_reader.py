"""Read a prescription TOML file and validate it strictly.

Unknown keys, wrong types, values out of range, missing required keys and contradictions
(resting HR ≥ HRmax, jumps prescribed under a no-flight impact ceiling …) are all
reported together as `PrescriptionFileError`, each problem naming the file, the key path
(e.g. `impact.phases[1].jumps_per_session`) and the reason. Nothing is defaulted: a key
the format requires must be written. The file format is documented in docs/prescription.md.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from osteomonitor.errors import PrescriptionError
from osteomonitor.prescription import limits
from osteomonitor.prescription.fitt import (
    TARGET_SPECS,
    ExerciseLoad,
    FractureRisk,
    ImpactCeiling,
    ModalityRx,
    Patient,
    Phase,
    Prescription,
    Safety,
    Target,
    TargetSpec,
)
from osteomonitor.prescription.sources import Source
from osteomonitor.prescription.strength import EQUATIONS, estimate_1rm
from osteomonitor.prescription.templates import TEMPLATES

#: The value of the top-level `format` key this reader understands.
FORMAT = "osteomonitor-prescription/1"
PSEUDONYM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")

_TOP_KEYS = ("format", "template", "start_date", "patient", "safety", *TARGET_SPECS)
_PATIENT_KEYS = (
    "pseudonym",
    "age_y",
    "body_mass_kg",
    "timezone",
    "fracture_risk",
    "prior_vertebral_fracture",
    "hr_modulating_medication",
    "resting_hr",
    "hrmax",
)
_SAFETY_KEYS = ("hr_ceiling", "impact_ceiling", "eyes_closed_balance", "avoid_spinal_flexion")
_MODALITY_EXTRA = ("non_consecutive_days", "types", "intensity_text", "evidence", "notes", "phases")
_PHASE_EXTRA = ("after_weeks", "on_review", "note", "non_consecutive_days")
_TARGET_KEYS = ("min", "max", "at_least", "max_from")
_EXERCISE_KEYS = ("name", "test_load_kg", "test_reps", "equation", "test_date")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a prescription file."""

    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.reason}"


class PrescriptionFileError(PrescriptionError):
    """A prescription file has one or more problems (all listed in `problems`)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        head = f"{problems[0].file}: invalid prescription ({len(problems)} problem(s))"
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{head}; fix them and run 'osteomonitor prescription check':\n{lines}")


class _Missing:
    """Marker for a value that could not be read (a problem was already recorded)."""


_BAD = _Missing()


class _Reader:
    """Collects problems while walking the parsed TOML."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[Problem] = []

    def fail(self, key: str, reason: str) -> _Missing:
        self.problems.append(Problem(self.origin, key, reason))
        return _BAD

    def table(
        self, value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, Any] | _Missing:
        if not isinstance(value, dict):
            return self.fail(path, f"expected a table, got {_kind(value)}")
        for k in value:
            if k not in allowed:
                self.fail(_join(path, k), f"unknown key (known here: {', '.join(allowed)})")
        for k in required:
            if k not in value:
                self.fail(_join(path, k), "required key missing")
        return value

    def number(self, value: Any, path: str, bound: limits.Bound | None = None) -> float | _Missing:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.fail(path, f"expected a number, got {_kind(value)}")
        v = float(value)
        if bound is not None and not bound.lo <= v <= bound.hi:
            return self.fail(
                path, f"{value:g} is outside {bound.lo:g}–{bound.hi:g} {bound.unit} ({bound.why})"
            )
        return v

    def integer(self, value: Any, path: str, lo: int, hi: int, unit: str) -> int | _Missing:
        if isinstance(value, bool) or not isinstance(value, int):
            return self.fail(path, f"expected a whole number, got {_kind(value)}")
        if not lo <= value <= hi:
            return self.fail(path, f"{value} is outside {lo}–{hi} {unit}")
        return value

    def string(self, value: Any, path: str) -> str | _Missing:
        if not isinstance(value, str):
            return self.fail(path, f"expected a string, got {_kind(value)}")
        return value

    def boolean(self, value: Any, path: str) -> bool | _Missing:
        if not isinstance(value, bool):
            return self.fail(path, f"expected true or false, got {_kind(value)}")
        return value

    def date(self, value: Any, path: str) -> dt.date | _Missing:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            return self.fail(path, f"expected a date like 2025-03-03, got {_kind(value)}")
        return value

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str | _Missing:
        s = self.string(value, path)
        if isinstance(s, str) and s not in choices:
            return self.fail(path, f"{s!r} is not one of {', '.join(choices)}")
        return s

    def strings(self, value: Any, path: str) -> tuple[str, ...] | _Missing:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return self.fail(path, f"expected a list of strings, got {_kind(value)}")
        return tuple(value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    for t, name in names.items():
        if type(value) is t:
            return f"{name} ({value!r})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return f"a date/time ({value})"
    return type(value).__name__


def predicted_hrmax(age_y: int, method: str) -> float:
    """HRmax from an age equation, bpm (the analysis layer owns the formulas)."""
    from osteomonitor.analysis.intensity import hrmax_predicted

    return float(hrmax_predicted(age_y, method))


# ----------------------------------------------------------------------- targets


def _target(r: _Reader, value: Any, path: str, spec: TargetSpec, origin: str) -> Target | _Missing:
    src = Source.from_file(origin)
    if isinstance(value, dict):
        t = r.table(value, path, _TARGET_KEYS, ())
        if isinstance(t, _Missing):
            return t
        vals: dict[str, float | None] = {}
        for k in ("min", "max", "max_from"):
            vals[k] = None
            if k in t:
                v = _target_number(r, t[k], _join(path, k), spec)
                vals[k] = None if isinstance(v, _Missing) else v
        at_least = r.boolean(t.get("at_least", False), _join(path, "at_least"))
        if any(k in t and vals[k] is None for k in ("min", "max", "max_from")) or isinstance(
            at_least, _Missing
        ):
            return _BAD
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
        return Target(lo, hi, at_least=at_least, hi_from=hi_from, source=src)
    v = _target_number(r, value, path, spec)
    if isinstance(v, _Missing):
        return v
    return Target(v, v, source=src)


def _target_number(r: _Reader, value: Any, path: str, spec: TargetSpec) -> float | _Missing:
    if spec.integer:
        iv = r.integer(value, path, int(spec.lo_bound), int(spec.hi_bound), spec.unit)
        return iv if isinstance(iv, _Missing) else float(iv)
    bound = limits.Bound(spec.lo_bound, spec.hi_bound, spec.unit, f"plausible {spec.label}")
    return r.number(value, path, bound)


def _targets(
    r: _Reader, table: Mapping[str, Any], path: str, modality: str, origin: str
) -> dict[str, Target]:
    out: dict[str, Target] = {}
    for spec in TARGET_SPECS[modality]:
        if spec.key in table:
            t = _target(r, table[spec.key], _join(path, spec.key), spec, origin)
            if isinstance(t, Target):
                out[spec.key] = t
    return out


# -------------------------------------------------------------------- modalities


def _modality(r: _Reader, value: Any, name: str, origin: str) -> ModalityRx | _Missing:
    keys = tuple(s.key for s in TARGET_SPECS[name]) + _MODALITY_EXTRA
    if name == "resistance":
        keys += ("exercises",)
    t = r.table(value, name, keys, ())
    if isinstance(t, _Missing):
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
            v = reader(t[key], _join(name, key))
            if not isinstance(v, _Missing):
                fields[key] = v
    phases: list[Phase] = []
    raw_phases = t.get("phases", [])
    if not isinstance(raw_phases, list):
        r.fail(_join(name, "phases"), "expected [[phases]] tables")
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


def _phase(r: _Reader, value: Any, modality: str, i: int, origin: str) -> Phase | _Missing:
    path = f"{modality}.phases[{i}]"
    keys = tuple(s.key for s in TARGET_SPECS[modality]) + _PHASE_EXTRA
    t = r.table(value, path, keys, ())
    if isinstance(t, _Missing):
        return t
    n_bad = len(r.problems)
    after: int | None = None
    on_review = False
    if ("after_weeks" in t) == ("on_review" in t):
        r.fail(path, "give exactly one of after_weeks = N or on_review = true")
    elif "after_weeks" in t:
        a = r.integer(t["after_weeks"], _join(path, "after_weeks"), 1, 520, "weeks")
        after = None if isinstance(a, _Missing) else a
    else:
        rv = r.boolean(t["on_review"], _join(path, "on_review"))
        if rv is False:
            r.fail(_join(path, "on_review"), "write on_review = true, or use after_weeks = N")
        on_review = True
    targets = _targets(r, t, path, modality, origin)
    nc = (
        r.boolean(t["non_consecutive_days"], _join(path, "non_consecutive_days"))
        if ("non_consecutive_days" in t)
        else None
    )
    note = r.string(t.get("note", ""), _join(path, "note"))
    if not targets and nc is None and len(r.problems) == n_bad:
        r.fail(path, "the phase changes nothing: give the targets it sets")
    if len(r.problems) > n_bad or isinstance(note, _Missing) or isinstance(nc, _Missing):
        return _BAD
    return Phase(
        after,
        targets,
        on_review=on_review,
        non_consecutive_days=nc,
        note=note,
        source=Source.from_file(origin),
    )


def _exercises(r: _Reader, value: Any, modality: str) -> tuple[ExerciseLoad, ...]:
    if not isinstance(value, list):
        r.fail(_join(modality, "exercises"), "expected [[resistance.exercises]] tables")
        return ()
    out: list[ExerciseLoad] = []
    seen: set[str] = set()
    for i, raw in enumerate(value):
        path = f"{modality}.exercises[{i}]"
        t = r.table(raw, path, _EXERCISE_KEYS, _EXERCISE_KEYS)
        if isinstance(t, _Missing) or any(k not in t for k in _EXERCISE_KEYS):
            continue
        name = r.string(t["name"], _join(path, "name"))
        load = r.number(
            t["test_load_kg"], _join(path, "test_load_kg"), limits.PATIENT_BOUNDS["test_load_kg"]
        )
        reps = r.integer(t["test_reps"], _join(path, "test_reps"), 1, 36, "repetitions")
        eq = r.choice(t["equation"], _join(path, "equation"), tuple(EQUATIONS))
        day = r.date(t["test_date"], _join(path, "test_date"))
        if any(isinstance(v, _Missing) for v in (name, load, reps, eq, day)):
            continue
        assert isinstance(name, str) and isinstance(load, float) and isinstance(reps, int)
        assert isinstance(eq, str) and isinstance(day, dt.date)
        if name.casefold() in seen:
            r.fail(_join(path, "name"), f"exercise {name!r} is listed twice")
            continue
        seen.add(name.casefold())
        try:
            one_rm = estimate_1rm(load, reps, eq)
        except PrescriptionError as exc:
            r.fail(_join(path, "test_reps"), str(exc))
            continue
        out.append(ExerciseLoad(name, load, reps, eq, day, one_rm))
    return tuple(out)


# ----------------------------------------------------------------------- patient


def _patient(r: _Reader, value: Any) -> Patient | _Missing:
    n_bad = len(r.problems)
    t = r.table(value, "patient", _PATIENT_KEYS, _PATIENT_KEYS)
    if isinstance(t, _Missing):
        return t
    b = limits.PATIENT_BOUNDS

    def get(key: str, fn: Any, *args: Any) -> Any:
        return fn(t[key], f"patient.{key}", *args) if key in t else _BAD

    pseudonym = get("pseudonym", r.string)
    if isinstance(pseudonym, str) and not PSEUDONYM_RE.match(pseudonym):
        r.fail(
            "patient.pseudonym",
            "use a pseudonym of letters, digits, '.', '_' or '-' (up to 32 characters, "
            "e.g. P07); never a real name",
        )
    age_b = b["age_y"]
    age = get("age_y", r.integer, int(age_b.lo), int(age_b.hi), f"years ({age_b.why})")
    mass = get("body_mass_kg", r.number, b["body_mass_kg"])
    tz = get("timezone", r.string)
    if isinstance(tz, str):
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            r.fail("patient.timezone", f"{tz!r} is not an IANA time zone (e.g. Europe/Helsinki)")
    risk = get("fracture_risk", r.choice, tuple(FractureRisk))
    vert = get("prior_vertebral_fracture", r.boolean)
    meds = get("hr_modulating_medication", r.boolean)
    rest: tuple[Any, Any, Any] = (_BAD, _BAD, _BAD)
    if "resting_hr" in t:
        keys = ("bpm", "method", "date")
        rt = r.table(t["resting_hr"], "patient.resting_hr", keys, keys)
        if not isinstance(rt, _Missing):
            rest = (
                r.number(rt["bpm"], "patient.resting_hr.bpm", b["resting_hr.bpm"])
                if "bpm" in rt
                else _BAD,
                r.choice(rt["method"], "patient.resting_hr.method", limits.RESTING_HR_METHODS)
                if "method" in rt
                else _BAD,
                r.date(rt["date"], "patient.resting_hr.date") if "date" in rt else _BAD,
            )
    hrmax = _hrmax(r, t["hrmax"], age) if "hrmax" in t else _BAD
    if len(r.problems) > n_bad or isinstance(hrmax, _Missing):
        return _BAD
    rest_bpm, rest_method, rest_date = rest
    if rest_bpm >= hrmax[0]:
        return r.fail(
            "patient.resting_hr.bpm",
            f"resting HR {rest_bpm:g} bpm is not below HRmax {hrmax[0]:.0f} bpm ({hrmax[1]})",
        )
    return Patient(
        pseudonym=pseudonym,
        age_y=age,
        body_mass_kg=mass,
        timezone=tz,
        fracture_risk=risk,
        prior_vertebral_fracture=vert,
        hr_modulating_medication=meds,
        resting_hr_bpm=rest_bpm,
        resting_hr_method=rest_method,
        resting_hr_date=rest_date,
        hrmax_bpm=hrmax[0],
        hrmax_method=hrmax[1],
        hrmax_date=hrmax[2],
    )


def _hrmax(
    r: _Reader, value: Any, age: int | _Missing
) -> tuple[float, str, dt.date | None] | _Missing:
    t = r.table(value, "patient.hrmax", ("method", "bpm", "date"), ("method",))
    if isinstance(t, _Missing) or "method" not in t:
        return _BAD
    method = r.choice(t["method"], "patient.hrmax.method", limits.HRMAX_METHODS)
    if isinstance(method, _Missing):
        return method
    if method == "measured":
        for k in ("bpm", "date"):
            if k not in t:
                r.fail(f"patient.hrmax.{k}", "required for a measured HRmax")
        if "bpm" not in t or "date" not in t:
            return _BAD
        bpm = r.number(t["bpm"], "patient.hrmax.bpm", limits.PATIENT_BOUNDS["hrmax.bpm"])
        day = r.date(t["date"], "patient.hrmax.date")
        if isinstance(bpm, _Missing) or isinstance(day, _Missing):
            return _BAD
        return bpm, method, day
    for k in ("bpm", "date"):
        if k in t:
            r.fail(
                f"patient.hrmax.{k}",
                f'only for method = "measured"; {method} predicts HRmax from age',
            )
    if isinstance(age, _Missing) or "bpm" in t or "date" in t:
        return _BAD
    return predicted_hrmax(age, method), method, None


# ------------------------------------------------------------------------ safety


def _safety(r: _Reader, value: Any, patient: Patient) -> Safety | _Missing:
    t = r.table(value, "safety", _SAFETY_KEYS, ("hr_ceiling",))
    if isinstance(t, _Missing):
        return t
    n_bad = len(r.problems)
    ceiling_bpm, ceiling_pct = _hr_ceiling(r, t.get("hr_ceiling"), patient)
    derived = limits.derive_impact_ceiling(patient.fracture_risk, patient.prior_vertebral_fracture)
    impact = derived
    if "impact_ceiling" in t:
        it = r.table(
            t["impact_ceiling"], "safety.impact_ceiling", ("mode", "reason"), ("mode", "reason")
        )
        if not isinstance(it, _Missing) and "mode" in it and "reason" in it:
            mode = r.choice(it["mode"], "safety.impact_ceiling.mode", tuple(limits.IMPACT_CEILINGS))
            reason = r.string(it["reason"], "safety.impact_ceiling.reason")
            if isinstance(reason, str) and not reason.strip():
                r.fail(
                    "safety.impact_ceiling.reason",
                    f"say why the derived ceiling ({derived.mode}) is overridden",
                )
            elif isinstance(mode, str) and isinstance(reason, str):
                base = limits.IMPACT_CEILINGS[mode]
                impact = replace(
                    base,
                    source=f"{reason} (override of the derived ceiling '{derived.mode}'); "
                    f"{base.source}",
                    override_reason=reason,
                )
    eyes = limits.eyes_closed_allowed(patient.fracture_risk)
    if "eyes_closed_balance" in t:
        v = r.boolean(t["eyes_closed_balance"], "safety.eyes_closed_balance")
        if v is True and not eyes:
            r.fail(
                "safety.eyes_closed_balance",
                "eyes-closed balance tasks are not for high "
                f"fracture risk ({limits.EYES_CLOSED_SOURCE})",
            )
        elif isinstance(v, bool):
            eyes = v
    spinal = patient.prior_vertebral_fracture or patient.fracture_risk == FractureRisk.HIGH
    if "avoid_spinal_flexion" in t:
        v = r.boolean(t["avoid_spinal_flexion"], "safety.avoid_spinal_flexion")
        if v is False and spinal:
            r.fail(
                "safety.avoid_spinal_flexion",
                "cannot be false with a prior vertebral "
                f"fracture or high fracture risk ({limits.SPINAL_SOURCE})",
            )
        elif isinstance(v, bool):
            spinal = v
    if len(r.problems) > n_bad or ceiling_bpm is None:
        return _BAD
    return Safety(
        impact,
        ceiling_bpm,
        eyes,
        limits.EYES_CLOSED_SOURCE,
        spinal,
        limits.SPINAL_SOURCE,
        ceiling_pct,
    )


def _hr_ceiling(r: _Reader, value: Any, p: Patient) -> tuple[float | None, float | None]:
    if value is None:  # missing: already reported by the table check
        return None, None
    t = r.table(value, "safety.hr_ceiling", ("bpm", "pct_hrr"), ())
    if isinstance(t, _Missing):
        return None, None
    if ("bpm" in t) == ("pct_hrr" in t):
        r.fail("safety.hr_ceiling", "give exactly one of bpm = N or pct_hrr = N")
        return None, None
    if "bpm" in t:
        bpm = r.number(t["bpm"], "safety.hr_ceiling.bpm", limits.PATIENT_BOUNDS["hr_ceiling.bpm"])
        if isinstance(bpm, _Missing):
            return None, None
        if not p.resting_hr_bpm < bpm <= p.hrmax_bpm:
            r.fail(
                "safety.hr_ceiling.bpm",
                f"{bpm:g} bpm must lie above resting HR "
                f"{p.resting_hr_bpm:g} and not above HRmax {p.hrmax_bpm:.0f} bpm",
            )
            return None, None
        return bpm, None
    pct = r.number(
        t["pct_hrr"], "safety.hr_ceiling.pct_hrr", limits.PATIENT_BOUNDS["hr_ceiling.pct_hrr"]
    )
    if isinstance(pct, _Missing):
        return None, None
    if not p.hr_trusted:
        r.fail(
            "safety.hr_ceiling.pct_hrr",
            "with HR-modulating medication and a predicted "
            "HRmax, %HRR is not reliable (beta-blockade lowers HRmax 20-30 %): give "
            "bpm = N from a test on medication, or a measured HRmax",
        )
        return None, None
    bpm = p.resting_hr_bpm + pct / 100.0 * (p.hrmax_bpm - p.resting_hr_bpm)
    return bpm, pct


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


def parse_prescription(text: str, source: str = "<prescription>") -> Prescription:
    """Validate prescription TOML text; `source` names it in messages (a file name, or
    "rec.omrec (snapshot)").

    Raises:
        PrescriptionError: not valid TOML.
        PrescriptionFileError: the content is invalid (every problem listed).
    """
    origin = source
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PrescriptionError(f"{origin}: not valid TOML: {exc}") from exc
    r = _Reader(origin)
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
    start = r.date(data.get("start_date"), "start_date") if "start_date" in data else _BAD
    patient = _patient(r, data["patient"]) if "patient" in data else _BAD
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
    safety: Safety | _Missing = _BAD
    if isinstance(patient, Patient) and "safety" in data:
        safety = _safety(r, data["safety"], patient)
    elif "safety" in data:  # limits depend on the patient: check the keys at least
        r.table(data["safety"], "safety", _SAFETY_KEYS, ("hr_ceiling",))
    if isinstance(safety, Safety):
        _check_impact(r, modalities, safety.impact)
    if r.problems:
        raise PrescriptionFileError(r.problems)
    assert isinstance(patient, Patient) and isinstance(safety, Safety)
    assert isinstance(start, dt.date)
    if template is not None:
        modalities = {
            k: _cite_template(m, TEMPLATES[template].modalities.get(k))
            for k, m in modalities.items()
        }
    return Prescription(patient, start, modalities, safety, template, origin)


def _check_impact(r: _Reader, modalities: Mapping[str, ModalityRx], ceiling: ImpactCeiling) -> None:
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
