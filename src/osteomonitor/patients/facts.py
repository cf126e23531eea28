"""A patient's facts: the `patient.toml` of a patient record, read strictly and written back.

The facts are what a clinician knows about the patient apart from any prescription: age,
sex (optional), body mass (optional), fracture risk, prior vertebral fracture,
HR-modulating medication, resting HR with how and when it was taken, an optional time
zone and free notes. Values obey the same bounds as a prescription's `[patient]` table
(`prescription.limits.PATIENT_BOUNDS`); unknown keys are errors, so a typo never hides.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
import zoneinfo
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from osteomonitor.errors import PatientError
from osteomonitor.prescription import limits
from osteomonitor.prescription.fitt import FractureRisk
from osteomonitor.prescription.problems import BAD, Checker, Missing
from osteomonitor.pseudonym import PSEUDONYM_RE, PSEUDONYM_RULE

#: The value of the `format` key this reader understands.
FACTS_FORMAT = "osteomonitor-patient/1"
#: Sexes a record may state (optional: no rule of osteomonitor depends on it yet).
SEXES: tuple[str, ...] = ("female", "male", "other")

_T = TypeVar("_T")

_KEYS = (
    "format",
    "pseudonym",
    "age_y",
    "sex",
    "body_mass_kg",
    "fracture_risk",
    "prior_vertebral_fracture",
    "hr_modulating_medication",
    "resting_hr",
    "timezone",
    "notes",
)
_REQUIRED = (
    "format",
    "pseudonym",
    "age_y",
    "fracture_risk",
    "prior_vertebral_fracture",
    "hr_modulating_medication",
    "resting_hr",
)


@dataclass(frozen=True, slots=True)
class PatientFacts:
    """What is known about one patient (by pseudonym only).

    Attributes:
        pseudonym: never a real name. age_y: years. sex: one of `SEXES` or None.
        body_mass_kg: kg, or None. fracture_risk: low, moderate or high.
        prior_vertebral_fracture / hr_modulating_medication: clinical flags.
        resting_hr_bpm: bpm; resting_hr_method: one of `limits.RESTING_HR_METHODS`;
        resting_hr_date: when it was taken (never in the future).
        timezone: IANA zone the patient lives in, or None (the system's is used).
        notes: free text (shown as plain text).
    """

    pseudonym: str
    age_y: int
    fracture_risk: str
    prior_vertebral_fracture: bool
    hr_modulating_medication: bool
    resting_hr_bpm: float
    resting_hr_method: str
    resting_hr_date: dt.date
    sex: str | None = None
    body_mass_kg: float | None = None
    timezone: str | None = None
    notes: str = ""


def facts_problems(f: PatientFacts, today: dt.date | None = None) -> list[tuple[str, str]]:
    """What is wrong with `f` as (key, reason) pairs; empty when it is valid."""
    out: list[tuple[str, str]] = []
    b = limits.PATIENT_BOUNDS
    if not PSEUDONYM_RE.fullmatch(f.pseudonym):
        out.append(("pseudonym", PSEUDONYM_RULE))
    age = b["age_y"]
    if not age.lo <= f.age_y <= age.hi:
        out.append(("age_y", f"{f.age_y} is outside {age.lo:g}–{age.hi:g} years ({age.why})"))
    if f.sex is not None and f.sex not in SEXES:
        out.append(("sex", f"{f.sex!r} is not one of {', '.join(SEXES)}"))
    for key, value in (("body_mass_kg", f.body_mass_kg), ("resting_hr.bpm", f.resting_hr_bpm)):
        bd = b[key]
        if value is not None and not bd.lo <= value <= bd.hi:
            out.append((key, f"{value:g} is outside {bd.lo:g}–{bd.hi:g} {bd.unit} ({bd.why})"))
    if f.fracture_risk not in tuple(FractureRisk):
        out.append(("fracture_risk", f"{f.fracture_risk!r} is not one of low, moderate, high"))
    if f.resting_hr_method not in limits.RESTING_HR_METHODS:
        methods = ", ".join(limits.RESTING_HR_METHODS)
        out.append(("resting_hr.method", f"{f.resting_hr_method!r} is not one of {methods}"))
    today = today or dt.date.today()
    if f.resting_hr_date > today:
        out.append(("resting_hr.date", f"{f.resting_hr_date} is in the future (today is {today})"))
    if f.timezone is not None:
        try:
            zoneinfo.ZoneInfo(f.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            out.append(("timezone", f"{f.timezone!r} is not an IANA time zone (Europe/Helsinki)"))
    return out


def parse_facts(text: str, origin: str, today: dt.date | None = None) -> PatientFacts:
    """Read `patient.toml` text strictly.

    Raises:
        PatientError: not TOML, or any key unknown, missing or invalid (all listed, each
            with the file and key, and what to do).
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PatientError(
            f"{origin}: not valid TOML ({exc}); fix the file by hand (nothing was changed)"
        ) from None
    r = Checker(origin)
    r.table(data, "", _KEYS, _REQUIRED)
    if "format" in data and data["format"] != FACTS_FORMAT:
        r.fail("format", f"{data['format']!r} is not {FACTS_FORMAT!r}")
    b = limits.PATIENT_BOUNDS

    def get(key: str, fn: Any, *args: Any) -> Any:
        return fn(data[key], key, *args) if key in data else BAD

    pseudonym = get("pseudonym", r.string)
    age = get("age_y", r.integer, int(b["age_y"].lo), int(b["age_y"].hi), "years")
    sex = get("sex", r.choice, SEXES) if "sex" in data else None
    mass = get("body_mass_kg", r.number, b["body_mass_kg"]) if "body_mass_kg" in data else None
    risk = get("fracture_risk", r.choice, tuple(FractureRisk))
    vert = get("prior_vertebral_fracture", r.boolean)
    meds = get("hr_modulating_medication", r.boolean)
    tz = get("timezone", r.string) if "timezone" in data else None
    notes = get("notes", r.string) if "notes" in data else ""
    rest: tuple[Any, Any, Any] = (BAD, BAD, BAD)
    if "resting_hr" in data:
        keys = ("bpm", "method", "date")
        rt = r.table(data["resting_hr"], "resting_hr", keys, keys)
        if not isinstance(rt, Missing) and all(k in rt for k in keys):
            rest = (
                r.number(rt["bpm"], "resting_hr.bpm", b["resting_hr.bpm"]),
                r.choice(rt["method"], "resting_hr.method", limits.RESTING_HR_METHODS),
                r.date(rt["date"], "resting_hr.date"),
            )
    values = (pseudonym, age, sex, mass, risk, vert, meds, tz, notes, *rest)
    if not r.problems and not any(isinstance(v, Missing) for v in values):
        facts = PatientFacts(
            pseudonym=pseudonym,
            age_y=age,
            fracture_risk=risk,
            prior_vertebral_fracture=vert,
            hr_modulating_medication=meds,
            resting_hr_bpm=rest[0],
            resting_hr_method=rest[1],
            resting_hr_date=rest[2],
            sex=sex,
            body_mass_kg=mass,
            timezone=tz,
            notes=notes,
        )
        for key, reason in facts_problems(facts, today):
            r.fail(key, reason)
        if not r.problems:
            return facts
    lines = "\n".join(f"  {p}" for p in r.problems)
    raise PatientError(
        f"{origin}: invalid patient record ({len(r.problems)} problem(s)); fix the file by "
        f"hand (it was not changed) and run 'osteomonitor patient show':\n{lines}"
    )


def _s(text: str) -> str:
    """A TOML basic string (JSON escapes are TOML escapes)."""
    return json.dumps(text, ensure_ascii=False)


def _n(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def facts_toml(f: PatientFacts) -> str:
    """The facts as commented TOML that `parse_facts` reads back."""
    lines = [
        f"# osteomonitor patient record for {f.pseudonym} ({FACTS_FORMAT})",
        f"# Change it with 'osteomonitor patient edit {f.pseudonym} --age N …' or by hand;",
        f"# 'osteomonitor patient show {f.pseudonym}' checks it.",
        f"format = {_s(FACTS_FORMAT)}",
        f"pseudonym = {_s(f.pseudonym)}  # never a real name",
        f"age_y = {f.age_y}",
    ]
    if f.sex is not None:
        lines.append(f"sex = {_s(f.sex)}  # {', '.join(SEXES)}")
    if f.body_mass_kg is not None:
        lines.append(f"body_mass_kg = {_n(f.body_mass_kg)}")
    lines += [
        f"fracture_risk = {_s(f.fracture_risk)}  # low, moderate or high",
        f"prior_vertebral_fracture = {str(f.prior_vertebral_fracture).lower()}",
        f"hr_modulating_medication = {str(f.hr_modulating_medication).lower()}",
        f"resting_hr = {{ bpm = {_n(f.resting_hr_bpm)}, method = {_s(f.resting_hr_method)}, "
        f"date = {f.resting_hr_date.isoformat()} }}",
    ]
    if f.timezone is not None:
        lines.append(f"timezone = {_s(f.timezone)}  # IANA zone")
    if f.notes:
        lines.append(f"notes = {_s(f.notes)}")
    return "\n".join(lines) + "\n"


#: The optional facts `patient edit --clear` may forget.
CLEARABLE: tuple[str, ...] = ("sex", "body_mass_kg", "timezone", "notes")


@dataclass(frozen=True, slots=True)
class FactsEdit:
    """The facts to change (None: keep). Field names and units as `PatientFacts`."""

    age_y: int | None = None
    fracture_risk: str | None = None
    prior_vertebral_fracture: bool | None = None
    hr_modulating_medication: bool | None = None
    resting_hr_bpm: float | None = None
    resting_hr_method: str | None = None
    resting_hr_date: dt.date | None = None
    sex: str | None = None
    body_mass_kg: float | None = None
    timezone: str | None = None
    notes: str | None = None
    #: Optional facts to forget: any of "sex", "body_mass_kg", "timezone", "notes".
    clear: tuple[str, ...] = ()

    def changed(self) -> dict[str, object]:
        """The fields given, by name (cleared ones as None)."""
        out: dict[str, object] = {
            f.name: v
            for f in fields(self)
            if f.name != "clear" and (v := getattr(self, f.name)) is not None
        }
        out.update(dict.fromkeys(self.clear))
        return out

    def apply(self, f: PatientFacts) -> PatientFacts:
        """`f` with the given fields changed."""
        return PatientFacts(
            pseudonym=f.pseudonym,
            age_y=_keep(self.age_y, f.age_y),
            fracture_risk=_keep(self.fracture_risk, f.fracture_risk),
            prior_vertebral_fracture=_keep(
                self.prior_vertebral_fracture, f.prior_vertebral_fracture
            ),
            hr_modulating_medication=_keep(
                self.hr_modulating_medication, f.hr_modulating_medication
            ),
            resting_hr_bpm=_keep(self.resting_hr_bpm, f.resting_hr_bpm),
            resting_hr_method=_keep(self.resting_hr_method, f.resting_hr_method),
            resting_hr_date=_keep(self.resting_hr_date, f.resting_hr_date),
            sex=None if "sex" in self.clear else _keep(self.sex, f.sex),
            body_mass_kg=None
            if "body_mass_kg" in self.clear
            else _keep(self.body_mass_kg, f.body_mass_kg),
            timezone=None if "timezone" in self.clear else _keep(self.timezone, f.timezone),
            notes="" if "notes" in self.clear else _keep(self.notes, f.notes),
        )


def _keep(new: _T | None, old: _T) -> _T:
    return old if new is None else new
