"""One-repetition maximum (1RM) estimated from a submaximal set.

Maximal strength testing may be contraindicated in severe osteoporosis (ACSM special
considerations), so resistance loads are prescribed from a 1RM *estimated* from a set
taken to fatigue with fewer than 1RM of load. Over the programme the estimate is
re-derived from the sets the patient logs (`one_rm_status`), and the load to lift on a
day follows the phase's %1RM (`target_load_kg`, shown live).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from osteomonitor.errors import PrescriptionError
from osteomonitor.prescription.limits import THRESHOLDS

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription.fitt import Prescription
    from osteomonitor.prescription.session_record import SetRecord

#: Accepted repetitions in the test set. One repetition is a maximal test (which the
#: guideline warns against); both equations are fitted on sets of up to 10 repetitions
#: and drift apart beyond (Brzycki 1993; LeSuer et al., JSCR 1997;11:211 [B]).
TEST_REPS_RANGE: tuple[int, int] = (2, 10)

#: Equations by name, with their source keys in `sources.REFERENCES`.
EQUATIONS: dict[str, str] = {"epley": "epley-1985", "brzycki": "brzycki-1993"}


def epley_1rm(load_kg: float, reps: int) -> float:
    """Epley (1985): 1RM = load · (1 + reps / 30).

    Args:
        load_kg: load lifted, kg.
        reps: repetitions completed to fatigue.

    Returns:
        Estimated 1RM, kg.
    """
    return load_kg * (1.0 + reps / 30.0)


def brzycki_1rm(load_kg: float, reps: int) -> float:
    """Brzycki (1993): 1RM = load · 36 / (37 − reps).

    Args:
        load_kg: load lifted, kg.
        reps: repetitions completed to fatigue (< 37).

    Returns:
        Estimated 1RM, kg.
    """
    return load_kg * 36.0 / (37.0 - reps)


def estimate_1rm(load_kg: float, reps: int, equation: str) -> float:
    """Estimated 1RM in kg from a submaximal set.

    Raises:
        PrescriptionError: unknown equation, non-positive load, or reps outside
            `TEST_REPS_RANGE`.
    """
    if equation not in EQUATIONS:
        raise PrescriptionError(
            f"1RM equation {equation!r} is unknown: use one of {', '.join(EQUATIONS)}"
        )
    if not load_kg > 0:
        raise PrescriptionError(f"1RM test load {load_kg} kg must be above 0 kg")
    lo, hi = TEST_REPS_RANGE
    if not lo <= reps <= hi:
        raise PrescriptionError(
            f"1RM test set of {reps} repetitions: use {lo}–{hi} repetitions (1 is a maximal "
            f"test, which may be contraindicated; above {hi} the equations lose accuracy)"
        )
    fn = epley_1rm if equation == "epley" else brzycki_1rm
    return fn(load_kg, reps)


def pct_of_1rm(load_kg: float, one_rm_kg: float) -> float:
    """A load as a percentage of 1RM, %."""
    return 100.0 * load_kg / one_rm_kg


# ------------------------------------------------------------ loads over the programme


@dataclass(frozen=True, slots=True)
class OneRmStatus:
    """The 1RM an exercise's loads are judged against, and whether to re-test.

    Attributes:
        exercise: exercise name as prescribed.
        one_rm_kg: the estimate in use, kg.
        basis: "test set" (the prescription's submaximal test) or "logged set" (a set
            the patient logged recently gave a higher estimate).
        basis_date: date of that set. load_kg / reps: the set. equation: "epley"/"brzycki".
        age_days: days from `basis_date` to the judging date.
        retest_due: the estimate is older than `THRESHOLDS["one_rm_retest_days"]`.
        text: one line for reports.
    """

    exercise: str
    one_rm_kg: float
    basis: str
    basis_date: dt.date
    load_kg: float
    reps: int
    equation: str
    age_days: int
    retest_due: bool
    text: str


def one_rm_status(
    rx: Prescription,
    exercise: str,
    logged: Sequence[tuple[dt.date, SetRecord]],
    on: dt.date,
) -> OneRmStatus | None:
    """The 1RM of a prescribed exercise on a date, re-estimated from logged sets.

    A logged set of `TEST_REPS_RANGE` repetitions within the last
    `one_rm_logged_window_days` days gives an estimate with the exercise's own equation
    (Epley or Brzycki); logged sets need not reach fatigue, so they can only raise the
    estimate, never lower it. The newest basis older than `one_rm_retest_days` prompts
    a re-test.

    Returns:
        None when the prescription gives this exercise no 1RM.
    """
    res = rx.modalities.get("resistance")
    ex = res.exercise(exercise) if res is not None else None
    if ex is None:
        return None
    best = (ex.one_rm_kg, "test set", ex.test_date, ex.test_load_kg, ex.test_reps)
    window = int(THRESHOLDS["one_rm_logged_window_days"].value)
    lo, hi = TEST_REPS_RANGE
    for day, s in logged:
        if s.exercise.casefold() != ex.name.casefold() or s.load_kg is None or s.reps is None:
            continue
        if not (0 <= (on - day).days <= window and lo <= s.reps <= hi and s.load_kg > 0):
            continue
        est = estimate_1rm(s.load_kg, s.reps, ex.equation)
        if est > best[0] + 1e-9 or (abs(est - best[0]) < 1e-9 and day > best[2]):
            best = (est, "logged set", day, s.load_kg, s.reps)
    one_rm, basis, when, load, reps = best
    age = (on - when).days
    due = age > THRESHOLDS["one_rm_retest_days"].value
    text = (
        f"{ex.name}: 1RM {one_rm:.1f} kg from the {basis} of {when} ({load:g} kg × {reps}, "
        f"{ex.equation.capitalize()}), {age} days old"
        + ("; re-test due (submaximal set to fatigue)" if due else "")
    )
    return OneRmStatus(ex.name, one_rm, basis, when, load, reps, ex.equation, age, due, text)


def target_load_kg(prescription: Prescription, exercise: str, on: dt.date) -> float | None:
    """The load to lift for an exercise on a date, kg (0.1 kg), or None.

    The phase's minimum %1RM in force in that programme week (the KSBMR ramp) times the
    exercise's estimated 1RM from the prescription's test set. None when the exercise
    has no 1RM or the prescription sets no %1RM (ACSM judges effort instead).
    """
    res = prescription.modalities.get("resistance")
    ex = res.exercise(exercise) if res is not None else None
    if res is None or ex is None:
        return None
    targets, _ = res.active(max(prescription.week_of(on), 1))
    pct = targets.get("pct_1rm")
    if pct is None or pct.lo is None:
        return None
    return round(pct.lo / 100.0 * ex.one_rm_kg, 1)
