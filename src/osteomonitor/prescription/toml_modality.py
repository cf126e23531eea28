"""Read one modality of a prescription TOML file: its targets, phases and exercises.

Part of `toml_reader` (which reads the whole file and checks it as a whole): every
problem is reported to the shared `Checker` with its key path, nothing is defaulted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from osteomonitor.errors import PrescriptionError
from osteomonitor.prescription import limits
from osteomonitor.prescription.fitt import (
    TARGET_KINDS,
    TARGET_SPECS,
    ExerciseLoad,
    ModalityRx,
    Phase,
    Target,
    TargetKind,
    TargetSpec,
)
from osteomonitor.prescription.problems import (
    BAD,
    Checker,
    Missing,
    join_key,
)
from osteomonitor.prescription.sources import Source
from osteomonitor.prescription.strength import EQUATIONS, estimate_1rm

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


def read_modality(r: Checker, value: Any, name: str, origin: str) -> ModalityRx | Missing:
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
