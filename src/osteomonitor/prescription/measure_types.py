"""What a measurer works with and returns: the element `Status`, the `MeasureContext`
(one session against one modality), the `Measure` result, the `Measurer` signature and
`status_of` (a value against a target). The measurers themselves are in `measures.py`
(from the sensors) and `marked_measures.py` (from sets and holds marked in the session).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from osteomonitor.model import NS_PER_S, SessionSummary
from osteomonitor.prescription.fitt import ModalityRx, Prescription, Target
from osteomonitor.prescription.session_record import (
    BalanceBlock,
    Report,
    SetRecord,
    StretchHold,
)


class Status(enum.StrEnum):
    """Outcome of one FITT element."""

    MET = "met"
    BELOW = "below"
    ABOVE = "above"  # above a cap the source states: spoils the day
    ABOVE_RANGE = "above-range"  # above a range's top: information, the dose is there
    NOT_MEASURABLE = "not-measurable"  # these sensors cannot measure it
    INDETERMINATE = "indeterminate"  # data coverage too poor, or nothing was marked
    NO_TARGET = "no-target"  # the prescription sets no target; shown for information
    WEEKLY = "weekly"  # judged over weeks (frequency, programme length)


SCORED = frozenset({Status.MET, Status.BELOW, Status.ABOVE, Status.ABOVE_RANGE})
#: Statuses that mean the prescribed amount is there.
REACHED = frozenset({Status.MET, Status.ABOVE_RANGE})


@dataclass(frozen=True, slots=True)
class MeasureContext:
    summary: SessionSummary
    rx: Prescription
    m: ModalityRx
    targets: dict[str, Target]
    week: int
    sets: tuple[SetRecord, ...]
    blocks: tuple[BalanceBlock, ...]
    rpe: tuple[Report, ...]
    holds: tuple[StretchHold, ...] = ()

    def rel_s(self, t_ns: int) -> float:
        return (t_ns - self.summary.start_t_ns) / NS_PER_S


@dataclass(frozen=True, slots=True)
class Measure:
    value: float | None
    evidence: str
    status: Status | None = None  # forced status (indeterminate, not measurable …)


Measurer = Callable[[MeasureContext, Target | None], Measure]


def pct_text(x: float) -> str:
    """A fraction as a whole percentage: 0.834 → "83%"."""
    return f"{x:.0%}"


def number_text(v: float) -> str:
    """A value with no decimals when whole, else one: 3 → "3", 2.5 → "2.5"."""
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def status_of(value: float | None, t: Target) -> Status:
    """A value against a target: below a minimum, above a cap (spoils the day), above a
    range (information), else met."""
    if value is None:
        return Status.INDETERMINATE
    if t.lo is not None and value < t.lo:
        return Status.BELOW
    if t.caps and t.hi is not None and value > t.hi:
        return Status.ABOVE
    if t.ranged and t.hi is not None and value > t.hi:
        return Status.ABOVE_RANGE
    return Status.MET
