"""The heart-rate chart, drawn in braille without plotext, shows what plotext drew:
the same dots, frame, ticks, guides and legend; peaks of a long review survive."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from rich.segment import Segment
from textual_plotext.plot import Plot

from osteomonitor.tui.views.axes import GUIDE
from osteomonitor.tui.views.line_chart import braille_line, render_rows
from osteomonitor.tui.widgets.heart_rate_chart import HeartSeries, heart_figure

FG, BG = "#e0e0e0", "#1e1e1e"


def _text(rows: list[list[Segment]]) -> list[str]:
    return ["".join(s.text for s in row) for row in rows]


def _plotext(data: HeartSeries, width: int, height: int) -> list[str]:
    """The same figure drawn by plotext, as the chart drew it before (one call per line)."""
    fig = heart_figure(data)
    plt: Any = Plot()
    plt.clear_data()
    plt.clear_figure()
    plt.title(fig.title)
    for g in fig.guides:
        color = "gray" if g.color == "bright_black" else g.color
        x0, x1 = fig.xlim
        plt.plot([x0, x1], [g.value, g.value], marker=GUIDE, color=color, label=g.label or None)
    plt.plot(list(fig.xs), list(fig.ys), marker="braille", color=fig.color, label=fig.label)
    plt.xlim(*fig.xlim)
    plt.xticks(*fig.xticks)
    plt.ylim(*fig.ylim)
    plt.yticks(*fig.yticks)
    plt.xlabel(fig.xlabel)
    plt.plotsize(width, height)
    plt._set_size(width, height)
    return [line.rstrip() for line in _strip_ansi(plt.build()).split("\n")[:height]]


def _strip_ansi(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def _series(n: int = 900, step_s: float = 0.7) -> tuple[tuple[float, float], ...]:
    return tuple((100 + i * step_s, 100 + 20 * math.sin(i / 30) + i % 7) for i in range(n))


@pytest.mark.parametrize(("width", "height"), [(93, 24), (70, 16), (50, 12), (30, 8)])
@pytest.mark.parametrize("zones", [False, True])
def test_the_braille_chart_draws_what_plotext_drew(width: int, height: int, zones: bool) -> None:
    data = HeartSeries(_series(), (98.0, 119.0), 135.0, (90.0, 110.0) if zones else ())
    ours = [line.rstrip() for line in _text(render_rows(heart_figure(data), width, height, FG, BG))]
    assert ours == _plotext(data, width, height)


def test_rows_fill_the_widget_and_colour_the_parts() -> None:
    data = HeartSeries(_series(200), (98.0, 119.0), 135.0)
    rows = render_rows(heart_figure(data), 60, 16, FG, BG)
    assert len(rows) == 16
    assert all(sum(s.cell_length for s in row) == 60 for row in rows)
    colors = {str(s.style.color.name) for row in rows for s in row if s.style and s.style.color}
    assert {"cyan", "green", "red"} <= colors  # the series, the band, the ceiling
    text = _text(rows)
    assert "heart rate (bpm)" in text[0]
    assert "── band 98-119" in text[2] and "── limit 135" in text[3]
    assert "session time (m:ss)" in text[-1]


def test_a_long_review_keeps_its_peaks_and_dips() -> None:
    # three hours of beats around 100 bpm, one 3-beat excursion to 171 and a dip to 48
    pts = [(i * 0.6, 100.0 + 5 * math.sin(i / 50)) for i in range(18_000)]
    for k in (9100, 9101, 9102):
        pts[k] = (pts[k][0], 171.0)
    pts[2500] = (pts[2500][0], 48.0)
    fig = heart_figure(HeartSeries(tuple(pts)))
    cells = braille_line(fig.xs, fig.ys, fig.xlim, fig.ylim, 100, 20)
    rows_with_dots = np.nonzero(cells.any(axis=1))[0]
    assert rows_with_dots[0] == 0 and rows_with_dots[-1] == 19  # top (171) and bottom (48)
    assert "h:mm" in fig.xlabel


def test_points_join_without_gaps() -> None:
    # from the bottom-left to the top-right corner: one dot in every dot column
    cells = braille_line(np.array([0.0, 1.0]), np.array([0.0, 1.0]), (0, 1), (0, 1), 10, 5)
    dots = np.unpackbits(cells.astype(np.uint8)[..., None], axis=-1).sum()
    assert dots == 20  # 2 × 10 dot columns, 4 × 5 dot rows: the longer side, one dot each


def test_waiting_for_data() -> None:
    text = _text(render_rows(heart_figure(None), 60, 16, FG, BG))
    assert "waiting for data" in text[0]
    assert not any(0x2800 <= ord(ch) <= 0x28FF for line in text for ch in line)
