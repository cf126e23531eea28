"""Steps and cadence of weight-bearing walking from trunk/hip acceleration.

A step is an impact peak of ‖a‖ (heel strike) of at least `STEP_MIN_PEAK_G`, peaks
merged within `STEP_MERGE_S`; steps count only inside a walking run of at least
`MIN_RUN_STEPS` consecutive intervals within `STEP_INTERVAL_S` (60-200 steps/min) that
stay regular (each within ±`REGULARITY` of the previous one). Standing gives no peaks;
cycling with a chest or hip sensor has no heel-strike impacts at step cadence, so it
gives no walking. `StepCounter` is the incremental form; `detect_steps` feeds it all.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

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
#: Each interval within ±50% of the previous one: a hip sensor sees the near-side and
#: far-side steps differently (design choice [B]; ±30% split USC-HAD walking runs).
REGULARITY = 0.5
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

    def feed(self, acc_g: FloatArray) -> list[float]:
        """Add (k, 3) samples in g; return the step times newly counted, s."""
        return self._take([i.t_s for i in self._peaks.feed(acc_g)])

    def flush(self) -> list[float]:
        """End of signal."""
        out = self._take([i.t_s for i in self._peaks.flush()])
        self._close_run()
        return out

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
                prev = self._run[-1] - self._run[-2] if len(self._run) >= 2 else None
                regular = prev is None or abs(dt - prev) <= REGULARITY * prev
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
                for a, b in itertools.pairwise(new):
                    self._interval(b - a)
            elif self._counted:
                new = [t]
                self._interval(t - self._run[-2])
            if self._counted:
                self._run = self._run[-2:]  # bounded: only the last interval matters
            out.extend(new)
            self.steps += len(new)
        return out

    def _interval(self, dt: float) -> None:
        if dt >= RUN_INTERVAL_S:
            self.walking_s += dt
            self._cad_hist[min(240, round(60.0 / dt))] += 1

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


def gait_summary(steps: StepResult, jumps: JumpAnalysis | None = None) -> GaitSummary:
    """The model's `GaitSummary` from steps and (optionally) the jump analysis."""
    return GaitSummary(
        steps=int(steps.step_times_s.size),
        walking_s=steps.walking_s,
        cadence_spm=steps.cadence_spm,
        running_s=jumps.running_s if jumps else 0.0,
        running_strides=jumps.running_strides if jumps else 0,
    )
