"""Jumps on the session timeline: landing time against landing peak (g)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from osteomonitor.model import Jump
from osteomonitor.tui.views.axes import GUIDE, time_ticks, value_label, value_ticks
from osteomonitor.tui.widgets.throttled_plot import ThrottledPlot


@dataclass(frozen=True, slots=True)
class JumpMarks:
    """What the timeline draws: the jumps, the session length (s) and guide lines (g)."""

    jumps: tuple[Jump, ...]
    duration_s: float
    osteogenic_g: float | None = None
    ceiling_g: float | None = None


class JumpTimeline(ThrottledPlot):
    """Scatter of landing peaks over session time (m:ss), clipped landings marked x, with
    a legend for the osteogenic threshold (orange) and the impact ceiling (red)."""

    def draw(self, plt: Any, data: JumpMarks | None) -> None:
        duration = max(data.duration_s if data else 60.0, 30.0)
        ticks, labels = time_ticks(0.0, duration)
        plt.xlabel("session time (h:mm)" if duration >= 3600 else "session time (m:ss)")
        if data is None or not data.jumps:
            plt.title("jumps: none detected")
            plt.xlim(0, duration)
            plt.xticks(ticks, labels)
            plt.ylim(0, 6)
            return
        plt.title(f"jumps: landing peak (g), {len(data.jumps)} jumps")
        clean = [j for j in data.jumps if not j.clipped]
        clipped = [j for j in data.jumps if j.clipped]
        top = max(j.peak_g for j in data.jumps)
        if data.osteogenic_g is not None:
            g = data.osteogenic_g
            plt.plot(
                [0, duration],
                [g, g],
                marker=GUIDE,
                color="orange",
                label=f"bone-building ≥ {g:g} g",
            )
            top = max(top, g)
        if data.ceiling_g is not None:
            g = data.ceiling_g
            plt.plot([0, duration], [g, g], marker=GUIDE, color="red", label=f"limit {g:g} g")
            top = max(top, g)
        if clean:
            plt.scatter([j.landing_s for j in clean], [j.peak_g for j in clean], color="cyan")
        if clipped:
            plt.scatter(
                [j.landing_s for j in clipped],
                [j.peak_g for j in clipped],
                color="red",
                marker="x",
                label="clipped at the sensor's range",
            )
        plt.xlim(0, duration)
        plt.xticks(ticks, labels)
        y_top = top * 1.15
        plt.ylim(0, y_top)
        yt = value_ticks(0, y_top, 4)
        plt.yticks(yt, [value_label(v) for v in yt])
