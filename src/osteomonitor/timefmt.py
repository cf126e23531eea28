"""How session times and durations are written for people: one home, so every screen,
report and message agrees.

Session times are seconds from the session start. People read them as a clock:
``m:ss`` below an hour and ``h:mm:ss`` from an hour on (never "0.55 min" or
"0:52.2 min"). Counts of things get the right plural.
"""

from __future__ import annotations

import math

#: What is written where a time is unknown.
NO_TIME = "–"


def clock(seconds: float | None, *, tenths: bool = False) -> str:
    """A session time or duration, s, as ``m:ss`` (``h:mm:ss`` from an hour on).

    ``tenths=True`` keeps one decimal of the seconds (``1:05.3``) where a tenth
    matters (a landing, a fall). None or NaN gives "–"; negatives clamp to 0.
    """
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return NO_TIME
    t = max(0.0, float(seconds))
    if tenths:
        t = round(t, 1)
        whole = int(t)
        frac = f".{round((t - whole) * 10) % 10:d}"
    else:
        whole = round(t)
        frac = ""
    m, s = divmod(whole, 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}{frac}" if h else f"{m}:{s:02d}{frac}"


def at(seconds: float | None, *, tenths: bool = False) -> str:
    """ "at 12:05" for a session time, s ("at an unrecorded time" when unknown)."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "at an unrecorded time"
    return f"at {clock(seconds, tenths=tenths)}"


def span(start_s: float | None, end_s: float | None) -> str:
    """ "12:05–13:40" for a stretch of session time, s (one end alone when equal/unknown)."""
    if end_s is None or start_s is None or round(end_s) == round(start_s):
        return clock(start_s if start_s is not None else end_s)
    return f"{clock(start_s)}–{clock(end_s)}"


def minutes(seconds: float | None) -> str:
    """A duration, s, in whole minutes ("12 min"); "–" when unknown."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return NO_TIME
    return f"{seconds / 60:.0f} min"


def duration(seconds: float | None) -> str:
    """A duration, s, in words a clinician compares with a target in minutes:
    "0 min", "18 s", "4 min 54 s", "45 min", "1 h 05 min" (seconds dropped from an hour
    on); "–" when unknown. Never decimal minutes."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return NO_TIME
    whole = max(0, round(float(seconds)))
    if whole == 0:
        return "0 min"
    m, s = divmod(whole, 60)
    if m >= 60:
        h, m = divmod(round(whole / 60), 60)
        return f"{h} h {m:02d} min"
    if not m:
        return f"{s} s"
    return f"{m} min {s} s" if s else f"{m} min"


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """ "1 event", "2 events" (``nouns`` for irregular plurals)."""
    return f"{n} {noun if n == 1 else (nouns or noun + 's')}"


def nice_step(span_s: float, max_ticks: int = 6) -> float:
    """A round tick step, s, for a time axis spanning ``span_s`` seconds.

    Steps are clock-friendly (10 s, 15 s, 30 s, 1, 2, 5, 10, 15, 30 min, 1 h …) and
    give at most ``max_ticks`` ticks.
    """
    steps = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600)
    for step in steps:
        if span_s / step <= max_ticks:
            return float(step)
    return float(steps[-1])
