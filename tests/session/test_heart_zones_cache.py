"""`HeartSource.zones(exact=True)` is built once per state: `hr_points()` after
`summary()` (the review chart, the per-minute export) does not redo the RR correction,
and anything new (a notification, an event, the start) builds it anew."""

from __future__ import annotations

import pytest

from osteomonitor.analysis.heart_rate import build_hr_series
from osteomonitor.analysis.params import AnalysisParams
from osteomonitor.model import NS_PER_S, Event, EventKind, HrSample
from osteomonitor.session import heart
from osteomonitor.session.heart_zones import HeartSource


def _sample(i: int) -> HrSample:
    return HrSample(
        t_ns=i * NS_PER_S, hr_bpm=70, rr_1024=(860,), contact_supported=True, contact=True
    )


def test_exact_zones_are_built_once_per_state(monkeypatch: pytest.MonkeyPatch) -> None:
    builds = []
    real = build_hr_series

    def counting(*args: object, **kwargs: object) -> object:
        builds.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(heart, "build_hr_series", counting)
    src = HeartSource(AnalysisParams())
    for i in range(400):
        src.add("strap", _sample(i), float(i), fold=False)
    events: list[Event] = []
    first = src.zones(events, 0, exact=True)
    assert src.zones(events, 0, exact=True) is first
    assert len(builds) == 1
    src.add("strap", _sample(400), 400.0, fold=False)
    again = src.zones(events, 0, exact=True)
    assert again is not first and len(builds) == 2
    assert again.rr_count == first.rr_count + 1
    events.append(Event(t_ns=10 * NS_PER_S, kind=EventKind.REST_START, data={}))
    assert src.zones(events, 0, exact=True) is not again
    assert src.zones(events, 5, exact=True) is not src.zones(events, 0, exact=True)
    # the live (incremental) form keeps its own cache and gives the same figures
    live = src.zones(events, 0, exact=False)
    exact = src.zones(events, 0, exact=True)
    assert (live.rr_count, live.rr_artifacts) == (exact.rr_count, exact.rr_artifacts)
    assert live.zones.summary(401.0) == exact.zones.summary(401.0)
