"""A patient's weeks as a trend: one point per ISO week, oldest first.

Headless: the weeks screen draws these series as a chart and exports them as CSV; a
command line could print the same. Every number comes from the week reports
(`prescription.evaluate_week`) and the sessions' summaries, judged with the one
prescription of `app.review.patient_weeks`.

Series per week:
- days trained per prescribed modality, against the minimum of the modality's
  `days_per_week` target in force that week (None without such a target);
- sessions, jumps (all impact sessions), minutes in the aerobic HR band (sum of the
  sessions' `heart.target_s`, min), mean adherence % of the prescribed modalities, alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from osteomonitor.app.review import PatientWeeks
from osteomonitor.prescription import Prescription
from osteomonitor.prescription.week import WeekReport

#: The trend chart's views, in the order its key cycles through them.
TREND_VIEWS: tuple[str, ...] = ("days", "jumps", "band")

#: Title of each view (the chart's y axis names its unit).
TREND_TITLES: dict[str, str] = {
    "days": "days trained per week against the frequency target",
    "jumps": "jumps per week",
    "band": "minutes in the heart-rate band per week",
}


@dataclass(frozen=True, slots=True)
class ModalityDays:
    """One prescribed modality in one week.

    Attributes:
        modality / label: `Modality` value and its name.
        days_trained: local dates with a session that trained it.
        target_min_days: the minimum of `days_per_week` in force (None: no target).
        target: the target in words ("≥ 2–3 days/week", "–").
        status: the frequency verdict (`Status` value).
    """

    modality: str
    label: str
    days_trained: int
    target_min_days: int | None
    target: str
    status: str


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """One ISO week of the trend.

    Attributes:
        iso: "2025-W10". week_start: its Monday (local date).
        modalities: the prescribed modalities' days, in the prescription's order.
        sessions: sessions that week. jumps: jumps detected in its impact sessions.
        band_min: minutes in the aerobic HR band over its sessions, min.
        adherence_pct: mean adherence % of the prescribed modalities (None: none scored).
        alerts: safety alerts raised that week.
    """

    iso: str
    week_start: dt.date
    modalities: tuple[ModalityDays, ...]
    sessions: int
    jumps: int
    band_min: float
    adherence_pct: float | None
    alerts: int

    @property
    def short(self) -> str:
        """ "W10": the axis label of the week."""
        return self.iso.split("-", 1)[1]


@dataclass(frozen=True, slots=True)
class WeeksTrend:
    """A patient's weeks, oldest first, and the modalities they track."""

    patient: str
    weeks: tuple[WeekPoint, ...]
    modalities: tuple[str, ...]
    prescription_source: str = ""


def _target_min(rx: Prescription, modality: str, as_of: dt.date) -> int | None:
    """The minimum days per week of `modality` in force at `as_of` (as `evaluate_week`)."""
    m = rx.modalities.get(modality)
    if m is None:
        return None
    target = m.active(max(rx.week_of(as_of), 1))[0].get("days_per_week")
    if target is None or target.lo is None:
        return None
    return int(target.lo)


def weeks_trend(patient: str, weeks: PatientWeeks, reports: Sequence[WeekReport]) -> WeeksTrend:
    """The trend of `reports` (any order), oldest week first."""
    rx = weeks.prescription
    band_s: dict[tuple[int, int], float] = {}
    for r in weeks.reviews:
        if r.compliance is None or r.summary is None:
            continue
        key = (r.compliance.iso_year, r.compliance.iso_week)
        band_s[key] = band_s.get(key, 0.0) + r.summary.heart.target_s
    ordered = sorted(reports, key=lambda rep: (rep.iso_year, rep.iso_week))
    prescribed = [m.modality for m in (ordered[0].modalities if ordered else ()) if m.prescribed]
    points = []
    for rep in ordered:
        by_mod = {m.modality: m for m in rep.modalities}
        mods = tuple(
            ModalityDays(
                modality=mod,
                label=by_mod[mod].label,
                days_trained=by_mod[mod].days_trained,
                target_min_days=_target_min(rx, mod, rep.as_of),
                target=by_mod[mod].days_target,
                status=by_mod[mod].frequency_status,
            )
            for mod in prescribed
            if mod in by_mod
        )
        scored = [
            m.adherence_pct for m in rep.modalities if m.prescribed and m.adherence_pct is not None
        ]
        points.append(
            WeekPoint(
                iso=f"{rep.iso_year}-W{rep.iso_week:02d}",
                week_start=rep.week_start,
                modalities=mods,
                sessions=len(rep.sessions),
                jumps=sum(d.jumps for d in rep.days),
                band_min=band_s.get((rep.iso_year, rep.iso_week), 0.0) / 60.0,
                adherence_pct=sum(scored) / len(scored) if scored else None,
                alerts=len(rep.alerts),
            )
        )
    return WeeksTrend(patient, tuple(points), tuple(prescribed), weeks.prescription_source)


#: Columns of the weeks CSV before the per-modality ones.
WEEK_COLUMNS: tuple[str, ...] = ("week", "week_start", "sessions")
#: Columns after them.
WEEK_TAIL_COLUMNS: tuple[str, ...] = ("adherence_pct", "jumps", "band_min", "alerts")


def weeks_table(trend: WeeksTrend) -> tuple[list[str], list[list[str]]]:
    """The trend as a header and rows of text (what the weeks CSV holds), oldest first.

    Per modality three columns: `<modality>_days`, `<modality>_target_min_days`,
    `<modality>_status`.
    """
    header = list(WEEK_COLUMNS)
    for mod in trend.modalities:
        header += [f"{mod}_days", f"{mod}_target_min_days", f"{mod}_status"]
    header += list(WEEK_TAIL_COLUMNS)
    rows = []
    for w in trend.weeks:
        by_mod = {m.modality: m for m in w.modalities}
        row = [w.iso, w.week_start.isoformat(), str(w.sessions)]
        for mod in trend.modalities:
            m = by_mod.get(mod)
            if m is None:
                row += ["", "", ""]
                continue
            tmin = "" if m.target_min_days is None else str(m.target_min_days)
            row += [str(m.days_trained), tmin, m.status]
        adherence = "" if w.adherence_pct is None else f"{w.adherence_pct:.0f}"
        row += [adherence, str(w.jumps), f"{w.band_min:.1f}", str(w.alerts)]
        rows.append(row)
    return header, rows
