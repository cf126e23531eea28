"""The processor's heart-rate bookkeeping: the cached series and its valid points."""

from __future__ import annotations

from dataclasses import dataclass

from osteomonitor.analysis.heart_rate import HrSeries
from osteomonitor.analysis.intensity import ZoneAccumulator


def _valid_points(series: HrSeries) -> tuple[tuple[float, float], ...]:
    """The valid values of an HR series as (s from start, bpm) pairs."""
    keep = series.valid
    return tuple(zip(series.t_s[keep].tolist(), series.hr_bpm[keep].tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class _HeartCache:
    """The HR series and its zone integration, as of a count of notifications and events.

    Attributes:
        notifications / events: HR notifications and events folded in when built.
        zones: the zone accumulator fed with `series`.
        series: the HR series (RR-corrected over the whole session).
        hrrest_bpm / hrrest_method: resting HR used and where it came from.
        hrmax_method: how HRmax was obtained.
    """

    notifications: int
    events: int
    zones: ZoneAccumulator
    series: HrSeries
    hrrest_bpm: float | None
    hrrest_method: str | None
    hrmax_method: str | None
