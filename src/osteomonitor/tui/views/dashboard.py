"""From a `SessionState` (and the session's targets) to what the dashboard widgets draw.

Pure functions, no Textual: the one place that knows both the processor's snapshot and
the widgets' inputs, so either side can change without the other.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G
from osteomonitor.app.coaching import (
    DEFAULT_HOLD_PLAN,
    DEFAULT_SCALE,
    SCALES,
    EffortScale,
    HoldPlan,
    StretchHolds,
    balance_seconds,
    balance_target_min,
    band_under_ceiling,
    effort_scale,
    hold_plan,
    load_text,
    target_loads,
)
from osteomonitor.app.plan import Step, plan_for
from osteomonitor.model import NS_PER_S, Event
from osteomonitor.tui.views.display import clock_text
from osteomonitor.tui.widgets.event_log import ALERT_ROW
from osteomonitor.tui.widgets.heart_rate_chart import HeartSeries
from osteomonitor.tui.widgets.impact_histogram import ImpactBands

#: Impacts at or above this are drawn as osteogenic (Vainionpää 2006: the 3.9-5.3 g band and above).
OSTEOGENIC_G = OSTEOGENIC_PEAK_G


@dataclass(frozen=True, slots=True)
class SessionTargets:
    """What this session is judged against (from the prescription; None = not set).

    Attributes:
        target_minutes: minutes in the %HRR band prescribed for the session.
        jumps: (lo, hi) jumps per session.
        hr_ceiling_bpm: the safety ceiling on heart rate, bpm.
        eyes_closed_allowed: eyes-closed balance tasks are allowed.
        kind: the session kind ("" when unknown).
        effort_scale: the scale effort is asked on (`prescription.effort`).
        hold_plan: how stretches are held.
        balance_min: balance minutes prescribed per day.
        loads: (exercise, target kg) for resistance exercises with an estimated 1RM.
        spinal_restriction: the prescription's spinal restriction as the patient reads
            it (None when the prescription sets none; the caution it raises cites the
            prescription's source).
        plan: today's steps in order (`app.plan.plan_for`; empty without a prescription).
    """

    target_minutes: float | None = None
    jumps: tuple[float, float] | None = None
    hr_ceiling_bpm: float | None = None
    eyes_closed_allowed: bool = True
    kind: str = ""
    effort_scale: EffortScale = SCALES[DEFAULT_SCALE]
    hold_plan: HoldPlan = DEFAULT_HOLD_PLAN
    balance_min: float | None = None
    loads: tuple[tuple[str, float], ...] = ()
    spinal_restriction: str | None = None
    plan: tuple[Step, ...] = ()


NO_TARGETS = SessionTargets()

# Session kinds judged by minutes in the %HRR band, and the modality that sets them.
TIMED_KINDS: dict[str, str] = {"aerobic": "aerobic", "activity": "activity", "mixed": "aerobic"}


def session_targets(rx: Any, meta: Any, day: dt.date | None = None) -> SessionTargets:
    """The targets of one session of `meta.kind` in the week of `day` (default: the
    session's start date) under prescription `rx` (None: no targets)."""
    if rx is None:
        return NO_TARGETS
    if day is None:
        try:
            day = dt.date.fromisoformat(meta.start_iso[:10])
        except (ValueError, AttributeError):
            day = rx.start_date
    week = max(1, rx.week_of(day))
    minutes = jumps = None
    timed = TIMED_KINDS.get(meta.kind)
    if timed and timed in rx.modalities:
        t = rx.modalities[timed].active(week)[0].get("minutes_per_session")
        minutes = t.lo if t is not None else None
    if meta.kind in ("impact", "mixed") and "impact" in rx.modalities:
        t = rx.modalities["impact"].active(week)[0].get("jumps_per_session")
        if t is not None and t.lo is not None:
            jumps = (t.lo, t.hi if t.hi is not None else t.lo)
    return SessionTargets(
        target_minutes=minutes,
        jumps=jumps,
        hr_ceiling_bpm=rx.safety.hr_ceiling_bpm,
        eyes_closed_allowed=rx.safety.eyes_closed_balance,
        kind=meta.kind,
        effort_scale=effort_scale(rx, meta.kind),
        hold_plan=hold_plan(rx, day),
        balance_min=balance_target_min(rx, day),
        loads=target_loads(rx, day),
        spinal_restriction=(
            "Back care: avoid bending far forward and twisting"
            if rx.safety.avoid_spinal_flexion
            else None
        ),
        plan=plan_for(rx, meta.kind, day),
    )


def posture_line(restriction: str, state: Any) -> str:
    """The restriction with the trunk's current inclination and bends so far."""
    p = state.posture if state is not None else None
    if p is None:
        return f"{restriction}.   No trunk sensor: bending is not measured."
    if not p.reference_known or state.inclination_deg is None:
        return f"{restriction}.   Stand still for a moment to set upright."
    return (
        f"{restriction}.   Trunk {state.inclination_deg:.0f}° from upright "
        f"(limit {p.limit_deg:g}°); bends beyond: {p.episodes}"
    )


def pct_to_bpm(pct: float, hrrest_bpm: float, hrmax_bpm: float) -> float:
    """Karvonen: the heart rate at `pct` % of heart-rate reserve, bpm."""
    return hrrest_bpm + pct / 100.0 * (hrmax_bpm - hrrest_bpm)


def chart_guides(
    heart: Any, band_pct: tuple[float, float] | None, ceiling_bpm: float | None, zones: bool
) -> tuple[tuple[float, float] | None, tuple[float, ...]]:
    """The band (cut at the safety ceiling) and the zone edges of a heart-rate chart, bpm.

    The live chart and the review chart draw the same guides: the band never reaches
    above the red ceiling line (`session.coaching.band_under_ceiling`).

    Args:
        heart: a `HeartRateSummary` (HRrest, HRmax, zones).
        band_pct: the target band, %HRR (None: no band).
        ceiling_bpm: the safety ceiling, bpm (None: none).
        zones: also return the zone edges.
    """
    rest, hrmax = heart.hrrest_bpm, heart.hrmax_bpm
    if band_pct is None or not rest or not hrmax:
        return None, ()
    lo, hi = band_pct
    band, _ = band_under_ceiling(
        (pct_to_bpm(lo, rest, hrmax), pct_to_bpm(hi, rest, hrmax)), ceiling_bpm
    )
    edges: tuple[float, ...] = ()
    if zones:
        pcts = sorted({z.lo_pct for z in heart.zones} | {z.hi_pct for z in heart.zones})
        edges = tuple(pct_to_bpm(p, rest, hrmax) for p in pcts if 0 < p < 100 and p not in (lo, hi))
    return band, edges


def heart_series(state: Any, targets: SessionTargets, zones: bool = False) -> HeartSeries:
    """The chart's data: recent HR points, the band (and zone edges) in bpm."""
    band, edges = chart_guides(state.heart, state.target_band_pct, targets.hr_ceiling_bpm, zones)
    return HeartSeries(
        points=tuple(state.hr_series),
        band_bpm=band,
        ceiling_bpm=targets.hr_ceiling_bpm,
        zone_edges_bpm=edges,
    )


def impact_bands(state: Any) -> ImpactBands:
    """The histogram's data: jump landings per g band, apart from the other impacts
    (steps, walking), which are only counted.

    Args:
        state: a `SessionState` (its impacts and `jump_peaks_g`), a `SessionSummary`
            (its impacts and jumps), or an `ImpactSummary` alone (then every impact is
            drawn, as before jumps were told apart).
    """
    impacts = getattr(state, "impacts", state)
    edges = tuple(impacts.band_edges_g)
    peaks = getattr(state, "jump_peaks_g", None)
    if peaks is None and isinstance(getattr(state, "jumps", None), tuple):
        peaks = tuple(float(j.peak_g) for j in state.jumps)
    if peaks is None:
        return ImpactBands(edges, tuple(impacts.band_counts), OSTEOGENIC_G)
    jumps = [0] * len(edges)
    for peak in peaks:
        i = bisect.bisect_right(edges, peak) - 1
        if i >= 0:
            jumps[i] += 1
    other = max(0, int(sum(impacts.band_counts)) - sum(jumps))
    return ImpactBands(
        edges_g=edges, counts=tuple(jumps), osteogenic_g=OSTEOGENIC_G, other_count=other
    )


def event_rows(
    events: Sequence[Event], start_ns: int | None, alerts: Sequence[Any] = ()
) -> list[tuple[float, str, Mapping[str, Any], str | None]]:
    """(t_s, kind, data, device) rows in time order, t_s from the session start; each
    safety alert (`alerts`, as the processor raised them) is a row of kind "alert"."""
    origin = start_ns if start_ns is not None else (events[0].t_ns if events else 0)
    rows = [((e.t_ns - origin) / NS_PER_S, e.kind, e.data, e.device) for e in events]
    for a in alerts:
        data = {
            "severity": str(getattr(a, "severity", "")),
            "text": str(getattr(a, "physio_message", "") or getattr(a, "patient_message", "")),
            "count": int(getattr(a, "count", 1) or 1),
        }
        rows.append((float(getattr(a, "t_s", None) or 0.0), ALERT_ROW, data, None))
    rows.sort(key=lambda r: r[0])
    return rows


def clock_line(steps: int, cadence_spm: float | None) -> str:
    """The line under the session clock: steps, and the cadence while it is current."""
    parts = []
    if steps:
        parts.append(f"{steps} steps")
    if cadence_spm:
        parts.append(f"{cadence_spm:.0f}/min")
    return "   ".join(parts)


#: Session kinds whose screen shows the balance minutes even before the first block.
BALANCE_KINDS = frozenset({"balance"})
#: Session kinds whose screen shows the target load per exercise.
LOAD_KINDS = frozenset({"resistance", "mixed"})


def block_line(
    holds: StretchHolds,
    targets: SessionTargets,
    events: Sequence[Event],
    *,
    hold_now_ns: int,
    data_now_ns: int,
) -> str:
    """The stretch hold running (or the last stretch's count), else the balance minutes.

    Args:
        holds: the screen's stretch holds (timed on the screen's clock).
        targets: the session's targets.
        events: the session's events (balance blocks, in data time).
        hold_now_ns: the screen's clock now, ns.
        data_now_ns: the session's data time now, ns.
    """
    hold = holds.text(hold_now_ns)
    if holds.running is not None or (hold and targets.kind == "flexibility"):
        return hold
    done_s = balance_seconds(events, data_now_ns)
    if done_s > 0 or targets.kind in BALANCE_KINDS:
        goal = f" of {targets.balance_min:.0f} min" if targets.balance_min else ""
        return f"balance {clock_text(done_s)}{goal}"
    return hold


def loads_line(targets: SessionTargets, exercise: str = "") -> str:
    """Target loads of a resistance session, the current `exercise` first."""
    if targets.kind not in LOAD_KINDS or not targets.loads:
        return ""
    return "target " + load_text(targets.loads, exercise)
