"""The programme so far: months completed, dose over the programme and the last weeks, lapses.

KSBMR prescribes impact and physical activity for ≥ 6 months: the programme view counts
months completed and dose days since the start against `days_per_week` × weeks. The
recent view does the same over the last 4, 8 and 12 weeks. A modality without a session
for 14 days is flagged; the 14 days are osteomonitor's choice (the review cited for
"benefits fade with detraining" reports detraining periods of 3 months to 5 years).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from osteomonitor.prescription.dose import DayDose
from osteomonitor.prescription.fitt import Prescription
from osteomonitor.prescription.limits import THRESHOLDS


@dataclass(frozen=True, slots=True)
class ProgrammeProgress:
    """A modality over the programme so far.

    Attributes:
        months_target: `program_months` minimum (KSBMR: ≥ 6 for impact and physical
            activity), None when the prescription sets none.
        months_completed: (as_of − start + 1 day) / 30.4375 days.
        weeks: whole programme weeks elapsed by `as_of`.
        dose_days / expected_days: dose days since the start; `days_per_week` minimum ×
            weeks.
        adherence_pct: 100 · min(dose_days, expected_days) / expected_days (None before a
            whole week has passed).
        complete: months_completed reached months_target.
    """

    months_target: float | None
    months_completed: float
    weeks: int
    dose_days: int
    expected_days: int
    adherence_pct: float | None
    complete: bool


@dataclass(frozen=True, slots=True)
class RecentDose:
    """Dose days over the last `weeks` weeks up to `as_of` (cut at the programme start)."""

    weeks: int
    dose_days: int
    target_days: int
    pct: float | None


#: Windows of the recent-dose view, weeks (issue 13: "the last 4, 8 and 12 weeks").
RECENT_WEEKS: tuple[int, ...] = (4, 8, 12)
#: Mean month length, days (365.25 / 12).
MONTH_DAYS = 30.4375


def pct(n: int, lo: float) -> float:
    return 100.0 * min(n, lo) / lo


def lapse_text(
    rx: Prescription,
    mod: str,
    prescribed: bool,
    last: dt.date | None,
    since: int | None,
    as_of: dt.date,
) -> str:
    lapse = THRESHOLDS["detraining_lapse_days"]
    days = int(lapse.value)
    label = f"the {days}-day flag is osteomonitor's choice; the review reports 3 months–5 years"
    if not prescribed:
        return ""
    if since is not None and since >= days:
        return (
            f"no {mod} session for {since} days (last {last}): benefits fade with "
            f"detraining ({label})"
        )
    if last is None and (as_of - rx.start_date).days >= days:
        return (
            f"no {mod} session since the programme started {rx.start_date} "
            f"({(as_of - rx.start_date).days} days; {label})"
        )
    return ""


def _weeks_elapsed(rx: Prescription, as_of: dt.date) -> int:
    return max(0, ((as_of - rx.start_date).days + 1) // 7)


def programme_progress(
    rx: Prescription, mod: str, doses: Sequence[DayDose], lo: float, as_of: dt.date
) -> ProgrammeProgress:
    m = rx.modalities[mod]
    months_t = m.targets.get("program_months")
    months_target = months_t.lo if months_t is not None else None
    months = max(0, (as_of - rx.start_date).days + 1) / MONTH_DAYS
    weeks = _weeks_elapsed(rx, as_of)
    n = sum(1 for d in doses if d.met and rx.start_date <= d.date <= as_of)
    expected = round(lo * weeks)
    return ProgrammeProgress(
        months_target=months_target,
        months_completed=months,
        weeks=weeks,
        dose_days=n,
        expected_days=expected,
        adherence_pct=pct(n, expected) if expected else None,
        complete=months_target is not None and months >= months_target,
    )


def recent_dose(
    rx: Prescription, doses: Sequence[DayDose], lo: float, as_of: dt.date
) -> tuple[RecentDose, ...]:
    out = []
    available = _weeks_elapsed(rx, as_of)
    for n_weeks in RECENT_WEEKS:
        weeks = min(n_weeks, available)
        first = as_of - dt.timedelta(days=7 * weeks - 1)
        n = sum(1 for d in doses if d.met and first <= d.date <= as_of) if weeks else 0
        target = round(lo * weeks)
        out.append(RecentDose(n_weeks, n, target, pct(n, target) if target else None))
    return tuple(out)
