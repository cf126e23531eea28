"""Histogram of landing/impact peaks per acceleration band (plotext bars)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from osteomonitor.tui.widgets.throttled_plot import ThrottledPlot


@dataclass(frozen=True, slots=True)
class ImpactBands:
    """Peaks per band: `edges_g` are the lower edges (g), `counts` the peaks in each."""

    edges_g: tuple[float, ...]
    counts: tuple[int, ...]
    osteogenic_g: float | None = None


def band_labels(edges_g: tuple[float, ...]) -> list[str]:
    """Band names from lower edges: "0.3-1.1", …, ">9.2" for the last."""
    labels = []
    for i, lo in enumerate(edges_g):
        hi = edges_g[i + 1] if i + 1 < len(edges_g) else None
        labels.append(f"{lo:g}-{hi:g}" if hi is not None else f">{lo:g}")
    return labels


class ImpactHistogram(ThrottledPlot):
    """Horizontal bars: impacts per g band with their counts, highest band on top; the
    bands at or above the osteogenic threshold in a warmer colour."""

    def draw(self, plt: Any, data: ImpactBands | None) -> None:
        plt.title("impacts per band (g)")
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
        plt.xlim(0, max([*counts, 1]))
