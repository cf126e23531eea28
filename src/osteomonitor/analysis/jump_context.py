"""What the jump detector measures and decides per flight candidate (`jumps.JumpDetector`).

For a candidate whose context window is complete: the step rhythm of the smoothed ‖a‖
(running cadence), the push-off before take-off, the change of posture across it, the
share of horizontal to vertical movement (a flight has little horizontal) and the
left-right alternation of running. Kept apart from the detector's buffering and
decisions: once its bout is known, a candidate is a jump, a running stride, a
stepping flight or nothing (`flights.classify_flight`). The detector inherits these
methods and owns every attribute they read.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.model import Jump

from .flights import (
    Candidate,
    FlightClass,
    alternation,
    autocorr_peak,
    autocorr_peak_rows,
    classify_flight,
)
from .jump_signals import JumpSignals
from .thresholds import GRAVITY_M_S2

if TYPE_CHECKING:  # pragma: no cover
    from collections import deque
    from collections.abc import Iterator

    from .signal import FloatArray, IndexArray
    from .thresholds import JumpParams

#: Running time accrues between strides at most this far apart, s (a stride at a jog
#: takes ≈ 0.7 s; two missed strides still count as one running stretch).
STRIDE_GAP_MAX_S = 1.5
#: A gravity estimate shorter than this (g) means the orientation is unknown
#: (sensor tumbling or in free fall for the whole context window).
_MIN_GRAVITY_G = 0.5
#: The running-cadence autocorrelation looks at the smoothed ‖a‖ at most this often, Hz
#: (a 10 ms lag step resolves step periods of 0.25-0.42 s to a few percent).
CADENCE_FS_MAX_HZ = 100.0
#: From this many candidates whose context is due together, `_contexts_together`
#: measures them as arrays (a long recording analysed at once has hundreds).
_BATCH_FROM = 4
#: `_contexts_together` measures the windows of this many candidates at a time
#: (64 × 401 × 3 samples: 0.6 MB, stays in a core's L2 cache).
_CONTEXT_ROWS = 64
#: Posture windows, s: gravity before take-off over [s − 0.6, s − 0.1) (the stance the
#: person left, before any push), after touchdown over [e + 0.5, e + 1.0) (after the
#: landing's impact and rebound, within the context window already waited for).
POSTURE_BEFORE_S = (0.6, 0.1)
POSTURE_AFTER_S = (0.5, 1.0)
#: Push-off is looked for in this window before take-off, s (a jump's propulsive phase
#: lasts 0.15-0.3 s; domain §1.5).
PUSH_WINDOW_S = 0.4


def jump_height_m(flight_s: float) -> float:
    """Jump height from flight time, h = g·t²/8, m (take-off and landing at one level)."""
    return GRAVITY_M_S2 * flight_s * flight_s / 8.0


class JumpContext(JumpSignals):
    """Context measurements of `JumpDetector` (a mixin: the detector holds the state)."""

    _n: int
    _ctx: int
    _ctx_need: int
    _push: int
    _pre: int
    _pre_end: int
    _post: tuple[int, int]
    _cad_step: int
    _cad_lo: int
    _cad_hi: int
    _gait_hi: int
    _p: JumpParams
    _pending: deque[Candidate]
    _recent: deque[Candidate]
    _scan: int
    _bout: int
    _refr: int
    _fs: float
    _stride_gap: int
    _last_jump_p: int | None
    _last_stride_p: int | None
    _batch_contexts: bool
    jumps_total: int
    running_strides: int
    running_s: float
    stepping_flights: int

    def _compute_contexts(self, final: bool) -> None:
        ready: list[Candidate] = []
        for c in self._pending:
            if c.context_done:
                continue
            if not final and self._n < c.p + self._ctx_need:
                break
            ready.append(c)
        if len(ready) >= _BATCH_FROM and self._batch_contexts:
            self._contexts_together(ready)
            return
        for c in ready:
            self._context(c)

    def _context(self, c: Candidate) -> None:
        """Measure one candidate's context (the features `classify_flight` reads)."""
        c.context_done = True
        lo, hi = max(0, c.p - self._ctx), min(self._n, c.p + self._ctx + 1)
        c.cadence_r, c.gait_r, lag = self._cadence_r(lo, hi)
        self._posture(c)
        w = self._raw(lo, hi)
        g = w.sum(axis=0) / w.shape[0]
        g0, g1, g2 = g.tolist()
        gn = math.sqrt(g0 * g0 + g1 * g1 + g2 * g2)
        if gn < _MIN_GRAVITY_G:
            return  # orientation unknown: magnitude-only decision
        u0, u1, u2 = g0 / gn, g1 / gn, g2 / gn
        f0, f1, f2 = (self._raw(c.s, c.e).sum(axis=0) / (c.e - c.s)).tolist()
        if f0 * u0 + f1 * u1 + f2 * u2 >= self._p.flight_vertical_max_g:
            c.hv = math.nan  # feet loaded: not a flight
            return
        # dynamic part d = a − mean(a); vertical d·u, horizontal the rest
        d = w - g
        vd = d[:, 0] * u0 + d[:, 1] * u1 + d[:, 2] * u2
        v2 = float((vd * vd).sum())
        h2 = max(0.0, float((d * d).sum()) - v2)
        c.hv = math.sqrt(h2 / v2) if v2 > 0 else math.inf
        if lag:
            c.alternation = alternation(d - np.outer(vd, (u0, u1, u2)), lag, self._cad_step)

    def _contexts_together(self, ready: list[Candidate]) -> None:
        """`_context` for many candidates: the windows that lie wholly inside the signal
        are measured as (candidates × window) arrays with the same reductions per row;
        the others one by one."""
        ctx, n = self._ctx, self._n
        whole = [c for c in ready if c.p - ctx >= 0 and c.p + ctx + 1 <= n]
        for c in ready:
            if not (c.p - ctx >= 0 and c.p + ctx + 1 <= n):
                self._context(c)
        if not whole:
            return
        self._postures_together(whole)
        flight = self._flight_means(whole)
        # the windows' arrays (k × 401 × 3 samples) a block of candidates at a time:
        # all at once they were several MB of fresh temporaries on a long file
        for i in range(0, len(whole), _CONTEXT_ROWS):
            self._windows_together(whole[i : i + _CONTEXT_ROWS], flight[i : i + _CONTEXT_ROWS])

    def _windows_together(self, whole: list[Candidate], flight: list[list[float]]) -> None:
        """Step rhythm, gravity, H/V ratio and alternation of candidates whose context
        window lies inside the signal (`flight`: their flight means), as row arrays."""
        ctx = self._ctx
        k, width = len(whole), 2 * ctx + 1
        p = np.asarray([c.p for c in whole], dtype=np.intp)
        # step rhythm: the smoothed ‖a‖ of every window, every `_cad_step`-th sample
        x = self._smoothed_rows(p - ctx, width, self._cad_step)
        r_run, _ = autocorr_peak_rows(x, self._cad_lo, self._cad_hi)
        r_gait, lags = autocorr_peak_rows(x, self._cad_lo, self._gait_hi)
        # gravity and the dynamic part of every window
        w = self._raw_rows(p - ctx, width)  # (k, width, 3)
        g = w.sum(axis=1) / width
        units = np.zeros((k, 3))
        live: list[bool] = []
        for i, c in enumerate(whole):
            c.context_done = True
            c.cadence_r, c.gait_r = r_run[i], r_gait[i]
            g0, g1, g2 = g[i].tolist()
            gn = math.sqrt(g0 * g0 + g1 * g1 + g2 * g2)
            if gn < _MIN_GRAVITY_G:
                live.append(False)
                continue
            u0, u1, u2 = g0 / gn, g1 / gn, g2 / gn
            f0, f1, f2 = flight[i]
            if f0 * u0 + f1 * u1 + f2 * u2 >= self._p.flight_vertical_max_g:
                c.hv = math.nan  # feet loaded: not a flight
                live.append(False)
                continue
            units[i] = (u0, u1, u2)
            live.append(True)
        if not any(live):
            return
        d = np.subtract(w, g[:, None, :], out=w)  # (w is a copy, not needed after)
        u = units[:, None, :]
        vd = d[:, :, 0] * u[:, :, 0] + d[:, :, 1] * u[:, :, 1] + d[:, :, 2] * u[:, :, 2]
        v2s = (vd * vd).sum(axis=1).tolist()
        dds = (d * d).sum(axis=(1, 2)).tolist()
        for i, c in enumerate(whole):
            if not live[i]:
                continue
            v2 = v2s[i]
            h2 = max(0.0, dds[i] - v2)
            c.hv = math.sqrt(h2 / v2) if v2 > 0 else math.inf
            if lags[i]:
                u0, u1, u2 = units[i].tolist()
                di, vdi = d[i], vd[i]
                c.alternation = alternation(
                    di - np.outer(vdi, (u0, u1, u2)), lags[i], self._cad_step
                )

    def _flight_means(self, cs: list[Candidate]) -> list[list[float]]:
        """The mean acceleration over each candidate's flight [s, e), [x, y, z]: the
        flights laid as rows (zeros after a shorter one's end) and summed along the row,
        each flight's samples added in order as `_raw(s, e).sum(axis=0)` adds them (the
        trailing +0.0 leave the sum as it is, but for the sign of a zero sum, which the
        vertical test, a product with the gravity direction compared, does not see)."""
        s = np.asarray([c.s for c in cs], dtype=np.intp)
        e = np.asarray([c.e for c in cs], dtype=np.intp)
        n = e - s
        idx = s[:, None] + np.arange(int(n.max()))
        pad = idx >= e[:, None]
        rows = self._raw_at(np.minimum(idx, e[:, None] - 1))  # (k, width, 3)
        rows[pad] = 0.0
        out: list[list[float]] = (rows.sum(axis=1) / n[:, None]).tolist()
        return out

    def _postures_together(self, cs: list[Candidate]) -> None:
        """`_posture` of every candidate in `cs`: the push-off maxima and the gravity
        windows that lie inside the signal as rows of arrays (each window's samples
        added in order, as `_raw(…).sum(axis=0)` adds them), the others one by one."""
        inside = [
            c
            for c in cs
            if c.s - self._push >= 0 and c.s - self._pre >= 0 and c.e + self._post[1] <= self._n
        ]
        for c in cs:
            if not (
                c.s - self._push >= 0 and c.s - self._pre >= 0 and c.e + self._post[1] <= self._n
            ):
                self._posture(c)
        if not inside:
            return
        s = np.asarray([c.s for c in inside], dtype=np.intp)
        e = np.asarray([c.e for c in inside], dtype=np.intp)
        push = self._magv_rows(s - self._push, self._push).max(axis=1).tolist()
        w1, w2 = self._pre - self._pre_end, self._post[1] - self._post[0]
        g1s = self._raw_sums(s - self._pre, w1) / w1
        g2s = self._raw_sums(e + self._post[0], w2) / w2
        for i, c in enumerate(inside):
            c.push_g = push[i]
            c.tilt_deg = _tilt_deg(g1s[i], g2s[i])

    def _posture(self, c: Candidate) -> None:
        """Push-off before take-off and the change of posture across the candidate.

        push_g: highest raw ‖a‖ in the `PUSH_WINDOW_S` before take-off (a jump pushes
        the body up, ≥ 2 g; stepping off a box or dropping onto a seat does not).
        tilt_deg: angle between the mean acceleration (gravity) over `POSTURE_BEFORE_S`
        before take-off and over `POSTURE_AFTER_S` after touchdown; None when either
        window is cut by the signal's start or end or is no usable gravity vector.
        """
        lo = max(0, c.s - self._push)
        if c.s > lo:
            c.push_g = float(self._magv(lo, c.s).max())
        b0, b1 = c.s - self._pre, c.s - self._pre_end
        a0, a1 = c.e + self._post[0], c.e + self._post[1]
        if b0 < 0 or a1 > self._n:
            return
        g1 = self._raw(b0, b1).sum(axis=0) / (b1 - b0)
        g2 = self._raw(a0, a1).sum(axis=0) / (a1 - a0)
        c.tilt_deg = _tilt_deg(g1, g2)

    def _cadence_r(self, lo: int, hi: int) -> tuple[float | None, float | None, int]:
        """Step rhythm of the smoothed ‖a‖ in global [lo, hi).

        Returns (r_run, r_gait, lag): the strongest autocorrelation peak at a lag in
        `run_step_s` (one running step), the strongest at a lag in (`run_step_s`[0],
        `gait_step_max_s`) (one step of a slow jog too) and the latter's lag in samples
        of the decimated window (0 when there is no peak); r = −1 when there is no peak
        in the range, None when the window is too short (see `autocorr_peak`). The
        window is taken every `_cad_step`-th sample (≤ `CADENCE_FS_MAX_HZ`). Running
        repeats at its step period (left and right foot); in two-footed hopping half a
        cycle later the body is in the opposite phase, so r has no peak there or a
        negative one.
        """
        x = np.ascontiguousarray(self._smoothed(lo, hi, self._cad_step))
        r_run, _ = autocorr_peak(x, self._cad_lo, self._cad_hi)
        r_gait, lag = autocorr_peak(x, self._cad_lo, self._gait_hi)
        return r_run, r_gait, lag

    def _smoothed_runs(self, lo: IndexArray, hi: IndexArray) -> FloatArray:  # pragma: no cover
        raise NotImplementedError

    def _smoothed_rows(
        self, lo: IndexArray, width: int, step: int
    ) -> FloatArray:  # pragma: no cover
        raise NotImplementedError

    def _raw_rows(self, lo: IndexArray, width: int) -> FloatArray:  # pragma: no cover
        raise NotImplementedError

    def _magv_rows(self, lo: IndexArray, width: int) -> FloatArray:  # pragma: no cover
        raise NotImplementedError

    def _raw_at(self, idx: IndexArray) -> FloatArray:  # pragma: no cover
        raise NotImplementedError

    def _raw_sums(self, lo: IndexArray, width: int) -> FloatArray:  # pragma: no cover
        raise NotImplementedError

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
                if any(not o.context_done for o in _upto(pend, horizon)):
                    break
            pend.popleft()
            if c.hv is not None and math.isnan(c.hv):
                continue  # rejected by the vertical test
            while self._recent and self._recent[0].p < c.p - self._bout:
                self._recent.popleft()
            bout = [*self._recent, c]
            bout += [o for o in _upto(pend, c.p + self._bout) if not _rejected(o)]
            self._recent.append(c)
            jump = self._classify(c, bout)
            if jump is not None:
                out.append(jump)
        return out

    def _classify(self, c: Candidate, bout: list[Candidate]) -> Jump | None:
        kind = classify_flight(c, bout, self._p)
        if kind is FlightClass.STEPPING:
            self.stepping_flights += 1
        if kind is FlightClass.STRIDE:
            jumping = False
        elif kind is FlightClass.JUMP:
            jumping = True
        else:
            return None
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


def _upto(pend: deque[Candidate], horizon: int) -> Iterator[Candidate]:
    """Pending candidates landing at or before `horizon` (they are in take-off order and
    land after they take off, so the walk stops at the first take-off past it)."""
    for o in pend:
        if o.s > horizon:
            return
        if o.p <= horizon:
            yield o


def _rejected(c: Candidate) -> bool:
    return c.hv is not None and math.isnan(c.hv)


def _tilt_deg(g1: FloatArray, g2: FloatArray) -> float | None:
    """Angle between two mean accelerations (gravity before and after), degrees; None
    when either is shorter than `_MIN_GRAVITY_G` (no usable gravity vector)."""
    n1 = math.sqrt(float(g1 @ g1))
    n2 = math.sqrt(float(g2 @ g2))
    if n1 < _MIN_GRAVITY_G or n2 < _MIN_GRAVITY_G:
        return None
    cos = max(-1.0, min(1.0, float(g1 @ g2) / (n1 * n2)))
    return math.degrees(math.acos(cos))
