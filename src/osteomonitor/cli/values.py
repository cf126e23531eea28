"""Argument values shared by the patient and prescription commands, and asking for them.

Each parser takes the text a person typed and returns the value or raises
`argparse.ArgumentTypeError` with what to write instead; `ask` re-asks (`input()`) until
the answer parses, for `--interactive`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import TypeVar

from osteomonitor.errors import UsageError

T = TypeVar("T")

RISKS = ("low", "moderate", "high")


def date_value(text: str) -> dt.date:
    """ "2025-03-03" or "today"."""
    if text.strip().lower() == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-03") from None


def past_date_value(text: str) -> dt.date:
    """A date that is not in the future (when a measurement was taken)."""
    day = date_value(text)
    if day > dt.date.today():
        raise argparse.ArgumentTypeError(
            f"{day} is in the future (today is {dt.date.today()}): give the date it was taken"
        )
    return day


def yes_no(text: str) -> bool:
    t = text.strip().lower()
    if t in ("yes", "y", "true"):
        return True
    if t in ("no", "n", "false"):
        return False
    raise argparse.ArgumentTypeError(f"{text!r}: answer yes or no")


def risk_value(text: str) -> str:
    t = text.strip().lower()
    if t not in RISKS:
        raise argparse.ArgumentTypeError(f"{text!r}: fracture risk is low, moderate or high")
    return t


def int_value(lo: int, hi: int, unit: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            v = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {unit}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{v} is outside {lo}–{hi} {unit}")
        return v

    return parse


def float_value(lo: float, hi: float, unit: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            v = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of {unit}") from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"{v:g} is outside {lo:g}–{hi:g} {unit}")
        return v

    return parse


def ask(prompt: str, parse: Callable[[str], T], tries: int = 5) -> T:
    """Ask on the terminal until the answer parses (at most `tries` times); prompts and
    "try again" go to stderr.

    Raises:
        UsageError: no answer (end of input) or `tries` wrong answers.
    """
    for _ in range(tries):
        try:
            # the prompt goes to stderr: stdout may be the prescription itself
            print(f"{prompt}: ", end="", file=sys.stderr, flush=True)
            text = input()
        except EOFError:
            raise UsageError(f"no answer for {prompt!r}: nothing was written") from None
        try:
            return parse(text)
        except (argparse.ArgumentTypeError, ValueError) as exc:
            print(f"  {exc}; try again", file=sys.stderr)
    raise UsageError(f"{prompt!r}: {tries} answers did not read; nothing was written")


#: The answers no command defaults (what the clinician decides), as (option dest, prompt).
CLINICAL = (
    ("patient", "pseudonym (never a real name, e.g. P07)"),
    ("age", "age, years"),
    ("risk", "fracture risk (low, moderate, high)"),
    ("vertebral_fracture", "prior vertebral fracture (yes/no)"),
    ("hr_medication", "HR-modulating medication, e.g. a beta-blocker (yes/no)"),
    ("resting_hr", "resting heart rate, bpm"),
)


def fill_missing(args: argparse.Namespace, command: str) -> None:
    """Fill each missing clinical answer in `args`: asked when `args.interactive`, else a
    usage error naming the options.

    Raises:
        UsageError: answers missing without --interactive, or not given when asked.
    """
    missing = [(k, prompt) for k, prompt in CLINICAL if getattr(args, k, None) is None]
    if not missing:
        return
    if not args.interactive:
        names = ", ".join("--" + k.replace("_", "-") for k, _ in missing)
        raise UsageError(
            f"{command}: missing {names} (what the clinician decides); give them, "
            "or add --interactive to be asked"
        )
    from osteomonitor.prescription.limits import PATIENT_BOUNDS
    from osteomonitor.pseudonym import pseudonym_problem

    age, rest = PATIENT_BOUNDS["age_y"], PATIENT_BOUNDS["resting_hr.bpm"]

    def pseudonym(text: str) -> str:
        text = text.strip()
        problem = pseudonym_problem(text)
        if problem is not None:
            raise argparse.ArgumentTypeError(problem)
        return text

    parsers: dict[str, Callable[[str], object]] = {
        "patient": pseudonym,
        "age": int_value(int(age.lo), int(age.hi), "years"),
        "risk": risk_value,
        "vertebral_fracture": yes_no,
        "hr_medication": yes_no,
        "resting_hr": float_value(rest.lo, rest.hi, "bpm"),
    }
    for key, prompt in missing:
        setattr(args, key, ask(prompt, parsers[key]))
