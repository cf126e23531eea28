"""CSV exports: one row per jump, one row per session minute."""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections.abc import Iterable, Sequence
from typing import Any

from osteomonitor.analysis.thresholds import is_osteogenic
from osteomonitor.model import NS_PER_S, SessionSummary

JUMP_COLUMNS = (
    "jump",
    "takeoff_s",
    "landing_s",
    "flight_s",
    "height_cm",
    "peak_g",
    "slope_g_s",
    "clipped",
    "osteogenic",
)
MINUTE_COLUMNS = (
    "minute",
    "start_s",
    "jumps",
    "jumps_osteogenic",
    "landing_peak_max_g",
    "hr_mean_bpm",
    "hr_points",
    "events",
)


def jump_rows(summary: SessionSummary) -> list[tuple[Any, ...]]:
    """One row per jump (`JUMP_COLUMNS`); times in s from session start."""
    return [
        (
            i + 1,
            round(j.takeoff_s, 3),
            round(j.landing_s, 3),
            round(j.flight_s, 3),
            round(j.height_m * 100, 1),
            round(j.peak_g, 2),
            round(j.slope_g_s, 1),
            int(j.clipped),
            int(is_osteogenic(j.peak_g)),
        )
        for i, j in enumerate(summary.jumps)
    ]


def minute_rows(
    summary: SessionSummary, hr_points: Sequence[tuple[float, float]] | None = None
) -> list[tuple[Any, ...]]:
    """One row per session minute (`MINUTE_COLUMNS`).

    Args:
        summary: the session.
        hr_points: (s from session start, bpm) heart-rate values as reported, if
            available; without them the HR columns are empty. `hr_points` counts the
            values in each minute (≈ 60 from a 1 Hz strap, one per beat with RR).
    """
    n = max(1, math.ceil(summary.duration_s / 60.0))
    jumps: list[list[float]] = [[] for _ in range(n)]
    for j in summary.jumps:
        jumps[min(n - 1, max(0, int(j.landing_s // 60)))].append(j.peak_g)
    hr: list[list[float]] = [[] for _ in range(n)]
    for t_s, bpm in hr_points or ():
        if 0 <= t_s < n * 60:
            hr[int(t_s // 60)].append(bpm)
    events: list[list[str]] = [[] for _ in range(n)]
    for e in summary.events:
        t = (e.t_ns - summary.start_t_ns) / NS_PER_S
        events[min(n - 1, max(0, int(t // 60)))].append(str(e.kind))
    rows = []
    for m in range(n):
        pk = jumps[m]
        rows.append(
            (
                m,
                m * 60,
                len(pk),
                sum(1 for p in pk if is_osteogenic(p)),
                round(max(pk), 2) if pk else "",
                round(statistics.fmean(hr[m]), 1) if hr[m] else "",
                len(hr[m]) if hr_points is not None else "",
                " ".join(events[m]),
            )
        )
    return rows


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with a header line."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()
