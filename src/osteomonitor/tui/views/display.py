"""How numbers are written on screen (one place, so every screen agrees)."""

from __future__ import annotations

import math

NO_VALUE = "--"


def clock_text(seconds: float | None) -> str:
    """Seconds as m:ss, or h:mm:ss from an hour on ("--" for None or NaN)."""
    if seconds is None or math.isnan(seconds):
        return NO_VALUE
    total = max(0, int(seconds))
    m, s = divmod(total, 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


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
