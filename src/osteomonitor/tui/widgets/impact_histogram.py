"""Histogram of jump landing peaks per acceleration band (plotext bars), with the
other impacts (steps, walking) counted beside it so they never squash the jump bands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from osteomonitor.tui.views.axes import count_ticks
from osteomonitor.tui.widgets.throttled_plot import ThrottledPlot


@dataclass(frozen=True, slots=True)
class ImpactBands:
    """Peaks per band: `edges_g` are the lower edges (g), `counts` the peaks in each.

    Attributes:
        osteogenic_g: bands from this edge on are drawn as osteogenic (None: none).
        other_count: impacts that were not jump landings (steps, walking), counted
            apart; None when `counts` hold every impact (no jumps told apart).
    """

    edges_g: tuple[float, ...]
    counts: tuple[int, ...]
    osteogenic_g: float | None = None
    other_count: int | None = None


def band_labels(edges_g: tuple[float, ...]) -> list[str]:
    """Band names from lower edges: "0.3-1.1", …, ">9.2" for the last."""
    labels = []
    for i, lo in enumerate(edges_g):
        hi = edges_g[i + 1] if i + 1 < len(edges_g) else None
        labels.append(f"{lo:g}-{hi:g}" if hi is not None else f">{lo:g}")
    return labels


class ImpactHistogram(ThrottledPlot):
    """Horizontal bars: jump landings per g band with their counts, highest band on
    top; the bands at or above the osteogenic threshold in orange (named in the
    legend line); steps and other impacts as a count under the chart."""

    #: Redrawn at most every 2 s: the step count under it changes with every step, and
    #: the jump tile shows the landings at snapshot rate (drawing costs ≈ 15-30 ms).
    MIN_INTERVAL_S: ClassVar[float] = 2.0

    def draw(self, plt: Any, data: ImpactBands | None) -> None:
        jumps_apart = data is not None and data.other_count is not None
        plt.title("jump landings per band (g)" if jumps_apart else "impacts per band (g)")
        if data is None or not data.edges_g:
            plt.title("impacts: no accelerometer data")
            plt.bar([" "], [0], orientation="horizontal")
            plt.xlim(0, 1)
            return
        counts = list(data.counts)
        width = max(len(str(c)) for c in counts)
        labels = [
            f"{lab} {c:>{width}}" for lab, c in zip(band_labels(data.edges_g), counts, strict=True)
        ]
        thr = data.osteogenic_g
        colors = [
            "orange" if thr is not None and lo >= thr - 1e-9 else "cyan" for lo in data.edges_g
        ]
        plt.bar(labels, counts, color=colors, orientation="horizontal", width=0.5)
        top = max([*counts, 1])
        ticks = count_ticks(top, 4)
        plt.xlim(0, ticks[-1])
        plt.xticks(ticks, [str(t) for t in ticks])
        legend = [f"orange ≥ {thr:g} g" if thr is not None else ""]
        if data.other_count is not None:
            legend.append(f"steps & other {data.other_count}")
        plt.xlabel(" · ".join(p for p in legend if p))
