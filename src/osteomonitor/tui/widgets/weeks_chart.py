"""A patient's weeks as a bar chart: one group of bars per ISO week, oldest left.

Three views (`app.weeks_view.TREND_VIEWS`): days trained per prescribed modality with
a tick at each modality's minimum days per week (a bar below its tick missed the
frequency target), jumps per week, and minutes in the heart-rate band per week. Ticks
are whole numbers at a round step, weeks are labelled "W10". The legend (`chart_legend`)
is drawn outside the plot: plotext's own legend box covers the tallest bars.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.columns import Columns
from rich.text import Text

from osteomonitor.app.weeks_view import TREND_TITLES, WeeksTrend
from osteomonitor.tui.widgets.throttled_plot import ThrottledPlot

#: Bar colours per modality (and per single-series view); plotext colour names.
MODALITY_COLORS: dict[str, str] = {
    "impact": "orange",
    "aerobic": "cyan",
    "resistance": "magenta",
    "balance": "green",
    "activity": "blue+",
    "flexibility": "yellow",
}
SERIES_COLORS: dict[str, str] = {"jumps": "orange", "band": "green"}
#: The same colours as Rich styles, for the legend.
LEGEND_STYLES: dict[str, str] = {
    "orange": "dark_orange",
    "cyan": "cyan",
    "magenta": "magenta",
    "green": "green",
    "blue+": "bright_blue",
    "yellow": "yellow",
    "white": "white",
}
#: What each single-series view's bars are.
SERIES_LABELS: dict[str, str] = {
    "jumps": "jumps detected in the week's impact sessions",
    "band": "minutes in the aerobic heart-rate band (sum of the week's sessions)",
}
#: The target tick's marker and colour (its meaning is in the legend).
TARGET_MARKER = "▬"
TARGET_COLOR = "white"
#: Most week labels on the x axis (every n-th week is labelled beyond this).
MAX_WEEK_LABELS = 12
#: Round steps for count axes.
INT_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)


def int_ticks(top: float, max_ticks: int = 6) -> list[int]:
    """Whole-number ticks from 0 covering `top` at a round step, at most `max_ticks`+1."""
    top = max(float(top), 1.0)
    step = next((s for s in INT_STEPS if top / s <= max_ticks), INT_STEPS[-1])
    n = -(-int(top + 0.999999) // step)  # ceil
    return [k * step for k in range(n + 1)]


def week_ticks(labels: list[str]) -> tuple[list[int], list[str]]:
    """x positions (1-based) and labels, thinned to at most `MAX_WEEK_LABELS`."""
    every = max(1, -(-len(labels) // MAX_WEEK_LABELS))
    keep = [i for i in range(len(labels)) if i % every == 0 or i == len(labels) - 1]
    return [i + 1 for i in keep], [labels[i] for i in keep]


@dataclass(frozen=True, slots=True)
class WeeksChartData:
    """What the chart draws: a trend and the view (one of `TREND_VIEWS`)."""

    trend: WeeksTrend
    view: str = "days"


class WeeksChart(ThrottledPlot):
    """Bars per ISO week for the view chosen; see the module docstring."""

    def draw(self, plt: Any, data: WeeksChartData | None) -> None:
        if data is None or not data.trend.weeks:
            plt.title("weeks: waiting for the analysis")
            plt.xlim(0, 1)
            plt.ylim(0, 1)
            return
        weeks = data.trend.weeks
        n = len(weeks)
        plt.title(TREND_TITLES[data.view])
        tops: list[float] = [1.0]
        if data.view == "days":
            mods = data.trend.modalities
            width = 0.8 / max(len(mods), 1)
            target_x: list[float] = []
            target_y: list[float] = []
            for k, mod in enumerate(mods):
                xs = [i + 1 + (k - (len(mods) - 1) / 2) * width for i in range(n)]
                days = []
                for w in weeks:
                    m = next((x for x in w.modalities if x.modality == mod), None)
                    days.append(m.days_trained if m is not None else 0)
                    if m is not None and m.target_min_days is not None:
                        target_x.append(xs[len(days) - 1])
                        target_y.append(m.target_min_days)
                plt.bar(
                    xs,
                    days,
                    width=width * 0.9,
                    color=MODALITY_COLORS.get(mod, "white"),
                    reset_ticks=False,
                )
                tops += days
            if target_x:
                plt.scatter(
                    target_x,
                    target_y,
                    marker=TARGET_MARKER,
                    color=TARGET_COLOR,
                )
                tops += target_y
        else:
            values = [float(w.jumps) if data.view == "jumps" else w.band_min for w in weeks]
            plt.bar(
                list(range(1, n + 1)),
                values,
                width=0.5,
                color=SERIES_COLORS[data.view],
                reset_ticks=False,
            )
            tops += values
        ticks = int_ticks(max(tops))
        plt.yticks(ticks, [str(t) for t in ticks])
        plt.ylim(0, ticks[-1])
        tick_x, labels = week_ticks([w.short for w in weeks])
        plt.xticks(tick_x, labels)
        plt.xlim(0.4, n + 0.6)


def _key(color: str, words: str, mark: str = "██") -> Text:
    out = Text(mark, style=LEGEND_STYLES.get(color, "white"))
    out.append(f" {words}")
    return out


def legend_keys(data: WeeksChartData | None) -> list[Text]:
    """The legend's entries: a coloured mark and the words for every series."""
    if data is None or not data.trend.weeks:
        return []
    if data.view != "days":
        return [_key(SERIES_COLORS[data.view], SERIES_LABELS[data.view])]
    labels = {m.modality: m.label for w in data.trend.weeks for m in w.modalities}
    keys = [
        _key(MODALITY_COLORS.get(mod, "white"), labels.get(mod, mod))
        for mod in data.trend.modalities
    ]
    keys.append(_key(TARGET_COLOR, "target: minimum days per week", TARGET_MARKER))
    return keys


def chart_legend(data: WeeksChartData | None) -> Columns:
    """The legend, entries never split across lines."""
    return Columns(legend_keys(data), padding=(0, 3))
