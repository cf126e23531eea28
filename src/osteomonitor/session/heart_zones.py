"""The session's heart-rate summary: zones of the HR series with HRrest and HRmax applied.

HRrest comes from the patient's parameters, else from the first marked resting segment
long enough to use (`analysis.heart_rate.estimate_resting_hr`). Live snapshots take the
series from `HeartTrack`'s frozen part plus its open tail (cost bounded whatever the
session's length); the summary at the end builds it once more by the batch function,
and the two agree exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from osteomonitor.analysis.heart_rate import (
    CONTACT_LOST,
    CONTACT_OK,
    CONTACT_UNSUPPORTED,
    HR_PLAUSIBLE_BPM,
    HrSeries,
    estimate_resting_hr,
)
from osteomonitor.analysis.intensity import DEFAULT_ZONES, MAX_HOLD_S, ZoneAccumulator, hrr_pct
from osteomonitor.analysis.params import AnalysisParams
from osteomonitor.analysis.signal import SignalError
from osteomonitor.model import NS_PER_S, Event, EventKind, FloatArray, HeartRateSummary, HrSample
from osteomonitor.session.heart import HeartTrack

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.devices.hrs_batch import HrColumns


def rest_segments(events: Sequence[Event], start_ns: int) -> list[tuple[float, float]]:
    """Marked resting segments (start, end), s from the session start, in order."""
    out: list[tuple[float, float]] = []
    start = None
    for e in events:
        if e.kind == EventKind.REST_START:
            start = (e.t_ns - start_ns) / NS_PER_S
        elif e.kind == EventKind.REST_END and start is not None:
            out.append((start, (e.t_ns - start_ns) / NS_PER_S))
            start = None
    return out


def rest_from_segments(
    segments: Sequence[tuple[float, float]], series_of: Callable[[float, float], HrSeries]
) -> float | None:
    """Resting HR from the first marked resting segment long enough to use, bpm.

    Args:
        segments: (start, end) s, in order.
        series_of: a callable (lo_s, hi_s) → `HrSeries` holding at least the samples
            with lo_s ≤ t < hi_s.
    """
    from osteomonitor.analysis.heart_rate import RESTING_WINDOW_S

    for start, end in segments:
        s = series_of(end - RESTING_WINDOW_S, end)
        try:
            return estimate_resting_hr(s.t_s, s.hr_bpm, start, end, s.valid)
        except SignalError:
            continue
    return None


def _accumulator(params: AnalysisParams, hrrest: float | None) -> ZoneAccumulator:
    known = hrrest is not None and params.hrmax_bpm is not None
    return ZoneAccumulator(
        # placeholders when unknown: no zones and no target band without them
        hrrest if hrrest is not None and known else 1.0,
        params.hrmax_bpm if params.hrmax_bpm is not None and known else 2.0,
        DEFAULT_ZONES if known else (),
        MAX_HOLD_S,
        params.target_pct if known else None,
        start_s=0.0,
    )


@dataclass(frozen=True, slots=True)
class HeartZones:
    """The zone integration of the HR series so far and what it was built with.

    Attributes:
        zones: an accumulator fed with the whole series (do not feed it more).
        hrrest_bpm / hrrest_method: the resting HR used and where it came from.
        rr_count / rr_artifacts: RR intervals laid as beats and flagged as artifacts.
        series: the whole series when built exactly (None for a live snapshot).
    """

    zones: ZoneAccumulator
    hrrest_bpm: float | None
    hrrest_method: str | None
    rr_count: int
    rr_artifacts: int
    series: HrSeries | None = None

    def summary(self, params: AnalysisParams, duration_s: float) -> HeartRateSummary:
        """The `HeartRateSummary` of a session `duration_s` long (the last value holds
        until the end, at most `MAX_HOLD_S`)."""
        summary = self.zones.summary(
            duration_s,
            hrmax_method=params.hrmax_method,
            hrrest_method=self.hrrest_method,
            rr_count=self.rr_count,
            rr_artifacts=self.rr_artifacts,
        )
        return replace(summary, hrrest_bpm=self.hrrest_bpm, hrmax_bpm=params.hrmax_bpm)


def heart_zones(
    track: HeartTrack,
    params: AnalysisParams,
    events: Sequence[Event],
    start_ns: int,
    exact: bool,
) -> HeartZones:
    """The zones of the HR series so far.

    With `exact` the series is built once more by the batch function (and kept in the
    result); without, the track's incremental series is used: the same numbers, at a
    cost bounded by its open tail.
    """
    segments = rest_segments(events, start_ns)
    hrrest, method = params.hrrest_bpm, params.hrrest_method
    if exact:
        full = track.batch()
        if hrrest is None:
            hrrest = rest_from_segments(segments, lambda lo, hi: full)
            method = "marked-rest-segment" if hrrest is not None else None
        acc = _accumulator(params, hrrest)
        acc.feed(full.t_s, full.hr_bpm, full.valid)
        return HeartZones(acc, hrrest, method, full.rr_count, full.rr_artifacts, full)
    if hrrest is None:
        hrrest = rest_from_segments(segments, track.window)
        method = "marked-rest-segment" if hrrest is not None else None
    rest = hrrest
    acc, artifacts = track.zones(rest, lambda: _accumulator(params, rest))
    return HeartZones(acc, hrrest, method, track.rr_count, artifacts)


#: Integers below this magnitude convert to float64 exactly (2**53).
_EXACT_INT = 2**53
#: Arrival times and starts below this magnitude (ns; 2**62, ~146 years from 1970)
#: subtract in int64 without overflow.
_SAFE_NS = 2**62


def _exact_differences(t_ns: Sequence[int], start_ns: int) -> npt.NDArray[np.int64] | None:
    """t − start for each arrival (ns) as int64, when every one is exact there and in
    float64 (|t|, |start| < 2**62 and |t − start| < 2**53: always for a real session's
    epoch-ns arrivals); else None."""
    if abs(start_ns) >= _SAFE_NS:
        return None
    t = np.asarray(t_ns, dtype=np.int64)  # (arrival times: int64 ns, as decoded)
    if t.size and int(np.abs(t).max()) >= _SAFE_NS:
        return None
    d = t - np.int64(start_ns)
    if t.size and int(np.abs(d).max()) >= _EXACT_INT:
        return None
    return d


def _seconds_from(t_ns: Sequence[int], start_ns: int | None) -> FloatArray:
    """(t − start) / `NS_PER_S` for each arrival `t_ns` (ns; 0 for each when no start),
    s: the values Python's int division gives, one by one (`SessionProcessor._rel_s`).

    As arrays (~0.2 ms for 3 h of 1-Hz notifications, against ~2 ms one by one): the
    int64 difference is exact and so is its float64 (`_exact_differences`), and
    float64 division is correctly rounded, as int / int is; otherwise (never for a real
    session) the values are divided one by one.
    """
    if not start_ns:  # `start_ns or t`: every value 0.0
        return np.zeros(len(t_ns))
    d = _exact_differences(t_ns, start_ns)
    if d is None:
        return np.asarray([(v - start_ns) / NS_PER_S for v in t_ns], dtype=np.float64)
    return d.astype(np.float64) / float(NS_PER_S)


class HeartSource:
    """The session's one HR source (the first device that reports HR) and its zones.

    Args:
        params: the patient's analysis parameters.
    """

    def __init__(self, params: AnalysisParams) -> None:
        self.params = params
        self.device: str | None = None
        self.track = HeartTrack(earliest_s=-MAX_HOLD_S)
        self._cache: tuple[tuple[int, int, int], HeartZones] | None = None
        self._exact: tuple[tuple[int, int, int], HeartZones] | None = None

    def add(self, device: str, sample: HrSample, t_s: float, fold: bool = True) -> int | None:
        """One decoded HR notification at `t_s` (s from the session start); returns its
        contact flag, or None when `device` is not the session's HR source. `fold`: see
        `HeartTrack.add`."""
        if self.device is None:
            self.device = device
        if device != self.device:
            return None
        contact = (
            CONTACT_UNSUPPORTED
            if not sample.contact_supported
            else (CONTACT_OK if sample.contact else CONTACT_LOST)
        )
        self.track.add(t_s, float(sample.hr_bpm), contact, tuple(sample.rr_1024), fold)
        return contact

    def add_many(self, device: str, hr: HrColumns, start_ns: int | None) -> None:
        """A device's decoded HR notifications of a recording, in arrival order, kept
        unfolded (the batch path): the state `add(device, sample, t_s, fold=False)` for
        each row in turn gives, t_s = (t_ns − start_ns) / 1e9 (0 without a start, as
        `SessionProcessor` computes it). Another device's than the one kept adds nothing."""
        if not len(hr):
            return
        if self.device is None:
            self.device = device
        if device != self.device:
            return
        self.track.extend(
            _seconds_from(hr.t_ns, start_ns),
            np.asarray(hr.bpm, dtype=np.float64),  # (ints: exact)
            np.where(
                np.asarray(hr.supported, dtype=bool),
                np.where(np.asarray(hr.contact, dtype=bool), CONTACT_OK, CONTACT_LOST),
                CONTACT_UNSUPPORTED,
            ).astype(np.int8),
            hr.rr_1024,
        )

    def zones(self, events: Sequence[Event], start_ns: int, exact: bool) -> HeartZones:
        """The zones so far: exactly by the batch build, or from the incremental series
        (live; the same numbers). Each is cached until HR notifications or events arrive
        or the session's start becomes known."""
        key = (len(self.track.t_s), len(events), start_ns)
        if exact:  # kept too: `hr_points()` after `summary()` asks for the same
            if self._exact is None or self._exact[0] != key:
                self._exact = (key, heart_zones(self.track, self.params, events, start_ns, True))
            return self._exact[1]
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, heart_zones(self.track, self.params, events, start_ns, False))
        return self._cache[1]

    def current(
        self, now_s: float, heart: HeartRateSummary
    ) -> tuple[float | None, float | None, bool]:
        """The strap's latest value when trustworthy at `now_s`: (bpm, %HRR, valid)."""
        tr = self.track
        if not tr.t_s:
            return None, None, False
        lo, hi = HR_PLAUSIBLE_BPM
        bpm = tr.bpm[-1]
        if tr.contact[-1] == CONTACT_LOST or not lo <= bpm <= hi or now_s - tr.t_s[-1] > MAX_HOLD_S:
            return None, None, False
        hrr = None
        if heart.hrrest_bpm is not None and heart.hrmax_bpm is not None:
            hrr = float(hrr_pct(bpm, heart.hrrest_bpm, heart.hrmax_bpm))
        return bpm, hrr, True
