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
#: Step intervals shorter than this are running, not walking, s (≥ 150 steps/min).
RUN_INTERVAL_S = 0.4


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
        return self._take([i.t_s for i in self._peaks.feed(acc_g, mag)])

    def flush(self) -> list[float]:
        """End of signal."""
        out = self._take([i.t_s for i in self._peaks.flush()])
        self._close_run()
        return out

    def feed_peak_times(self, times_s: list[float]) -> list[float]:
        """Take the peak times its peak finder would have found (`impacts.wider_peaks`
        over the same ‖a‖); returns the step times newly counted, s."""
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
        out: list[float] = []
        lo, hi = STEP_INTERVAL_S
        for t in times:
            if self._run:
                dt = t - self._run[-1]
                run = self._run
                if len(run) >= 3:  # the same foot's interval, one stride earlier
                    ref = run[-2] - run[-3]
                    regular = abs(dt - ref) <= REGULARITY * ref
                elif len(run) == 2:  # the other foot's: near and far steps may differ
                    prev = run[-1] - run[-2]
                    regular = max(dt, prev) <= FOOT_RATIO_MAX * min(dt, prev)
                else:
                    regular = True
                if not (lo <= dt <= hi and regular):
                    self._close_run()
            if not self._run:
                self._run = [t]
                self._run_start = t
                continue
            self._run.append(t)
            new: list[float] = []
            if not self._counted and len(self._run) > MIN_RUN_STEPS:
                self._counted = True
                new = list(self._run)
                for k in range(1, len(new)):
                    self._interval(new[k] - new[k - 1], new[k - 2] if k >= 2 else None, new[k])
            elif self._counted:
                new = [t]
                self._interval(t - self._run[-2], self._run[-3], t)
            if self._counted:
                self._run = self._run[-3:]  # bounded: the last two intervals matter
            out.extend(new)
            self.steps += len(new)
        return out

    def _interval(self, dt: float, two_back: float | None, t: float) -> None:
        """Account one step interval `dt` ending at `t`; `two_back`: the step before last.

        The rule `credited_walking_s` repeats for a whole list of steps.
        """
        step = (t - two_back) / 2.0 if two_back is not None else dt  # half a stride, s
        if step >= RUN_INTERVAL_S:
            self.walking_s += dt
            self._cad_hist[min(240, round(60.0 / step))] += 1

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
