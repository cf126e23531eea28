"""Patient records as use cases: add, edit, show, prescribe, and the session's prescription.

Storage is `osteomonitor.patients` (one folder per patient in `config.folders().patients`);
this module adds the decisions: which prescription a session uses (the one in force on
the session's local date), what a new prescription defaults to (`app.prescribing`), and
what `patient show` puts side by side.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from osteomonitor.app.prescribing import Draft, DraftRequest, draft
from osteomonitor.config import folders
from osteomonitor.errors import PatientError
from osteomonitor.patients import (
    CLEARABLE,
    FactsEdit,
    HistoryEntry,
    PatientFacts,
    PatientRecords,
    facts_problems,
)
from osteomonitor.prescription import Prescription, parse_prescription


def patient_records(folder: Path | None = None) -> PatientRecords:
    """The records in `folder`, else in the configured patients folder."""
    return PatientRecords(folder if folder is not None else folders().patients)


def _check(facts: PatientFacts, today: dt.date | None = None) -> None:
    problems = facts_problems(facts, today)
    if problems:
        raise PatientError(
            f"patient {facts.pseudonym}: "
            + "; ".join(f"{key}: {reason}" for key, reason in problems)
        )


def add_patient(facts: PatientFacts, records: PatientRecords | None = None) -> Path:
    """Create a patient's record (never overwrites one); returns the facts file."""
    _check(facts)
    return (records or patient_records()).create(facts)


def edit_patient(
    pseudonym: str, edit: FactsEdit, records: PatientRecords | None = None
) -> tuple[PatientFacts, PatientFacts, Path]:
    """Change some facts; returns (before, after, file).

    A field both given and cleared is an error.

    Raises:
        PatientError: no such patient, the record does not read (it is left as it is),
            nothing to change, or a new value is invalid.
    """
    recs = records or patient_records()
    before = recs.read_facts(pseudonym)
    if not edit.changed():
        raise PatientError(f"patient {pseudonym}: nothing to change")
    unknown = set(edit.clear) - set(CLEARABLE)
    both = [c for c in edit.clear if getattr(edit, c, None) is not None]
    if unknown or both:
        raise PatientError(
            f"patient {pseudonym}: cannot clear {', '.join(sorted(unknown) + both)} "
            f"(only {', '.join(CLEARABLE)}, and not one given a new value)"
        )
    after = edit.apply(before)
    _check(after)
    return before, after, recs.save_facts(after)


def local_today(facts: PatientFacts | None = None) -> dt.date:
    """Today in the patient's time zone (the system's when the record names none)."""
    if facts is not None and facts.timezone:
        return dt.datetime.now(zoneinfo.ZoneInfo(facts.timezone)).date()
    return dt.date.today()


@dataclass(frozen=True, slots=True)
class PatientOverview:
    """What `patient show` prints.

    Attributes:
        facts: the record's facts. history: dated prescriptions, oldest first.
        strays: files in the history folder whose name is not a date (not used).
        today: the patient's local date. in_force: the entry in force today, or None.
        in_force_problem: why the entry in force today does not read ("" when it does).
        changed: facts that differ from the prescription in force (name, fact, in rx).
    """

    facts: PatientFacts
    history: tuple[HistoryEntry, ...]
    strays: tuple[Path, ...]
    today: dt.date
    in_force: HistoryEntry | None
    in_force_problem: str
    changed: tuple[tuple[str, str, str], ...]


def patient_overview(pseudonym: str, records: PatientRecords | None = None) -> PatientOverview:
    """Facts, history and the prescription in force today."""
    recs = records or patient_records()
    facts = recs.read_facts(pseudonym)
    history, strays = recs.history(pseudonym)
    today = local_today(facts)
    in_force: HistoryEntry | None = None
    problem = ""
    try:
        in_force = recs.in_force(pseudonym, today)
    except PatientError as exc:
        problem = str(exc)
    changed: tuple[tuple[str, str, str], ...] = ()
    if in_force is not None and in_force.prescription is not None:
        changed = facts_vs_prescription(facts, in_force.prescription)
    return PatientOverview(facts, tuple(history), tuple(strays), today, in_force, problem, changed)


def facts_vs_prescription(f: PatientFacts, rx: Prescription) -> tuple[tuple[str, str, str], ...]:
    """Facts that changed since the prescription was written: (what, facts, prescription)."""
    p = rx.patient
    pairs = [
        ("age", f"{f.age_y} y", f"{p.age_y} y"),
        ("fracture risk", f.fracture_risk, p.fracture_risk),
        (
            "prior vertebral fracture",
            _yn(f.prior_vertebral_fracture),
            _yn(p.prior_vertebral_fracture),
        ),
        (
            "HR-modulating medication",
            _yn(f.hr_modulating_medication),
            _yn(p.hr_modulating_medication),
        ),
        ("resting HR", f"{f.resting_hr_bpm:g} bpm", f"{p.resting_hr_bpm:g} bpm"),
    ]
    if f.body_mass_kg is not None:
        mass_rx = "–" if p.body_mass_kg is None else f"{p.body_mass_kg:g} kg"
        pairs.append(("body mass", f"{f.body_mass_kg:g} kg", mass_rx))
    return tuple(t for t in pairs if t[1] != t[2])


def _yn(v: bool) -> str:
    return "yes" if v else "no"


@dataclass(frozen=True, slots=True)
class PatientRow:
    """One line of `patient list`: the facts, or why they do not read."""

    pseudonym: str
    facts: PatientFacts | None
    problem: str
    prescriptions: int
    in_force_from: dt.date | None


def list_patients(records: PatientRecords | None = None) -> list[PatientRow]:
    """Every patient in the folder; a record that does not read is listed with why."""
    recs = records or patient_records()
    rows = []
    for name in recs.pseudonyms():
        history, _ = recs.history(name)
        facts: PatientFacts | None = None
        problem = ""
        try:
            facts = recs.read_facts(name)
        except PatientError as exc:
            problem = str(exc).splitlines()[0]
        today = local_today(facts)
        current = [e for e in history if e.in_force_from <= today]
        rows.append(
            PatientRow(
                name, facts, problem, len(history), current[-1].in_force_from if current else None
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class Prescribed:
    """A prescription added to a record: its file, the draft (None when copied from a
    file), the date it is in force from and the defaults used."""

    path: Path
    prescription: Prescription
    draft: Draft | None
    in_force_from: dt.date
    defaults: tuple[str, ...]


def prescribe(
    pseudonym: str,
    *,
    template: str | None = None,
    in_force_from: dt.date | None = None,
    start_date: dt.date | None = None,
    hr_ceiling: str | None = None,
    hrmax: str | None = None,
    hrmax_date: dt.date | None = None,
    from_file: Path | None = None,
    records: PatientRecords | None = None,
) -> Prescribed:
    """Add a dated prescription to a patient's record.

    Drafted from the record's facts and a template (defaults as `app.prescribing.draft`),
    or copied from a prescription file (`from_file`, which must name the same patient).
    In force from `in_force_from` (default: today); programme week 1 starts on
    `start_date`, by default the start of the prescription in force on that day (the
    programme continues), else the day it comes into force.
    """
    recs = records or patient_records()
    facts = recs.read_facts(pseudonym)
    used: list[str] = []
    if in_force_from is None:
        in_force_from = local_today(facts)
        used.append(f"in force from today, {in_force_from} (--from)")
    if from_file is not None:
        try:
            text = from_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PatientError(f"{from_file}: cannot read the prescription ({exc})") from None
        rx = parse_prescription(text, str(from_file))
        path = recs.add_prescription(pseudonym, text, in_force_from)
        return Prescribed(path, rx, None, in_force_from, tuple(used))
    if start_date is None:
        current = _current_or_none(recs, pseudonym, in_force_from)
        if current is not None and current.prescription is not None:
            start_date = current.prescription.start_date
            used.append(f"programme week 1 stays {start_date}, as in {current.path.name} (--start)")
        else:
            start_date = in_force_from
            used.append(f"programme week 1 starts {start_date}, when it comes into force (--start)")
    req = DraftRequest(
        patient=pseudonym,
        age_y=facts.age_y,
        fracture_risk=facts.fracture_risk,
        prior_vertebral_fracture=facts.prior_vertebral_fracture,
        hr_modulating_medication=facts.hr_modulating_medication,
        resting_hr_bpm=facts.resting_hr_bpm,
        template=template,
        body_mass_kg=facts.body_mass_kg,
        resting_hr_method=facts.resting_hr_method,
        resting_hr_date=facts.resting_hr_date,
        hrmax=hrmax,
        hrmax_date=hrmax_date,
        timezone=facts.timezone,
        start_date=start_date,
        hr_ceiling=hr_ceiling,
    )
    d = draft(req, today=max(local_today(facts), dt.date.today()))
    path = recs.add_prescription(pseudonym, d.text, in_force_from)
    return Prescribed(path, d.prescription, d, in_force_from, tuple(used) + d.defaults)


def _current_or_none(recs: PatientRecords, pseudonym: str, day: dt.date) -> HistoryEntry | None:
    try:
        return recs.in_force(pseudonym, day)
    except PatientError:
        return None


@dataclass(frozen=True, slots=True)
class SessionPrescription:
    """The prescription a session is recorded under, with where it came from.

    Attributes:
        prescription: parsed. text: the file's text (stored in the recording verbatim).
        path: its file. note: one line for the person ("P07: prescription in force
            since 2025-03-03 (…/2025-03-03.toml)").
    """

    prescription: Prescription
    text: str
    path: Path
    note: str


def session_prescription(
    pseudonym: str,
    day: dt.date | None = None,
    records: PatientRecords | None = None,
) -> tuple[SessionPrescription | None, str]:
    """The prescription in force for a session of `pseudonym` on local date `day` (today).

    Returns:
        (the prescription or None, a line saying what was found). None when the patient
        has no record, or no prescription in force that day: the session is recorded
        without one (a session is never lost for paperwork) and the line says how to add it.

    Raises:
        PatientError: the record or the prescription in force does not read (fix it, or
            give --prescription FILE).
    """
    recs = records or patient_records()
    if not recs.exists(pseudonym):
        return None, (
            f"no patient record for {pseudonym} in {recs.folder}: recording without a "
            f"prescription (give --prescription FILE, or add the patient with "
            f"'osteomonitor patient add {pseudonym} …' and 'osteomonitor patient prescribe')"
        )
    facts = recs.read_facts(pseudonym)
    day = day or local_today(facts)
    entry = recs.in_force(pseudonym, day)
    if entry is None or entry.prescription is None:
        history, _ = recs.history(pseudonym)
        later = f" (the first starts {history[0].in_force_from})" if history else ""
        return None, (
            f"{pseudonym} has no prescription in force on {day}{later}: recording without "
            f"one; add one with 'osteomonitor patient prescribe {pseudonym}'"
        )
    note = f"{pseudonym}: prescription in force since {entry.in_force_from} ({entry.path})"
    return SessionPrescription(entry.prescription, entry.text, entry.path, note), note


__all__ = [
    "FactsEdit",
    "PatientFacts",
    "PatientOverview",
    "PatientRow",
    "Prescribed",
    "SessionPrescription",
    "add_patient",
    "edit_patient",
    "list_patients",
    "local_today",
    "patient_overview",
    "patient_records",
    "prescribe",
    "session_prescription",
]
