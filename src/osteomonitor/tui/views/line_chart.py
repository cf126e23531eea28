"""A framed line chart drawn in Unicode braille, as rows of Rich segments (no plotext).

The live heart-rate chart is redrawn every second; plotext rebuilds its whole figure in
pure Python for that (10-40 ms a draw on a loaded machine). This draws the same figure
in about a millisecond: the series is rasterised on a dot grid with numpy (2 × 4 braille
dots a cell, consecutive points joined as plotext joins them) and the frame, ticks,
guide lines and legend are laid out the way plotext lays them out (title over the plot,
y ticks ┤ on the left, x ticks ┬ under it with their labels, the legend in the top-left
corner), so the charts drawn with plotext beside it read the same.

Pure: no Textual; the widget turns the rows into strips.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.segment import Segment
from rich.style import Style

from osteomonitor.tui.views.axes import GUIDE

#: The braille bit of each dot of a cell, [row][col] (Unicode braille patterns, U+2800).
BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.int64)
#: The legend's sample of a braille series (as plotext draws it).
BRAILLE_SAMPLE = "⢕⢕"


@dataclass(frozen=True, slots=True)
class Guide:
    """A horizontal guide line at `value` (a band edge, a ceiling), in `color`; with a
    `label` it has a line in the legend."""

    value: float
    color: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class LineFigure:
    """What one chart shows.

    Attributes:
        title: the line over the plot.
        xs, ys: the series (x in the unit of `xlim`, e.g. s), drawn as a braille line.
        color: the series' colour (a Rich colour name).
        label: the series' legend label ("" : no legend line).
        guides: horizontal guide lines, drawn under the series.
        xlim, ylim: the axes' ranges.
        xticks, yticks: (positions, labels) of the ticks.
        xlabel: the line under the x tick labels.
    """

    title: str
    xs: np.ndarray
    ys: np.ndarray
    color: str
    label: str
    guides: tuple[Guide, ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    xticks: tuple[Sequence[float], Sequence[str]]
    yticks: tuple[Sequence[float], Sequence[str]]
    xlabel: str


def _scale(v: np.ndarray, lo: float, hi: float, n: int) -> np.ndarray:
    """Values in [lo, hi] to the nearest of `n` steps 0..n-1, halves up (plotext's
    `get_matrix_data`; outside the range: beyond them)."""
    span = hi - lo if hi != lo else 1.0
    return np.floor(np.round(0.5 + (n - 1) * (v - lo) / span, 8)).astype(np.int64)


def braille_line(
    xs: np.ndarray, ys: np.ndarray, xlim: tuple[float, float], ylim: tuple[float, float],
    cols: int, rows: int,
) -> np.ndarray:  # fmt: skip
    """The cells (rows × cols, int: braille bits, 0 = empty) of the line through the
    points (xs, ys), consecutive points joined by straight runs of dots (each step of
    the longer side one dot, as plotext's `get_line`); dots outside the axes dropped."""
    cells = np.zeros((rows, cols), dtype=np.int64)
    if xs.size == 0 or cols <= 0 or rows <= 0:
        return cells
    w, h = 2 * cols, 4 * rows
    dx = _scale(np.asarray(xs, dtype=float), xlim[0], xlim[1], w)
    dy = _scale(np.asarray(ys, dtype=float), ylim[0], ylim[1], h)  # 0 at the bottom
    if dx.size > 1:
        x0, y0, x1, y1 = dx[:-1], dy[:-1], dx[1:], dy[1:]
        steps = np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))  # dots per segment - 1
        seg = np.repeat(np.arange(steps.size), steps + 1)
        start = np.cumsum(steps + 1) - (steps + 1)
        k = np.arange(seg.size) - start[seg]  # 0..steps within each segment
        frac = np.divide(k, steps[seg], out=np.zeros(seg.size), where=steps[seg] > 0)
        # plotext truncates the points between the ends (`get_line`)
        px = np.trunc(x0[seg] + (x1 - x0)[seg] * frac).astype(np.int64)
        py = np.trunc(y0[seg] + (y1 - y0)[seg] * frac).astype(np.int64)
    else:
        px, py = dx, dy
    py = (h - 1) - py  # row 0 on top
    keep = (px >= 0) & (px < w) & (py >= 0) & (py < h)
    px, py = px[keep], py[keep]
    np.bitwise_or.at(cells, (py // 4, px // 2), BRAILLE_BITS[py % 4, px % 2])
    return cells


def _runs(cells: list[tuple[str, Style]]) -> list[Segment]:
    """Cells joined into one segment per run of the same style."""
    out: list[Segment] = []
    text: list[str] = []
    style: Style | None = None
    for ch, st in cells:
        if st is not style and text:
            out.append(Segment("".join(text), style))
            text = []
        style = st
        text.append(ch)
    if text:
        out.append(Segment("".join(text), style))
    return out


def _tick_label_at(row: list[str], at: int, n: int) -> int | None:
    """Where a tick label of `n` cells for column `at` goes in `row` (plotext's "dynamic"
    alignment: centred on the tick in the free cells around it, kept off the edges), or
    None when it would touch another label (it is left out, as plotext leaves it)."""
    b, e = max(at - n + 1, 0), min(at + n, len(row) - 1)
    free = [i for i in range(b, e) if row[i] == " "]
    lo, hi = (min(free), max(free)) if free else (at - n + 1, at + n)
    col = ((hi - n + 1) + (lo + n) - n) // 2
    b, e = max(col - 1, 0), min(col + n + 1, len(row))
    fits = col >= 0 and col + n <= len(row) and all(row[i] == " " for i in range(b, e))
    return col if fits else None


def render_rows(fig: LineFigure, width: int, height: int, fg: str, bg: str) -> list[list[Segment]]:
    """The chart as `height` rows of segments, each `width` cells wide.

    Args:
        fig: what to draw.
        width, height: the widget's size, cells.
        fg, bg: the frame's and labels' colour and the background (Rich colours: the
            app theme's foreground and surface, as plotext's "auto" theme takes them).
    """
    base = Style(color=fg, bgcolor=bg)
    blank = Style(bgcolor=bg)
    styles: dict[str, Style] = {}

    def colored(color: str) -> Style:
        if color not in styles:
            styles[color] = Style(color=color, bgcolor=bg)
        return styles[color]

    def line(text: str, style: Style = base) -> list[Segment]:
        text = text[:width].ljust(width)
        return [Segment(text, style)]

    if width <= 0 or height <= 0:
        return [[] for _ in range(max(height, 0))]
    ytick_pos, ytick_lab = fig.yticks
    xtick_pos, xtick_lab = fig.xticks
    lab_w = max((len(s) for s in ytick_lab), default=0)
    cols = width - lab_w - 2
    rows = height - (5 if len(xtick_pos) else 4)
    if cols < 2 or rows < 1:
        return [line(fig.title)] + [line("") for _ in range(height - 1)]
    left = lab_w + 1  # first canvas column

    def centered(text: str) -> list[Segment]:  # on the canvas's middle, as plotext centres
        at = left + cols // 2 - len(text) // 2
        return line(" " * at + text if at >= 0 and at + len(text) <= width else "")

    out = [centered(fig.title)]

    # The canvas: guides, then the series over them, then the legend over both.
    grid: list[list[tuple[str, Style]]] = [[(" ", blank)] * cols for _ in range(rows)]
    y0, y1 = fig.ylim
    for g in fig.guides:
        r = (rows - 1) - int(_scale(np.array([g.value]), y0, y1, rows)[0])
        if 0 <= r < rows:
            grid[r] = [(GUIDE, colored(g.color))] * cols
    cells = braille_line(fig.xs, fig.ys, fig.xlim, fig.ylim, cols, rows)
    series = colored(fig.color)
    for r, c in zip(*np.nonzero(cells), strict=True):
        grid[r][c] = (chr(0x2800 + int(cells[r, c])), series)
    legend = [(GUIDE * 2, g.color, g.label) for g in fig.guides if g.label]
    if fig.label:
        legend.append((BRAILLE_SAMPLE, fig.color, fig.label))
    if legend:
        room = 1 + 2 + 1 + max(len(lab) for _, _, lab in legend) + 1
        for i, (mark, color, lab) in enumerate(legend[:rows]):
            text = [(" ", blank)]
            text += [(ch, colored(color)) for ch in mark]
            text += [(" ", blank)] + [(ch, base) for ch in lab]
            text += [(" ", blank)] * (room - len(text))
            grid[i][: min(room, cols)] = text[:cols]

    ytick_rows: dict[int, str] = {}
    for v, lab in zip(ytick_pos, ytick_lab, strict=True):
        r = (rows - 1) - int(_scale(np.array([v]), y0, y1, rows)[0])
        if 0 <= r < rows:
            ytick_rows[r] = lab
    out.append(line(" " * lab_w + "┌" + "─" * cols + "┐"))
    for r in range(rows):
        tick = ytick_rows.get(r)
        head = (tick.rjust(lab_w) + "┤") if tick is not None else (" " * lab_w + "│")
        out.append([Segment(head, base), *_runs(grid[r]), Segment("│", base)])

    bottom = ["─"] * cols
    labels = [" "] * width
    for v, lab in zip(xtick_pos, xtick_lab, strict=True):
        c = int(_scale(np.array([v]), fig.xlim[0], fig.xlim[1], cols)[0])
        if not 0 <= c < cols:
            continue
        at = _tick_label_at(labels, left + c, len(lab))
        if at is not None:  # a tick without its label is not marked either
            labels[at : at + len(lab)] = list(lab)
            bottom[c] = "┬"
    out.append(line(" " * lab_w + "└" + "".join(bottom) + "┘"))
    if len(xtick_pos):
        out.append(line("".join(labels)))
    out.append(centered(fig.xlabel))
    return out[:height]
