"""The live screen's redraws stay cheap: labels re-lay out the screen only when their
size can change, and charts do not rebuild a figure for data they already show."""

from __future__ import annotations

import re
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Label
from textual_plotext.plot import Plot

from osteomonitor.tui.widgets.impact_histogram import ImpactBands, ImpactHistogram, legend_line
from osteomonitor.tui.widgets.text_update import needs_layout, update_label
from osteomonitor.tui.widgets.throttled_plot import ThrottledPlot


class _Counting(ThrottledPlot):
    draws = 0

    def draw(self, plt: Any, data: Any) -> None:
        self.draws += 1


class _Box(App[None]):
    CSS = "#wide { width: 20; } #auto { width: auto; }"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("12 s of 30 s", id="wide")
            yield Label("1:23", id="auto")
            yield _Counting(id="plot", min_interval_s=0.0)


async def test_a_label_relayouts_only_when_its_size_can_change() -> None:
    app = _Box()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        wide, auto = app.query_one("#wide", Label), app.query_one("#auto", Label)
        assert not needs_layout(wide, "12 s of 30 s", "13 s of 30 s")
        assert not needs_layout(wide, "12 s of 30 s", "short")  # fixed width: fits
        assert needs_layout(wide, "12 s of 30 s", "x" * 21)  # would wrap: taller
        assert needs_layout(wide, "a", "a\nb")  # two lines
        assert needs_layout(wide, None, "a")  # unknown before
        assert not needs_layout(auto, "1:23", "1:24")  # width follows the text: same
        assert needs_layout(auto, "9:59", "10:00")  # wider
        update_label(wide, "12 s of 30 s", "13 s of 30 s")
        assert not wide._layout_required
        update_label(auto, "9:59", "10:00")
        assert auto._layout_required
        await pilot.pause()
        assert "13 s of 30 s" in str(wide.render())


async def test_a_chart_is_not_rebuilt_for_the_data_it_shows() -> None:
    app = _Box()
    async with app.run_test(size=(40, 12)) as pilot:
        plot = app.query_one("#plot", _Counting)
        await pilot.pause()
        first = plot.draws  # the empty figure on mount
        plot.set_data((1, 2, 3))
        plot.set_data((1, 2, 3))
        plot.set_data((1, 2, 3), now=True)
        assert plot.draws == first + 1
        plot.set_data((1, 2, 4))
        assert plot.draws == first + 2


class _Hidden(App[None]):
    CSS = "#auto { width: auto; } #box { display: none; }"

    def compose(self) -> ComposeResult:
        with Vertical(id="box"):
            yield Label("1:23", id="auto")


async def test_a_label_in_a_hidden_view_never_relayouts() -> None:
    """The live screen keeps its hidden view current: those updates must not lay out the
    screen (they did every second, for a label nobody sees)."""
    app = _Hidden()
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        auto = app.query_one("#auto", Label)
        assert not needs_layout(auto, "9:59", "10:00")  # would be wider, but hidden
        update_label(auto, "9:59", "10:00")
        assert not auto._layout_required
        app.query_one("#box").display = True  # shown: laid out with the text it has now
        await pilot.pause()
        assert auto.size.width == len("10:00")
        assert needs_layout(auto, "10:00", "100:00")


class _Histogram(App[None]):
    def compose(self) -> ComposeResult:
        yield ImpactHistogram(id="hist", min_interval_s=0.0)


def _plotext_histogram(data: ImpactBands, width: int, height: int) -> list[str]:
    """The histogram as plotext draws it with its real line under the bars."""
    plt: Any = Plot()
    ImpactHistogram.draw(ImpactHistogram(), plt, data)
    plt.xlabel(legend_line(data))
    plt.plotsize(width, height)
    plt._set_size(width, height)
    return re.sub(r"\x1b\[[0-9;]*m", "", plt.build()).split("\n")[:height]


async def test_the_histogram_rebuilds_its_bars_only_when_they_change() -> None:
    """While walking only the step count under the bars changes: plotext is not run for
    it, and the line sits where plotext puts its x label."""
    app = _Histogram()
    async with app.run_test(size=(46, 14)) as pilot:
        hist = app.query_one(ImpactHistogram)
        builds: list[int] = []
        build = hist.plt.build

        def counted() -> str:
            builds.append(1)
            return str(build())

        hist.plt.build = counted  # type: ignore[method-assign]
        edges, counts = (0.3, 1.1, 2.5, 3.9), (0, 1, 3, 2)

        def shown() -> list[str]:
            return ["".join(s.text for s in line) for line in hist.render_lines(hist.region)]

        hist.set_data(ImpactBands(edges, counts, 3.9, 87))
        await pilot.pause()
        assert shown() == _plotext_histogram(ImpactBands(edges, counts, 3.9, 87), 46, 14)
        before = len(builds)
        for steps in (88, 89, 1200):
            hist.set_data(ImpactBands(edges, counts, 3.9, steps))
            await pilot.pause()
            assert shown() == _plotext_histogram(ImpactBands(edges, counts, 3.9, steps), 46, 14)
        assert len(builds) == before  # the count line only
        hist.set_data(ImpactBands(edges, (0, 1, 3, 3), 3.9, 1200))  # a landing
        await pilot.pause()
        assert len(builds) == before + 1
        assert shown() == _plotext_histogram(ImpactBands(edges, (0, 1, 3, 3), 3.9, 1200), 46, 14)
