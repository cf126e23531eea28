"""The period report: one patient over weeks, as a printable page for the patient file.

Built from the week view's numbers (`prescription.evaluate_week` for every ISO week of
the period, all judged with ONE prescription as `osteomonitor week` does). Sections
(their ids): summary, frequency, trends, weeks, lapses, programme, alerts, sessions.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from osteomonitor import timefmt
from osteomonitor.model import SessionMeta, SessionSummary
from osteomonitor.prescription.compliance import SessionCompliance
from osteomonitor.prescription.fitt import MODALITY_LABELS, TARGET_SPECS, Prescription
from osteomonitor.prescription.limits import THRESHOLDS
from osteomonitor.prescription.week import ModalityWeek, WeekReport
from osteomonitor.report.html_page import (
    Cell,
    bullet_list,
    esc,
    figure,
    figures,
    page,
    paragraph,
    section,
    table,
)
from osteomonitor.report.period_plots import (
    ModalitySeries,
    adherence_svg,
    dose_svg,
    frequency_svg,
)
from osteomonitor.report.session_page import ALERT_HEADER, alert_rows, num


@dataclass(frozen=True, slots=True)
class PeriodSession:
    """One analysed session of the period.

    Attributes:
        recording: the file's name. meta / summary: its analysis.
        compliance: its verdict against the period's prescription (None if not judged).
    """

    recording: str
    meta: SessionMeta
    summary: SessionSummary
    compliance: SessionCompliance | None


def _row(w: WeekReport, mod: str) -> ModalityWeek | None:
    try:
        return w.modality(mod)
    except KeyError:
        return None


def modality_series(weeks: Sequence[WeekReport], rx: Prescription) -> list[ModalitySeries]:
    """Each prescribed modality across the weeks (oldest first), in display order."""
    out = []
    for mod in (m for m in TARGET_SPECS if m in rx.modalities):
        m = rx.modalities[mod]
        rows = [_row(w, mod) for w in weeks]
        targets = []
        for w in weeks:
            t = m.active(max(rx.week_of(w.as_of), 1))[0].get("days_per_week")
            targets.append(t.lo if t is not None else None)
        out.append(
            ModalitySeries(
                modality=mod,
                days=tuple(r.days_trained if r else 0 for r in rows),
                dose_days=tuple(r.days_met if r else 0 for r in rows),
                target_days=tuple(targets),
                adherence_pct=tuple(r.adherence_pct if r else None for r in rows),
                minutes=tuple(r.minutes if r else 0.0 for r in rows),
                jumps_osteogenic=tuple(r.jumps_osteogenic if r else None for r in rows),
            )
        )
    return out


def _mean(values: Sequence[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def summary_section(
    weeks: Sequence[WeekReport],
    series: Sequence[ModalitySeries],
    sessions: Sequence[PeriodSession],
) -> str:
    """Key figures of the period (each with a `data-metric` key)."""
    days = {s.compliance.local_date for s in sessions if s.compliance is not None}
    items = [
        ("sessions", "sessions", str(len(sessions))),
        ("weeks", "weeks", str(len(weeks))),
        ("active_days", "days with a session", str(len(days))),
        ("alerts", "alerts", str(sum(len(w.alerts) for w in weeks))),
        ("minutes", "minutes recorded", num(sum(s.summary.duration_s for s in sessions) / 60.0, 0)),
        ("jumps_osteogenic", "jumps ≥ 3.9 g", str(sum(w.impacts_osteogenic for w in weeks))),
    ]
    for s in series:
        mean = _mean(s.adherence_pct)
        if mean is not None:
            items.append(
                (
                    f"adherence_{s.modality}",
                    f"adherence: {MODALITY_LABELS[s.modality].lower()}",
                    f"{mean:.0f} %",
                )
            )
    return section("summary", "Summary", figures(items))


def weeks_table(weeks: Sequence[WeekReport], rx: Prescription) -> str:
    """One row per week and prescribed modality: days, dose days, target, verdict …"""
    rows = []
    for w in weeks:
        label = f"{w.iso_year}-W{w.iso_week:02d}"
        for mod in (m for m in TARGET_SPECS if m in rx.modalities):
            r = _row(w, mod)
            if r is None:
                continue
            jumps = "" if r.jumps is None else f"{r.jumps} ({r.jumps_osteogenic})"
            rows.append(
                (
                    label,
                    w.program_week,
                    r.label,
                    r.phase,
                    r.days_trained,
                    r.days_met,
                    r.days_target,
                    Cell(r.frequency_status, f"status status-{r.frequency_status}"),
                    "–" if r.adherence_pct is None else f"{r.adherence_pct:.0f} %",
                    f"{r.minutes:.1f}",
                    jumps,
                )
            )
            label = ""
    header = (
        "week",
        "prog. week",
        "modality",
        "phase",
        "days",
        "dose days",
        "target",
        "verdict",
        "adherence",
        "minutes",
        "jumps (≥ 3.9 g)",
    )
    return table(header, rows, numeric=(1, 3, 4, 5, 8, 9), table_id="week-table")


def lapses(
    weeks: Sequence[WeekReport],
    rx: Prescription,
    sessions: Sequence[PeriodSession],
    start: dt.date,
    end: dt.date,
) -> list[str]:
    """Weeks a prescribed modality was missed or under target, and gaps without it of
    at least the detraining flag (`THRESHOLDS["detraining_lapse_days"]`)."""
    out = []
    flag_days = int(THRESHOLDS["detraining_lapse_days"].value)
    for mod in (m for m in TARGET_SPECS if m in rx.modalities):
        label = MODALITY_LABELS[mod]
        missed = [w for w in weeks if (r := _row(w, mod)) and r.days_trained == 0]
        under = [
            (w, r)
            for w in weeks
            if (r := _row(w, mod)) and r.days_trained > 0 and r.frequency_status == "below"
        ]
        if missed:
            names = ", ".join(f"{w.iso_year}-W{w.iso_week:02d}" for w in missed)
            out.append(f"{label}: no session in {timefmt.plural(len(missed), 'week')} ({names})")
        for w, r in under:
            out.append(
                f"{label}: {w.iso_year}-W{w.iso_week:02d} trained on "
                f"{timefmt.plural(r.days_trained, 'day')}, below the target {r.days_target}"
            )
        dates = sorted(
            {
                s.compliance.local_date
                for s in sessions
                if s.compliance is not None
                and any(m.modality == mod for m in s.compliance.modalities)
            }
        )
        bounds = [start - dt.timedelta(days=1), *dates, end + dt.timedelta(days=1)]
        for a, b in itertools.pairwise(bounds):
            gap = (b - a).days - 1
            if gap >= flag_days:
                first, last = a + dt.timedelta(days=1), b - dt.timedelta(days=1)
                out.append(f"{label}: no session for {gap} days ({first} – {last})")
    for mod in (m for m in TARGET_SPECS if m in rx.modalities):
        r = _row(weeks[-1], mod) if weeks else None
        if r is not None and r.detraining:
            out.append(f"{MODALITY_LABELS[mod]} at {weeks[-1].as_of}: {r.detraining}")
        if r is not None and r.consecutive_days:
            out.append(
                f"{MODALITY_LABELS[mod]}: trained on consecutive days (non-consecutive prescribed)"
            )
    return out


def _bar(pct: float) -> str:
    width = max(0.0, min(100.0, pct))
    return f'<span class="bar" aria-hidden="true"><span style="width:{width:.0f}%"></span></span>'


def programme_section(weeks: Sequence[WeekReport], rx: Prescription) -> str:
    """Where the patient is in the programme at the period's end: phase, months, dose."""
    if not weeks:
        return section(
            "programme", "Progress through the programme", paragraph("No week to judge.")
        )
    last = weeks[-1]
    parts = [
        paragraph(
            f"Programme started {rx.start_date}; at {last.as_of} the patient is in programme "
            f"week {last.program_week}."
        )
    ]
    rows_html = []
    for mod in (m for m in TARGET_SPECS if m in rx.modalities):
        r = _row(last, mod)
        if r is None:
            continue
        p = r.programme
        if p is not None and p.months_target:
            share = 100.0 * p.months_completed / p.months_target
            months = f"{p.months_completed:.1f} of ≥ {num(p.months_target)} months"
        else:
            share = 0.0
            months = "–" if p is None else f"{p.months_completed:.1f} months"
        dose = "–" if p is None else f"{p.dose_days} of {p.expected_days} dose days"
        adherence = "–" if p is None or p.adherence_pct is None else f"{p.adherence_pct:.0f} %"
        recent = ", ".join(
            f"last {x.weeks} wk {x.dose_days}/{x.target_days}" for x in r.recent_dose
        )
        phases = [ph for ph in rx.modalities[mod].phases]
        phase = f"phase {r.phase} of {len(phases)}" if phases else "base (no phases)"
        rows_html.append(
            "<tr>"
            + "".join(
                f"<td>{x}</td>"
                for x in (
                    esc(r.label),
                    esc(phase),
                    _bar(share) + " " + esc(months),
                    esc(dose),
                    esc(adherence),
                    esc(recent or "–"),
                    esc(r.progression or "–"),
                )
            )
            + "</tr>"
        )
    head = "".join(
        f"<th>{esc(h)}</th>"
        for h in ("modality", "phase", "months", "dose since start", "adherence", "recent", "next")
    )
    parts.append(
        f'<table id="programme-table"><thead><tr>{head}</tr></thead><tbody>'
        + "".join(rows_html)
        + "</tbody></table>"
    )
    return section("programme", "Progress through the programme", "".join(parts))


def sessions_table(sessions: Sequence[PeriodSession]) -> str:
    """Every session of the period with its headline numbers."""
    rows = []
    for s in sessions:
        c = s.compliance
        verdicts = [e.status for m in (c.modalities if c else ()) for e in m.elements]
        rows.append(
            (
                c.local_date if c is not None else s.meta.start_iso[:10],
                s.summary.kind,
                timefmt.clock(s.summary.duration_s),
                len(s.summary.jumps),
                num(s.summary.heart.target_s / 60.0),
                f"{verdicts.count('met')} met, {verdicts.count('below')} below",
                len(c.alerts) if c is not None else "–",
                s.recording,
            )
        )
    header = ("date", "kind", "duration", "jumps", "min in band", "FITT", "alerts", "recording")
    return table(header, rows, numeric=(2, 3, 4, 6), table_id="session-table")


def period_html(
    patient: str,
    start: dt.date,
    end: dt.date,
    rx: Prescription,
    rx_source: str,
    weeks: Sequence[WeekReport],
    sessions: Sequence[PeriodSession],
    skipped: Sequence[tuple[str, str]] = (),
) -> str:
    """The period report page.

    Args:
        patient: the pseudonym. start / end: the period's first and last local date.
        rx / rx_source: the one prescription every session was judged with, and where it
            came from.
        weeks: `evaluate_week` for every ISO week of the period, oldest first.
        sessions: the period's analysed sessions, oldest first.
        skipped: (file name, reason) of recordings left out.
    """
    series = modality_series(weeks, rx)
    with_target = [s for s in series if any(t is not None for t in s.target_days)]
    subtitle = (
        f"{start} – {end} ({rx.patient.timezone}) · {timefmt.plural(len(sessions), 'session')} · "
        f"prescription {rx_source} ({rx.template or 'hand-written'}, from {rx.start_date})"
    )
    alerts = [(d, a) for w in weeks for d, a in w.alerts]
    alert_body = (
        table(
            ("date", *ALERT_HEADER),
            [(d, *r) for (d, _), r in zip(alerts, alert_rows([a for _, a in alerts]), strict=True)],
            table_id="alert-table",
        )
        if alerts
        else paragraph("No alert in this period.")
    )
    lapse_lines = lapses(weeks, rx, sessions, start, end)
    notes = sorted({n for w in weeks for n in w.notes})
    doses = [
        f"{m.label} {d.date}: {num(d.value)} {d.unit} (target {d.target}), "
        f"{'a dose day' if d.met else 'not a dose day'}: {d.evidence}"
        for w in weeks
        for m in w.modalities
        for d in m.day_doses
    ]
    body = [
        summary_section(weeks, series, sessions),
        section(
            "frequency",
            "Days per modality against the frequency targets",
            figure(
                frequency_svg(weeks, with_target),
                "Per ISO week: light bars, days trained; dark bars, days whose dose met the "
                "target; dashed, the frequency target's minimum in force.",
            ),
        ),
        section(
            "trends",
            "Adherence and dose across the weeks",
            figure(
                adherence_svg(weeks, with_target),
                "Adherence: dose days ÷ the target's minimum days, capped at 100 %.",
            )
            + figure(
                dose_svg(weeks, series), "Minutes credited per modality, and osteogenic jumps."
            ),
        ),
        section(
            "weeks",
            "Week by week",
            weeks_table(weeks, rx)
            + ("<h3>Dose days</h3>" + bullet_list(doses) if doses else "")
            + bullet_list(notes),
        ),
        section(
            "lapses",
            "Lapses",
            bullet_list(lapse_lines)
            if lapse_lines
            else paragraph(
                "No lapse: every prescribed modality was trained every week of the period."
            ),
        ),
        programme_section(weeks, rx),
        section("alerts", "Alerts", alert_body),
        section(
            "sessions",
            "Sessions",
            (sessions_table(sessions) if sessions else paragraph("No session in this period."))
            + bullet_list(f"left out {name}: {why}" for name, why in skipped),
        ),
    ]
    return page(f"Period report: {patient}", subtitle, body)
