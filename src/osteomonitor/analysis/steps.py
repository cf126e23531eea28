"""Steps and cadence of weight-bearing walking from trunk/hip acceleration.

A step is an impact peak of ‖a‖ (heel strike) of at least `STEP_MIN_PEAK_G`, peaks
merged within `STEP_MERGE_S`; steps count only inside a walking run of at least
`MIN_RUN_STEPS` consecutive intervals within `STEP_INTERVAL_S` (60-200 steps/min) that
stay regular: each within ±`REGULARITY` of the interval of the same foot one stride
earlier (two intervals back). A sensor on one hip sees its own foot's strike and the
far foot's differently, so consecutive intervals alternate (USC-HAD: 0.35 s / 0.70 s
for some walkers) while each foot's rhythm is steady. Cadence and the walking/running
split use the mean of the last two intervals (half a stride). Standing gives no peaks;
cycling with a chest or hip sensor has no heel-strike impacts at step cadence, so it
gives no walking. `StepCounter` is the incremental form; `detect_steps` feeds it all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from osteomonitor.model import GaitSummary

from .impacts import ImpactCounter
from .jumps import JumpAnalysis
from .signal import FloatArray

#: Heel-strike peak of ‖a‖ at the trunk/hip, g. Walking gives ≈ 1-2 g peaks (domain
#: §1.4 [B]); 1.1 g (the Vainionpää band edge) leaves standing sway out. Tuning note:
#: USC-HAD a9 standing gives no steps; at 1.2 g a hip sensor missed the weaker step.
STEP_MIN_PEAK_G = 1.1
#: One step per this window at most, s (240 steps/min ceiling).
STEP_MERGE_S = 0.25
#: Accepted step interval, s: 60-200 steps/min.
STEP_INTERVAL_S = (0.3, 1.0)
#: A walking run needs this many consecutive regular intervals.
MIN_RUN_STEPS = 4
#: Each interval within ±50% of the same foot's previous one (two intervals back).
#: Design choice [B]; comparing with the immediately previous interval instead split
#: the alternating walks of USC-HAD subjects 3, 5, 6 and 10 into nothing.
REGULARITY = 0.5
#: The two feet's consecutive intervals may differ up to this factor (USC-HAD hip
#: walks reach 2.1: 0.35 s / 0.74 s); design choice [B].
FOOT_RATIO_MAX = 2.5
#: The step detector's peak search as an `ImpactCounter` `wide` search: (g, s).
STEP_PEAKS = (STEP_MIN_PEAK_G, STEP_MERGE_S)
#: Step intervals shorter than this are running, not walking, s (≥ 150 steps/min).
RUN_INTERVAL_S = 0.4


#: `StepCounter` walks the run rule a stretch of regular steps at a time from this many
#: new peaks at once; fewer (live chunks) one at a time.
_STRETCH_FROM = 32


@dataclass(frozen=True, slots=True)
class StepResult:
    """Steps of a signal.

    Attributes:
        step_times_s: (k,) times of counted steps, s from the first sample.
        segments_s: (start, end) of each walking run, s.
        cadence_spm: median cadence over walking intervals, steps/min (None if none).
        walking_s: seconds inside walking runs (intervals ≥ `RUN_INTERVAL_S`).
    """

    step_times_s: FloatArray
    segments_s: list[tuple[float, float]] = field(default_factory=list)
    cadence_spm: float | None = None
    walking_s: float = 0.0


class StepCounter:
    """Incremental step counter (`feed` chunks, `flush`, then `result()`).

    Memory: the peak finder's window, the current run and bounded cadence bins.
    """

    def __init__(self, fs_hz: float) -> None:
        self._peaks = ImpactCounter(fs_hz, None, STEP_MIN_PEAK_G, STEP_MERGE_S)
        self._run: list[float] = []  # candidate steps of the current run
        self._counted = False  # current run reached MIN_RUN_STEPS
        self._run_start: float | None = None
        self._segments: list[tuple[float, float]] = []
        self._cad_hist = np.zeros(241, dtype=np.int64)  # steps/min histogram, 1-spm bins
        self.walking_s = 0.0
        self.steps = 0

    def feed(self, acc_g: FloatArray, mag: FloatArray | None = None) -> list[float]:
        """Add (k, 3) samples in g (and their (k,) ‖a‖ when the caller has it already);
        return the step times newly counted, s."""
        return self._take(self._peaks.feed_times(acc_g, mag))

    def flush(self) -> list[float]:
        """End of signal."""
        out = self._take(self._peaks.flush_times())
        self._close_run()
        return out

    def feed_peak_times(self, times_s: list[float]) -> list[float]:
        """Take the peak times its peak finder would have found (`impacts.wider_peaks`
        over the same ‖a‖, e.g. an `ImpactCounter` built with `wide=STEP_PEAKS`);
        returns the step times newly counted, s."""
        return self._take(times_s)

    def end(self) -> None:
        """End of signal after `feed_peak_times` (what `flush` does after its peaks)."""
        self._close_run()

    def _close_run(self) -> None:
        if self._counted and self._run_start is not None and self._run:
            self._segments.append((self._run_start, self._run[-1]))
        self._run = []
        self._run_start = None
        self._counted = False

    def _take(self, times: list[float]) -> list[float]:
        """Walk the new peak times through the run rule; returns the steps counted.

        The rule's tests are computed for every interval at once; only the run
        bookkeeping (which test applies: one, two or three steps into the run) walks
        the peaks, then the counted steps' intervals are accounted as arrays.
        """
        if not times:
            return []
        carried = len(self._run)
        t = np.asarray(self._run + list(times), dtype=np.float64)
        n = t.shape[0]
        lo, hi = STEP_INTERVAL_S
        d = np.diff(t)  # d[i - 1]: the interval ending at t[i]
        dt = np.concatenate(([np.inf], d))
        in_range = (lo <= dt) & (dt <= hi)
        # three steps or more into the run: the same foot's interval one stride earlier
        ref = np.concatenate(([np.nan] * 3, d[:-2])) if n > 3 else np.full(n, np.nan)
        same_foot = in_range & (np.abs(dt - ref) <= REGULARITY * ref)
        # two steps into it: the other foot's interval
        prev = np.concatenate(([np.nan] * 2, d[:-1])) if n > 2 else np.full(n, np.nan)
        big, small = np.maximum(dt, prev), np.minimum(dt, prev)
        other_foot = in_range & (big <= FOOT_RATIO_MAX * small)
        ok1, ok2, ok3 = in_range.tolist(), other_foot.tolist(), same_foot.tolist()
        # the carried run: its length (3 stands for "3 or more" once counted)
        length = carried if not self._counted else 3
        counted = self._counted
        start = 0  # index in t of the current run's first step
        start_t = self._run_start
        emit = np.zeros(n, dtype=bool)
        pos = np.zeros(n, dtype=np.int64)  # steps before this one in its run (capped)
        if counted:
            pos[:carried] = 3
        else:
            pos[:carried] = np.arange(carried)
        # the steps three or more into a run pass or fail one test (`ok3`): walk them a
        # stretch at a time, up to the next failure
        if n - carried >= _STRETCH_FROM:
            nxt = np.full(n + 1, n, dtype=np.intp)
            fails = np.flatnonzero(~same_foot)
            nxt[fails] = fails
            next_fail = np.minimum.accumulate(nxt[::-1])[::-1].tolist()
        else:  # a live chunk's few peaks: one at a time
            next_fail = list(range(n + 1))
        i = carried
        while i < n:
            if length >= 3:
                j = next_fail[i]  # i … j − 1 pass
                if j > i:
                    pos[i:j] = 3
                    if counted:
                        emit[i:j] = True
                    else:
                        x = i + max(0, MIN_RUN_STEPS - length)  # the step that counts it
                        if x < j:
                            counted = True
                            emit[start:j] = True
                    length += j - i
                    i = j
                    if i == n:
                        break
            if length:
                ok = ok3[i] if length >= 3 else ok2[i] if length == 2 else ok1[i]
                if not ok:
                    if counted and start_t is not None:
                        self._segments.append((start_t, float(t[i - 1])))
                    length = 0
            if not length:
                length, counted, start, start_t = 1, False, i, float(t[i])
                i += 1
                continue
            pos[i] = min(length, 3)
            length += 1
            if not counted and length > MIN_RUN_STEPS:
                counted = True
                emit[start : i + 1] = True
            elif counted:
                emit[i] = True
            i += 1
        keep_from = max(start, n - 3) if counted else start
        self._run = t[keep_from:].tolist()
        self._counted = counted
        self._run_start = start_t
        idx = np.flatnonzero(emit)
        if not idx.size:
            return []
        self.steps += int(idx.size)
        self._intervals(t, idx, pos[idx])
        out: list[float] = t[idx].tolist()
        return out

    def _interval(self, dt: float, two_back: float | None, t: float) -> None:
        """Account one step interval `dt` ending at `t`; `two_back`: the step before last.

        The rule `credited_walking_s` repeats for a whole list of steps.
        """
        step = (t - two_back) / 2.0 if two_back is not None else dt  # half a stride, s
        if step >= RUN_INTERVAL_S:
            self.walking_s += dt
            self._cad_hist[min(240, round(60.0 / step))] += 1

    def _intervals(
        self, t: FloatArray, idx: npt.NDArray[np.intp], pos: npt.NDArray[np.int64]
    ) -> None:
        """Account the intervals ending at the counted steps t[idx] (`pos`: steps before
        each in its run) as `_interval` does one by one, in the same order."""
        has = pos >= 1
        i = idx[has]
        dt = t[i] - t[i - 1]
        two = pos[has] >= 2
        step = np.where(two, (t[i] - t[np.maximum(i - 2, 0)]) / 2.0, dt)
        walk = step >= RUN_INTERVAL_S
        if walk.any():
            self.walking_s = float(np.cumsum(np.concatenate(([self.walking_s], dt[walk])))[-1])
            bins = np.minimum(240, np.round(60.0 / step[walk]).astype(np.int64))
            self._cad_hist += np.bincount(bins, minlength=241)

    def result(self) -> StepResult:
        """Segments, cadence and walking time so far (step times are what `feed` returned;
        `steps` holds the count)."""
        n = int(self._cad_hist.sum())
        cad = None
        if n:
            cum = np.cumsum(self._cad_hist)
            cad = float(np.searchsorted(cum, (n + 1) / 2))
        return StepResult(np.empty(0), list(self._segments), cad, self.walking_s)


def detect_steps(acc_g: FloatArray, fs_hz: float) -> StepResult:
    """Steps, walking segments and cadence of a whole signal (see module docstring).

    Args:
        acc_g: (n, 3) float64 acceleration, g.
        fs_hz: sample rate, Hz.
    """
    c = StepCounter(fs_hz)
    steps = c.feed(acc_g) + c.flush()
    r = c.result()
    return StepResult(np.asarray(steps), r.segments_s, r.cadence_spm, r.walking_s)


def credited_walking_s(step_times_s: FloatArray, where: npt.NDArray[np.bool_]) -> float:
    """Walking seconds `StepCounter` credited to the intervals ending at the steps `where`
    selects, s.

    `step_times_s` are counted steps in order. As in `StepCounter._interval`, an
    interval inside a run (≤ the longest step interval) is walking when its half-stride
    (the mean of it and the interval before) is ≥ `RUN_INTERVAL_S`.
    """
    t = np.asarray(step_times_s, dtype=np.float64)
    if not where.any():
        return 0.0
    dt = np.diff(t, prepend=-np.inf)
    half = np.where(np.arange(t.size) >= 2, (t - np.roll(t, 2)) / 2.0, dt)
    credited = (dt <= STEP_INTERVAL_S[1]) & (half >= RUN_INTERVAL_S) & where
    return float(dt[credited].sum())


def gait_summary(steps: StepResult, jumps: JumpAnalysis | None = None) -> GaitSummary:
    """The model's `GaitSummary` from steps and (optionally) the jump analysis."""
    return GaitSummary(
        steps=int(steps.step_times_s.size),
        walking_s=steps.walking_s,
        cadence_spm=steps.cadence_spm,
        running_s=jumps.running_s if jumps else 0.0,
        running_strides=jumps.running_strides if jumps else 0,
    )


#: The live cadence is taken over the counted steps of this many seconds, s: about ten
#: strides at ordinary cadence, so one missed heel strike moves it little.
RECENT_CADENCE_S = 10.0


def recent_cadence_spm(
    step_times_s: Sequence[float], window_s: float = RECENT_CADENCE_S
) -> float | None:
    """Cadence of the latest walking run over its last `window_s`, steps/min.

    (k − 1) / (t_k − t_1) · 60 over the last steps of the trailing run (consecutive
    intervals ≤ the longest accepted step interval) within `window_s` of the latest
    step; None with fewer than 3 such steps. Staleness (how long ago the latest step
    was) is the caller's to judge.

    Args:
        step_times_s: counted step times in order, s.
        window_s: the span looked back from the latest step, s.
    """
    if len(step_times_s) < 3:
        return None
    last = step_times_s[-1]
    first_i = len(step_times_s) - 1
    while (
        first_i > 0
        and step_times_s[first_i] - step_times_s[first_i - 1] <= STEP_INTERVAL_S[1]
        and last - step_times_s[first_i - 1] <= window_s
    ):
        first_i -= 1
    k = len(step_times_s) - first_i
    span = last - step_times_s[first_i]
    return 60.0 * (k - 1) / span if k >= 3 and span > 0 else None
