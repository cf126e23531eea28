"""Jumps on the session timeline: landing time against landing peak (g)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from osteomonitor.model import Jump
from osteomonitor.tui.widgets.throttled_plot import ThrottledPlot


@dataclass(frozen=True, slots=True)
class JumpMarks:
    """What the timeline draws: the jumps, the session length (s) and guide lines (g)."""

    jumps: tuple[Jump, ...]
    duration_s: float
    osteogenic_g: float | None = None
    ceiling_g: float | None = None


class JumpTimeline(ThrottledPlot):
    """Scatter of landing peaks over session minutes; clipped landings marked x."""

    def draw(self, plt: Any, data: JumpMarks | None) -> None:
        plt.xlabel("minutes")
        if data is None or not data.jumps:
            plt.title("jumps: none detected")
            plt.xlim(0, max(1.0, (data.duration_s if data else 60) / 60))
            plt.ylim(0, 6)
            return
        plt.title(f"jumps: landing peak (g), {len(data.jumps)} jumps")
        clean = [j for j in data.jumps if not j.clipped]
        clipped = [j for j in data.jumps if j.clipped]
        top = max(j.peak_g for j in data.jumps)
        if data.osteogenic_g is not None:
            plt.hline(data.osteogenic_g, "orange")
            top = max(top, data.osteogenic_g)
        if data.ceiling_g is not None:
            plt.hline(data.ceiling_g, "red")
            top = max(top, data.ceiling_g)
        if clean:
            plt.scatter([j.landing_s / 60 for j in clean], [j.peak_g for j in clean], color="cyan")
        if clipped:
            plt.scatter(
                [j.landing_s / 60 for j in clipped],
                [j.peak_g for j in clipped],
                color="red",
                marker="x",
            )
        plt.xlim(0, max(data.duration_s / 60, 0.5))
        plt.ylim(0, top * 1.15)
