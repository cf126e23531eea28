"""Chart axes as people read them (issue 16): time as m:ss or h:mm on clock-friendly
steps, round value ticks, whole-number counts, jumps apart from steps."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from osteomonitor.model import ImpactSummary
from osteomonitor.tui.views.axes import count_ticks, time_ticks, value_ticks
from osteomonitor.tui.views.dashboard import impact_bands


def test_time_ticks_are_clock_times_on_round_steps() -> None:
    ticks, labels = time_ticks(0.0, 130.0)
    assert labels == ["0:00", "0:30", "1:00", "1:30", "2:00"]
    assert ticks == [0.0, 30.0, 60.0, 90.0, 120.0]
    _, long = time_ticks(0.0, 2 * 3600.0)
    assert long[:3] == ["0:00", "0:30", "1:00"]  # h:mm for a two-hour review


@given(st.floats(40, 120), st.floats(10, 120))
def test_value_ticks_are_round(lo: float, span: float) -> None:
    ticks = value_ticks(lo, lo + span)
    assert 1 <= len(ticks) <= 6
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) <= 1
    for t in ticks:
        assert lo - 1e-9 <= t <= lo + span + 1e-9
        assert float(t * 2).is_integer(), t  # never 139.8


@pytest.mark.parametrize("hi", [0, 1, 3, 7, 17, 812])
def test_count_ticks_are_whole_numbers_reaching_the_top(hi: int) -> None:
    ticks = count_ticks(hi)
    assert all(isinstance(t, int) for t in ticks)
    assert ticks[0] == 0 and ticks[-1] >= hi and len(ticks) <= 6


@dataclass
class FakeState:
    impacts: ImpactSummary
    jump_peaks_g: tuple[float, ...] = field(default=())


def test_jumps_are_drawn_apart_from_steps() -> None:
    edges = (0.3, 1.1, 2.5, 3.9, 5.4)
    walking = ImpactSummary(band_edges_g=edges, band_counts=(300, 500, 4, 3, 1))
    bands = impact_bands(FakeState(walking, (2.6, 4.0, 4.1, 5.5)))
    assert bands.counts == (0, 0, 1, 2, 1)
    assert bands.other_count == 808 - 4
    summary_only = impact_bands(walking)  # review screens: every impact, as before
    assert summary_only.counts == walking.band_counts and summary_only.other_count is None


def test_plotext_removes_duplicates_in_a_stable_order() -> None:
    """Overlapping tick labels and points are drawn the same in every process (plotext's
    own set() made the winner depend on PYTHONHASHSEED)."""
    import plotext._utility as plotext_utility

    import osteomonitor.tui.widgets.throttled_plot  # noqa: F401  (installs the fix)

    data = [(2.0, "4"), (1.0, "2"), (2.0, "4"), (0.0, "0")]
    assert plotext_utility.no_duplicates(data) == [(2.0, "4"), (1.0, "2"), (0.0, "0")]
    _ticks, labels = plotext_utility.brush([2.0, 1.0, 0.0], ["4", "2", "0"])
    assert list(labels) == ["4", "2", "0"]
