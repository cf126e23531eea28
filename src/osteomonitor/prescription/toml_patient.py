"""The `[patient]` and `[safety]` sections of a prescription file.

Patient values are checked against `limits.PATIENT_BOUNDS`; HRmax is measured or
predicted by the analysis layer's equations; the safety limits are derived from the
fracture risk (`limits`) unless the file overrides them with a reason.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import replace
from typing import Any

from osteomonitor.prescription import limits
from osteomonitor.prescription.fitt import FractureRisk, Patient, Safety
from osteomonitor.prescription.problems import BAD, Checker, Missing
from osteomonitor.pseudonym import PSEUDONYM_RE, PSEUDONYM_RULE

PATIENT_KEYS = (
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
#: Required in `[patient]`: everything but the body mass (only ground-reaction-force
#: estimates use it, and it is not a clinician's decision).
PATIENT_REQUIRED = tuple(k for k in PATIENT_KEYS if k != "body_mass_kg")
SAFETY_KEYS = ("hr_ceiling", "impact_ceiling", "eyes_closed_balance", "avoid_spinal_flexion")


def predicted_hrmax(age_y: int, method: str) -> float:
    """HRmax from an age equation, bpm (the analysis layer owns the formulas)."""
    # lazy on purpose: the analysis layer loads numpy, and `osteomonitor --help` reads this
    # package's tables (prescription new) without it (tests/test_layering.py)
    from osteomonitor.analysis.intensity import hrmax_predicted

    return float(hrmax_predicted(age_y, method))


# ----------------------------------------------------------------------- patient


def read_patient(r: Checker, value: Any) -> Patient | Missing:
    n_bad = len(r.problems)
    t = r.table(value, "patient", PATIENT_KEYS, PATIENT_REQUIRED)
    if isinstance(t, Missing):
        return t
    b = limits.PATIENT_BOUNDS

    def get(key: str, fn: Any, *args: Any) -> Any:
        return fn(t[key], f"patient.{key}", *args) if key in t else BAD

    pseudonym = get("pseudonym", r.string)
    if isinstance(pseudonym, str) and not PSEUDONYM_RE.fullmatch(pseudonym):
        r.fail("patient.pseudonym", PSEUDONYM_RULE)
    age_b = b["age_y"]
    age = get("age_y", r.integer, int(age_b.lo), int(age_b.hi), f"years ({age_b.why})")
    mass = get("body_mass_kg", r.number, b["body_mass_kg"]) if "body_mass_kg" in t else None
    tz = get("timezone", r.string)
    if isinstance(tz, str):
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            r.fail("patient.timezone", f"{tz!r} is not an IANA time zone (e.g. Europe/Helsinki)")
    risk = get("fracture_risk", r.choice, tuple(FractureRisk))
    vert = get("prior_vertebral_fracture", r.boolean)
    meds = get("hr_modulating_medication", r.boolean)
    rest: tuple[Any, Any, Any] = (BAD, BAD, BAD)
    if "resting_hr" in t:
        keys = ("bpm", "method", "date")
        rt = r.table(t["resting_hr"], "patient.resting_hr", keys, keys)
        if not isinstance(rt, Missing):
            rest = (
                r.number(rt["bpm"], "patient.resting_hr.bpm", b["resting_hr.bpm"])
                if "bpm" in rt
                else BAD,
                r.choice(rt["method"], "patient.resting_hr.method", limits.RESTING_HR_METHODS)
                if "method" in rt
                else BAD,
                r.date(rt["date"], "patient.resting_hr.date") if "date" in rt else BAD,
            )
    hrmax = _hrmax(r, t["hrmax"], age) if "hrmax" in t else BAD
    if len(r.problems) > n_bad or isinstance(hrmax, Missing):
        return BAD
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
    r: Checker, value: Any, age: int | Missing
) -> tuple[float, str, dt.date | None] | Missing:
    t = r.table(value, "patient.hrmax", ("method", "bpm", "date"), ("method",))
    if isinstance(t, Missing) or "method" not in t:
        return BAD
    method = r.choice(t["method"], "patient.hrmax.method", limits.HRMAX_METHODS)
    if isinstance(method, Missing):
        return method
    if method == "measured":
        for k in ("bpm", "date"):
            if k not in t:
                r.fail(f"patient.hrmax.{k}", "required for a measured HRmax")
        if "bpm" not in t or "date" not in t:
            return BAD
        bpm = r.number(t["bpm"], "patient.hrmax.bpm", limits.PATIENT_BOUNDS["hrmax.bpm"])
        day = r.date(t["date"], "patient.hrmax.date")
        if isinstance(bpm, Missing) or isinstance(day, Missing):
            return BAD
        return bpm, method, day
    for k in ("bpm", "date"):
        if k in t:
            r.fail(
                f"patient.hrmax.{k}",
                f'only for method = "measured"; {method} predicts HRmax from age',
            )
    if isinstance(age, Missing) or "bpm" in t or "date" in t:
        return BAD
    return predicted_hrmax(age, method), method, None


# ------------------------------------------------------------------------ safety


def read_safety(
    r: Checker, value: Any, patient: Patient, template_spinal: str | None = None
) -> Safety | Missing:
    """The `[safety]` table; `template_spinal` is the template's own spinal restriction
    (its citation), which applies unless the file sets `avoid_spinal_flexion = false`."""
    t = r.table(value, "safety", SAFETY_KEYS, ("hr_ceiling",))
    if isinstance(t, Missing):
        return t
    n_bad = len(r.problems)
    ceiling_bpm, ceiling_pct = _hr_ceiling(r, t.get("hr_ceiling"), patient)
    derived = limits.derive_impact_ceiling(patient.fracture_risk, patient.prior_vertebral_fracture)
    impact = derived
    if "impact_ceiling" in t:
        it = r.table(
            t["impact_ceiling"], "safety.impact_ceiling", ("mode", "reason"), ("mode", "reason")
        )
        if not isinstance(it, Missing) and "mode" in it and "reason" in it:
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
    risk, vf = patient.fracture_risk, patient.prior_vertebral_fracture
    eyes = limits.eyes_closed_allowed(risk, vf)
    eyes_src = limits.eyes_closed_source(risk, vf)
    if "eyes_closed_balance" in t:
        v = r.boolean(t["eyes_closed_balance"], "safety.eyes_closed_balance")
        if v is True and not eyes:
            r.fail(
                "safety.eyes_closed_balance",
                f"eyes-closed balance tasks are not for this patient ({eyes_src})",
            )
        elif isinstance(v, bool):
            eyes = v
    spinal_src = limits.spinal_source(risk, vf)
    spinal = bool(spinal_src)
    if template_spinal is not None and not spinal:
        spinal, spinal_src = True, template_spinal
    if "avoid_spinal_flexion" in t:
        v = r.boolean(t["avoid_spinal_flexion"], "safety.avoid_spinal_flexion")
        if v is False and limits.spinal_source(risk, vf):
            r.fail(
                "safety.avoid_spinal_flexion",
                f"cannot be false for this patient ({limits.spinal_source(risk, vf)})",
            )
        elif isinstance(v, bool):
            spinal = v
            if v and not spinal_src:
                spinal_src = "set by the clinician in the prescription file"
    if len(r.problems) > n_bad or ceiling_bpm is None:
        return BAD
    return Safety(
        impact,
        ceiling_bpm,
        eyes,
        eyes_src,
        spinal,
        spinal_src if spinal else "",
        ceiling_pct,
    )


def _hr_ceiling(r: Checker, value: Any, p: Patient) -> tuple[float | None, float | None]:
    if value is None:  # missing: already reported by the table check
        return None, None
    t = r.table(value, "safety.hr_ceiling", ("bpm", "pct_hrr"), ())
    if isinstance(t, Missing):
        return None, None
    if ("bpm" in t) == ("pct_hrr" in t):
        r.fail("safety.hr_ceiling", "give exactly one of bpm = N or pct_hrr = N")
        return None, None
    if "bpm" in t:
        bpm = r.number(t["bpm"], "safety.hr_ceiling.bpm", limits.PATIENT_BOUNDS["hr_ceiling.bpm"])
        if isinstance(bpm, Missing):
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
    if isinstance(pct, Missing):
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
