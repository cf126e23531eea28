"""One-repetition maximum (1RM) estimated from a submaximal set.

Maximal strength testing may be contraindicated in severe osteoporosis (ACSM special
considerations), so resistance loads are prescribed from a 1RM *estimated* from a set
taken to fatigue with fewer than 1RM of load.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from osteomonitor.errors import PrescriptionError

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.prescription.fitt import Prescription

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


def target_load_kg(prescription: Prescription, exercise: str, on: dt.date) -> float | None:
    """The load to lift in `exercise` on day `on`: the estimated 1RM times the lower end
    of the %1RM target in force that programme week, kg.

    Minimal form for the live screen (issue 13 item 9); the rules engine's version with
    re-estimated 1RM and dated KSBMR phases replaces it.

    Args:
        prescription: the prescription in force.
        exercise: the exercise name as the patient marks it (case-insensitive).
        on: the local date of the session.

    Returns:
        Target load, kg, or None when the exercise has no estimated 1RM or the week
        has no %1RM target.
    """
    rx = prescription.modalities.get("resistance")
    if rx is None:
        return None
    ex = rx.exercise(exercise)
    if ex is None:
        return None
    pct = rx.active(max(1, prescription.week_of(on)))[0].get("pct_1rm")
    if pct is None or pct.lo is None:
        return None
    return ex.one_rm_kg * pct.lo / 100.0
