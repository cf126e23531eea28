"""How numbers and outside text are written on screen (one place, so every screen agrees)."""

from __future__ import annotations

import math

from rich.text import Text

from osteomonitor import timefmt
from osteomonitor.pseudonym import printable

NO_VALUE = "--"


def clock_text(seconds: float | None) -> str:
    """Seconds as m:ss, or h:mm:ss from an hour on ("--" for None or NaN)."""
    if seconds is None or math.isnan(seconds):
        return NO_VALUE
    return timefmt.clock(int(max(0, seconds)))


def minutes_text(seconds: float | None) -> str:
    """Seconds as whole minutes ("12 min")."""
    if seconds is None or math.isnan(seconds):
        return NO_VALUE
    return f"{seconds / 60:.0f} min"


def number_text(value: float | None, digits: int = 0) -> str:
    """A number with `digits` decimals, "--" for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_VALUE
    return f"{value:.{digits}f}"


def g_text(value: float | None) -> str:
    """An acceleration in g with one decimal ("3.4 g")."""
    return f"{number_text(value, 1)} g"


def plain(text: object, style: str = "") -> Text:
    """Text from a file or a radio (pseudonym, device name, notes, event text, file name)
    as a Rich `Text`: never interpreted as markup, control characters shown escaped."""
    return Text(printable(text), style=style)
