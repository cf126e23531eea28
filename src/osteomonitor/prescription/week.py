"""The week view: ISO weeks in the patient's time zone against the frequency targets.

Per prescribed modality: days trained and days whose session met its time/volume
targets, against `days_per_week`; minutes, jumps and impact counts; adherence %; a
streak of weeks meeting the frequency; a detraining warning when a modality has lapsed;
and the next phase of the programme when its progression is due.

Definitions (also in docs/prescription.md):
- a *day trained* for a modality is a local date with a session that trained it;
- a *day met* (dose day) is a day trained whose summed dose is there (`dose.day_dose`:
  jumps at the osteogenic threshold, minutes in the band, sets at the phase's %1RM …)
  and no safety cap was broken;
- *adherence %* = 100 · min(days met, target minimum) / target minimum; shown counting
  every session, supervised sessions only, and unsupervised sessions only;
- *programme*: months completed since the start and dose days over the programme
  against `days_per_week` × weeks elapsed; *recent dose*: the same over the last 4, 8
  and 12 weeks;
- the *week streak* counts consecutive ISO weeks, ending with this one, whose days
  trained reached the target minimum; a week still in progress that has not reached it
  yet does not break the streak (it is left out).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from osteomonitor import timefmt
from osteomonitor.errors import UsageError
from osteomonitor.model import SessionMeta, SessionSummary
from osteomonitor.prescription.compliance import (
    SessionCompliance,
    Status,
    evaluate_session,
)
from osteomonitor.prescription.dose import DayDose, day_doses
from osteomonitor.prescription.fitt import MODALITY_LABELS, TARGET_SPECS, Prescription
from osteomonitor.prescription.programme import (
    ProgrammeProgress,
    RecentDose,
    lapse_text,
    pct,
    programme_progress,
    recent_dose,
)
from osteomonitor.prescription.safety import Alert
from osteomonitor.prescription.strength import OneRmStatus, one_rm_status

_ISO_WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_iso_week(text: str) -> tuple[int, int]:
    """ "2025-W10" → (2025, 10).

    Raises:
        UsageError: not an ISO week of that form, or no such week in that year.
    """
    m = _ISO_WEEK_RE.match(text.strip())
    if not m:
        raise UsageError(f"week {text!r}: write an ISO week like 2025-W10")
    year, week = int(m.group(1)), int(m.group(2))
    try:
        dt.date.fromisocalendar(year, week, 1)
    except ValueError as exc:
        raise UsageError(f"week {text!r}: {year} has no ISO week {week}") from exc
    return year, week


@dataclass(frozen=True, slots=True)
class ModalityWeek:
    """One modality in one ISO week.

    Attributes:
        modality / label: which modality; prescribed: in the prescription.
        days_target: `days_per_week` in words ("≥ 2–3 days/week"), "–" without one.
        days_trained / days_met: distinct local dates (see module docstring).
        frequency_status: `Status` value of days trained against the target.
        adherence_pct: see module docstring; None without a frequency target.
        sessions: sessions that trained it. minutes: time credited, min.
        jumps / jumps_osteogenic: jumps and jumps ≥ 3.9 g (impact only).
        week_streak: consecutive weeks meeting the frequency target.
        last_date: last day trained up to the week's end (or `as_of`); days_since_last.
        consecutive_days: the modality was trained on consecutive days although the
            prescription asks for non-consecutive days.
        detraining: warning text, "" when none.
        phase: active phase index at `as_of`; progression: text about the next phase.
        day_doses: the week's days trained with their summed dose and verdict.
        weight_bearing_days: dose days with step evidence (aerobic, activity), else None.
        adherence_supervised_pct / adherence_unsupervised_pct: adherence counting only
            supervised / only unsupervised sessions (None without a frequency target).
        supervision: this week's sessions (supervised, unsupervised, unknown).
        programme: the programme so far (None without a frequency target).
        recent_dose: dose days over the last 4, 8 and 12 weeks against the target.
    """

    modality: str
    label: str
    prescribed: bool
    days_target: str
    days_trained: int
    days_met: int
    frequency_status: str
    adherence_pct: float | None
    sessions: int
    minutes: float
    jumps: int | None
    jumps_osteogenic: int | None
    week_streak: int
    last_date: dt.date | None
    days_since_last: int | None
    consecutive_days: bool
    detraining: str
    phase: int
    progression: str
    day_doses: tuple[DayDose, ...] = ()
    weight_bearing_days: int | None = None
    adherence_supervised_pct: float | None = None
    adherence_unsupervised_pct: float | None = None
    supervision: tuple[int, int, int] = (0, 0, 0)
    programme: ProgrammeProgress | None = None
    recent_dose: tuple[RecentDose, ...] = ()


@dataclass(frozen=True, slots=True)
class DayRow:
    """One local day of the week: what was trained, minutes, jumps, alerts."""

    date: dt.date
    modalities: tuple[str, ...]
    sessions: int
    minutes: float
    jumps: int
    alerts: int


@dataclass(frozen=True, slots=True)
class WeekReport:
    """A patient's ISO week against the prescription.

    Attributes:
        patient: pseudonym. timezone: IANA zone the week is counted in.
        iso_year / iso_week; week_start (Monday) / week_end (Sunday), local dates.
        as_of: date the lapses and progressions are judged at.
        program_week: programme week of `as_of`.
        modalities: per prescribed (or trained) modality.
        days: the seven days.
        sessions: this week's sessions, in time order.
        alerts: (date, alert) of this week's safety alerts.
        impacts / impacts_osteogenic: acceleration peaks counted and those ≥ 3.9 g.
        notes: e.g. sessions of other patients that were left out.
    """

    patient: str
    timezone: str
    iso_year: int
    iso_week: int
    week_start: dt.date
    week_end: dt.date
    as_of: dt.date
    program_week: int
    modalities: tuple[ModalityWeek, ...]
    days: tuple[DayRow, ...]
    sessions: tuple[SessionCompliance, ...]
    alerts: tuple[tuple[dt.date, Alert], ...]
    impacts: int
    impacts_osteogenic: int
    notes: tuple[str, ...] = ()
    one_rm: tuple[OneRmStatus, ...] = ()

    def modality(self, name: str) -> ModalityWeek:
        """The row of one modality (KeyError if the week has none)."""
        for m in self.modalities:
            if m.modality == name:
                return m
        raise KeyError(name)


def _trained(sc: SessionCompliance) -> tuple[str, ...]:
    return tuple(mc.modality for mc in sc.modalities)


def _week_days(
    sessions: Sequence[SessionCompliance], year: int, week: int, mod: str
) -> set[dt.date]:
    return {
        s.local_date
        for s in sessions
        if (s.iso_year, s.iso_week) == (year, week) and mod in _trained(s)
    }


def _progression(rx: Prescription, mod: str, as_of: dt.date) -> str:
    m = rx.modalities[mod]
    pw = max(rx.week_of(as_of), 1)
    texts: list[str] = []
    for i, ph in enumerate(m.phases, start=1):
        changes = ", ".join(
            f"{k} {t.text(next(s.unit for s in TARGET_SPECS[mod] if s.key == k))}"
            for k, t in ph.targets.items()
        )
        if ph.on_review:
            texts.append(f"phase {i} awaits clinician review ({changes})")
            continue
        assert ph.after_weeks is not None
        start_week = ph.after_weeks + 1
        start = rx.week_start(start_week)
        if start_week == pw:
            texts.append(
                f"phase {i} in force since {start} (programme week {start_week}): {changes}"
            )
        elif start > as_of and (start - as_of).days <= 7:
            texts.append(f"progression due {start} (programme week {start_week}): {changes}")
    return "; ".join(texts)


def evaluate_week(
    sessions: Sequence[tuple[SessionMeta, SessionSummary]],
    rx: Prescription,
    iso_week: str | tuple[int, int],
    as_of: dt.date | None = None,
) -> WeekReport:
    """One ISO week of a patient's sessions against the prescription.

    Args:
        sessions: recordings (all of the patient's history is welcome: streaks and
            lapses look back); sessions of other pseudonyms are left out with a note.
        rx: the prescription in force.
        iso_week: "2025-W10" or (2025, 10), counted in the patient's time zone.
        as_of: the date lapses and progressions are judged at; default the week's
            Sunday.
    """
    year, week = parse_iso_week(iso_week) if isinstance(iso_week, str) else iso_week
    monday = dt.date.fromisocalendar(year, week, 1)
    sunday = monday + dt.timedelta(days=6)
    as_of = sunday if as_of is None else as_of
    notes: list[str] = []
    own = [(meta, s) for meta, s in sessions if meta.patient == rx.patient.pseudonym]
    if len(own) < len(sessions):
        notes.append(
            f"{timefmt.plural(len(sessions) - len(own), 'session')} of other patients left out"
        )
    own.sort(key=lambda ms: ms[1].start_t_ns)
    evaluated = [evaluate_session(s, rx, supervised=meta.supervised) for meta, s in own]
    pairs = list(zip(own, evaluated, strict=True))
    items = [(s, sc) for (_, s), sc in pairs]
    this_week = [(s, sc) for (_, s), sc in pairs if (sc.iso_year, sc.iso_week) == (year, week)]
    mods = [m for m in TARGET_SPECS if m in rx.modalities]
    mods += [
        m for m in TARGET_SPECS if m not in mods and any(m in _trained(sc) for _, sc in this_week)
    ]
    rows = [_modality_week(rx, m, items, this_week, year, week, as_of) for m in mods]
    days = []
    for i in range(7):
        d = monday + dt.timedelta(days=i)
        on_day = [(s, sc) for s, sc in this_week if sc.local_date == d]
        days.append(
            DayRow(
                d,
                tuple(dict.fromkeys(m for _, sc in on_day for m in _trained(sc))),
                len(on_day),
                sum(s.duration_s for s, _ in on_day) / 60.0,
                sum(len(s.jumps) for s, _ in on_day),
                sum(len(sc.alerts) for _, sc in on_day),
            )
        )
    return WeekReport(
        patient=rx.patient.pseudonym,
        timezone=rx.patient.timezone,
        iso_year=year,
        iso_week=week,
        week_start=monday,
        week_end=sunday,
        as_of=as_of,
        program_week=rx.week_of(as_of),
        modalities=tuple(rows),
        days=tuple(days),
        sessions=tuple(sc for _, sc in this_week),
        alerts=tuple((sc.local_date, a) for _, sc in this_week for a in sc.alerts),
        impacts=sum(s.impacts.n_peaks for s, _ in this_week),
        impacts_osteogenic=sum(s.impacts.n_above_3_9g for s, _ in this_week),
        notes=tuple(notes),
        one_rm=_one_rm(rx, evaluated, as_of),
    )


def _one_rm(
    rx: Prescription, history: Sequence[SessionCompliance], as_of: dt.date
) -> tuple[OneRmStatus, ...]:
    res = rx.modalities.get("resistance")
    if res is None:
        return ()
    logged = [(sc.local_date, st) for sc in history if sc.local_date <= as_of for st in sc.sets]
    out = (one_rm_status(rx, ex.name, logged, as_of) for ex in res.exercises)
    return tuple(x for x in out if x is not None)


def _modality_week(
    rx: Prescription,
    mod: str,
    items: Sequence[tuple[SessionSummary, SessionCompliance]],
    this_week: Sequence[tuple[SessionSummary, SessionCompliance]],
    year: int,
    week: int,
    as_of: dt.date,
) -> ModalityWeek:
    history = [sc for _, sc in items]
    m = rx.modalities.get(mod)
    pw = max(rx.week_of(as_of), 1)
    target = m.active(pw)[0].get("days_per_week") if m is not None else None
    non_consecutive = m.active(pw)[1] if m is not None else False
    monday = dt.date.fromisocalendar(year, week, 1)
    sunday = monday + dt.timedelta(days=6)
    trained = sorted(_week_days(history, year, week, mod))
    mcs = [mc for _, sc in this_week for mc in sc.modalities if mc.modality == mod]
    all_doses = day_doses(rx, mod, items) if m is not None else []
    week_doses = tuple(d for d in all_doses if monday <= d.date <= sunday)
    met = [d for d in week_doses if d.met]
    status = Status.NO_TARGET
    adherence: float | None = None
    adh_sup: float | None = None
    adh_unsup: float | None = None
    if target is not None and target.lo is not None:
        n = len(trained)
        status = Status.BELOW if n < target.lo else Status.MET
        if target.hi is not None and n > target.hi:
            status = Status.ABOVE if target.caps else status
            status = Status.ABOVE_RANGE if target.ranged else status
        adherence = pct(len(met), target.lo)
        for flag in (True, False):  # None when no session of the kind trained it
            sub = [(s, sc) for s, sc in this_week if sc.supervised is flag]
            doses = day_doses(rx, mod, sub) if m is not None else []
            value = pct(sum(1 for d in doses if d.met), target.lo) if doses else None
            if flag:
                adh_sup = value
            else:
                adh_unsup = value
    # streak of weeks meeting the frequency, looking back from this week
    streak = 0
    if target is not None and target.lo is not None:
        in_progress = as_of < sunday
        cursor = monday
        while cursor >= rx.week_start(1) - dt.timedelta(days=6):
            iso = cursor.isocalendar()
            n_days = len(_week_days(history, iso.year, iso.week, mod))
            if n_days >= target.lo:
                streak += 1
            elif not (cursor == monday and in_progress):
                break
            cursor -= dt.timedelta(days=7)
    past = [sc.local_date for sc in history if mod in _trained(sc) and sc.local_date <= as_of]
    last = max(past) if past else None
    since = (as_of - last).days if last is not None else None
    detraining = lapse_text(rx, mod, m is not None, last, since, as_of)
    # non-consecutive days: the day before this Monday (last ISO week's Sunday) counts too
    around = sorted(
        {sc.local_date for sc in history if mod in _trained(sc)}
        & {monday - dt.timedelta(days=1) + dt.timedelta(days=i) for i in range(8)}
    )
    consecutive = non_consecutive and any((b - a).days == 1 for a, b in itertools.pairwise(around))
    jumps = sum(mc.jumps or 0 for mc in mcs) if mod == "impact" else None
    jumps_hi = sum(mc.jumps_osteogenic or 0 for mc in mcs) if mod == "impact" else None
    sup = [sc.supervised for _, sc in this_week if mod in _trained(sc)]
    wb = sum(1 for d in met if d.weight_bearing) if mod in ("aerobic", "activity") else None
    programme = recent = None
    if m is not None and target is not None and target.lo is not None:
        programme = programme_progress(rx, mod, all_doses, target.lo, as_of)
        recent = recent_dose(rx, all_doses, target.lo, as_of)
    return ModalityWeek(
        modality=mod,
        label=MODALITY_LABELS[mod],
        prescribed=m is not None,
        days_target=target.text("days/week") if target is not None else "–",
        days_trained=len(trained),
        days_met=len(met),
        frequency_status=status,
        adherence_pct=adherence,
        sessions=len(mcs),
        minutes=sum(mc.minutes or 0.0 for mc in mcs),
        jumps=jumps,
        jumps_osteogenic=jumps_hi,
        week_streak=streak,
        last_date=last,
        days_since_last=since,
        consecutive_days=consecutive,
        detraining=detraining,
        phase=m.phase_index(pw) if m is not None else 0,
        progression=_progression(rx, mod, as_of) if m is not None else "",
        day_doses=week_doses,
        weight_bearing_days=wb,
        adherence_supervised_pct=adh_sup,
        adherence_unsupervised_pct=adh_unsup,
        supervision=(sup.count(True), sup.count(False), sup.count(None)),
        programme=programme,
        recent_dose=recent or (),
    )
