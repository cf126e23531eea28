"""Times as people read them: m:ss, h:mm:ss, plurals, round axis steps."""

from __future__ import annotations

import math

import pytest

from osteomonitor import timefmt


@pytest.mark.parametrize(
    ("s", "text"),
    [
        (0, "0:00"),
        (59.4, "0:59"),
        (59.6, "1:00"),
        (605, "10:05"),
        (3600, "1:00:00"),
        (3725, "1:02:05"),
        (-3, "0:00"),
        (None, "–"),
        (math.nan, "–"),
    ],
)
def test_clock(s: float | None, text: str) -> None:
    assert timefmt.clock(s) == text


def test_clock_tenths_and_at() -> None:
    assert timefmt.clock(39.44, tenths=True) == "0:39.4"
    assert timefmt.clock(59.96, tenths=True) == "1:00.0"
    assert timefmt.at(52.2) == "at 0:52"
    assert "min" not in timefmt.at(52.2)
    assert timefmt.at(None) == "at an unrecorded time"


def test_span_plural_minutes() -> None:
    assert timefmt.span(725, 820) == "12:05–13:40"
    assert timefmt.span(725, None) == "12:05"
    assert timefmt.plural(1, "event") == "1 event"
    assert timefmt.plural(2, "event") == "2 events"
    assert timefmt.plural(0, "repetition") == "0 repetitions"
    assert timefmt.minutes(754) == "13 min"


@pytest.mark.parametrize(("span", "step"), [(50, 10), (200, 60), (1800, 300), (3 * 3600, 1800)])
def test_nice_step(span: float, step: float) -> None:
    assert timefmt.nice_step(span) == step
    assert span / timefmt.nice_step(span) <= 6


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0 min"),
        (0.4, "0 min"),
        (18.0, "18 s"),
        (294.0, "4 min 54 s"),
        (1350.0, "22 min 30 s"),
        (2700.0, "45 min"),
        (3600.0, "1 h 00 min"),
        (3900.0, "1 h 05 min"),
        (3929.0, "1 h 05 min"),
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_duration_never_writes_decimal_minutes(seconds: float | None, text: str) -> None:
    assert timefmt.duration(seconds) == text
