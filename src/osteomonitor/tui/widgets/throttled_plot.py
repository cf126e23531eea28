"""Charts that redraw at most a few times a second (plotext plots and our own).

Building a plotext figure costs milliseconds of pure Python; a dashboard fed at
5–10 snapshots a second must not rebuild every chart every time. `Throttled` holds the
rule for any chart widget; `ThrottledPlot` is a plotext plot under it, whose subclasses
implement `draw(plt)`. Callers hand new data to `set_data(...)`, and the widget redraws at once
when its last draw is older than `min_interval_s`, otherwise once when the interval
has passed (so the newest data always reaches the screen). Data equal to what is
drawn already is not drawn again (a histogram between impacts, a chart shown again).
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

import plotext._utility as _plotext_utility
from textual.timer import Timer
from textual_plotext import PlotextPlot


def _no_duplicates_in_order(data: Any) -> list[Any]:
    """plotext's `no_duplicates`, keeping first-seen order.

    plotext 5.3 removes duplicate points and tick labels with `list(set(...))`, whose
    order follows the string hash (random per process, PYTHONHASHSEED): where two tick
    labels or points fall on the same cell, which one is drawn changed from run to run
    (snapshot tests flipped between "2" and "4" on an axis). Same elements, stable order.
    """
    return list(dict.fromkeys(data))


_plotext_utility.no_duplicates = _no_duplicates_in_order

# Redraw budget: at most this often, s (a patient glances at the charts, the
# numbers above them carry the second-by-second information).
DEFAULT_MIN_INTERVAL_S = 1.0


_NOTHING = object()


def _same(a: Any, b: Any) -> bool:
    """Whether two chart inputs are equal (False when they cannot be compared, such as
    numpy arrays, whose `==` is element-wise)."""
    if a is b:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


class Throttled:
    """Mixin of a chart widget: `set_data` with rate-limited redraws (`MIN_INTERVAL_S` by
    default, per subclass); the widget implements `_draw_now()` (draw `self._data`)."""

    MIN_INTERVAL_S: ClassVar[float] = DEFAULT_MIN_INTERVAL_S

    def _init_throttle(self, min_interval_s: float | None) -> None:
        self.min_interval_s = self.MIN_INTERVAL_S if min_interval_s is None else min_interval_s
        self._data: Any = None
        self._drawn: Any = _NOTHING  # the data of the figure on screen
        self._last_draw = -1e9
        self._pending: Timer | None = None

    def set_data(self, data: Any, *, now: bool = False, draw: bool = True) -> None:
        """Remember `data` and redraw when the rate limit allows (or `now`); with
        `draw=False` (the plot is hidden) only remember it."""
        self._data = data
        if not draw:
            return
        if _same(data, self._drawn):
            if self._pending is not None:  # an older value was waiting: nothing to do now
                self._pending.stop()
                self._pending = None
            return
        elapsed = time.monotonic() - self._last_draw
        if now or elapsed >= self.min_interval_s:
            self._redraw()
        elif self._pending is None:
            self._pending = self.set_timer(  # type: ignore[attr-defined]
                self.min_interval_s - elapsed, self._redraw
            )

    def _redraw(self) -> None:
        if self._pending is not None:
            self._pending.stop()
            self._pending = None
        self._last_draw = time.monotonic()
        self._drawn = self._data
        self._draw_now()

    def _draw_now(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class ThrottledPlot(Throttled, PlotextPlot):
    """Base class: a PlotextPlot whose redraws are rate-limited (`MIN_INTERVAL_S` by
    default, per subclass)."""

    def __init__(
        self,
        *,
        min_interval_s: float | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._init_throttle(min_interval_s)

    def _draw_now(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.draw(plt, self._data)
        self.refresh()

    def on_mount(self) -> None:
        # PlotextPlot.on_mount (theme registration) runs too: Textual calls the
        # handler of every class in the MRO.
        self._redraw()

    def draw(self, plt: Any, data: Any) -> None:  # pragma: no cover - abstract
        """Draw `data` (None before the first data) on the plotext figure `plt`."""
        raise NotImplementedError
