"""Histogram of jump landing peaks per acceleration band (plotext bars), with the
other impacts (steps, walking) counted beside it so they never squash the jump bands.

While the person walks the step count under the chart changes with every step, the bars
only with a jump landing: plotext builds the bars (15-50 ms of pure Python) only when
they or the chart's size change, and the line under them is written into that figure
where plotext would have written it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.color import Color

from osteomonitor.tui.views.axes import count_ticks
from osteomonitor.tui.widgets.throttled_plot import ThrottledPlot

#: What plotext is given as the x label while the figure is built (reserves its row;
#: the real line is written over it).
_LABEL_ROW = "x"


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


def legend_line(data: ImpactBands | None) -> str:
    """The line under the bars: the osteogenic colour and the steps and other impacts."""
    if data is None or not data.edges_g:
        return ""
    thr = data.osteogenic_g
    legend = [f"orange ≥ {thr:g} g" if thr is not None else ""]
    if data.other_count is not None:
        legend.append(f"steps & other {data.other_count}")
    return " · ".join(p for p in legend if p)


class ImpactHistogram(ThrottledPlot):
    """Horizontal bars: jump landings per g band with their counts, highest band on
    top; the bands at or above the osteogenic threshold in orange (named in the
    legend line); steps and other impacts as a count under the chart."""

    #: Redrawn at most every 2 s: the step count under it changes with every step, and
    #: the jump tile shows the landings at snapshot rate (the bars cost ≈ 15-50 ms when
    #: they change; the count line alone well under a millisecond).
    MIN_INTERVAL_S: ClassVar[float] = 2.0

    def __init__(
        self,
        *,
        min_interval_s: float | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        self._bars: Any = None  # the data of the bars built (other_count left out)
        self._built: tuple[Any, ...] | None = None  # (bars, size, theme) of `_lines`
        self._lines: list[Text] = []
        self._legend = ""
        self._label_row = False  # the figure built has a row for the line under it
        super().__init__(min_interval_s=min_interval_s, id=id, classes=classes)

    def _draw_now(self) -> None:
        data = self._data
        bars = dataclasses.replace(data, other_count=0) if data is not None else None
        if bars != self._bars or self._built is None:
            self._bars = bars
            super()._draw_now()  # plotext builds at the next render
        else:
            self._legend = legend_line(data)
            self.refresh()

    def render(self) -> Text:
        key = (self._bars, self.size, self.app.theme)
        if key != self._built:
            built = super().render()
            assert isinstance(built, Text)  # PlotextPlot renders Text.from_ansi
            # (plotext ends its figure with a newline: one row per cell of height)
            self._lines = list(built.split("\n", allow_blank=True))[: self.size.height]
            self._built = key
        lines = [*self._lines]
        if lines and self._label_row:
            lines[-1] = self._label_line(lines)
        return Text("\n").join(lines)

    def _label_line(self, lines: list[Text]) -> Text:
        """The line under the chart, centred on the canvas as plotext centres its x
        label (left out, as plotext leaves it out, when it does not fit)."""
        width = self.size.width
        top = lines[1].plain if len(lines) > 1 else ""
        left, right = top.find("┌"), top.find("┐")
        text = self._legend
        at = left + 1 + (right - left - 1) // 2 - len(text) // 2 if 0 <= left < right else -1
        variables = self.app.theme_variables
        fg = Color.parse(variables.get("foreground", "white")).hex
        bg = Color.parse(variables.get("surface", "black")).hex
        if at < 0 or at + len(text) > width:
            return Text(" " * width, style=Style(bgcolor=bg))
        line = Text(" " * at, style=Style(bgcolor=bg))
        line.append(text, style=Style(color=fg, bgcolor=bg))
        line.append(" " * (width - at - len(text)), style=Style(bgcolor=bg))
        return line

    def draw(self, plt: Any, data: ImpactBands | None) -> None:
        jumps_apart = data is not None and data.other_count is not None
        plt.title("jump landings per band (g)" if jumps_apart else "impacts per band (g)")
        self._label_row = False
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
        self._legend = legend_line(data)
        self._label_row = bool(self._legend)
        if self._label_row:
            plt.xlabel(_LABEL_ROW)
