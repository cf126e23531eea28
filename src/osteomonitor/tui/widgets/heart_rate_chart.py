"""Heart rate over time with the target band (and, in review, the zone edges)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from textual.color import Color
from textual.strip import Strip
from textual.widget import Widget

from osteomonitor.tui.views.axes import time_ticks, value_label, value_ticks
from osteomonitor.tui.views.line_chart import Guide, LineFigure, render_rows
from osteomonitor.tui.widgets.throttled_plot import Throttled


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


#: The series' and guides' colours (Rich names; "bright_black" is plotext's "gray").
SERIES_COLOR, BAND_COLOR, CEILING_COLOR, ZONE_COLOR = "cyan", "green", "red", "bright_black"

#: Smallest time span drawn, s (a chart of the first seconds is not squeezed to a dot).
MIN_SPAN_S = 30.0


def heart_figure(data: HeartSeries | None) -> LineFigure:
    """The chart of `data`: heart rate against session time (m:ss, h:mm from an hour),
    the band in green with the ceiling in red and the zone edges in grey."""
    if data is None or not data.points:
        empty = np.zeros(0)
        return LineFigure(
            "heart rate (bpm) - waiting for data", empty, empty, SERIES_COLOR, "", (),
            (0.0, 1.0), (40.0, 180.0), ((), ()), ((), ()), "session time",
        )  # fmt: skip
    pts = np.asarray(data.points, dtype=float)
    xs, ys = pts[:, 0], pts[:, 1]
    x0, x1 = float(xs[0]), max(float(xs[-1]), float(xs[0]) + MIN_SPAN_S)
    lows, highs = [float(ys.min())], [float(ys.max())]
    guides = [Guide(edge, ZONE_COLOR) for edge in data.zone_edges_bpm]
    if data.band_bpm is not None:
        lo, hi = data.band_bpm
        guides += [Guide(lo, BAND_COLOR, f"band {lo:.0f}-{hi:.0f}"), Guide(hi, BAND_COLOR)]
        lows.append(lo)
        highs.append(hi)
    if data.ceiling_bpm is not None:
        c = data.ceiling_bpm
        guides.append(Guide(c, CEILING_COLOR, f"limit {c:.0f}"))
        highs.append(c)
    y0, y1 = min(lows) - 5, max(highs) + 5
    yt = value_ticks(y0, y1)
    return LineFigure(
        title="heart rate (bpm)",
        xs=xs,
        ys=ys,
        color=SERIES_COLOR,
        label="heart rate",
        guides=tuple(guides),
        xlim=(x0, x1),
        ylim=(y0, y1),
        xticks=time_ticks(x0, x1),
        yticks=(yt, [value_label(v) for v in yt]),
        xlabel="session time (h:mm)" if x1 - x0 >= 3600 else "session time (m:ss)",
    )


class HeartRateChart(Throttled, Widget):
    """Heart rate (bpm) against session time (m:ss), with a legend: the target band in
    green, the safety ceiling in red, zone edges in grey.

    Drawn in braille by `views.line_chart` (≈ 1 ms a draw where plotext took 10-40 ms),
    framed like the plotext charts beside it; at most once a second.
    """

    DEFAULT_CSS = """
    HeartRateChart {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(
        self,
        *,
        min_interval_s: float | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._init_throttle(min_interval_s)
        self._figure = heart_figure(None)
        self._strips: list[Strip] | None = None
        self._strips_key: tuple[object, ...] = ()

    def on_mount(self) -> None:
        self._redraw()

    def _draw_now(self) -> None:
        self._figure = heart_figure(self._data)
        self._strips = None
        self.refresh()

    def _colors(self) -> tuple[str, str]:
        """The theme's foreground and surface (plotext's "auto" theme uses the same)."""
        variables = self.app.theme_variables
        fg = Color.parse(variables.get("foreground", "white")).hex
        bg = Color.parse(variables.get("surface", "black")).hex
        return fg, bg

    def render_line(self, y: int) -> Strip:
        width, height = self.size
        key = (width, height, self.app.theme)
        if self._strips is None or key != self._strips_key:
            fg, bg = self._colors()
            rows = render_rows(self._figure, width, height, fg, bg)
            self._strips = [Strip(r, width) for r in rows]
            self._strips_key = key
        return self._strips[y] if 0 <= y < len(self._strips) else Strip.blank(width)
