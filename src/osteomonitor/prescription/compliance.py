"""Session compliance: each FITT element of the session's modality against its target.

`evaluate_session` is a pure function of a `SessionSummary` and a `Prescription`. For
each element it gives the target, the measured value, a `Status` and the evidence in
words ("38 jumps, 31 ≥ 3.9 g; target 10–50"). Resistance sets and balance blocks come
from what the patient marked (`session_record`); RPE and pain reports are part of the
record. Measurers are looked up by target key in `measures.MEASURERS`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from osteomonitor.analysis.thresholds import is_osteogenic
from osteomonitor.model import NS_PER_S, SessionSummary
from osteomonitor.prescription.fitt import (
    MODALITY_LABELS,
    TARGET_SPECS,
    Element,
    Prescription,
    Target,
)
from osteomonitor.prescription.limits import THRESHOLDS
from osteomonitor.prescription.measures import (
    MEASURERS,
    REACHED,
    SCORED,
    MeasureContext,
    Status,
    no_target_intensity,
    status_of,
    type_evidence,
)
from osteomonitor.prescription.safety import Alert, check_safety
from osteomonitor.prescription.session_record import (
    BalanceBlock,
    Report,
    SetRecord,
    StretchHold,
    session_records,
)


@dataclass(frozen=True, slots=True)
class ElementResult:
    """One FITT element of one session.

    Attributes:
        key: target key ("jumps_per_session") or "types" / "intensity_text".
        element: `Element` value. label: human label.
        target: the target in words ("10–50 jumps"), "–" without one.
        measured: the measured value in `unit`, None when not measured.
        status: `Status` value. evidence: what was measured, in words.
        source: citation of the target.
    """

    key: str
    element: str
    label: str
    target: str
    measured: float | None
    unit: str
    status: str
    evidence: str
    source: str


@dataclass(frozen=True, slots=True)
class ModalityCompliance:
    """Compliance of one session with one modality.

    Attributes:
        modality: `Modality` value; label: its name.
        prescribed: the prescription has this modality.
        phase: active phase index (0 = base).
        phase_text: what the phase means, in words (`ModalityRx.phase_words`).
        elements: per-element results.
        volume_met: the time/volume targets were all met (None: could not be judged or
            no such target).
        minutes: time credited to the modality, min (None if unknown).
        jumps / jumps_osteogenic: jump counts (impact), else None.
    """

    modality: str
    label: str
    prescribed: bool
    phase: int
    elements: tuple[ElementResult, ...]
    volume_met: bool | None
    minutes: float | None
    jumps: int | None = None
    jumps_osteogenic: int | None = None
    phase_text: str = ""


@dataclass(frozen=True, slots=True)
class SessionCompliance:
    """A session against the prescription.

    Attributes:
        local_date: session date in the patient's time zone; iso_year / iso_week of it.
        program_week: 1-based programme week (≤ 0 before the prescription's start).
        kind: session kind. duration_s: session length, s.
        modalities: one entry per modality the session trained.
        alerts: safety alerts (see `safety.check_safety`).
        rpe / pain: the patient's reports. sets / balance_blocks / stretch_holds: what
            they marked.
        notes: anything a reader should know (e.g. session before the programme, a
            marked value left out because it was not on its scale).
        supervised: the session was supervised (True), not (False), unknown (None).
    """

    local_date: dt.date
    iso_year: int
    iso_week: int
    program_week: int
    kind: str
    duration_s: float
    modalities: tuple[ModalityCompliance, ...]
    alerts: tuple[Alert, ...]
    rpe: tuple[Report, ...]
    pain: tuple[Report, ...]
    sets: tuple[SetRecord, ...]
    balance_blocks: tuple[BalanceBlock, ...]
    notes: tuple[str, ...] = ()
    stretch_holds: tuple[StretchHold, ...] = ()
    supervised: bool | None = None


def _elements(ctx: MeasureContext) -> list[ElementResult]:
    out: list[ElementResult] = []
    has_intensity = False
    for spec in TARGET_SPECS[ctx.m.modality]:
        t = ctx.targets.get(spec.key)
        if t is None:
            continue
        has_intensity |= spec.element == Element.INTENSITY
        meas = MEASURERS[spec.key](ctx, t)
        status = meas.status or status_of(meas.value, t)
        out.append(
            ElementResult(
                spec.key,
                spec.element,
                spec.label,
                t.text(spec.unit),
                meas.value,
                spec.unit,
                status,
                f"{meas.evidence}; target {t.text(spec.unit)}"
                if status in SCORED
                else meas.evidence,
                t.source.cite(),
            )
        )
    m = ctx.m
    if m.intensity_text:
        has_intensity = True
        src = m.intensity_source.cite() if m.intensity_source else ""
        out.append(
            ElementResult(
                "intensity_text",
                Element.INTENSITY,
                "intensity",
                m.intensity_text,
                None,
                "",
                Status.NOT_MEASURABLE,
                "rated by the patient; not measured",
                src,
            )
        )
    if not has_intensity:
        out.append(
            ElementResult(
                "intensity",
                Element.INTENSITY,
                "intensity",
                "–",
                None,
                "",
                Status.NO_TARGET,
                no_target_intensity(ctx),
                "",
            )
        )
    out.append(
        ElementResult(
            "types",
            Element.TYPE,
            "type",
            ", ".join(m.types) or "–",
            None,
            "",
            Status.NOT_MEASURABLE,
            type_evidence(ctx),
            m.types_source.cite() if m.types_source else "",
        )
    )
    order = list(Element)
    out.sort(key=lambda e: order.index(Element(e.element)))
    return out


def local_date(t_ns: int, timezone: str) -> dt.date:
    """The calendar date of a host time (ns since the epoch) in an IANA time zone."""
    utc = dt.datetime.fromtimestamp(t_ns / NS_PER_S, tz=dt.UTC)
    return utc.astimezone(zoneinfo.ZoneInfo(timezone)).date()


def _as_date(when: dt.date | dt.datetime | None, summary: SessionSummary, tz: str) -> dt.date:
    if when is None:
        return local_date(summary.start_t_ns, tz)
    if isinstance(when, dt.datetime):
        if when.tzinfo is None:
            return when.date()
        return when.astimezone(zoneinfo.ZoneInfo(tz)).date()
    return when


def _modalities_of(summary: SessionSummary, rx: Prescription, sets: int, blocks: int) -> list[str]:
    if summary.kind in TARGET_SPECS:
        return [summary.kind]
    if summary.kind != "mixed":
        return []
    found = []
    if summary.jumps:
        found.append("impact")
    if summary.heart.target_s >= 60 or summary.gait.walking_s >= 60:
        found.append("aerobic")
    if sets:
        found.append("resistance")
    if blocks:
        found.append("balance")
    return [m for m in TARGET_SPECS if m in found]


def _volume_met(elements: Sequence[ElementResult]) -> bool | None:
    vol = [e for e in elements if e.element == Element.TIME and e.status != Status.NOT_MEASURABLE]
    if not vol or any(e.status not in SCORED for e in vol):
        return None
    return all(e.status in REACHED for e in vol)


def evaluate_session(
    summary: SessionSummary,
    rx: Prescription,
    when: dt.date | dt.datetime | None = None,
    supervised: bool | None = None,
) -> SessionCompliance:
    """Compare one session with the prescription in force.

    Args:
        summary: everything measured in the session.
        rx: the prescription.
        when: the session's date (or an aware datetime, converted to the patient's
            time zone); None takes the summary's start time in the patient's zone.
        supervised: the session's supervision flag (recording metadata or review).

    Returns:
        Per-modality, per-element results, safety alerts and the patient's reports.
    """
    day = _as_date(when, summary, rx.patient.timezone)
    week = rx.week_of(day)
    notes: list[str] = []
    if week < 1:
        notes.append(
            f"session on {day} is before the programme start {rx.start_date}: judged against "
            "the week-1 targets"
        )
    rec = session_records(summary, rx)
    sets, blocks, rpe, pain = rec.sets, rec.blocks, rec.rpe, rec.pain
    notes.extend(rec.notes)
    results: list[ModalityCompliance] = []
    for mod in _modalities_of(summary, rx, len(sets), len(blocks)):
        m = rx.modalities.get(mod)
        if m is None:
            notes.append(f"{MODALITY_LABELS[mod].lower()} is not in this prescription")
            results.append(
                ModalityCompliance(
                    mod, MODALITY_LABELS[mod], False, 0, (), None, summary.duration_s / 60.0
                )
            )
            continue
        targets, _ = m.active(max(week, 1))
        ctx = MeasureContext(summary, rx, m, targets, max(week, 1), sets, blocks, rpe, rec.holds)
        elements = tuple(_elements(ctx))
        minutes = next((e.measured for e in elements if e.key == "minutes_per_session"), None)
        if minutes is None and summary.kind == mod:
            minutes = summary.duration_s / 60.0
        thr = osteogenic_threshold_g(targets)[0]
        jumps = len(summary.jumps) if mod == "impact" else None
        own = "landing_peak_g" in targets  # the prescription's threshold, else 3.9 g
        jumps_hi = (
            sum(1 for j in summary.jumps if (j.peak_g >= thr if own else is_osteogenic(j.peak_g)))
            if mod == "impact"
            else None
        )
        results.append(
            ModalityCompliance(
                mod,
                MODALITY_LABELS[mod],
                True,
                m.phase_index(max(week, 1)),
                elements,
                _volume_met(elements),
                minutes,
                jumps,
                jumps_hi,
                m.phase_words(max(week, 1)),
            )
        )
    iso = day.isocalendar()
    return SessionCompliance(
        local_date=day,
        iso_year=iso.year,
        iso_week=iso.week,
        program_week=week,
        kind=summary.kind,
        duration_s=summary.duration_s,
        modalities=tuple(results),
        alerts=tuple(check_safety(summary, rx)),
        rpe=rpe,
        pain=pain,
        sets=sets,
        balance_blocks=blocks,
        notes=tuple(notes),
        stretch_holds=rec.holds,
        supervised=supervised,
    )


def osteogenic_threshold_g(targets: dict[str, Target]) -> tuple[float, str]:
    """The landing peak a jump must reach to count as a dose, g, and its source: the
    prescription's `landing_peak_g` minimum when it sets one, else 3.9 g (Vainionpää)."""
    t = targets.get("landing_peak_g")
    if t is not None and t.lo is not None:
        return t.lo, f"the prescription's landing peak ≥ {t.lo:g} g"
    thr = THRESHOLDS["osteogenic_peak_g"]
    return thr.value, thr.source


__all__ = [
    "BalanceBlock",
    "ElementResult",
    "ModalityCompliance",
    "Report",
    "SessionCompliance",
    "SetRecord",
    "Status",
    "StretchHold",
    "evaluate_session",
    "local_date",
]
