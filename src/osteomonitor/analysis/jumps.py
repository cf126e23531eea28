"""Jumps from tri-axial acceleration: take-off → flight → landing, any rate and orientation.

Algorithm (domain.md §1.5, parameters in `thresholds.JumpParams` with sources):

1. ‖a‖ per sample, smoothed by a centred moving mean of `smooth_s`.
2. Flight candidates: runs of smoothed ‖a‖ below `flight_hyst_g`; runs separated by
   less than `flight_gap_max_s` (too short for a ground contact) form one flight when
   the whole passes the tests below, else the runs nearest the landing are tried alone
   (an unweighting dip before take-off is no part of the flight). A flight lasts
   `flight_min_s`-`flight_max_s` and its mean (gaps excluded) is below the free-fall
   threshold `flight_g`.
3. Landing: the highest raw ‖a‖ within `landing_window_s` after the run must reach
   `landing_min_g` (the window max merges heel-toe double impacts).
4. Orientation (when the 2·`context_half_s` mean of the acceleration is a usable gravity
   vector): the vertical specific force during the flight must be near 0 g
   (`flight_vertical_max_g`), which rejects countermovement dips and stair steps with
   the feet still loaded; and the horizontal/vertical dynamic RMS ratio is measured.
   Running cadence (any orientation): the strongest autocorrelation peak of the smoothed
   ‖a‖ in the same window at a lag of one running step (`run_step_s`).
5. Context: push-off before take-off, the posture change across the candidate, the
   step rhythm (autocorrelation of ‖a‖ at one step) and, at that step, the left/right
   alternation of the horizontal acceleration.
   Bout: candidates within `bout_half_s` form a bout; `flights.classify_flight` names
   each candidate from its features and the bout's medians (stepping, running stride,
   soft lone landing, drop onto a seat, or jump; rules and their order there).
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

from .flights import Candidate
from .jump_context import (
    CADENCE_FS_MAX_HZ,
    POSTURE_AFTER_S,
    POSTURE_BEFORE_S,
    PUSH_WINDOW_S,
    STRIDE_GAP_MAX_S,
    JumpContext,
)
from .jump_context import jump_height_m as jump_height_m  # re-exported: public API
from .jump_scan import JumpScan, Positions
from .maxima import runs_dense
from .screen import (
    checked_acc_mag,
    moving_mean_runs,
    moving_mean_span,
    runs_below_fast,
    screened_mean_runs,
    screened_moving_mean,
    window_sums,
    windows,
)
from .signal import (
    FloatArray,
    IndexArray,
    check_fs,
    check_range,
    moving_mean_valid,
    odd_width,
    runs_below,
)
from .thresholds import DEFAULT_JUMP_PARAMS, JumpParams

#: From this many new samples at once (batch), the smoothed ‖a‖ is kept as runs
#: (`screen.screened_mean_runs`) and scanned laid side by side (`jump_scan.compact_runs`).
_RUNS_FROM = 16_384


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


class JumpDetector(JumpContext, JumpScan):
    """Incremental jump detector; feed chunks of any size, then `flush()` at the end.

    Args:
        fs_hz: sample rate, Hz (25-416).
        range_g: sensor full-scale range, ±g, for the clipping flag; None = unknown.
        params: detector parameters.

    Attributes:
        running_strides / running_s / stepping_flights: totals so far (see `JumpAnalysis`).
        jumps_total: jumps confirmed so far.
    """

    #: Smooth ‖a‖ exactly only where a flight can be (`screen.screened_moving_mean`) and
    #: on demand for a candidate's windows; False: everywhere (the reference form).
    _screen = True
    #: Measure the contexts due together as arrays (`JumpContext._contexts_together`);
    #: False: one by one (the reference form).
    _batch_contexts = True
    #: Judge the flight runs found together as arrays (`jump_scan`); False: one by one
    #: (the reference form).
    _batch_scan = True

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
        # a join must be decided before the landing window is: gap ≤ landing window
        self._gap = min(self._lw, round(params.flight_gap_max_s * fs))
        self._cad_step = max(1, math.ceil(fs / CADENCE_FS_MAX_HZ - 1e-9))
        fs_cad = fs / self._cad_step
        self._cad_lo = max(2, round(params.run_step_s[0] * fs_cad))
        self._cad_hi = max(self._cad_lo, round(params.run_step_s[1] * fs_cad))
        self._gait_hi = max(self._cad_hi, round(params.gait_step_max_s * fs_cad))
        self._min_run = max(1, math.ceil(params.flight_min_s * fs - 1e-9))
        self._max_run = max(self._min_run, math.floor(params.flight_max_s * fs + 1e-9))
        self._ctx = max(1, round(params.context_half_s * fs))
        self._bout = max(1, round(params.bout_half_s * fs))
        self._refr = max(1, round(params.refractory_s * fs))
        self._ctx_need = self._ctx + self._h + 1
        self._pre = round(POSTURE_BEFORE_S[0] * fs)
        self._pre_end = max(1, round(POSTURE_BEFORE_S[1] * fs))
        self._push = max(1, round(PUSH_WINDOW_S * fs))
        self._post = (round(POSTURE_AFTER_S[0] * fs), max(1, round(POSTURE_AFTER_S[1] * fs)))
        self._stride_gap = round(STRIDE_GAP_MAX_S * fs)
        self._buf = np.empty((0, 3), dtype=np.float64)
        self._mag = np.empty(0, dtype=np.float64)  # ‖a‖ of self._buf
        self._sm = np.empty(0, dtype=np.float64)  # smoothed ‖a‖, global [sm0, sm_end)
        self._sm0 = 0  # = buf0, or later after a long stretch (`_scan_runs`)
        # a long stretch's smoothed ‖a‖ where a flight can be: (first sample, runs)
        self._runs: tuple[int, IndexArray, IndexArray, FloatArray] | None = None
        self._buf0 = 0  # global index of self._buf[0] (and of _mag[0])
        self._sm_end = 0  # smoothed ‖a‖ is final below this global index
        self._n = 0  # samples fed so far
        self._scan = 0  # next global index where a flight run may start
        self._skip_long = False  # inside a run longer than flight_max_s
        self._pending: deque[Candidate] = deque()  # undecided, in landing order
        self._recent: deque[Candidate] = deque()  # decided, for bout context
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

    def feed(
        self, acc_g: FloatArray, mag: FloatArray | None = None, *, checked: bool = False
    ) -> list[Jump]:
        """Add samples; return the jumps confirmed by them.

        Args:
            acc_g: (k, 3) float64 acceleration, g, continuing the previous chunk.
            mag: (k,) ‖acc_g‖ when the caller has it already (`signal.magnitude`).
            checked: `acc_g` and `mag` come from `screen.checked_with_magnitude`.
        """
        if self._flushed:
            raise RuntimeError("JumpDetector.feed after flush(); make a new detector")
        a, mag = checked_acc_mag(acc_g, mag, "JumpDetector.feed", checked)
        if a.shape[0]:
            if self._buf.shape[0]:
                self._buf = np.concatenate((self._buf, a))
                self._mag = np.concatenate((self._mag, mag))
            else:
                self._buf, self._mag = a, mag
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

    def _magv(self, lo: int, hi: int) -> FloatArray:
        """‖a‖ for global [lo, hi) (must be buffered)."""
        return self._mag[lo - self._buf0 : hi - self._buf0]

    def _smoothed(self, lo: int, hi: int, step: int = 1) -> FloatArray:
        """Smoothed ‖a‖ for global [lo, hi), every `step`-th sample (must lie below
        `_sm_end`)."""
        if not self._screen:
            return self._sm[lo - self._sm0 : hi - self._sm0 : step]
        # `_sm` is exact only where a flight can be: compute these values (the same sums)
        b0 = self._buf0
        return moving_mean_span(self._mag, lo - b0, hi - b0, self._h, 0, self._n - b0)[::step]

    def _smoothed_runs(self, lo: IndexArray, hi: IndexArray) -> FloatArray:
        """Smoothed ‖a‖ of the global runs [lo[k], hi[k]), laid side by side (each
        must lie below `_sm_end`)."""
        b0 = self._buf0
        if not self._screen:
            s0 = self._sm0
            return np.concatenate([self._sm[a - s0 : b - s0] for a, b in zip(lo, hi, strict=True)])
        return moving_mean_runs(self._mag, lo - b0, hi - b0, self._h, 0, self._n - b0)

    def _smoothed_rows(self, lo: IndexArray, width: int, step: int) -> FloatArray:
        """Smoothed ‖a‖ of the global windows [lo[k], lo[k] + width), every `step`-th
        sample, (k, ⌈width / step⌉), contiguous (each must lie below `_sm_end`).

        Windows whose smoothing margins lie inside the buffer: the moving mean of only
        the samples kept, the same additions in the same order as `moving_mean_valid`.
        """
        b0, h = self._buf0, self._h
        a = lo - b0 - h
        if (
            self._screen
            and a.size
            and int(a.min()) >= 0
            and int(a.max()) + width + 2 * h <= self._n - b0
        ):
            rows = windows(self._mag, a, width + 2 * h)
            acc = rows[:, 0:width:step].copy()
            for j in range(1, 2 * h + 1):
                acc += rows[:, j : j + width : step]
            out: FloatArray = acc / (2 * h + 1)
            return out
        sm = self._smoothed_runs(lo, lo + width).reshape(lo.size, width)
        return np.ascontiguousarray(sm[:, ::step])

    def _raw_rows(self, lo: IndexArray, width: int) -> FloatArray:
        """Raw samples of the global windows [lo[k], lo[k] + width), (k, width, 3)."""
        return windows(self._buf, lo - self._buf0, width)

    def _magv_rows(self, lo: IndexArray, width: int) -> FloatArray:
        """‖a‖ of the global windows [lo[k], lo[k] + width), (k, width)."""
        return windows(self._mag, lo - self._buf0, width)

    def _raw_sums(self, lo: IndexArray, width: int) -> FloatArray:
        """Sums of the raw samples of the global windows [lo[k], lo[k] + width), (k, 3),
        each window's rows added in order (`screen.window_sums`)."""
        return window_sums(self._buf, lo - self._buf0, width)

    def _raw_at(self, idx: IndexArray) -> FloatArray:
        """Raw samples at the global indices `idx` (any shape), shape (*idx.shape, 3)."""
        out: FloatArray = self._buf[idx - self._buf0]
        return out

    def _extend(self, final: bool) -> None:
        """Bring the smoothed ‖a‖ up to date with the samples.

        Each smoothed sample is the moving mean of the same 2·h + 1 raw magnitudes
        (edges of the signal replicate the first/last sample), computed once when its
        window is complete, so its value never depends on the chunking.
        """
        n, h, b0 = self._n, self._h, self._buf0
        upto = n if final else n - h
        lo = self._sm_end
        if upto - lo >= _RUNS_FROM and self._screen:
            # a long stretch (batch): only the runs where a flight can be, for
            # `_scan_runs` (no full-length array of +∞ fills: ~4 ms of fresh pages and
            # a pass over 17 MB for 3 hours); the kept ‖a‖ is never NaN
            rs, re_, rv = screened_mean_runs(
                self._mag, lo - b0, upto - b0, h, 0, n - b0, keep_below=self._p.flight_hyst_g
            )
            self._runs = (lo, rs + b0, re_ + b0, rv)
            self._sm_end = upto
        elif upto > lo and self._screen:
            # exact only where a flight run can be (below `flight_hyst_g`), +∞ elsewhere;
            # the kept ‖a‖ is never NaN (`checked_acc_mag`)
            new = screened_moving_mean(
                self._mag, lo - b0, upto - b0, h, 0, n - b0,
                keep_below=self._p.flight_hyst_g, fill=np.inf, nan_free=True,
            )  # fmt: skip
            keep = self._sm[: lo - self._sm0]
            self._sm = np.concatenate((keep, new)) if keep.shape[0] else new
            self._sm_end = upto
        elif upto > lo:
            src_lo, src_hi = max(0, lo - h), min(n, upto + h)
            mag = self._magv(src_lo, src_hi)
            pad_lo, pad_hi = src_lo - (lo - h), (upto + h) - src_hi
            if pad_lo or pad_hi:
                mag = np.concatenate((np.full(pad_lo, mag[0]), mag, np.full(pad_hi, mag[-1])))
            new = moving_mean_valid(mag, self._w)
            keep = self._sm[: lo - self._sm0]
            self._sm = np.concatenate((keep, new)) if keep.shape[0] else new
            self._sm_end = upto

    def _process(self, final: bool) -> list[Jump]:
        self._extend(final)
        valid_end = self._sm_end
        lo = self._scan
        if valid_end > lo:
            self._scan_runs(lo, valid_end, final)
        self._compute_contexts(final)
        out = self._decide(final)
        self._trim()
        return out

    def _scan_runs(self, lo: int, valid_end: int, final: bool) -> None:
        p = self._p
        runs = self._runs
        if runs is not None:  # a long stretch: its runs laid side by side
            self._runs = None
            runs, m, pos, starts, ends = self._runs_to_scan(lo, runs)
        else:
            m = self._sm[lo - self._sm0 : valid_end - self._sm0]
            starts, ends = (runs_below_fast if self._screen else runs_below)(m, p.flight_hyst_g)
            pos = Positions(lo)
        gap = self._gap
        first = np.ones(starts.size, dtype=bool)  # sub-run opens a group
        if gap and starts.size > 1:
            # one flight, briefly above the threshold (body rotation): group runs whose
            # gap is too short to be a ground contact
            first[1:] = (starts[1:] - ends[:-1]) > gap
        heads = np.flatnonzero(first)
        sub_s, sub_e = starts.tolist(), ends.tolist()
        g_end = [*heads[1:].tolist(), starts.size]  # one past each group's last sub-run
        starts = starts[heads]
        ends = ends[np.asarray(g_end, dtype=np.intp) - 1] if heads.size else ends
        new_scan = valid_end
        todo: list[list[tuple[int, int]]] = []  # groups to judge, in order
        for k, (s_loc, e_loc) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            s, e = lo + s_loc, lo + e_loc
            if k == 0 and self._skip_long:
                if s_loc <= gap:  # the long run goes on (or a run joins it)
                    if e == valid_end and not final:
                        new_scan = valid_end  # still inside the long run
                        break
                    if e + gap >= valid_end and not final:
                        new_scan = e  # a run may still join it
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
            if e >= self._n:
                continue  # flight cut by the end of the signal: partial
            h0 = int(heads[k])
            group = zip(sub_s[h0 : g_end[k]], sub_e[h0 : g_end[k]], strict=True)
            todo.append([(lo + a, lo + b) for a, b in group])
        else:
            if self._skip_long and starts.size == 0:
                if not final and valid_end - lo <= gap:
                    new_scan = lo  # a run starting soon would still join the long one
                else:
                    self._skip_long = False
        self._scan = new_scan
        self._consider_groups(todo, m, pos)
        if runs is not None:  # keep what a later scan reads: [new_scan, valid_end)
            self._sm = runs_dense(*runs[1:], new_scan, valid_end, fill=np.inf)
            self._sm0 = new_scan

    def _trim(self) -> None:
        # future candidates land after the scan point; their context reaches back
        keep = self._scan - self._ctx - 2 * self._h - 1
        for c in self._pending:
            keep = min(keep, c.s - self._pre, c.p - self._ctx - self._h)
        keep = max(0, keep)
        if keep > self._buf0:
            cut = keep - self._buf0
            self._buf = self._buf[cut:].copy()
            self._mag = self._mag[cut:].copy()
            sm_cut = max(0, keep - self._sm0)
            self._sm = self._sm[sm_cut:].copy()
            self._sm0 += sm_cut
            self._buf0 = keep


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
