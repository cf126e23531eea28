"""matplotlib figures as inline SVG for the report pages: one style, clock-time axes.

Figures are `matplotlib.figure.Figure` objects saved straight to SVG: pyplot (and with it
any GUI backend or global figure state) is never imported, so rendering is thread-safe
and headless; rasters, where matplotlib needs one, come from its Agg renderer. Text stays
text in the SVG (`svg.fonttype = "none"`), so a printed PDF's words can be searched and
extracted; ids are made unique per plot so several plots live in one page.

Why matplotlib and not Vega-Lite through altair: a matplotlib SVG needs no JavaScript
runtime in the page (the page's CSP forbids scripts), fetches nothing, prints exactly as
it shows, and is one maintained library with no browser or Node step to render it
(docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from html import escape

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from osteomonitor import timefmt

#: Okabe & Ito (2008) colour-blind-safe palette; every colour also has a line style,
#: marker or label, so the plots read in monochrome.
COLORS = {
    "hr": "#0072B2",  # blue
    "band": "#009E73",  # bluish green
    "ceiling": "#D55E00",  # vermillion
    "jump": "#E69F00",  # orange
    "jump_low": "#56B4E9",  # sky blue
    "other": "#7f7f7f",  # grey: steps, walking, other peaks
    "threshold": "#CC79A7",  # reddish purple
    "target": "#000000",
}
#: One colour per modality in the period plots (Okabe-Ito order).
MODALITY_COLORS = {
    "impact": "#E69F00",
    "aerobic": "#0072B2",
    "resistance": "#009E73",
    "balance": "#CC79A7",
    "activity": "#56B4E9",
    "flexibility": "#D55E00",
}

#: Width of a report plot, inches (the page's text column is 180 mm ≈ 7.1 in).
WIDTH_IN = 7.0


_ID_RE = re.compile(r'(id="|url\(#|href="#)([^")]+)')
#: What inline SVG in an HTML page does not need: the RDF metadata block and the XML
#: namespace declarations (the HTML parser puts <svg> and xlink:href in their namespaces),
#: so the page names no URL at all.
_METADATA_RE = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_XMLNS_RE = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


@contextmanager
def report_style() -> Iterator[None]:
    """The report's matplotlib settings, for the duration of a figure's drawing."""
    with matplotlib.rc_context(
        {
            "svg.fonttype": "none",  # text as <text>, not glyph paths
            "svg.hashsalt": "osteomonitor",  # deterministic ids: same data, same SVG
            "font.family": "DejaVu Sans",
            "font.size": 8.5,
            "axes.titlesize": 9.5,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": "#dddddd",
            "grid.linewidth": 0.6,
            "legend.fontsize": 7.5,
            "legend.frameon": False,
            "text.usetex": False,
        }
    ):
        yield


def new_figure(
    height_in: float, rows: int = 1, cols: int = 1, *, sharex: bool = False, sharey: bool = False
) -> tuple[Figure, list[Axes]]:
    """A report-width figure with rows × cols axes, row by row (call inside `report_style`)."""
    fig = Figure(figsize=(WIDTH_IN, height_in), layout="constrained")
    grid = fig.subplots(rows, cols, sharex=sharex, sharey=sharey, squeeze=False)
    return fig, [ax for row in grid for ax in row]


def svg_of(fig: Figure, name: str, title: str) -> str:
    """The figure as an inline `<svg>` element (no XML prolog), its ids prefixed with
    `name` so plots do not collide in one page, labelled by `title` for screen readers.

    Args:
        name: a short identifier (letters, digits, '-'), unique in the page.
        title: what the plot shows, in words.
    """
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = _METADATA_RE.sub("", text, count=1)
    head_end = text.index(">")
    text = _XMLNS_RE.sub("", text[:head_end]) + text[head_end:]
    text = _ID_RE.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}", text)
    head_end = text.index(">") + 1
    return (
        text[: head_end - 1]
        + f' role="img" aria-label="{escape(title, quote=True)}" data-plot="{escape(name)}">'
        + text[head_end:]
    )


def clock_axis(ax: Axes, span_s: float, label: str = "session time (m:ss)") -> None:
    """Format the x axis of `ax` as session clock time at round steps (`timefmt`).

    Args:
        span_s: the time the axis spans, s (decides the step: 10 s … 1 h).
    """
    span = max(float(span_s), 1.0)
    ax.set_xlim(0, span)
    ax.xaxis.set_major_locator(MultipleLocator(timefmt.nice_step(span, max_ticks=8)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: timefmt.clock(v)))
    ax.set_xlabel("session time (h:mm:ss)" if span >= 3600 else label)


def integer_axis(ax: Axes, axis: str = "y") -> None:
    """Whole-number ticks on `axis` (counts: days, jumps)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))


def round_axis(ax: Axes, axis: str = "y") -> None:
    """Round ticks (1, 2, 5 × 10ⁿ) on `axis` (bpm, g, %)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))


def empty_note(ax: Axes, text: str) -> None:
    """Write `text` in the middle of an axes that has nothing to draw."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555")


def week_labels(weeks: Sequence[tuple[int, int]]) -> list[str]:
    """ISO weeks as axis labels: "W10" (with the year when the weeks span two years)."""
    years = {y for y, _ in weeks}
    return [f"{y}-W{w:02d}" if len(years) > 1 else f"W{w:02d}" for y, w in weeks]
