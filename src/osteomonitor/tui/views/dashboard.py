"""From a `SessionState` (and the session's targets) to what the dashboard widgets draw.

Pure functions, no Textual: the one place that knows both the processor's snapshot and
the widgets' inputs, so either side can change without the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from osteomonitor.analysis.thresholds import OSTEOGENIC_PEAK_G
from osteomonitor.model import NS_PER_S, Event
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
    """

    target_minutes: float | None = None
    jumps: tuple[float, float] | None = None
    hr_ceiling_bpm: float | None = None
    eyes_closed_allowed: bool = True


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
    )


def pct_to_bpm(pct: float, hrrest_bpm: float, hrmax_bpm: float) -> float:
    """Karvonen: the heart rate at `pct` % of heart-rate reserve, bpm."""
    return hrrest_bpm + pct / 100.0 * (hrmax_bpm - hrrest_bpm)


def heart_series(state: Any, targets: SessionTargets, zones: bool = False) -> HeartSeries:
    """The chart's data: recent HR points, the band (and zone edges) in bpm."""
    heart = state.heart
    band = None
    edges: tuple[float, ...] = ()
    if (
        state.target_band_pct is not None
        and heart.hrrest_bpm is not None
        and heart.hrmax_bpm is not None
    ):
        lo, hi = state.target_band_pct
        band = (
            pct_to_bpm(lo, heart.hrrest_bpm, heart.hrmax_bpm),
            pct_to_bpm(hi, heart.hrrest_bpm, heart.hrmax_bpm),
        )
        if zones:
            pcts = sorted({z.lo_pct for z in heart.zones} | {z.hi_pct for z in heart.zones})
            edges = tuple(
                pct_to_bpm(p, heart.hrrest_bpm, heart.hrmax_bpm)
                for p in pcts
                if 0 < p < 100 and p not in (lo, hi)
            )
    return HeartSeries(
        points=tuple(state.hr_series),
        band_bpm=band,
        ceiling_bpm=targets.hr_ceiling_bpm,
        zone_edges_bpm=edges,
    )


def impact_bands(impacts: Any) -> ImpactBands:
    """The histogram's data from an `ImpactSummary`."""
    return ImpactBands(
        edges_g=tuple(impacts.band_edges_g),
        counts=tuple(impacts.band_counts),
        osteogenic_g=OSTEOGENIC_G,
    )


def event_rows(
    events: Sequence[Event], start_ns: int | None
) -> list[tuple[float, str, Mapping[str, Any], str | None]]:
    """(t_s, kind, data, device) rows, t_s from the session start."""
    origin = start_ns if start_ns is not None else (events[0].t_ns if events else 0)
    return [((e.t_ns - origin) / NS_PER_S, e.kind, e.data, e.device) for e in events]


def clock_line(state: Any) -> str:
    """The line under the session clock: steps and cadence when walking."""
    gait = state.gait
    parts = []
    if gait.steps:
        parts.append(f"{gait.steps} steps")
    if gait.cadence_spm:
        parts.append(f"{gait.cadence_spm:.0f}/min")
    return "   ".join(parts)
