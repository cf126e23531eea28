"""`osteomonitor prescription new|check|show|templates`: prescription files.

`new` drafts a commented TOML file from a built-in guideline template. Only what a
clinician must decide is required (age, fracture risk, prior vertebral fracture,
HR-modulating medication, resting HR, and the pseudonym); everything else has a default
the command prints (`app.prescribing`). `--interactive` asks for what is missing. To keep
a prescription in a patient's record, use `osteomonitor patient prescribe` instead.
`check` validates files strictly; `show` prints one (or a recording's snapshot) within
100 columns.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from osteomonitor.cli.values import date_value, fill_missing, risk_value, yes_no
from osteomonitor.pseudonym import pseudonym_arg


def register(sub: Any) -> None:
    """Add the `prescription` command group."""
    p = sub.add_parser("prescription", help="create, check and show prescription files")
    psub = p.add_subparsers(dest="prescription_command", metavar="ACTION", required=True)

    new = psub.add_parser(
        "new",
        help="draft a prescription from a guideline template (prints TOML)",
        description="Draft a commented prescription file from a built-in guideline template. "
        "Required: --patient, --age, --risk, --vertebral-fracture, --hr-medication, "
        "--resting-hr (or --interactive to be asked). The rest defaults, and the command "
        "prints each default it used. To keep it in a patient's record, use "
        "'osteomonitor patient prescribe P07'. Example: osteomonitor prescription new "
        "--patient P07 --age 67 --risk moderate --vertebral-fracture no --hr-medication no "
        "--resting-hr 62 -o p07.toml",
    )
    req = new.add_argument_group("what the clinician decides (required)")
    req.add_argument("--patient", type=pseudonym_arg, help="pseudonym (never a real name)")
    req.add_argument("--age", type=int, help="years")
    req.add_argument("--risk", type=risk_value, help="fracture risk: low, moderate or high")
    req.add_argument("--vertebral-fracture", type=yes_no, help="yes or no")
    req.add_argument(
        "--hr-medication",
        type=yes_no,
        help="HR-modulating medication (e.g. a beta-blocker): yes or no",
    )
    req.add_argument("--resting-hr", type=float, help="resting HR, bpm")
    opt = new.add_argument_group("defaulted (each default used is printed)")
    opt.add_argument("--template", help="ksbmr-2023 (default), acsm-osteoporosis, conservative")
    opt.add_argument("--mass", type=float, help="body mass, kg (default: not given)")
    opt.add_argument(
        "--resting-hr-method",
        help="how resting HR was taken (default seated-5min): supine-5min, seated-5min, "
        "morning-average, nocturnal, wearable-average, session-rest-segment",
    )
    opt.add_argument(
        "--resting-hr-date", type=date_value, help="YYYY-MM-DD, not in the future (default today)"
    )
    opt.add_argument(
        "--hrmax",
        help="measured HRmax in bpm, or an equation: tanaka (default), gellish, fox",
    )
    opt.add_argument("--hrmax-date", type=date_value, help="date of a measured HRmax")
    opt.add_argument(
        "--timezone", help="IANA zone, e.g. Europe/Helsinki (default: this computer's)"
    )
    opt.add_argument(
        "--start", type=date_value, help="first day of programme week 1 (default today)"
    )
    opt.add_argument(
        "--hr-ceiling",
        # argparse %-formats help text: '%%' prints one '%'.
        help="HR safety ceiling: bpm (e.g. 135) or %%HRR (e.g. 75%%hrr); default: the top "
        "of the template's moderate band (KSBMR 60%%hrr)",
    )
    new.add_argument(
        "--interactive",
        action="store_true",
        help="ask for each required answer that is missing (re-asks until it reads)",
    )
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

    show = psub.add_parser(
        "show",
        help="a prescription (file, or the one stored in a recording) within 100 columns",
    )
    show.add_argument("file", type=Path, help="a prescription .toml or a recording .omrec")
    show.set_defaults(func=_show)

    tpl = psub.add_parser("templates", help="list the built-in guideline templates")
    tpl.set_defaults(func=_templates)


def _new(args: argparse.Namespace) -> int:
    from osteomonitor.app.prescribing import DraftRequest, draft
    from osteomonitor.report import write_private

    fill_missing(args, "prescription new")
    d = draft(
        DraftRequest(
            patient=args.patient,
            age_y=args.age,
            fracture_risk=args.risk,
            prior_vertebral_fracture=args.vertebral_fracture,
            hr_modulating_medication=args.hr_medication,
            resting_hr_bpm=args.resting_hr,
            template=args.template,
            body_mass_kg=args.mass,
            resting_hr_method=args.resting_hr_method,
            resting_hr_date=args.resting_hr_date,
            hrmax=args.hrmax,
            hrmax_date=args.hrmax_date,
            timezone=args.timezone,
            start_date=args.start,
            hr_ceiling=args.hr_ceiling,
        )
    )
    for line in d.defaults:
        print(f"osteomonitor: default: {line}", file=sys.stderr)
    for note in d.notes:
        print(f"osteomonitor: note: {note}", file=sys.stderr)
    if args.output is not None:
        write_private(args.output, d.text, what="prescription")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(d.text)
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
    from osteomonitor.app.prescribing import read_prescription_file
    from osteomonitor.report import prescription_sheet

    sys.stdout.write(prescription_sheet(read_prescription_file(args.file)))
    return 0


def _templates(args: argparse.Namespace) -> int:
    from osteomonitor.prescription import TEMPLATES

    for t in TEMPLATES.values():
        print(f"{t.name}: {t.title}\n  {t.reference}")
    return 0
