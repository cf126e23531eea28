"""The HR chart thins long reviews without losing peaks."""

from __future__ import annotations

import math

from osteomonitor.tui.widgets.heart_rate_chart import MAX_DRAWN_POINTS, thin


def test_short_series_drawn_as_is() -> None:
    pts = tuple((float(i), 80.0 + i % 7) for i in range(500))
    assert thin(pts) == list(pts)


def test_long_series_keeps_extremes_order_and_ends() -> None:
    # an hour of beats around 100 bpm with one 3-beat excursion to 171 bpm at 41 min
    pts = [(i * 0.6, 100.0 + 5 * math.sin(i / 50)) for i in range(6000)]
    for k in (4100, 4101, 4102):
        pts[k] = (pts[k][0], 171.0)
    pts[2500] = (pts[2500][0], 48.0)
    out = thin(tuple(pts))
    assert len(out) <= MAX_DRAWN_POINTS + 2
    assert out[0] == pts[0] and out[-1] == pts[-1]
    assert [t for t, _ in out] == sorted(t for t, _ in out)
    assert max(b for _, b in out) == 171.0 and min(b for _, b in out) == 48.0
    assert set(out) <= set(pts)
