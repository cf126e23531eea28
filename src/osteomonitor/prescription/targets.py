"""FITT targets: modalities, FITT elements, the target keys each modality accepts, and
`Target`, a numeric range with its unit and how it is judged.

Split from `fitt.py` (the prescription tree), which re-exports every name here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from osteomonitor.prescription.sources import Source


class Modality(enum.StrEnum):
    """FITT modalities; values equal `osteomonitor.model.SessionKind` values."""

    IMPACT = "impact"
    AEROBIC = "aerobic"
    RESISTANCE = "resistance"
    BALANCE = "balance"
    ACTIVITY = "activity"
    FLEXIBILITY = "flexibility"


MODALITY_LABELS: dict[str, str] = {
    "impact": "Impact exercise",
    "aerobic": "Weight-bearing aerobic",
    "resistance": "Resistance training",
    "balance": "Balance training",
    "activity": "Physical activity",
    "flexibility": "Flexibility",
}


class Element(enum.StrEnum):
    """The FITT element a target belongs to."""

    FREQUENCY = "frequency"
    INTENSITY = "intensity"
    TIME = "time"
    TYPE = "type"


class FractureRisk(enum.StrEnum):
    """Fracture risk category set by the clinician."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """What a target key means and which values it may take.

    Attributes:
        key: TOML key, e.g. "jumps_per_session".
        element: FITT element.
        label: human label for tables.
        unit: unit printed after numbers.
        lo_bound / hi_bound: plausible values (validation), inclusive.
        integer: the values must be whole numbers.
    """

    key: str
    element: Element
    label: str
    unit: str
    lo_bound: float
    hi_bound: float
    integer: bool = False


def _spec(
    key: str, el: Element, label: str, unit: str, lo: float, hi: float, i: bool = False
) -> TargetSpec:
    return TargetSpec(key, el, label, unit, lo, hi, i)


_DAYS = _spec("days_per_week", Element.FREQUENCY, "days per week", "days/week", 1, 7, True)
_MONTHS = _spec("program_months", Element.TYPE, "programme length", "months", 1, 120, True)
_MINUTES = _spec("minutes_per_session", Element.TIME, "time", "min", 1, 300)

#: Target keys each modality accepts, in display order.
TARGET_SPECS: dict[str, tuple[TargetSpec, ...]] = {
    "impact": (
        _DAYS,
        _spec("landing_peak_g", Element.INTENSITY, "landing peak", "g", 1.0, 16.0),
        _spec("jumps_per_session", Element.TIME, "jumps per session", "jumps", 1, 500, True),
        _MONTHS,
    ),
    "aerobic": (
        _DAYS,
        _spec("hrr_pct", Element.INTENSITY, "heart-rate reserve", "%HRR", 1, 100),
        _spec("rpe_borg", Element.INTENSITY, "RPE (Borg 6-20)", "RPE", 6, 20, True),
        _spec("cr10", Element.INTENSITY, "effort (CR-10)", "CR-10", 0, 10),
        _spec("mets", Element.INTENSITY, "METs", "METs", 1, 20),
        _MINUTES,
        _MONTHS,
    ),
    "resistance": (
        _DAYS,
        _spec("pct_1rm", Element.INTENSITY, "load", "%1RM", 1, 100),
        _spec(
            "challenging_last_reps", Element.INTENSITY, "last reps challenging", "reps", 1, 10, True
        ),
        _spec("reps_per_set", Element.TIME, "repetitions per set", "reps", 1, 50, True),
        _spec("sets_per_exercise", Element.TIME, "sets per exercise/region", "sets", 1, 20, True),
        _spec(
            "exercises_per_session", Element.TIME, "exercises per session", "exercises", 1, 30, True
        ),
        _spec("muscle_groups", Element.TYPE, "major muscle groups", "groups", 1, 20, True),
        _MONTHS,
    ),
    "balance": (_DAYS, _MINUTES, _MONTHS),
    "activity": (_DAYS, _MINUTES, _MONTHS),
    "flexibility": (
        _DAYS,
        _spec("hold_s", Element.TIME, "stretch hold", "s", 1, 300),
        _spec("reps_per_stretch", Element.TIME, "repetitions per stretch", "reps", 1, 20, True),
    ),
}


def spec_for(modality: str, key: str) -> TargetSpec:
    """The `TargetSpec` of `key` in `modality` (KeyError if the modality has no such key)."""
    for s in TARGET_SPECS[modality]:
        if s.key == key:
            return s
    raise KeyError(f"{modality}.{key}")


class TargetKind(enum.StrEnum):
    """What a target's numbers mean (see `Target`)."""

    MINIMUM = "minimum"
    RANGE = "range"
    CAP = "cap"


#: The accepted `kind` values of a target.
TARGET_KINDS: tuple[str, ...] = tuple(TargetKind)


def derived_kind(lo: float | None, hi: float | None, at_least: bool, hi_from: float | None) -> str:
    """The kind a target without a stated `kind` has (files written before kinds)."""
    if lo is None:
        return TargetKind.CAP
    if hi is None or at_least:
        return TargetKind.MINIMUM
    if hi_from is not None:
        return TargetKind.CAP
    return TargetKind.RANGE


@dataclass(frozen=True, slots=True)
class Target:
    """A prescribed numeric range.

    `lo`–`hi` is the prescribed range; either end may be None ("≥ 20 min" has no hi).
    `at_least` marks guideline wording "≥ lo–hi" (e.g. "≥ 2–3 days/week"): reaching `lo`
    meets the target and values above `hi` are not "above". `hi_from` is the lower end of
    a ranged cap ("max 45–60 min": hi_from 45, hi 60).

    Every target is one of three kinds (`TARGET_KINDS`), stated in the template data and
    in the file (`kind = …`), or derived from the numbers for files that do not say:

    - "minimum": reaching `lo` meets it; `hi`, if any, is a typical value;
    - "range": `lo`–`hi`; above `hi` is information ("above the range"), never a failure;
    - "cap": `hi` is a limit the source states; above it spoils the day (a safety cap).
      A cap may also carry a minimum (`lo`): "≥ 20 min (max 45–60)".

    Attributes:
        lo / hi: bounds in the unit of the target's spec.
        at_least: `hi` is a typical value, not a cap.
        hi_from: lower end of a ranged upper cap, or None.
        source: where the numbers came from.
        kind: "minimum", "range" or "cap" ("" derives it from the numbers).
    """

    lo: float | None
    hi: float | None
    at_least: bool = False
    hi_from: float | None = None
    source: Source = field(default=Source("file"), compare=False)
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(
                self, "kind", derived_kind(self.lo, self.hi, self.at_least, self.hi_from)
            )

    def same_numbers(self, other: Target) -> bool:
        """True when both targets hold the same numbers and kind (sources ignored)."""
        return (self.lo, self.hi, self.at_least, self.hi_from, self.kind) == (
            other.lo,
            other.hi,
            other.at_least,
            other.hi_from,
            other.kind,
        )

    @property
    def caps(self) -> bool:
        """True when a value above `hi` breaks a cap (and spoils the day)."""
        return self.hi is not None and self.kind == TargetKind.CAP

    @property
    def ranged(self) -> bool:
        """True when a value above `hi` is "above the range" (information)."""
        return self.hi is not None and self.kind == TargetKind.RANGE

    def numbers(self) -> tuple[float, ...]:
        """Every number this target states (for table-reproduction checks)."""
        return tuple(v for v in (self.lo, self.hi, self.hi_from) if v is not None)

    def text(self, unit: str = "") -> str:
        """Human form: "10–50 jumps", "≥ 20 min", "≥ 2–3 days/week", "20 min (max 45–60)"."""
        u = f" {unit}" if unit else ""
        lo, hi = _num(self.lo), _num(self.hi)
        cap = f"{_num(self.hi_from)}–{hi}" if self.hi_from is not None else hi
        if self.lo is None:
            return f"≤ {cap}{u}"
        if self.hi is None:
            return f"≥ {lo}{u}"
        if self.hi_from is not None or (self.kind == TargetKind.CAP and self.lo != self.hi):
            return f"≥ {lo}{u} (max {cap}{u})"
        core = f"{lo}{u}" if self.lo == self.hi else f"{lo}–{hi}{u}"
        return f"≥ {core}" if self.at_least else core


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
