"""Jumps from tri-axial acceleration: take-off → flight → landing, any rate and orientation.

Algorithm (domain.md §1.5, parameters in `thresholds.JumpParams` with sources):

1. ‖a‖ per sample, smoothed by a centred moving mean of `smooth_s`.
2. Flight candidates: maximal runs of smoothed ‖a‖ below `flight_hyst_g` lasting
   `flight_min_s`-`flight_max_s`, whose mean is below the free-fall threshold `flight_g`.
3. Landing: the highest raw ‖a‖ within `landing_window_s` after the run must reach
   `landing_min_g` (the window max merges heel-toe double impacts).
4. Orientation (when the 2·`context_half_s` mean of the acceleration is a usable gravity
   vector): the vertical specific force during the flight must be near 0 g
   (`flight_vertical_max_g`), which rejects countermovement dips and stair steps with
   the feet still loaded; and the horizontal/vertical dynamic RMS ratio is measured.
5. Bout context: candidates within `bout_half_s` form a bout. A bout with long flights
   (median ≥ `bout_flight_min_s`) or little horizontal motion (median ratio <
   `bout_hv_max`) is jumping; otherwise its flights are running strides (landing median
   ≥ `stride_min_g`) or stepping (stairs), never jumps.
6. Refractory: landings closer than `refractory_s` to the previous jump are dropped.

`JumpDetector` is the one implementation; `detect_jumps` feeds it everything at once, so
streaming and batch agree exactly. A jump is confirmed about `bout_half_s +
context_half_s` after its landing. State is O(window): the sample buffer holds a few
seconds and only counters are kept for the whole session.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from osteomonitor.model import Jump

from .signal import (
    FloatArray,
    check_acc,
    check_fs,
    check_range,
    magnitude,
    moving_mean_valid,
    odd_width,
    runs_below,
)
from .thresholds import CLIP_FRACTION, DEFAULT_JUMP_PARAMS, GRAVITY_M_S2, JumpParams

#: A gravity estimate shorter than this (g) means the orientation is unknown
#: (sensor tumbling or in free fall for the whole context window).
_MIN_GRAVITY_G = 0.5
#: Running time accrues between strides at most this far apart, s (a stride at a jog
#: takes ≈ 0.7 s; two missed strides still count as one running stretch).
STRIDE_GAP_MAX_S = 1.5


def jump_height_m(flight_s: float) -> float:
    """Jump height from flight time, h = g·t²/8, m (take-off and landing at one level)."""
    return GRAVITY_M_S2 * flight_s * flight_s / 8.0


@dataclass(slots=True)
class _Candidate:
    s: int  # first flight sample (global index)
    e: int  # first sample after the flight (touchdown)
    p: int  # landing peak
    flight_s: float
    peak_g: float
    slope_g_s: float
    clipped: bool
    hv: float | None = None
    step_s: float | None = None
    context_done: bool = False


@dataclass(frozen=True, slots=True)
class JumpAnalysis:
    """Everything the jump detector found.

    Attributes:
        jumps: confirmed jumps in time order.
        running_strides: flights classified as running strides (not jumps).
        running_s: seconds spanned by consecutive running strides.
        stepping_flights: short flights in stepping bouts (stairs), not counted.
    """

    jumps: list[Jump] = field(default_factory=list)
    running_strides: int = 0
    running_s: float = 0.0
    stepping_flights: int = 0


class JumpDetector:
    """Incremental jump detector; feed chunks of any size, then `flush()` at the end.

    Args:
        fs_hz: sample rate, Hz (25-416).
        range_g: sensor full-scale range, ±g, for the clipping flag; None = unknown.
        params: detector parameters.

    Attributes:
        running_strides / running_s / stepping_flights: totals so far (see `JumpAnalysis`).
        jumps_total: jumps confirmed so far.
    """

    def __init__(
        self, fs_hz: float, range_g: float | None = None, params: JumpParams = DEFAULT_JUMP_PARAMS
    ) -> None:
        self._fs = check_fs(fs_hz, "JumpDetector")
        self._range = check_range(range_g, "JumpDetector")
        self._p = params
        fs = self._fs
        self._w = odd_width(params.smooth_s, fs)
        self._h = self._w // 2
        self._lw = max(1, round(params.landing_window_s * fs))
        self._min_run = max(1, math.ceil(params.flight_min_s * fs - 1e-9))
        self._max_run = max(self._min_run, math.floor(params.flight_max_s * fs + 1e-9))
        self._ctx = max(1, round(params.context_half_s * fs))
        self._bout = max(1, round(params.bout_half_s * fs))
        self._refr = max(1, round(params.refractory_s * fs))
        self._ctx_need = self._ctx + self._refr + self._h + 1
        self._stride_gap = round(STRIDE_GAP_MAX_S * fs)
        self._buf = np.empty((0, 3), dtype=np.float64)
        self._buf0 = 0  # global index of self._buf[0]
        self._n = 0  # samples fed so far
        self._scan = 0  # next global index where a flight run may start
        self._skip_long = False  # inside a run longer than flight_max_s
        self._pending: deque[_Candidate] = deque()  # undecided, in landing order
        self._recent: deque[_Candidate] = deque()  # decided, for bout context
        self._last_jump_p: int | None = None
        self._last_stride_p: int | None = None
        self._flushed = False
        self.jumps_total = 0
        self.running_strides = 0
        self.running_s = 0.0
        self.stepping_flights = 0

    @property
    def fs_hz(self) -> float:
        """Sample rate, Hz."""
        return self._fs

    def feed(self, acc_g: FloatArray) -> list[Jump]:
        """Add samples; return the jumps confirmed by them.

        Args:
            acc_g: (k, 3) float64 acceleration, g, continuing the previous chunk.
        """
        if self._flushed:
            raise RuntimeError("JumpDetector.feed after flush(); make a new detector")
        a = check_acc(acc_g, "JumpDetector.feed")
        if a.shape[0]:
            self._buf = np.concatenate((self._buf, a)) if self._buf.shape[0] else a
            self._n += a.shape[0]
        return self._process(final=False)

    def flush(self) -> list[Jump]:
        """Treat the signal as ended; return the jumps still being confirmed."""
        if self._flushed:
            return []
        out = self._process(final=True)
        self._flushed = True
        return out

    # ------------------------------------------------------------------ internals

    def _raw(self, lo: int, hi: int) -> FloatArray:
        """Raw samples for global [lo, hi) (must be buffered)."""
        return self._buf[lo - self._buf0 : hi - self._buf0]

    def _smoothed(self, lo: int, hi: int) -> FloatArray:
        """Smoothed ‖a‖ for global [lo, hi); edges replicate the first/last sample."""
        h = self._h
        src_lo, src_hi = max(0, lo - h), min(self._n, hi + h)
        mag = magnitude(self._raw(src_lo, src_hi))
        pad_lo = src_lo - (lo - h)
        pad_hi = (hi + h) - src_hi
        if pad_lo or pad_hi:
            mag = np.concatenate((np.full(pad_lo, mag[0]), mag, np.full(pad_hi, mag[-1])))
        return moving_mean_valid(mag, self._w)

    def _process(self, final: bool) -> list[Jump]:
        n = self._n
        valid_end = n if final else n - self._h
        lo = self._scan
        if valid_end > lo:
            self._scan_runs(lo, valid_end, final)
        self._compute_contexts(final)
        out = self._decide(final)
        self._trim()
        return out

    def _scan_runs(self, lo: int, valid_end: int, final: bool) -> None:
        p = self._p
        m = self._smoothed(lo, valid_end)
        starts, ends = runs_below(m, p.flight_hyst_g)
        new_scan = valid_end
        for k, (s_loc, e_loc) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            s, e = lo + s_loc, lo + e_loc
            if k == 0 and self._skip_long:
                if s_loc == 0:
                    if e == valid_end and not final:
                        new_scan = valid_end  # still inside the long run
                        break
                    self._skip_long = False
                    continue
                self._skip_long = False
            if e == valid_end and not final:  # run still open
                if e - s > self._max_run:
                    self._skip_long = True
                    new_scan = valid_end
                else:
                    new_scan = s
                break
            if e + self._lw >= valid_end and not final:  # landing window not complete
                new_scan = s
                break
            if s == 0 or e >= self._n:
                continue  # flight cut by the start or end of the signal: partial
            self._consider(s, e, m[s_loc:e_loc])
        else:
            if self._skip_long and starts.size == 0:
                self._skip_long = False
        self._scan = new_scan

    def _consider(self, s: int, e: int, m_run: FloatArray) -> None:
        p = self._p
        run = e - s
        if run < self._min_run or run > self._max_run:
            return
        if math.fsum(m_run.tolist()) / run >= p.flight_g:
            return
        # refine take-off and touchdown on the raw magnitude: the smoothing moves the
        # run edges by up to its half-width, most at a sharp landing
        h = self._h
        if h:
            lo_r, hi_r = max(1, s - h), min(self._n - 1, e + h)
            below = np.flatnonzero(magnitude(self._raw(lo_r, hi_r)) < p.flight_hyst_g)
            if below.size:
                s, e = lo_r + int(below[0]), lo_r + int(below[-1]) + 1
                run = e - s
        hi = min(self._n, e + self._lw + 1)
        win = self._raw(e, hi)
        mag = magnitude(win)
        m_land = self._smoothed(e, hi)
        if float(m_land.max()) < p.landing_min_g:
            return
        k = int(np.argmax(mag))
        peak = float(mag[k])
        # loading slope from the last flight sample to the landing peak
        base = float(magnitude(self._raw(e - 1, e))[0])
        slope = (peak - base) * self._fs / (k + 1)
        clipped = False
        if self._range is not None:
            clipped = bool((np.abs(win) >= CLIP_FRACTION * self._range).any())
        self._pending.append(_Candidate(s, e, e + k, run / self._fs, peak, slope, clipped))

    def _compute_contexts(self, final: bool) -> None:
        for c in self._pending:
            if c.context_done:
                continue
            if not final and self._n < c.p + self._ctx_need:
                break
            c.context_done = True
            lo, hi = max(0, c.p - self._ctx), min(self._n, c.p + self._ctx + 1)
            c.step_s = self._step_interval(lo, hi)
            w = self._raw(lo, hi)
            g = [math.fsum(w[:, i].tolist()) / w.shape[0] for i in range(3)]
            gn = math.sqrt(g[0] ** 2 + g[1] ** 2 + g[2] ** 2)
            if gn < _MIN_GRAVITY_G:
                continue  # orientation unknown: magnitude-only decision
            u = (g[0] / gn, g[1] / gn, g[2] / gn)
            f = self._raw(c.s, c.e)
            v_flight = f[:, 0] * u[0] + f[:, 1] * u[1] + f[:, 2] * u[2]
            if math.fsum(v_flight.tolist()) / f.shape[0] >= self._p.flight_vertical_max_g:
                c.hv = math.nan  # feet loaded: not a flight
                continue
            v = w[:, 0] * u[0] + w[:, 1] * u[1] + w[:, 2] * u[2]
            vd = v - math.fsum(v.tolist()) / v.shape[0]
            hz = [w[:, i] - v * u[i] for i in range(3)]
            h2 = 0.0
            for comp in hz:
                d = comp - math.fsum(comp.tolist()) / comp.shape[0]
                h2 += math.fsum((d * d).tolist())
            v2 = math.fsum((vd * vd).tolist())
            c.hv = math.sqrt(h2 / v2) if v2 > 0 else math.inf

    def _step_interval(self, lo: int, hi: int) -> float | None:
        """Median interval between impact peaks in global [lo, hi), s (None if < 2).

        An impact peak is a smoothed-‖a‖ sample ≥ `landing_min_g` that is the highest
        within ± `refractory_s` (earlier ties win).
        """
        r = self._refr
        a, b = max(0, lo - r), min(self._n, hi + r)
        m = self._smoothed(a, b)
        neg = np.full(r, -np.inf)
        mp = np.concatenate((neg, m, neg))
        win = np.lib.stride_tricks.sliding_window_view(mp, r)
        # win[j] covers mp[j : j + r]; sample i of m sits at mp[i + r].
        i0, i1 = lo - a, hi - a
        cen = m[i0:i1]
        left = win[i0:i1].max(axis=1)  # m[i - r : i]
        right = win[i0 + r + 1 : i1 + r + 1].max(axis=1)  # m[i + 1 : i + r + 1]
        ok = (cen >= self._p.landing_min_g) & (cen > left) & (cen >= right)
        idx = np.flatnonzero(ok)
        if len(idx) < 2:
            return None
        return _median(sorted(np.diff(idx).tolist())) / self._fs

    def _decide(self, final: bool) -> list[Jump]:
        out: list[Jump] = []
        pend = self._pending
        while pend:
            c = pend[0]
            if not c.context_done:
                break
            if not final:
                horizon = c.p + self._bout
                if self._scan <= horizon or self._n < horizon + self._ctx_need:
                    break
                if any(not o.context_done for o in pend if o.p <= horizon):
                    break
            pend.popleft()
            if c.hv is not None and math.isnan(c.hv):
                continue  # rejected by the vertical test
            while self._recent and self._recent[0].p < c.p - self._bout:
                self._recent.popleft()
            bout = [o for o in self._recent] + [c]
            bout += [o for o in pend if o.p <= c.p + self._bout and not _rejected(o)]
            self._recent.append(c)
            jump = self._classify(c, bout)
            if jump is not None:
                out.append(jump)
        return out

    def _classify(self, c: _Candidate, bout: list[_Candidate]) -> Jump | None:
        p = self._p
        flights = sorted(o.flight_s for o in bout)
        hvs = sorted(o.hv for o in bout if o.hv is not None)
        med_flight = _median(flights)
        steps = sorted(o.step_s for o in bout if o.step_s is not None)
        med_peak = _median(sorted(o.peak_g for o in bout))
        if med_flight >= p.bout_flight_min_s:
            jumping = True
        elif med_peak < p.stride_min_g:
            jumping = False
            self.stepping_flights += 1
            return None
        else:
            jumping = (bool(hvs) and _median(hvs) < p.bout_hv_max) or (
                bool(steps) and _median(steps) >= p.run_step_max_s
            )
        if jumping:
            if self._last_jump_p is not None and c.p - self._last_jump_p < self._refr:
                return None
            self._last_jump_p = c.p
            self.jumps_total += 1
            return Jump(
                takeoff_s=c.s / self._fs,
                landing_s=c.e / self._fs,
                flight_s=c.flight_s,
                height_m=jump_height_m(c.flight_s),
                peak_g=c.peak_g,
                slope_g_s=c.slope_g_s,
                clipped=c.clipped,
            )
        self.running_strides += 1
        last = self._last_stride_p
        if last is not None and c.p - last <= self._stride_gap:
            self.running_s += (c.p - last) / self._fs
        self._last_stride_p = c.p
        return None

    def _trim(self) -> None:
        # future candidates land after the scan point; their context reaches back
        keep = self._scan - self._ctx - self._refr - 2 * self._h - 1
        for c in self._pending:
            keep = min(keep, c.s, c.p - self._ctx - self._refr - self._h)
        keep = max(0, keep)
        if keep > self._buf0:
            self._buf = self._buf[keep - self._buf0 :].copy()
            self._buf0 = keep


def _rejected(c: _Candidate) -> bool:
    return c.hv is not None and math.isnan(c.hv)


def _median(sorted_values: list[float]) -> float:
    n = len(sorted_values)
    mid = n // 2
    return sorted_values[mid] if n % 2 else 0.5 * (sorted_values[mid - 1] + sorted_values[mid])


def analyse_jumps(
    acc_g: FloatArray,
    fs_hz: float,
    range_g: float | None = None,
    params: JumpParams = DEFAULT_JUMP_PARAMS,
) -> JumpAnalysis:
    """Jumps, running strides and stepping flights of a whole signal.

    Args:
        acc_g: (n, 3) float64 acceleration, g, any orientation.
        fs_hz: sample rate, Hz (25-416).
        range_g: sensor full-scale range, ±g (clipping flag), or None.
        params: detector parameters.
    """
    det = JumpDetector(fs_hz, range_g, params)
    jumps = det.feed(acc_g)
    jumps += det.flush()
    return JumpAnalysis(jumps, det.running_strides, det.running_s, det.stepping_flights)


def detect_jumps(
    acc_g: FloatArray,
    fs_hz: float,
    range_g: float | None = None,
    params: JumpParams = DEFAULT_JUMP_PARAMS,
) -> list[Jump]:
    """Jumps in a whole signal; times in s from the first sample (see `analyse_jumps`)."""
    return analyse_jumps(acc_g, fs_hz, range_g, params).jumps
