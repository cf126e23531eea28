"""Trunk inclination from the gravity direction of a chest, waist or hip IMU.

The accelerometer's mean over `window_s` is gravity (plus what the movement does not
average out); its angle from an upright reference (the same sensor's gravity while the
person stood still) is the trunk's inclination from upright, whatever way the sensor
is mounted. A chest strap sees the thoracic trunk; a waist or hip sensor sees the
pelvis and lower trunk, not the spine itself (see docs/metrics.md for the limits).

The reference is given (`reference_g`) or taken automatically from the first
`reference_s` of stillness (spread of ‖a‖ below `still_sd_g`, mean within
`still_tol_g` of 1 g): the session should start standing still. Where a gyroscope is
present, the rotation rate about the reference's vertical axis is reported too
(turning the whole body and twisting the trunk look the same to one sensor).

Output: one `PostureSample` every `step_s` from block means over fixed sample blocks,
so `PostureTracker` (incremental) and `analyse_posture` (batch) agree exactly whatever
the chunking (`feed_latest`, which `TrunkTracker` uses, keeps only the totals and the
latest angle, and decides every total exactly as `feed` does). Time beyond a limit and
sustained episodes (≥ `episode_min_s`, ended `hysteresis_deg` below the limit, no
longer than `bend_max_s`: longer is lying or reclining) are counted as the samples
arrive (`posture_episodes`); the automatic reference is found by `posture_reference`.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from osteomonitor.model import PostureSummary

from .posture_blocks import (
    BlockStats,
    block_sums,
    decision_degrees,
    exact_degrees,
    unit,
    window_cosine,
)
from .posture_episodes import Episodes
from .posture_reference import find_reference
from .signal import FloatArray, SignalError, check_acc, check_fs


@dataclass(frozen=True, slots=True)
class PostureParams:
    """Windows and thresholds of the posture tracker (s, g, degrees).

    Attributes:
        step_s: output interval, s.
        window_s: gravity estimate: mean acceleration over this trailing window, s.
            One second averages out the walking cycle (≈ 1 s stride) while a bend
            (1-3 s down, hold, up in SisFall D16) keeps its plateau.
        reference_s: stillness needed for the automatic upright reference, s.
        still_sd_g / still_tol_g: still = standard deviation of ‖a‖ below
            `still_sd_g` and its mean within `still_tol_g` of 1 g (design choice;
            quiet standing sways by < 0.02 g at the trunk).
        limit_deg: inclination limit of the spinal restriction, degrees. No guideline
            gives a number ("avoid extreme forward bending", "postures with a high
            degree of spinal flexion": Brooke-Wavell et al. BJSM 2022; ESSA 2017); 45° is
            this project's choice, from SisFall's waist sensor (bench/accuracy_posture.py):
            standing and walking stay below 15°, bending at the knees mostly below 30°,
            bending without bending the knees goes beyond 45° (see docs/metrics.md).
        episode_min_s: an inclination beyond the limit held this long is an episode
            (and the live caution), s; brief reaches are not.
        hysteresis_deg: an episode ends when the inclination falls this far below the
            limit.
        bend_max_s: a stretch beyond the limit longer than this is lying or reclining
            (floor exercises, a rest, a fall), not a bend: its time goes to `reclined_s`
            and it is no episode. Design choice: SisFall's bends (D15, D16) last under
            10 s; the sensor cannot tell lying on the back from bending forward.
    """

    step_s: float = 0.1
    window_s: float = 1.0
    reference_s: float = 2.0
    still_sd_g: float = 0.05
    still_tol_g: float = 0.1
    limit_deg: float = 45.0
    episode_min_s: float = 2.0
    hysteresis_deg: float = 5.0
    bend_max_s: float = 30.0


DEFAULT_POSTURE_PARAMS = PostureParams()


@dataclass(frozen=True, slots=True)
class PostureSample:
    """Trunk posture at one instant.

    Attributes:
        t_s: centre of the gravity window, s from the first sample.
        inclination_deg: angle of gravity from the upright reference, degrees.
        rotation_dps: mean rotation rate about the upright axis over the last step,
            deg/s (NaN without a gyroscope).
    """

    t_s: float
    inclination_deg: float
    rotation_dps: float


@dataclass(frozen=True, slots=True)
class PostureAnalysis:
    """Everything the posture tracker found.

    Attributes:
        t_s / inclination_deg / rotation_dps: (k,) series of the samples.
        summary: totals (see `PostureSummary`).
    """

    t_s: FloatArray
    inclination_deg: FloatArray
    rotation_dps: FloatArray
    summary: PostureSummary


class PostureTracker:
    """Incremental trunk-posture tracker (`feed` chunks, then `summary()`).

    Args:
        fs_hz: sample rate, Hz (25-416).
        reference_g: the sensor's gravity vector while standing upright (any length),
            or None to take it from the first still `reference_s`.
        params: windows and thresholds.

    Attributes:
        new_episodes: start times of episodes opened by the last `feed`, s.
    """

    def __init__(
        self,
        fs_hz: float,
        reference_g: tuple[float, float, float] | None = None,
        params: PostureParams = DEFAULT_POSTURE_PARAMS,
    ) -> None:
        self._p = params
        fs = check_fs(fs_hz, "PostureTracker")
        self._ref: FloatArray | None = None
        if reference_g is not None:
            self._ref = _unit(np.asarray(reference_g, dtype=np.float64), "reference_g")
        self._ref_sample: int | None = None if self._ref is None else 0
        self._t0 = 0.0
        self._start(fs)
        self._ep = Episodes(
            params.limit_deg,
            max(1, round(params.episode_min_s / self._step_s)),
            params.hysteresis_deg,
            self._step_s,
            params.bend_max_s,
        )
        self._hist = np.zeros(181, dtype=np.int64)  # 1° bins of inclination
        self._max = 0.0
        self.new_episodes: list[float] = []

    def _start(self, fs: float) -> None:
        p = self._p
        self._fs = fs
        self._b = max(1, round(p.step_s * fs))  # samples per block
        self._step_s = self._b / fs
        self._m = max(1, round(p.window_s / self._step_s))  # blocks per window
        self._r = max(self._m, round(p.reference_s / self._step_s))
        self._acc = np.empty((0, 3))
        self._gyr = np.empty((0, 3))
        self._has_gyro: bool | None = None
        # the last `_r` blocks of this stretch (with ‖a‖ sums while the reference is sought)
        none = BlockStats.none()
        self._hist_blocks = none if self._ref is None else none.without_magnitudes()
        self._k = 0  # blocks completed in this stretch

    def restart(self, fs_hz: float, t0_s: float) -> None:
        """Start a new stretch of signal (after a gap or a rate change) that begins
        `t0_s` after the first; the reference, the distribution and the episode counts
        carry on (an open episode ends at the gap)."""
        self._start(check_fs(fs_hz, "PostureTracker.restart"))
        if self._ref is not None:
            self._ref_sample = 0
        self._t0 = t0_s
        ep = self._ep
        ep.close()
        ep.step_s = self._step_s
        ep.min_steps = max(1, round(self._p.episode_min_s / self._step_s))

    @property
    def reference_sample(self) -> int | None:
        """Sample of the current stretch at which the reference became known (0 when it
        was given or carried over), None while unknown."""
        return self._ref_sample

    @property
    def reference_g(self) -> tuple[float, float, float] | None:
        """The upright reference (unit vector) once known."""
        if self._ref is None:
            return None
        x, y, z = self._ref.tolist()
        return (x, y, z)

    def feed(self, acc_g: FloatArray, gyro_dps: FloatArray | None = None) -> list[PostureSample]:
        """Add samples (and the gyroscope's, same length); return the new posture samples.

        Args:
            acc_g: (k, 3) acceleration, g.
            gyro_dps: (k, 3) angular rate, deg/s, or None. A stream either always has
                a gyroscope or never.
        """
        t, deg, rot = self.feed_arrays(acc_g, gyro_dps)
        return [
            PostureSample(ti, di, ri)
            for ti, di, ri in zip(t.tolist(), deg.tolist(), rot.tolist(), strict=True)
        ]

    def feed_arrays(
        self, acc_g: FloatArray, gyro_dps: FloatArray | None = None, mag: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """`feed`, returning the new samples as (t_s, inclination_deg, rotation_dps) arrays.

        Every block's sums are taken in sample order and every window's in block order
        (`posture_blocks`), so the values never depend on how the signal was chunked.
        `mag`: the samples' ‖a‖ as `signal.magnitude` gives it, when the caller has it.
        """
        got = self._take(acc_g, gyro_dps, mag)
        if got is None:
            empty = np.empty(0)
            return empty, empty, empty
        blocks, lo, hi, first = got
        c, rot = window_cosine(blocks, lo, hi, self._m, self._ref_unit(), self._b)
        deg = exact_degrees(c)
        ks = np.arange(first, first + (hi - lo))
        t = self._times(ks)
        self._account(ks, deg)
        return t, deg, rot

    def feed_latest(
        self,
        acc_g: FloatArray,
        mag: FloatArray | None = None,
        *,
        checked: bool = False,
        sums: FloatArray | None = None,
    ) -> float | None:
        """`feed` without a gyroscope, keeping only the totals: returns the latest
        inclination, degrees (None when no posture sample was completed).

        The distribution, maximum, time beyond the limit and episodes come out exactly
        as with `feed_arrays` (see `posture_blocks.decision_degrees`), faster.

        Args:
            acc_g: (k, 3) acceleration, g.
            mag: (k,) their ‖a‖ as `signal.magnitude` gives it, when the caller has it.
            checked: `acc_g` and `mag` come from `screen.checked_with_magnitude` (finite
                contiguous float64 rows and their finite ‖a‖): the scan of `mag` is left out.
            sums: (3, k // b) sums of the whole blocks of b = `aligned_block` rows of
                `acc_g` from its first row, as `posture_blocks.block_sums` gives them
                (`screen.checked_with_block_sums`); used when the blocks start with
                `acc_g`'s first row, else the sums are taken here.
        """
        got = self._take(acc_g, None, mag, checked, sums)
        if got is None:
            return None
        blocks, lo, hi, first = got
        c, _ = window_cosine(blocks, lo, hi, self._m, self._ref_unit(), self._b)
        ep = self._ep
        deg = decision_degrees(c, (ep.limit, ep.limit - ep.hyst))
        self._account(np.arange(first, first + (hi - lo)), deg)
        return float(deg[-1])

    @property
    def aligned_block(self) -> int | None:
        """Samples per block when the next samples start a block (none are left over
        from the last feed) and there is no gyroscope: the `sums` `feed_latest` can
        take; None otherwise."""
        return self._b if self._acc.shape[0] == 0 and not self._has_gyro else None

    def _ref_unit(self) -> FloatArray:
        if self._ref is None:  # pragma: no cover - _take returns None then
            raise SignalError("posture: no upright reference yet")
        return self._ref

    def _times(self, ks: npt.NDArray[np.int64]) -> FloatArray:
        """Session seconds of the posture samples ending blocks `ks` (window centres)."""
        b = self._b
        return (self._t0 + (ks * b - self._m * b / 2) / self._fs).astype(np.float64)

    def _checked(
        self, acc_g: FloatArray, mag: FloatArray | None, checked: bool = False
    ) -> tuple[FloatArray, bool]:
        """`acc_g` as (n, 3) float64 with non-finite rows at rest (`check_acc`), and
        whether `mag` can stand for its ‖a‖: a finite sum of `mag` (of the right
        length) proves every sample finite, in one pass over ‖a‖ instead of three over
        the axes (an overflowing sum only sends it the checked way)."""
        a = acc_g
        if (
            mag is not None
            and isinstance(a, np.ndarray)
            and a.dtype == np.float64
            and a.ndim == 2
            and a.shape[1] == 3
            and a.flags.c_contiguous
            and mag.shape == (a.shape[0],)
            and (checked or math.isfinite(float(np.add.reduce(mag))))  # inf/NaN spoil it
        ):
            return a, True
        return check_acc(acc_g, "PostureTracker.feed"), False

    def _take(
        self,
        acc_g: FloatArray,
        gyro_dps: FloatArray | None,
        mag: FloatArray | None,
        checked: bool = False,
        sums: FloatArray | None = None,
    ) -> tuple[BlockStats, int, int, int] | None:
        """Buffer the samples and sum the blocks they complete; finds the reference.

        Returns (blocks, lo, hi, first): windows end at columns lo … hi − 1 of
        `blocks`, the first of them at block `first` of the stretch; None when no
        posture sample is due.
        """
        a, mag_ok = self._checked(acc_g, mag, checked)
        if self._has_gyro is None and a.shape[0]:
            self._has_gyro = gyro_dps is not None
        if gyro_dps is not None and self._has_gyro:
            g = check_acc(gyro_dps, "PostureTracker.feed (gyro)")
            if g.shape != a.shape:
                raise SignalError("PostureTracker.feed: gyro_dps must match acc_g's shape")
            self._gyr = np.concatenate((self._gyr, g)) if self._gyr.shape[0] else g
        fresh = self._acc.shape[0] == 0
        self._acc = np.concatenate((self._acc, a)) if self._acc.shape[0] else a
        self.new_episodes = []
        b = self._b
        nb = self._acc.shape[0] // b
        if nb == 0:
            return None
        samples = self._acc[: nb * b]
        self._acc = self._acc[nb * b :]
        gsum = None
        if self._has_gyro:
            gsum = block_sums(self._gyr[: nb * b], b)
            self._gyr = self._gyr[nb * b :]
        if sums is None or not fresh or self._has_gyro or sums.shape != (3, nb):
            sums = block_sums(samples, b)
        new = BlockStats(sums, None, None, gsum)
        hist = self._hist_blocks
        k0 = self._k  # blocks of this stretch before the new ones
        self._k += nb
        first = max(k0 + 1, self._m)  # the first new block that has a whole window
        if self._ref is None:
            given = mag if mag_ok and fresh else None  # ‖a‖ of exactly `samples` onwards
            allb, first, ref = find_reference(
                hist, new, samples, given, k0, first, b, self._r, self._p
            )
            if ref is not None:
                self._ref, self._ref_sample = ref, first * b
        else:
            allb = BlockStats.join(hist, new)
        tail = allb.tail(self._r)
        self._hist_blocks = tail if self._ref is None else tail.without_magnitudes()
        if first > self._k or self._ref is None:
            return None
        return allb, first - (k0 + 1) + hist.n, allb.n, first

    def _account(self, ks: npt.NDArray[np.int64], deg: FloatArray) -> None:
        """Add posture samples ending blocks `ks` to the distribution and episodes."""
        np.add(
            self._hist,
            np.bincount(np.minimum(180, deg.astype(np.int64)), minlength=181),
            out=self._hist,
        )
        self._max = max(self._max, float(deg.max()))
        ep = self._ep
        low = ep.limit - ep.hyst
        mark = deg > low
        mark[1:] |= mark[:-1]  # and the sample after each: it may end the stretch
        mark[0] |= ep.run > 0  # a stretch left open by the previous chunk may end here
        todo = np.flatnonzero(mark)
        if not todo.size:
            return
        tl, dl = self._times(ks[todo]).tolist(), deg[todo].tolist()
        for ti, di in zip(tl, dl, strict=True):
            if (di > low or ep.run > 0) and ep.add(ti, di):
                self.new_episodes.append(ep.run_start_s)

    def summary(self) -> PostureSummary:
        """Inclination distribution, time beyond the limit and episodes so far."""
        n = int(self._hist.sum())
        med = p95 = None
        if n:
            cum = np.cumsum(self._hist)
            med = float(np.searchsorted(cum, 0.5 * n))
            p95 = float(np.searchsorted(cum, 0.95 * n))
        ep = copy.copy(self._ep)  # the open stretch counts as if it ended now
        ep.starts_s = list(ep.starts_s)
        ep.close()
        return PostureSummary(
            reference_known=self._ref is not None,
            measured_s=n * self._step_s,
            median_deg=med,
            p95_deg=p95,
            max_deg=self._max if n else None,
            limit_deg=self._p.limit_deg,
            beyond_s=ep.beyond_s,
            reclined_s=ep.reclined_s,
            episodes=ep.count,
            longest_episode_s=ep.longest_s,
            episode_starts_s=tuple(ep.starts_s),
        )


_unit = unit


def analyse_posture(
    acc_g: FloatArray,
    fs_hz: float,
    gyro_dps: FloatArray | None = None,
    reference_g: tuple[float, float, float] | None = None,
    params: PostureParams = DEFAULT_POSTURE_PARAMS,
) -> PostureAnalysis:
    """Inclination (and rotation) series and summary of a whole signal.

    Args:
        acc_g: (n, 3) acceleration, g, any orientation.
        fs_hz: sample rate, Hz (25-416).
        gyro_dps: (n, 3) angular rate, deg/s, or None.
        reference_g: upright gravity vector, or None for the automatic reference.
        params: windows and thresholds.
    """
    tr = PostureTracker(fs_hz, reference_g, params)
    s = tr.feed(acc_g, gyro_dps)
    return PostureAnalysis(
        np.array([x.t_s for x in s]),
        np.array([x.inclination_deg for x in s]),
        np.array([x.rotation_dps for x in s]),
        tr.summary(),
    )
