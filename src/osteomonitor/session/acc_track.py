"""Incremental analysis of one device's accelerometer: jumps, impact peaks, steps,
falls and trunk posture (`analysis.trunk.TrunkTracker`).

A gap in a device's samples (lost frames, a dropped link) longer than `ACC_GAP_S`
ends the current analysis segment and starts a new one, so no jump is ever assembled
across a gap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from osteomonitor.analysis.impacts import ImpactCounter
from osteomonitor.analysis.jumps import JumpDetector
from osteomonitor.analysis.movement import StillnessMeter
from osteomonitor.analysis.steps import StepCounter, credited_walking_s
from osteomonitor.analysis.trunk import TRUNK_PLACEMENTS, TrunkTracker
from osteomonitor.model import NS_PER_S, AccBlock, Fall, FloatArray, GaitSummary, Impact, Jump

#: A pause in a device's accelerometer samples longer than this (s) ends an analysis
#: segment: a jump is never assembled across a gap (lost frames, link loss).
ACC_GAP_S = 0.25
#: Contiguous accelerometer samples are analysed this many seconds at a time (s).
ACC_BATCH_S = 2.0

#: Steps this close (s) to a jump's take-off or landing are the hops themselves, not
#: walking (the step detector counts any regular impact train).
JUMP_STEP_MARGIN_S = 0.6


def _inside_jumps(step_times_s: Sequence[float], jumps: Sequence[Jump]) -> npt.NDArray[np.bool_]:
    """Which steps lie inside [take-off − margin, landing + margin] of a jump."""
    t = np.asarray(step_times_s, dtype=np.float64)
    if not jumps:
        return np.zeros(t.size, dtype=bool)
    lo = np.array([j.takeoff_s - JUMP_STEP_MARGIN_S for j in jumps])
    hi = np.array([j.landing_s + JUMP_STEP_MARGIN_S for j in jumps])
    k = np.searchsorted(lo, t, side="right") - 1  # the last jump starting before each step
    return (k >= 0) & (t <= hi[np.clip(k, 0, None)])


def steps_outside(step_times_s: Sequence[float], jumps: Sequence[Jump]) -> list[float]:
    """The steps not inside a jump's window (see `_inside_jumps`), s."""
    keep = ~_inside_jumps(step_times_s, jumps)
    return [t for t, k in zip(step_times_s, keep, strict=True) if k]


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

    def __init__(self, device: str, placement: str, origin_ns: int) -> None:
        self.device = device
        self.origin_ns = origin_ns  # session start: times are seconds from it
        self.placement = placement
        self.fs_hz: float | None = None
        self.range_g: float | None = None
        self.jumps: list[Jump] = []
        self.peaks: list[Impact] = []
        self.covered_ns = 0
        self.step_times_s: list[float] = []
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

    def _shift_peaks(self, peaks: Iterable[Impact]) -> list[Impact]:
        """Segment-relative times → session-relative seconds."""
        off = (self._seg_t0_ns - self.origin_ns) / NS_PER_S
        return [replace(p, t_s=p.t_s + off) for p in peaks]

    def _open(self, block: AccBlock) -> None:
        self.fs_hz, self.range_g = block.fs_hz, block.range_g
        self._seg_t0_ns = int(block.t_ns[0])
        self._jd = JumpDetector(block.fs_hz, block.range_g)
        self._ic = ImpactCounter(block.fs_hz, block.range_g)
        self._sc = StepCounter(block.fs_hz)
        self._still = StillnessMeter(block.fs_hz)
        t0_s = (self._seg_t0_ns - self.origin_ns) / NS_PER_S
        if self.trunk is not None:
            self.new_falls += self.trunk.start(block.fs_hz, t0_s)

    def _close(self) -> list[Jump]:
        """End the current segment: analyse what is buffered, flush every detector."""
        if self._jd is None or self._ic is None or self._sc is None:
            return []
        new = self.sync()
        flushed = self._shift_jumps(self._jd.flush())
        self.jumps.extend(flushed)
        new += flushed
        self.peaks.extend(self._shift_peaks(self._ic.flush()))
        self.step_times_s.extend(self._shift_times(self._sc.flush()))
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
        found = self._shift_jumps(self._jd.feed(acc))
        self.jumps.extend(found)
        self.peaks.extend(self._shift_peaks(self._ic.feed(acc)))
        self.step_times_s.extend(self._shift_times(self._sc.feed(acc)))
        if self._still is not None:
            self._still.feed(acc)
        self.analysed_until_ns = self._last_ns
        if self.trunk is not None:
            self.new_falls += self.trunk.feed(acc)
            self.new_bends_s += self.trunk.new_episode_starts_s
        return found

    @property
    def still_s(self) -> float:
        """Stillness of the current segment up to its last analysed second, s."""
        return self._still.still_s if self._still is not None else 0.0

    def _shift_times(self, times: Iterable[float]) -> list[float]:
        off = (self._seg_t0_ns - self.origin_ns) / NS_PER_S
        return [t + off for t in times]

    def gait(self) -> GaitSummary:
        """Steps (minus those inside jump bouts), walking time, cadence, running."""
        running_n, running_s = self._closed_running
        walking, wc = self._closed_walking
        if self._sc is not None and self._jd is not None:
            running_n += self._jd.running_strides
            running_s += self._jd.running_s
            r = self._sc.result()
            walking += r.walking_s
            wc += (r.cadence_spm or 0.0) * r.walking_s
        steps = _steps_outside_jumps(self.step_times_s, self.jumps)
        cadence = wc / walking if walking > 0 else None
        walking = max(0.0, walking - _walking_inside_jumps(self.step_times_s, self.jumps))
        return GaitSummary(steps, walking, cadence if walking > 0 else None, running_s, running_n)

    def finish(self) -> list[Jump]:
        """End of session: analyse and flush everything."""
        return self._close()
