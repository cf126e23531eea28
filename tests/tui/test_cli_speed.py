"""`--speed` of `osteomonitor replay`: 1–64 or max, and clear errors otherwise."""

from __future__ import annotations

import pytest

from osteomonitor.cli.live import parse_speed
from osteomonitor.errors import UsageError


@pytest.mark.parametrize(("text", "value"), [("1", 1.0), ("8", 8.0), ("x64", 64.0), ("max", None)])
def test_speeds_accepted(text: str, value: float | None) -> None:
    assert parse_speed(text) == value


@pytest.mark.parametrize("text", ["0", "0.5", "65", "fast", ""])
def test_speeds_refused_with_the_range_named(text: str) -> None:
    with pytest.raises(UsageError, match="1 to 64"):
        parse_speed(text)
