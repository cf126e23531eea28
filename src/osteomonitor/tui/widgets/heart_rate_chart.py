"""Heart rate over time with the target band (and, in review, the zone edges)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from osteomonitor.tui.widgets.throttled_plot import ThrottledPlot


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


class HeartRateChart(ThrottledPlot):
    """Line of heart rate (bpm) against minutes, target band in green, ceiling in red."""

    def draw(self, plt: Any, data: HeartSeries | None) -> None:
        plt.xlabel("minutes")
        if data is None or not data.points:
            plt.title("heart rate (bpm) - waiting for data")
            plt.xlim(0, 1)
            plt.ylim(40, 180)
            return
        plt.title("heart rate (bpm)")
        xs = [t / 60.0 for t, _ in data.points]
        ys = [bpm for _, bpm in data.points]
        lows = [*ys]
        highs = [*ys]
        for edge in data.zone_edges_bpm:
            plt.hline(edge, "gray")
        if data.band_bpm is not None:
            lo, hi = data.band_bpm
            plt.hline(lo, "green")
            plt.hline(hi, "green")
            lows.append(lo)
            highs.append(hi)
        if data.ceiling_bpm is not None:
            plt.hline(data.ceiling_bpm, "red")
            highs.append(data.ceiling_bpm)
        plt.plot(xs, ys, marker="braille", color="cyan")
        x_hi = max(xs[-1], xs[0] + 0.5)
        plt.xlim(xs[0], x_hi)
        plt.ylim(min(lows) - 5, max(highs) + 5)
