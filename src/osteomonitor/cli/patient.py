"""`osteomonitor patient add|list|show|edit|prescribe`: patient records.

A record is a folder in the patients folder (`osteomonitor config` shows where): the
patient's facts (`patient.toml`) and the dated prescriptions (`prescriptions/DATE.toml`),
all owner-only. `prescribe` is the one way to add a prescription to a record: drafted
from the facts and a template, or copied from a file written with `prescription new`.
`live`/`record --patient P07` then use the prescription in force on the session's date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from osteomonitor.cli.values import (
    date_value,
    fill_missing,
    past_date_value,
    risk_value,
    yes_no,
)
from osteomonitor.pseudonym import printable, pseudonym_arg

DEFAULT_RESTING_HR_METHOD = "seated-5min"


def _facts_options(p: argparse.ArgumentParser, required: bool) -> None:
    title = "what the clinician decides" + (" (required, or --interactive)" if required else "")
    g = p.add_argument_group(title)
    g.add_argument("--age", type=int, help="years")
    g.add_argument("--risk", type=risk_value, help="fracture risk: low, moderate or high")
    g.add_argument("--vertebral-fracture", type=yes_no, help="yes or no")
    g.add_argument(
        "--hr-medication",
        type=yes_no,
        help="HR-modulating medication (e.g. a beta-blocker): yes or no",
    )
    g.add_argument("--resting-hr", type=float, help="resting HR, bpm")
    o = p.add_argument_group("other facts" + (" (optional)" if required else ""))
    o.add_argument(
        "--resting-hr-method",
        help="how resting HR was taken (default seated-5min): supine-5min, seated-5min, "
        "morning-average, nocturnal, wearable-average, session-rest-segment",
    )
    o.add_argument(
        "--resting-hr-date",
        type=past_date_value,
        help="YYYY-MM-DD, not in the future (default: today, when --resting-hr is given)",
    )
    o.add_argument("--mass", type=float, help="body mass, kg")
    o.add_argument("--sex", choices=("female", "male", "other"), help="if relevant")
    o.add_argument("--timezone", help="IANA zone, e.g. Europe/Helsinki (default: this computer's)")
    o.add_argument("--notes", help="free text (never a real name)")


def register(sub: Any) -> None:
    """Add the `patient` command group."""
    p = sub.add_parser(
        "patient",
        help="patient records: facts and dated prescriptions",
        description="Patient records in the patients folder (see 'osteomonitor config'). "
        "Example: osteomonitor patient add P07 --age 67 --risk moderate "
        "--vertebral-fracture no --hr-medication no --resting-hr 62; osteomonitor patient "
        "prescribe P07; osteomonitor live --simulate h10 --patient P07",
    )
    psub = p.add_subparsers(dest="patient_command", metavar="ACTION", required=True)

    add = psub.add_parser("add", help="a new patient's facts")
    add.add_argument("patient", type=pseudonym_arg, help="pseudonym (never a real name)")
    _facts_options(add, required=True)
    add.add_argument(
        "--interactive",
        action="store_true",
        help="ask for each required answer that is missing (re-asks until it reads)",
    )
    add.set_defaults(func=_add)

    ls = psub.add_parser("list", help="every patient, with the prescription in force")
    ls.set_defaults(func=_list)

    show = psub.add_parser("show", help="facts, prescription history and the one in force")
    show.add_argument("patient", type=pseudonym_arg)
    show.set_defaults(func=_show)

    edit = psub.add_parser(
        "edit",
        help="change facts (only the options given)",
        description="Change a patient's facts; the prescriptions already written keep "
        "theirs (prescribe again to use the new facts).",
    )
    edit.add_argument("patient", type=pseudonym_arg)
    _facts_options(edit, required=False)
    edit.add_argument(
        "--clear",
        action="append",
        default=[],
        choices=("mass", "sex", "timezone", "notes"),
        help="forget an optional fact (repeat for several)",
    )
    edit.set_defaults(func=_edit)

    rx = psub.add_parser(
        "prescribe",
        help="add a dated prescription to the record",
        description="Add a prescription to a patient's record, in force from --from "
        "(default today) until the next one. Drafted from the record's facts and a "
        "template (each default used is printed), or copied with --file from a prescription "
        "file (e.g. one written by 'prescription new' and edited by hand).",
    )
    rx.add_argument("patient", type=pseudonym_arg)
    rx.add_argument("--from", dest="in_force_from", type=date_value, help="YYYY-MM-DD (today)")
    rx.add_argument("--file", type=Path, help="a prescription file to add as it is (same patient)")
    rx.add_argument("--template", help="ksbmr-2023 (default), acsm-osteoporosis, conservative")
    rx.add_argument(
        "--start",
        type=date_value,
        help="first day of programme week 1 (default: unchanged from the prescription in "
        "force, else the --from date)",
    )
    rx.add_argument(
        "--hr-ceiling",
        help="bpm (135) or %%HRR (75%%hrr); default: the top of the template's moderate band",
    )
    rx.add_argument("--hrmax", help="measured HRmax in bpm, or tanaka (default), gellish, fox")
    rx.add_argument("--hrmax-date", type=past_date_value, help="date of a measured HRmax")
    rx.set_defaults(func=_prescribe)


def _facts_from_args(args: argparse.Namespace) -> Any:
    from osteomonitor.app.patients import PatientFacts

    used = []
    method = args.resting_hr_method
    if method is None:
        method = DEFAULT_RESTING_HR_METHOD
        used.append(f"resting HR taken {method} (--resting-hr-method)")
    day = args.resting_hr_date
    if day is None:
        day = dt.date.today()
        used.append(f"resting HR taken today, {day} (--resting-hr-date)")
    facts = PatientFacts(
        pseudonym=args.patient,
        age_y=args.age,
        fracture_risk=args.risk,
        prior_vertebral_fracture=args.vertebral_fracture,
        hr_modulating_medication=args.hr_medication,
        resting_hr_bpm=args.resting_hr,
        resting_hr_method=method,
        resting_hr_date=day,
        sex=args.sex,
        body_mass_kg=args.mass,
        timezone=args.timezone,
        notes=args.notes or "",
    )
    return facts, used


def _add(args: argparse.Namespace) -> int:
    from osteomonitor.app.patients import add_patient

    fill_missing(args, "patient add")
    facts, used = _facts_from_args(args)
    path = add_patient(facts)
    for line in used:
        print(f"osteomonitor: default: {line}", file=sys.stderr)
    print(f"added {args.patient}: {path}")
    print(f"next: osteomonitor patient prescribe {args.patient}")
    return 0


def _edit(args: argparse.Namespace) -> int:
    from osteomonitor.app.patients import FactsEdit, edit_patient

    option = {
        "age": "age_y",
        "risk": "fracture_risk",
        "vertebral_fracture": "prior_vertebral_fracture",
        "hr_medication": "hr_modulating_medication",
        "resting_hr": "resting_hr_bpm",
        "resting_hr_method": "resting_hr_method",
        "resting_hr_date": "resting_hr_date",
        "mass": "body_mass_kg",
        "sex": "sex",
        "timezone": "timezone",
        "notes": "notes",
    }
    changes = {f: getattr(args, a) for a, f in option.items() if getattr(args, a) is not None}
    clear = tuple(option[c] for c in args.clear)
    if not changes and not clear:
        raise_usage("patient edit: give the facts to change, e.g. --resting-hr 58 or --clear mass")
    if "resting_hr_bpm" in changes and "resting_hr_date" not in changes:
        changes["resting_hr_date"] = dt.date.today()
        print(
            f"osteomonitor: default: resting HR taken today, {changes['resting_hr_date']} "
            "(--resting-hr-date)",
            file=sys.stderr,
        )
    before, after, path = edit_patient(args.patient, FactsEdit(**changes, clear=clear))
    for name in [*changes, *clear]:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            print(f"{name}: {_plain(old)} → {_plain(new)}")
    print(f"saved {path}")
    print("prescriptions already written keep their values; to use the new facts:")
    print(f"  osteomonitor patient prescribe {args.patient}")
    return 0


def raise_usage(message: str) -> None:
    from osteomonitor.errors import UsageError

    raise UsageError(message)


def _plain(v: object) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if v is None or v == "":
        return "–"
    if isinstance(v, float):
        return f"{v:g}"
    return printable(v)


def _list(args: argparse.Namespace) -> int:
    from osteomonitor.app.patients import list_patients, patient_records

    recs = patient_records()
    rows = list_patients(recs)
    if not rows:
        print(f"no patients in {recs.folder}; add one with 'osteomonitor patient add P07 …'")
        return 0
    print(f"patients in {recs.folder}")
    for r in rows:
        if r.facts is None:
            print(f"  {r.pseudonym:<12} DOES NOT READ: {printable(r.problem)}")
            continue
        f = r.facts
        force = f"in force since {r.in_force_from}" if r.in_force_from else "none in force"
        print(
            f"  {r.pseudonym:<12} {f.age_y} y, {f.fracture_risk} risk; "
            f"{r.prescriptions} prescription(s), {force}"
        )
    return 0


def _show(args: argparse.Namespace) -> int:
    from osteomonitor.app.patients import patient_overview
    from osteomonitor.app.prescribing import system_timezone
    from osteomonitor.report import prescription_sheet

    o = patient_overview(args.patient)
    f = o.facts
    print(f"Patient {f.pseudonym}")
    print(
        f"  {f.age_y} y"
        + (f", {f.sex}" if f.sex else "")
        + (f", {f.body_mass_kg:g} kg" if f.body_mass_kg is not None else "")
        + f", {f.fracture_risk} fracture risk, "
        + ("prior vertebral fracture" if f.prior_vertebral_fracture else "no vertebral fracture")
        + ", "
        + ("HR-modulating medication" if f.hr_modulating_medication else "no HR medication")
    )
    print(
        f"  resting HR {f.resting_hr_bpm:g} bpm ({f.resting_hr_method}, {f.resting_hr_date}); "
        f"time zone {f.timezone or f'not set (this computer’s: {system_timezone()})'}"
    )
    if f.notes:
        print(f"  notes: {printable(f.notes)}")
    print("")
    print("Prescriptions (each in force from its date until the next):")
    if not o.history:
        print(f"  none yet; add one with 'osteomonitor patient prescribe {f.pseudonym}'")
    for e in o.history:
        mark = "*" if o.in_force is not None and e.path == o.in_force.path else " "
        if e.prescription is None:
            first = (e.problem or "").splitlines()[0]
            print(f" {mark}{e.in_force_from}  {e.path.name}  DOES NOT READ: {printable(first)}")
            continue
        rx = e.prescription
        print(
            f" {mark}{e.in_force_from}  {e.path.name}  {rx.template or 'hand-written'}, "
            f"week 1 {rx.start_date}, HR ceiling {rx.safety.hr_ceiling_text}"
        )
    for stray in o.strays:
        print(f"  (not used: {stray.name}: a history file is named YYYY-MM-DD.toml)")
    print("")
    if o.in_force_problem:
        print(f"In force today ({o.today}): DOES NOT READ")
        print(printable(o.in_force_problem))
        return 1
    if o.in_force is None or o.in_force.prescription is None:
        print(f"In force today ({o.today}): none")
        return 0
    week = o.in_force.prescription.week_of(o.today)
    when = f"programme week {week}" if week >= 1 else "before programme week 1"
    print(f"In force today ({o.today}, {when}): {o.in_force.path.name}")
    for what, now, then in o.changed:
        print(f"  note: {what} is {now} in the facts but {then} in this prescription")
    if o.changed:
        print(f"  (prescribe again to use the facts: osteomonitor patient prescribe {f.pseudonym})")
    print("")
    sys.stdout.write(prescription_sheet(o.in_force.prescription))
    return 0


def _prescribe(args: argparse.Namespace) -> int:
    from osteomonitor.app.patients import prescribe

    if args.file is not None:
        drafted = [
            n
            for n in ("template", "start", "hr_ceiling", "hrmax", "hrmax_date")
            if getattr(args, n) is not None
        ]
        if drafted:
            names = ", ".join("--" + n.replace("_", "-") for n in drafted)
            raise_usage(f"patient prescribe --file adds the file as it is: drop {names}")
    done = prescribe(
        args.patient,
        template=args.template,
        in_force_from=args.in_force_from,
        start_date=args.start,
        hr_ceiling=args.hr_ceiling,
        hrmax=args.hrmax,
        hrmax_date=args.hrmax_date,
        from_file=args.file,
    )
    for line in done.defaults:
        print(f"osteomonitor: default: {line}", file=sys.stderr)
    if done.draft is not None:
        for note in done.draft.notes:
            print(f"osteomonitor: note: {note}", file=sys.stderr)
    rx = done.prescription
    print(
        f"{args.patient}: {rx.template or 'hand-written'} prescription in force from "
        f"{done.in_force_from} (HR ceiling {rx.safety.hr_ceiling_text}): {done.path}"
    )
    return 0
