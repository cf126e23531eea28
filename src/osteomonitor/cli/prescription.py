"""`osteomonitor prescription new|check|show|templates`: prescription files.

`new` drafts a commented TOML file from a built-in guideline template and the patient's
details (every option is required: nothing is defaulted for the patient); `check`
validates files strictly; `show` prints one as a readable table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from osteomonitor.errors import UsageError
from osteomonitor.pseudonym import pseudonym_arg

_CEILING_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%\s*hrr|%)?\s*$", re.I)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-03") from exc


def _yes_no(text: str) -> bool:
    t = text.strip().lower()
    if t in ("yes", "y", "true"):
        return True
    if t in ("no", "n", "false"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r}: answer yes or no")


def register(sub: Any) -> None:
    """Add the `prescription` command group."""
    from osteomonitor.prescription.limits import HRMAX_METHODS, RESTING_HR_METHODS

    p = sub.add_parser("prescription", help="create, check and show prescription files")
    psub = p.add_subparsers(dest="prescription_command", metavar="ACTION", required=True)

    new = psub.add_parser(
        "new",
        help="draft a prescription from a guideline template (prints TOML)",
        description="Draft a commented prescription file from a built-in guideline template. "
        "Every patient option is required. Example: osteomonitor prescription new "
        "--template ksbmr-2023 --patient P07 --age 67 --risk moderate --vertebral-fracture no "
        "--hr-medication no --mass 64 --resting-hr 62 --resting-hr-method seated-5min "
        "--resting-hr-date 2025-02-24 --hrmax tanaka --timezone Europe/Helsinki "
        "--start 2025-03-03 --hr-ceiling 75%%hrr > p07.toml",
    )
    req = new.add_argument_group("required")
    req.add_argument(
        "--template", required=True, help="ksbmr-2023, acsm-osteoporosis, conservative"
    )
    req.add_argument(
        "--patient", required=True, type=pseudonym_arg, help="pseudonym (never a real name)"
    )
    req.add_argument("--age", required=True, type=int, help="years")
    req.add_argument("--risk", required=True, help="fracture risk: low, moderate or high")
    req.add_argument("--vertebral-fracture", required=True, type=_yes_no, help="yes or no")
    req.add_argument(
        "--hr-medication",
        required=True,
        type=_yes_no,
        help="HR-modulating medication (e.g. a beta-blocker): yes or no",
    )
    req.add_argument("--mass", required=True, type=float, help="body mass, kg")
    req.add_argument("--resting-hr", required=True, type=float, help="resting HR, bpm")
    req.add_argument(
        "--resting-hr-method",
        required=True,
        help="how it was taken: " + ", ".join(RESTING_HR_METHODS),
    )
    req.add_argument("--resting-hr-date", required=True, type=_date, help="YYYY-MM-DD")
    req.add_argument(
        "--hrmax",
        required=True,
        help="measured HRmax in bpm, or an equation: "
        + ", ".join(m for m in HRMAX_METHODS if m != "measured"),
    )
    req.add_argument("--timezone", required=True, help="IANA zone, e.g. Europe/Helsinki")
    req.add_argument("--start", required=True, type=_date, help="first day of programme week 1")
    req.add_argument(
        "--hr-ceiling",
        required=True,
        help="HR safety ceiling: bpm (e.g. 135) or %%HRR (e.g. 75%%hrr)",
    )
    new.add_argument("--hrmax-date", type=_date, help="date of a measured HRmax (then required)")
    new.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write to this file (owner-only) instead of standard output",
    )
    new.set_defaults(func=_new)

    check = psub.add_parser("check", help="validate prescription files strictly")
    check.add_argument("files", nargs="+", type=Path)
    check.set_defaults(func=_check)

    show = psub.add_parser("show", help="a prescription as a readable table")
    show.add_argument("file", type=Path)
    show.set_defaults(func=_show)

    tpl = psub.add_parser("templates", help="list the built-in guideline templates")
    tpl.set_defaults(func=_templates)


def _new(args: argparse.Namespace) -> int:
    from osteomonitor.prescription import draft_prescription
    from osteomonitor.prescription.fitt import Patient
    from osteomonitor.report import write_private

    hrmax_text = str(args.hrmax).strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", hrmax_text):
        if args.hrmax_date is None:
            raise UsageError("--hrmax given in bpm (measured): add --hrmax-date YYYY-MM-DD")
        hrmax_bpm, hrmax_method, hrmax_date = float(hrmax_text), "measured", args.hrmax_date
    else:
        if args.hrmax_date is not None:
            raise UsageError(f"--hrmax-date is only for a measured HRmax, not {hrmax_text!r}")
        hrmax_bpm, hrmax_method, hrmax_date = 0.0, hrmax_text, None
    m = _CEILING_RE.match(args.hr_ceiling)
    if not m:
        raise UsageError(f"--hr-ceiling {args.hr_ceiling!r}: write bpm (135) or %HRR (75%hrr)")
    value, is_pct = float(m.group(1)), m.group(2) is not None
    patient = Patient(
        pseudonym=args.patient,
        age_y=args.age,
        body_mass_kg=args.mass,
        timezone=args.timezone,
        fracture_risk=args.risk,
        prior_vertebral_fracture=args.vertebral_fracture,
        hr_modulating_medication=args.hr_medication,
        resting_hr_bpm=args.resting_hr,
        resting_hr_method=args.resting_hr_method,
        resting_hr_date=args.resting_hr_date,
        hrmax_bpm=hrmax_bpm,
        hrmax_method=hrmax_method,
        hrmax_date=hrmax_date,
    )
    text, notes = draft_prescription(
        args.template,
        patient=patient,
        start_date=args.start,
        hr_ceiling_pct_hrr=value if is_pct else None,
        hr_ceiling_bpm=None if is_pct else value,
    )
    for note in notes:
        print(f"osteomonitor: note: {note}", file=sys.stderr)
    if args.output is not None:
        write_private(args.output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def lint(rx: Any) -> list[str]:
    """Things a valid prescription still leaves unjudgeable, for `check`."""
    out: list[str] = []
    res = rx.modalities.get("resistance")
    if res is not None and "pct_1rm" in res.targets and not res.exercises:
        out.append(
            "resistance.pct_1rm is prescribed but no [[resistance.exercises]] give a 1RM: "
            "loads cannot be judged"
        )
    for name, m in rx.modalities.items():
        for i, ph in enumerate(m.phases):
            if ph.on_review:
                out.append(f"{name}.phases[{i}] waits for clinician review (on_review = true)")
    if not rx.patient.hr_trusted:
        out.append(
            "HR-modulating medication with a predicted HRmax: RPE is the intensity "
            "criterion, %HRR is for information"
        )
    return out


def _check(args: argparse.Namespace) -> int:
    from osteomonitor.errors import PrescriptionError
    from osteomonitor.prescription import load_prescription

    bad = 0
    for path in args.files:
        try:
            rx = load_prescription(path)
        except PrescriptionError as exc:
            bad += 1
            print(f"osteomonitor: error: {exc}", file=sys.stderr)
            continue
        mods = ", ".join(rx.modalities)
        print(
            f"{path}: valid: {rx.patient.pseudonym}, {rx.template or 'hand-written'}, "
            f"{mods}; HR ceiling {rx.safety.hr_ceiling_text}; impact ceiling "
            f"{rx.safety.impact.mode}"
        )
        for w in lint(rx):
            print(f"  note: {w}")
    return 1 if bad else 0


def _show(args: argparse.Namespace) -> int:
    from osteomonitor.prescription import load_prescription
    from osteomonitor.report import prescription_text

    sys.stdout.write(prescription_text(load_prescription(args.file)))
    return 0


def _templates(args: argparse.Namespace) -> int:
    from osteomonitor.prescription import TEMPLATES

    for t in TEMPLATES.values():
        print(f"{t.name}: {t.title}\n  {t.reference}")
    return 0
