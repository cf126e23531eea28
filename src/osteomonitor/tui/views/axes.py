"""Round ticks for the terminal charts: time as m:ss or h:mm, values on round steps.

Pure (no plotext): the charts ask for ticks and labels here, so every chart on every
screen writes its axes the same way (issue 16: no "0.55 min", no "139.8").
"""

from __future__ import annotations

import math

from osteomonitor.timefmt import nice_step

#: The marker of a chart's guide lines (band, ceiling, thresholds): a thin line, so the
#: data drawn over it stays readable.
GUIDE = "─"

#: Value steps a person reads at a glance (times a power of ten).
ROUND_STEPS = (1.0, 2.0, 2.5, 5.0)


def time_label(seconds: float, span_s: float) -> str:
    """A time tick: m:ss below an hour of span, h:mm from an hour on."""
    s = round(seconds)
    if span_s >= 3600:
        h, rem = divmod(s, 3600)
        return f"{h}:{rem // 60:02d}"
    m, sec = divmod(s, 60)
    return f"{m}:{sec:02d}"


def time_ticks(lo_s: float, hi_s: float, max_ticks: int = 6) -> tuple[list[float], list[str]]:
    """Tick positions (s) on a clock-friendly step (`timefmt.nice_step`) and labels."""
    span = max(hi_s - lo_s, 1.0)
    step = nice_step(span, max_ticks)
    first = math.ceil(lo_s / step) * step
    ticks = []
    t = first
    while t <= hi_s + 1e-9:
        ticks.append(t)
        t += step
    return ticks, [time_label(t, span) for t in ticks]


def round_step(span: float, max_ticks: int = 5) -> float:
    """The smallest round step (1, 2, 2.5, 5 × 10^k) giving at most `max_ticks` ticks."""
    span = max(span, 1e-9)
    base = 10.0 ** math.floor(math.log10(span / max_ticks))
    for k in (1.0, 10.0):
        for m in ROUND_STEPS:
            step = m * base * k
            if span / step <= max_ticks:
                return step
    return base * 100.0


def value_ticks(lo: float, hi: float, max_ticks: int = 5) -> list[float]:
    """Round value ticks inside [lo, hi]."""
    step = round_step(hi - lo, max_ticks)
    t = math.ceil(lo / step) * step
    out = []
    while t <= hi + 1e-9:
        out.append(round(t, 6))
        t += step
    return out


def count_ticks(hi: int, max_ticks: int = 5) -> list[int]:
    """Whole-number ticks from 0 to at least `hi` (counts are never fractional)."""
    step = max(1, math.ceil(round_step(max(hi, 1), max_ticks)))
    return list(range(0, max(hi, 1) + step, step))


def value_label(v: float) -> str:
    """A value tick without trailing zeros ("120", "2.5")."""
    return f"{v:g}"
