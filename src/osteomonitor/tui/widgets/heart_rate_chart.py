"""Heart rate over time with the target band (and, in review, the zone edges)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from osteomonitor.tui.views.axes import GUIDE, time_ticks, value_label, value_ticks
from osteomonitor.tui.widgets.throttled_plot import ThrottledPlot

#: More points than this are thinned to a min/max envelope before drawing: a
#: terminal chart is a few hundred braille dots wide, and a reviewed hour of RR-derived
#: values is several thousand points.
MAX_DRAWN_POINTS = 1200


def thin(
    points: tuple[tuple[float, float], ...], limit: int = MAX_DRAWN_POINTS
) -> list[tuple[float, float]]:
    """At most `limit` points keeping each bucket's lowest and highest value, in time order.

    Peaks and dips survive (a mean would flatten the ceiling crossings a physio
    looks for); the first and last points are kept.
    """
    n = len(points)
    if n <= limit:
        return list(points)
    buckets = max(1, limit // 2)
    out: list[tuple[float, float]] = []
    for b in range(buckets):
        chunk = points[b * n // buckets : (b + 1) * n // buckets]
        if not chunk:
            continue
        lo = min(range(len(chunk)), key=lambda i: chunk[i][1])
        hi = max(range(len(chunk)), key=lambda i: chunk[i][1])
        out.extend(chunk[i] for i in sorted({lo, hi}))
    if out[0] != points[0]:
        out.insert(0, points[0])
    if out[-1] != points[-1]:
        out.append(points[-1])
    return out


@dataclass(frozen=True, slots=True)
class HeartSeries:
    """What the chart draws.

    Attributes:
        points: (t_s, hr_bpm) pairs, t_s from session start.
        band_bpm: the target band converted to bpm (lo, hi), or None.
        ceiling_bpm: the safety ceiling, bpm, or None.
        zone_edges_bpm: further horizontal guides (zone edges), bpm.
    """

    points: tuple[tuple[float, float], ...] = ()
    band_bpm: tuple[float, float] | None = None
    ceiling_bpm: float | None = None
    zone_edges_bpm: tuple[float, ...] = ()


#: Smallest time span drawn, s (a chart of the first seconds is not squeezed to a dot).
MIN_SPAN_S = 30.0


class HeartRateChart(ThrottledPlot):
    """Heart rate (bpm) against session time (m:ss), with a legend: the target band in
    green, the safety ceiling in red, zone edges in grey."""

    def draw(self, plt: Any, data: HeartSeries | None) -> None:
        plt.xlabel("session time")
        if data is None or not data.points:
            plt.title("heart rate (bpm) - waiting for data")
            plt.xlim(0, 1)
            plt.ylim(40, 180)
            return
        plt.title("heart rate (bpm)")
        drawn = thin(data.points)
        xs = [t for t, _ in drawn]
        ys = [bpm for _, bpm in drawn]
        x0, x1 = xs[0], max(xs[-1], xs[0] + MIN_SPAN_S)
        lows, highs = [*ys], [*ys]
        for edge in data.zone_edges_bpm:
            plt.plot([x0, x1], [edge, edge], marker=GUIDE, color="gray")
        if data.band_bpm is not None:
            lo, hi = data.band_bpm
            plt.plot(
                [x0, x1], [lo, lo], marker=GUIDE, color="green", label=f"band {lo:.0f}-{hi:.0f}"
            )
            plt.plot([x0, x1], [hi, hi], marker=GUIDE, color="green")
            lows.append(lo)
            highs.append(hi)
        if data.ceiling_bpm is not None:
            c = data.ceiling_bpm
            plt.plot([x0, x1], [c, c], marker=GUIDE, color="red", label=f"limit {c:.0f}")
            highs.append(c)
        plt.plot(xs, ys, marker="braille", color="cyan", label="heart rate")
        plt.xlim(x0, x1)
        ticks, labels = time_ticks(x0, x1)
        plt.xticks(ticks, labels)
        plt.xlabel("session time (h:mm)" if x1 - x0 >= 3600 else "session time (m:ss)")
        y0, y1 = min(lows) - 5, max(highs) + 5
        plt.ylim(y0, y1)
        yt = value_ticks(y0, y1)
        plt.yticks(yt, [value_label(v) for v in yt])
