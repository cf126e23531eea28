"""`ZoneAccumulator` as it was before the batch fast path (issue 15), kept verbatim as
the reference the fast path must match bit for bit. Test-only."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from osteomonitor.analysis.signal import FloatArray, SignalError
from osteomonitor.analysis.thresholds import DEFAULT_TARGET_PCT as _DEFAULT_TARGET_PCT
from osteomonitor.model import HeartRateSummary, ZoneTime

#: HRmax equations: (intercept, slope per year, source).
HRMAX_EQUATIONS: dict[str, tuple[float, float, str]] = {
    "tanaka": (208.0, 0.7, "Tanaka, Monahan, Seals, JACC 2001;37:153"),
    "gellish": (207.0, 0.7, "Gellish et al., MSSE 2007;39:822"),
    "fox": (220.0, 1.0, "Fox 1971 (comparison only; SD 10-12 bpm)"),
}
#: %HRR zones (lo, hi) after the ACSM intensity classes (very light < 30, light 30-39,
#: moderate 40-59, vigorous 60-89, near-maximal ≥ 90 %HRR; ACSM Guidelines, [B]).
DEFAULT_ZONES: tuple[tuple[float, float], ...] = (
    (-math.inf, 30.0),
    (30.0, 40.0),
    (40.0, 60.0),
    (60.0, 90.0),
    (90.0, math.inf),
)
#: Aerobic target band, %HRR (defined beside its source in `thresholds`).
DEFAULT_TARGET_PCT = _DEFAULT_TARGET_PCT
#: Longest time a valid HR value is carried forward, s (domain §3.6: e.g. 5 s).
MAX_HOLD_S = 5.0
#: Hold of the last sample when the session end is not given, s (1 Hz HRS notifications).
LAST_SAMPLE_S = 1.0
#: Below this coverage the session's zone times are indeterminate (domain §3.6 [B]).
MIN_COVERAGE = 0.8


def hrmax_predicted(age_years: float, method: str = "tanaka") -> float:
    """Predicted HRmax, bpm, by `method` in `HRMAX_EQUATIONS` (default Tanaka)."""
    if method not in HRMAX_EQUATIONS:
        raise SignalError(f"HRmax method {method!r} unknown; use one of {sorted(HRMAX_EQUATIONS)}")
    if not 5 <= float(age_years) <= 110:
        raise SignalError(f"age {age_years!r} years is outside 5-110")
    a, b, _ = HRMAX_EQUATIONS[method]
    return a - b * float(age_years)


def hrr_pct(hr_bpm: float | FloatArray, hrrest_bpm: float, hrmax_bpm: float) -> float | FloatArray:
    """Percent heart-rate reserve, (HR − HRrest)/(HRmax − HRrest)·100 (Karvonen)."""
    if not hrmax_bpm > hrrest_bpm > 0:
        raise SignalError(
            f"need HRmax > HRrest > 0, got HRmax {hrmax_bpm!r}, HRrest {hrrest_bpm!r} bpm"
        )
    return (np.asarray(hr_bpm, dtype=float) - hrrest_bpm) / (hrmax_bpm - hrrest_bpm) * 100.0


def intensity_basis(hr_modulating_medication: bool, hrmax_measured: bool) -> str:
    """ "hr" or "rpe": what compliance is judged on (domain §3.3).

    With HR-modulating medication (beta-blockers) and no HRmax measured on it, RPE 11-14
    is the criterion and HR/%HRR are shown for information only.
    """
    return "rpe" if hr_modulating_medication and not hrmax_measured else "hr"


def zone_name(lo: float, hi: float) -> str:
    """Label of a zone, e.g. "40-60", "<30", "≥90"."""
    if math.isinf(lo):
        return f"<{hi:g}"
    if math.isinf(hi):
        return f"≥{lo:g}"
    return f"{lo:g}-{hi:g}"


class ZoneAccumulator:
    """Incremental time-in-zone; `feed` samples in time order, `summary()` any time.

    Args:
        hrrest_bpm / hrmax_bpm: for %HRR.
        zones: (lo, hi) %HRR bounds, [lo, hi).
        max_hold_s: longest carry of one valid value, s.
        target: (lo, hi) %HRR target band, or None.
        start_s: time before which nothing is credited, s (the session's start: beats
            laid back from the first notification may precede it); None: no bound.
    """

    def __init__(
        self,
        hrrest_bpm: float,
        hrmax_bpm: float,
        zones: Sequence[tuple[float, float]] = DEFAULT_ZONES,
        max_hold_s: float = MAX_HOLD_S,
        target: tuple[float, float] | None = DEFAULT_TARGET_PCT,
        start_s: float | None = None,
    ) -> None:
        hrr_pct(hrrest_bpm, hrrest_bpm, hrmax_bpm)  # validates
        if max_hold_s <= 0:
            raise SignalError(f"max_hold_s must be > 0 s, got {max_hold_s!r}")
        self._rest, self._max = float(hrrest_bpm), float(hrmax_bpm)
        self._zones = tuple((float(a), float(b)) for a, b in zones)
        self._hold = float(max_hold_s)
        self._target = target
        self._start = -math.inf if start_s is None else float(start_s)
        self._secs = [0.0] * len(self._zones)
        self._prev: tuple[float, float, bool] | None = None  # t, hr, valid
        self._t0: float | None = None
        self.valid_s = 0.0
        self.target_s = 0.0
        self._bout = 0.0
        self.longest_bout_s = 0.0
        self._hr_sum = 0.0
        self._hr_n = 0
        self._hr_max: float | None = None

    def _pct(self, hr: float) -> float:
        return (hr - self._rest) / (self._max - self._rest) * 100.0

    def _credit(self, hr: float, dur: float, contiguous: bool) -> None:
        pct = self._pct(hr)
        for k, (lo, hi) in enumerate(self._zones):
            if lo <= pct < hi:
                self._secs[k] += dur
                break
        self.valid_s += dur
        tgt = self._target
        if tgt is not None and tgt[0] <= pct < tgt[1]:
            self.target_s += dur
            self._bout += dur
            self.longest_bout_s = max(self.longest_bout_s, self._bout)
            if not contiguous:
                self._bout = 0.0
        else:
            self._bout = 0.0

    def feed(
        self, t_s: FloatArray, hr_bpm: FloatArray, valid: npt.NDArray[np.bool_] | None = None
    ) -> None:
        """Add samples: times (s, non-decreasing), HR (bpm), validity (default all valid)."""
        t = np.asarray(t_s, dtype=float)
        hr = np.asarray(hr_bpm, dtype=float)
        ok = np.ones(t.shape, bool) if valid is None else np.asarray(valid, dtype=bool)
        if t.shape != hr.shape or t.shape != ok.shape or t.ndim != 1:
            raise SignalError(
                f"ZoneAccumulator.feed: t_s {t.shape}, hr_bpm {hr.shape} and valid "
                f"{ok.shape} must be equal 1-D shapes"
            )
        for ti, hi, vi in zip(t.tolist(), hr.tolist(), ok.tolist(), strict=True):
            if not math.isfinite(ti):
                raise SignalError("ZoneAccumulator.feed: a sample time is not finite")
            vi = vi and math.isfinite(hi)
            if self._t0 is None:
                self._t0 = ti
            if self._prev is not None:
                pt, ph, pv = self._prev
                if ti < pt:
                    raise SignalError(f"ZoneAccumulator.feed: time went back from {pt} s to {ti} s")
                if pv:
                    gap = ti - pt
                    held = max(0.0, pt + min(gap, self._hold) - max(pt, self._start))
                    self._credit(ph, held, gap <= self._hold)
            if not vi:
                self._bout = 0.0
            else:
                self._hr_sum += hi
                self._hr_n += 1
                self._hr_max = hi if self._hr_max is None else max(self._hr_max, hi)
            self._prev = (ti, hi, vi)

    def summary(self, session_s: float | None = None, **labels: object) -> HeartRateSummary:
        """The `HeartRateSummary` so far (does not change the accumulator).

        Args:
            session_s: session duration, s; the last sample holds until its end (at most
                `max_hold_s`). Default: span of the samples plus `LAST_SAMPLE_S`.
            **labels: hrmax_method, hrrest_method, rr_count, rr_artifacts to copy in.
        """
        secs = list(self._secs)
        valid, target, longest, bout = self.valid_s, self.target_s, self.longest_bout_s, self._bout
        if self._prev is not None and self._t0 is not None:
            pt, ph, pv = self._prev
            end = pt + LAST_SAMPLE_S if session_s is None else float(session_s)
            span = end - self._t0 if session_s is None else float(session_s)
            if pv:
                last = max(0.0, min(pt + self._hold, end) - max(pt, self._start))
                pct = self._pct(ph)
                for k, (lo, hi) in enumerate(self._zones):
                    if lo <= pct < hi:
                        secs[k] += last
                        break
                valid += last
                tgt = self._target
                if tgt is not None and tgt[0] <= pct < tgt[1]:
                    target += last
                    longest = max(longest, bout + last)
        else:
            span = float(session_s or 0.0)
        zones = tuple(
            ZoneTime(zone_name(lo, hi), lo, hi, s)
            for (lo, hi), s in zip(self._zones, secs, strict=True)
        )
        return HeartRateSummary(
            hr_mean_bpm=self._hr_sum / self._hr_n if self._hr_n else None,
            hr_max_bpm=self._hr_max,
            hrmax_bpm=self._max,
            hrmax_method=_str(labels.get("hrmax_method")),
            hrrest_bpm=self._rest,
            hrrest_method=_str(labels.get("hrrest_method")),
            zones=zones,
            valid_s=valid,
            unknown_s=max(0.0, span - valid),
            coverage=min(1.0, valid / span) if span > 0 else 0.0,
            target_lo_pct=self._target[0] if self._target else None,
            target_hi_pct=self._target[1] if self._target else None,
            target_s=target,
            longest_bout_s=longest,
            rr_count=int(labels.get("rr_count", 0) or 0),  # type: ignore[call-overload]
            rr_artifacts=int(labels.get("rr_artifacts", 0) or 0),  # type: ignore[call-overload]
        )


def _str(v: object) -> str | None:
    return None if v is None else str(v)


def time_in_zones(
    t_s: FloatArray,
    hr_bpm: FloatArray,
    valid: npt.NDArray[np.bool_] | None,
    hrrest_bpm: float,
    hrmax_bpm: float,
    zones: Sequence[tuple[float, float]] = DEFAULT_ZONES,
    max_hold_s: float = MAX_HOLD_S,
    session_s: float | None = None,
    target: tuple[float, float] | None = DEFAULT_TARGET_PCT,
    **labels: object,
) -> HeartRateSummary:
    """Gap-aware time in %HRR zones, coverage and longest target bout of one session.

    Args:
        t_s: (n,) sample times, s from session start, non-decreasing.
        hr_bpm: (n,) heart rate, bpm.
        valid: (n,) bool validity (see `heart_rate.hr_validity`), or None = all valid.
        hrrest_bpm / hrmax_bpm: resting and maximal HR, bpm.
        zones: %HRR bounds [lo, hi).
        max_hold_s: longest carry of one value, s.
        session_s: session duration, s (for coverage), or None.
        target: %HRR target band or None.
        **labels: hrmax_method, hrrest_method, rr_count, rr_artifacts.
    """
    acc = ZoneAccumulator(hrrest_bpm, hrmax_bpm, zones, max_hold_s, target)
    acc.feed(t_s, hr_bpm, valid)
    return acc.summary(session_s, **labels)
