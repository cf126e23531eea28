"""Incremental analysis of one device's accelerometer: jumps, impact peaks, steps,
falls and trunk posture (`analysis.trunk.TrunkTracker`).

A gap in a device's samples (lost frames, a dropped link) longer than `ACC_GAP_S`
ends the current analysis segment and starts a new one, so no jump is ever assembled
across a gap.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from osteomonitor.analysis.impacts import ImpactCounter
from osteomonitor.analysis.jumps import JumpDetector
from osteomonitor.analysis.movement import StillnessMeter
from osteomonitor.analysis.screen import checked_with_block_sums
from osteomonitor.analysis.steps import (
    RUN_INTERVAL_S,
    STEP_INTERVAL_S,
    STEP_PEAKS,
    StepCounter,
    credited_walking_s,
)
from osteomonitor.analysis.trunk import TRUNK_PLACEMENTS, TrunkTracker
from osteomonitor.model import NS_PER_S, AccBlock, Fall, FloatArray, GaitSummary, Impact, Jump
from osteomonitor.session.impact_tally import ImpactTally

#: A pause in a device's accelerometer samples longer than this (s) ends an analysis
#: segment: a jump is never assembled across a gap (lost frames, link loss).
ACC_GAP_S = 0.25
#: Contiguous accelerometer samples are analysed this many seconds at a time (s).
ACC_BATCH_S = 2.0

#: Steps this close (s) to a jump's take-off or landing are the hops themselves, not
#: walking (the step detector counts any regular impact train).
JUMP_STEP_MARGIN_S = 0.6
#: Steps are added to the overlap counters as arrays from this many at once.
_ARRAY_FROM = 16
#: From this many samples analysed at once (batch), the posture block sums are taken in
#: the pass that computes ‖a‖ (`screen.checked_with_block_sums`).
_SUMS_FROM = 16_384


def _inside_jumps(step_times_s: Sequence[float], jumps: Sequence[Jump]) -> npt.NDArray[np.bool_]:
    """Which steps lie inside [take-off − margin, landing + margin] of a jump."""
    t = np.asarray(step_times_s, dtype=np.float64)
    if not jumps:
        return np.zeros(t.size, dtype=bool)
    lo = np.array([j.takeoff_s - JUMP_STEP_MARGIN_S for j in jumps])
    hi = np.array([j.landing_s + JUMP_STEP_MARGIN_S for j in jumps])
    k = np.searchsorted(lo, t, side="right") - 1  # the last jump starting before each step
    return (k >= 0) & (t <= hi[np.clip(k, 0, None)])


def _steps_outside_jumps(step_times_s: Sequence[float], jumps: Sequence[Jump]) -> int:
    """Count steps not inside a jump's window (see `_inside_jumps`)."""
    return int(len(step_times_s) - _inside_jumps(step_times_s, jumps).sum())


def _walking_inside_jumps(step_times_s: Sequence[float], jumps: Sequence[Jump]) -> float:
    """Walking seconds the step counter credited to intervals ending on a hop, s."""
    return credited_walking_s(
        np.asarray(step_times_s, dtype=np.float64), _inside_jumps(step_times_s, jumps)
    )


class AccTrack:
    """Incremental analysis of one device's accelerometer, segment by segment."""

    def __init__(
        self, device: str, placement: str, origin_ns: int, band_set: str = "vainionpaa"
    ) -> None:
        self.device = device
        self.origin_ns = origin_ns  # session start: times are seconds from it
        self.placement = placement
        self.fs_hz: float | None = None
        self.range_g: float | None = None
        self.jumps: list[Jump] = []
        self.peaks: list[Impact] = []
        self.impacts = ImpactTally(band_set, placement)
        self.covered_ns = 0
        self.step_times_s: array[float] = array("d")
        self._steps = _StepOverlap()
        self._closed_walking = (0.0, 0.0)  # (walking_s, cadence × walking_s) of closed segments
        self._closed_running = (0, 0.0)
        self._seg_t0_ns = 0
        self._last_ns: int | None = None
        self._pending: list[FloatArray] = []
        self._still: StillnessMeter | None = None
        self.analysed_until_ns: int | None = None
        self._pending_n = 0
        self._jd: JumpDetector | None = None
        self._ic: ImpactCounter | None = None
        self._sc: StepCounter | None = None
        self.trunk = TrunkTracker() if placement in TRUNK_PLACEMENTS else None
        self.new_falls: list[Fall] = []  # confirmed since the processor last took them
        self.new_bends_s: list[float] = []  # sustained bends begun since then (starts, s)

    def _shift_jumps(self, jumps: Iterable[Jump]) -> list[Jump]:
        """Segment-relative times → session-relative seconds."""
        off = (self._seg_t0_ns - self.origin_ns) / NS_PER_S
        return [replace(j, takeoff_s=j.takeoff_s + off, landing_s=j.landing_s + off) for j in jumps]

    def _open(self, block: AccBlock) -> None:
        self.fs_hz, self.range_g = block.fs_hz, block.range_g
        self._seg_t0_ns = int(block.t_ns[0])
        t0_s = (self._seg_t0_ns - self.origin_ns) / NS_PER_S
        self._jd = JumpDetector(block.fs_hz, block.range_g)
        # one peak search for impacts and steps: the step peaks are the impact peaks
        # that also pass the step detector's wider search (`impacts.wider_peaks`)
        self._ic = ImpactCounter(block.fs_hz, block.range_g, wide=STEP_PEAKS, t0_s=t0_s)
        self._sc = StepCounter(block.fs_hz)
        self._still = StillnessMeter(block.fs_hz)
        if self.trunk is not None:
            self.new_falls += self.trunk.start(block.fs_hz, t0_s)

    def _close(self) -> list[Jump]:
        """End the current segment: analyse what is buffered, flush every detector."""
        if self._jd is None or self._ic is None or self._sc is None:
            return []
        new = self.sync()
        flushed = self._shift_jumps(self._jd.flush())
        self._add_jumps(flushed)
        new += flushed
        self._add_peaks(self._ic.flush())
        self._add_steps(self._shift_times(self._sc.feed_peak_times(self._ic.take_wide())))
        self._sc.end()
        w, wc = self._closed_walking
        r = self._sc.result()
        self._closed_walking = (w + r.walking_s, wc + (r.cadence_spm or 0.0) * r.walking_s)
        r_n, r_s = self._closed_running
        self._closed_running = (r_n + self._jd.running_strides, r_s + self._jd.running_s)
        if self.trunk is not None:
            self.new_falls += self.trunk.end()
        self._jd = self._ic = self._sc = None
        self._still = None
        return new

    def feed(self, block: AccBlock) -> list[Jump]:
        """Take one block; returns jumps confirmed by the analysis it triggered.

        Contiguous samples are buffered and analysed `ACC_BATCH_S` at a time (the
        detectors give the same answer for any chunking; fewer, larger calls are
        cheaper). A gap or a rate change first analyses what is buffered, then ends
        the segment.
        """
        if len(block) == 0:
            return []
        new: list[Jump] = []
        first = int(block.t_ns[0])
        gap_ns = ACC_GAP_S * NS_PER_S
        if (
            self._jd is None
            or self._last_ns is None
            or first - self._last_ns > gap_ns + NS_PER_S / block.fs_hz
            or block.fs_hz != self.fs_hz
        ):
            new += self._close()
            self._open(block)
        else:
            self.covered_ns += first - self._last_ns
        self.covered_ns += int(block.t_ns[-1]) - first
        self._last_ns = int(block.t_ns[-1])
        self._pending.append(np.asarray(block.acc_g, dtype=np.float64))
        self._pending_n += len(block)
        if self._pending_n >= ACC_BATCH_S * block.fs_hz:
            new += self.sync()
        return new

    def sync(self) -> list[Jump]:
        """Analyse everything buffered; returns newly confirmed jumps."""
        if not self._pending or self._jd is None or self._ic is None or self._sc is None:
            return []
        acc = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending)
        self._pending.clear()
        self._pending_n = 0
        # ‖a‖ once for every detector, of the samples as each detector cleans them
        # (a non-finite row reads as 1 g at rest)
        # a long stretch (batch): the posture tracker's block sums in the same pass
        b = self.trunk.aligned_block if self.trunk is not None else None
        b = b if acc.shape[0] >= _SUMS_FROM else None
        raw, (acc, mag, sums) = acc, checked_with_block_sums(acc, "AccTrack", b)
        found = self._shift_jumps(self._jd.feed(acc, mag, checked=True))
        self._add_jumps(found)
        self._add_peaks(self._ic.feed(acc, mag, checked=True))
        self._add_steps(self._shift_times(self._sc.feed_peak_times(self._ic.take_wide())))
        if self._still is not None:
            self._still.feed(raw)
        self.analysed_until_ns = self._last_ns
        if self.trunk is not None:
            self.new_falls += self.trunk.feed(acc, mag, checked=True, sums=sums)
            self.new_bends_s += self.trunk.new_episode_starts_s
        return found

    @property
    def still_s(self) -> float:
        """Stillness of the current segment up to its last analysed second, s."""
        return self._still.still_s if self._still is not None else 0.0

    def _shift_times(self, times: Iterable[float]) -> list[float]:
        off = (self._seg_t0_ns - self.origin_ns) / NS_PER_S
        return [t + off for t in times]

    def _add_jumps(self, jumps: list[Jump]) -> None:
        self.jumps.extend(jumps)
        for j in jumps:
            self._steps.jump(self.step_times_s, j)

    def _add_peaks(self, peaks: list[Impact]) -> None:
        self.peaks.extend(peaks)
        self.impacts.add(peaks)

    def _add_steps(self, times: list[float]) -> None:
        if len(times) < _ARRAY_FROM:  # a live chunk's few steps
            for t in times:
                self.step_times_s.append(t)
                self._steps.step(self.step_times_s)
            return
        self.step_times_s.extend(times)
        self._steps.steps(self.step_times_s, len(times))

    def recent_steps(self, n: int) -> list[float]:
        """Of the last `n` counted steps, those not inside a jump's window, s."""
        t = self.step_times_s[-n:]
        inside = self._steps.inside[-n:]
        return [ti for ti, k in zip(t, inside, strict=True) if not k]

    def gait(self, exact: bool = True) -> GaitSummary:
        """Steps (minus those inside jump bouts), walking time, cadence, running.

        With `exact=False` (live snapshots) the steps inside jump windows come from
        running counters (`_StepOverlap`); the step count is the same, walking time may
        differ in the last bits from the exact figure the summary computes once.
        """
        running_n, running_s = self._closed_running
        walking, wc = self._closed_walking
        if self._sc is not None and self._jd is not None:
            running_n += self._jd.running_strides
            running_s += self._jd.running_s
            r = self._sc.result()
            walking += r.walking_s
            wc += (r.cadence_spm or 0.0) * r.walking_s
        if exact:
            steps = _steps_outside_jumps(self.step_times_s, self.jumps)
            inside_s = _walking_inside_jumps(self.step_times_s, self.jumps)
        else:
            steps = len(self.step_times_s) - self._steps.n_inside
            inside_s = self._steps.walking_inside_s
        cadence = wc / walking if walking > 0 else None
        walking = max(0.0, walking - inside_s)
        return GaitSummary(steps, walking, cadence if walking > 0 else None, running_s, running_n)

    def finish(self) -> list[Jump]:
        """End of session: analyse and flush everything."""
        return self._close()


class _StepOverlap:
    """Which counted steps lie inside a jump's window, kept as jumps and steps arrive.

    The rule of `_inside_jumps`: a step at t is inside when the last jump whose window
    starts at or before t (take-off − margin) has not ended by t (landing + margin).
    A new step is judged against the jumps so far; a newly confirmed jump re-judges only
    the steps from its window's start on (the recent ones). `walking_inside_s` is the
    walking time `credited_walking_s` gives those steps, summed as flags change.
    """

    def __init__(self) -> None:
        self.inside = bytearray()
        self._credit: array[float] = array("d")  # walking credit of each step's interval
        self._lo: list[float] = []
        self._hi: list[float] = []
        self.n_inside = 0
        self.walking_inside_s = 0.0

    def _judge(self, t: float) -> bool:
        k = bisect.bisect_right(self._lo, t) - 1
        return k >= 0 and t <= self._hi[k]

    def _set(self, i: int, flag: bool) -> None:
        if bool(self.inside[i]) != flag:
            self.inside[i] = 1 if flag else 0
            sign = 1 if flag else -1
            self.n_inside += sign
            self.walking_inside_s += sign * self._credit[i]

    def step(self, times: Sequence[float]) -> None:
        """The newest of `times` was just counted."""
        i = len(times) - 1
        t = times[i]
        dt = t - times[i - 1] if i >= 1 else float("inf")
        half = (t - times[i - 2]) / 2.0 if i >= 2 else dt
        credit = dt if dt <= STEP_INTERVAL_S[1] and half >= RUN_INTERVAL_S else 0.0
        self._credit.append(credit)
        self.inside.append(0)
        self._set(i, self._judge(t))

    def steps(self, times: array[float], k: int) -> None:
        """The newest `k` of `times` were just counted: `step` for each, as arrays."""
        full = np.asarray(times[-(k + 2) :], dtype=np.float64)  # with two before them
        base = len(times) - full.shape[0]  # index in `times` of full[0]
        g = np.arange(len(times) - k, len(times))  # the new steps' indices
        loc = g - base
        new = full[loc]
        dt = np.where(g >= 1, new - full[np.maximum(loc - 1, 0)], np.inf)
        half = np.where(g >= 2, (new - full[np.maximum(loc - 2, 0)]) / 2.0, dt)
        credit = np.where((dt <= STEP_INTERVAL_S[1]) & (half >= RUN_INTERVAL_S), dt, 0.0)
        self._credit.extend(credit.tolist())
        inside = np.zeros(k, dtype=bool)
        if self._lo:
            j = np.searchsorted(np.asarray(self._lo), new, side="right") - 1
            inside = (j >= 0) & (new <= np.asarray(self._hi)[np.maximum(j, 0)])
        self.inside.extend(inside.astype(np.uint8).tobytes())
        if inside.any():
            self.n_inside += int(inside.sum())
            w = np.concatenate(([self.walking_inside_s], credit[inside]))
            self.walking_inside_s = float(np.cumsum(w)[-1])

    def jump(self, times: Sequence[float], jump: Jump) -> None:
        """A jump was confirmed: re-judge the steps from its window's start on."""
        lo = jump.takeoff_s - JUMP_STEP_MARGIN_S
        hi = jump.landing_s + JUMP_STEP_MARGIN_S
        in_order = not self._lo or lo >= self._lo[-1]
        self._lo.append(lo)
        self._hi.append(hi)
        if not in_order:  # jumps out of order: keep the batch rule's meaning
            order = sorted(range(len(self._lo)), key=self._lo.__getitem__)
            self._lo = [self._lo[k] for k in order]
            self._hi = [self._hi[k] for k in order]
            for i in range(len(times)):
                self._set(i, self._judge(times[i]))
            return
        for i in range(bisect.bisect_left(times, lo), len(times)):
            self._set(i, times[i] <= hi)
