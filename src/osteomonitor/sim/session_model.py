"""The built-in exercise session the virtual wearables play: a known answer for tests.

A deterministic function of simulated time and a seed: the same seed gives the same
samples whatever the chunking, the sample rate or the clock drift, so a test can ask the
model for the truth (jump times, flight times, landing peaks, steps, beats) and compare
it with what the analysis found in the recording.

Default plan (10 minutes, repeated for longer sessions): stand, warm-up walking at
~1.9 steps/s, rest, a block of 10 counter-movement jumps, rest, a second block, rest,
walking, cool-down. Heart rate follows first-order kinetics from ~70 bpm towards an
activity target (walking ~100, jumping ~128) and recovers more slowly; RR intervals
carry respiratory sinus arrhythmia and beat-to-beat noise. `DEMO_PLAN` is the demo's
session: the same parts with a short warm-up, so the first jump comes within 30 s.

Numbers and their sources (model choices where no source is named):
    STEP_HZ 1.9           preferred walking cadence of older adults ~110-115 steps/min
                          (Tudor-Locke et al. 2011, IJBNPA 8:79).
    FLIGHT_S 0.25-0.40    counter-movement jump flight of older adults / young adults,
                          jump height 8-20 cm (h = g t²/8).
    PEAK_G 3-6            chest/hip landing peaks of jumping exercise (Vainionpää 2006
                          bands 3.9-5.3 g; Deere 2012 > 4.2 g).
    HR kinetics           on-time constant ~20 s, off ~40 s: model choice in the range
                          of moderate-exercise HR kinetics.
    RSA                   respiration 0.25 Hz, amplitude shrinking with HR (model).
    Energy                Keytel et al. 2005 (J Sports Sci 23:289), male 70 kg, 65 y.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

#: Walking step frequency, Hz (≈ 114 steps/min).
STEP_HZ = 1.9
#: Jump flight time range, s.
FLIGHT_S = (0.25, 0.40)
#: Landing peak range of the acceleration magnitude, g.
PEAK_G = (3.0, 6.0)
#: Time from landing to the landing peak, s (loading slope ≈ (peak − 1)/rise).
LANDING_RISE_S = 0.02
#: Spacing of the jumps inside a block, s; first jump this long after the block starts.
JUMP_SPACING_S = 3.0
#: Heart-rate targets by activity, bpm, and the kinetics time constants, s.
HR_TARGET_BPM = {"rest": 70.0, "walk": 100.0, "jumps": 128.0}
HR_TAU_ON_S = 20.0
HR_TAU_OFF_S = 40.0
#: Respiratory rate (Hz) and relative RSA amplitude at 70 bpm.
RESP_HZ = 0.25
RSA_REL = 0.04
#: Beat-to-beat RR noise, relative SD.
RR_NOISE_REL = 0.01
#: Sensor noise SD, g.
ACC_NOISE_G = 0.01
#: The fall segment: standing before, time to tip over, impact peak (a SisFall-like
#: forward fall seen at the trunk: Sucerquia et al. 2017), g.
FALL_AT_S = 1.0
FALL_TURN_S = 0.8
FALL_IMPACT_G = 4.0
#: The bend segment: a slow forward bend of the trunk, degrees (a stoop: SisFall D16
#: reaches a median 64° at the waist, bench/accuracy_posture.py).
BEND_DEG = 70.0
#: Grid of the precomputed heart-rate curve, s.
_HR_DT_S = 0.1


@dataclass(frozen=True, slots=True)
class Segment:
    """One part of the session plan.

    Attributes:
        kind: "rest", "walk", "jumps", "fall" (standing 1 s, then a forward fall:
            the trunk tips 90° in `FALL_TURN_S` with the load dropping to 0.3 g, an
            impact of `FALL_IMPACT_G`, then lying still to the segment's end) or "bend"
            (standing 1 s, bending forward to `BEND_DEG` in 1.5 s, holding, and back up
            in the segment's last 2.5 s).
        start_s / end_s: simulated seconds from the session start.
    """

    kind: str
    start_s: float
    end_s: float


@dataclass(frozen=True, slots=True)
class JumpTruth:
    """One jump the model performs.

    Attributes:
        takeoff_s / landing_s: simulated seconds from the session start.
        flight_s: landing − takeoff, s.
        height_m: g·flight²/8, m.
        peak_g: landing peak of the acceleration magnitude, g.
    """

    takeoff_s: float
    landing_s: float
    flight_s: float
    height_m: float
    peak_g: float


DEFAULT_PLAN: tuple[Segment, ...] = (
    Segment("rest", 0.0, 30.0),
    Segment("walk", 30.0, 210.0),
    Segment("rest", 210.0, 240.0),
    Segment("jumps", 240.0, 270.0),
    Segment("rest", 270.0, 330.0),
    Segment("jumps", 330.0, 360.0),
    Segment("rest", 360.0, 420.0),
    Segment("walk", 420.0, 540.0),
    Segment("rest", 540.0, 600.0),
)

#: The session `osteomonitor demo` plays (10 minutes, repeated for longer sessions): the
#: shape of a supervised impact session (warm-up, blocks of 10 jumps with a minute's rest
#: between them, walking, cool-down) with the warm-up cut to a quarter of a minute, so a
#: person watching for the first time sees a jump within half a minute instead of after
#: four minutes of walking. The first take-off is at 21.5 s; a real session warms up for
#: 5-10 minutes first (ACSM's Guidelines for Exercise Testing and Prescription, 11th ed.).
DEMO_PLAN: tuple[Segment, ...] = (
    Segment("rest", 0.0, 5.0),  # standing still: the strap settles, posture reference
    Segment("walk", 5.0, 20.0),  # warm-up walk (shortened for the demo)
    Segment("jumps", 20.0, 50.0),  # block 1: 10 counter-movement jumps, 3 s apart
    Segment("rest", 50.0, 110.0),
    Segment("jumps", 110.0, 140.0),  # block 2
    Segment("rest", 140.0, 200.0),
    Segment("jumps", 200.0, 230.0),  # block 3
    Segment("rest", 230.0, 290.0),
    Segment("walk", 290.0, 540.0),  # walking
    Segment("rest", 540.0, 600.0),  # cool-down
)

#: The built-in sessions by name (`CollectionPlan.sim_session`).
SESSION_PLANS: dict[str, tuple[Segment, ...]] = {"default": DEFAULT_PLAN, "demo": DEMO_PLAN}

_G_MS2 = 9.80665


def _noise(t: FloatArray, seed: int, channel: int) -> FloatArray:
    """Deterministic pseudo-noise in [-√3, √3) (unit variance) keyed on time (0.1 ms)."""
    key = np.round(np.asarray(t, dtype=np.float64) * 1e4).astype(np.int64).astype(np.uint64)
    x = key * np.uint64(0x9E3779B97F4A7C15) + np.uint64((seed * 1_000_003 + channel) & 0xFFFFFFFF)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    u = (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return (u - 0.5) * (2.0 * math.sqrt(3.0))


class SessionModel:
    """The session as functions of simulated time.

    Args:
        seed: chooses jump flights and peaks, RR noise and sensor noise.
        duration_s: length of the session, s; the plan repeats to fill it.
        plan: the segments of one cycle, contiguous from 0.
        vertical: unit vector of "up" in sensor axes (chest strap: mostly x).
        peak_g: range the landing peaks are drawn from, g (default `PEAK_G`; a lower
            range plays gentle, non-osteogenic jumps).
    """

    def __init__(
        self,
        seed: int = 0,
        duration_s: float = 600.0,
        plan: tuple[Segment, ...] = DEFAULT_PLAN,
        vertical: tuple[float, float, float] = (0.96, 0.05, 0.27),
        peak_g: tuple[float, float] = PEAK_G,
    ) -> None:
        if not plan or plan[0].start_s != 0.0:
            raise ValueError("the plan must start at 0 s")
        self.seed = seed
        self.duration_s = float(duration_s)
        self.plan = plan
        self.peak_g = peak_g
        self.period_s = plan[-1].end_s
        v = np.asarray(vertical, dtype=np.float64)
        self._up = v / np.linalg.norm(v)
        # Two horizontal axes orthogonal to up (anterior-posterior, medio-lateral).
        ap = np.cross(self._up, [0.0, 1.0, 0.0])
        self._ap = ap / np.linalg.norm(ap)
        self._ml = np.cross(self._up, self._ap)
        self._starts = np.array([s.start_s for s in plan])
        self._jumps = self._make_jumps()
        self._takeoffs = np.array([j.takeoff_s for j in self._jumps])
        self._hr_grid = self._make_hr()
        self._beats_s, self._rr_1024 = self._make_beats()

    # -- plan ------------------------------------------------------------------------

    def segment_at(self, t_s: float) -> Segment:
        """The plan segment at simulated time `t_s` (the plan repeats every period)."""
        local = t_s % self.period_s
        i = int(np.searchsorted(self._starts, local, side="right")) - 1
        return self.plan[max(0, i)]

    def _segments(self) -> list[tuple[float, Segment]]:
        out = []
        cycle = 0
        while cycle * self.period_s < self.duration_s:
            out += [(cycle * self.period_s, s) for s in self.plan]
            cycle += 1
        return out

    def _make_jumps(self) -> list[JumpTruth]:
        rng = np.random.default_rng([self.seed, 0x1A9])
        jumps = []
        for offset, seg in self._segments():
            if seg.kind != "jumps":
                continue
            t = offset + seg.start_s + JUMP_SPACING_S / 2
            while t + 1.0 < offset + seg.end_s and t < self.duration_s:
                flight = float(rng.uniform(*FLIGHT_S))
                peak = float(rng.uniform(*self.peak_g))
                jumps.append(JumpTruth(t, t + flight, flight, _G_MS2 * flight**2 / 8.0, peak))
                t += JUMP_SPACING_S
        return jumps

    def jumps(self) -> list[JumpTruth]:
        """Every jump of the session, in order."""
        return list(self._jumps)

    def walking_s(self) -> float:
        """Seconds of walking in the session."""
        return sum(
            max(0.0, min(seg.end_s + off, self.duration_s) - (seg.start_s + off))
            for off, seg in self._segments()
            if seg.kind == "walk"
        )

    def steps(self) -> int:
        """Steps taken in the session (one per STEP_HZ cycle while walking)."""
        return int(self.walking_s() * STEP_HZ)

    # -- acceleration -------------------------------------------------------------------

    def acc_g(self, t_s: FloatArray) -> FloatArray:
        """Acceleration the sensor measures at times `t_s`, g.

        Args:
            t_s: (n,) simulated seconds.

        Returns:
            (n, 3) float64 in sensor axes, g (1 g at rest along `vertical`).
        """
        t = np.asarray(t_s, dtype=np.float64)
        local = t % self.period_s
        idx = np.searchsorted(self._starts, local, side="right") - 1
        kinds = np.array([s.kind for s in self.plan])[np.clip(idx, 0, None)]
        up = np.ones_like(t)
        ap = np.zeros_like(t)
        ml = np.zeros_like(t)
        walk = kinds == "walk"
        if walk.any():
            phase = 2.0 * math.pi * STEP_HZ * t[walk]
            wrapped = np.mod(phase, 2.0 * math.pi)
            heel = np.exp(-((wrapped - 1.0) ** 2) / (2 * 0.25**2))
            heel_mean = 0.25 * math.sqrt(2 * math.pi) / (2 * math.pi)
            up[walk] += 0.25 * np.sin(phase) + 0.45 * (heel - heel_mean)
            ap[walk] = 0.15 * np.sin(phase + 0.5)
            ml[walk] = 0.08 * np.sin(phase / 2.0)
        if len(self._takeoffs):
            up += self._jump_vertical(t)
        fall = kinds == "fall"
        if fall.any():
            x = local[fall] - self._starts[idx[fall]] - FALL_AT_S
            up[fall], ap[fall] = _fall_components(x)
        bend = kinds == "bend"
        if bend.any():
            seg_start = self._starts[idx[bend]]
            seg_len = np.array([s.end_s - s.start_s for s in self.plan])[idx[bend]]
            up[bend], ap[bend] = _bend_components(local[bend] - seg_start, seg_len)
        up += ACC_NOISE_G * _noise(t, self.seed, 0)
        ap += ACC_NOISE_G * _noise(t, self.seed, 1)
        ml += ACC_NOISE_G * _noise(t, self.seed, 2)
        out: FloatArray = up[:, None] * self._up + ap[:, None] * self._ap + ml[:, None] * self._ml
        return out

    def _jump_vertical(self, t: FloatArray) -> FloatArray:
        """Vertical change of acceleration caused by the nearest jump, g."""
        out = np.zeros_like(t)
        j = np.searchsorted(self._takeoffs, t + 0.6, side="right") - 1
        near = j >= 0
        if not near.any():
            return out
        takeoff = self._takeoffs[np.clip(j, 0, None)]
        flights = np.array([x.flight_s for x in self._jumps])[np.clip(j, 0, None)]
        peaks = np.array([x.peak_g for x in self._jumps])[np.clip(j, 0, None)]
        x = t - takeoff
        # Counter-movement: unweighting dip to ~0.5 g, then propulsion to ~2.2 g.
        dip = near & (x >= -0.6) & (x < -0.3)
        out[dip] = -0.5 * np.sin(math.pi * (x[dip] + 0.6) / 0.3)
        push = near & (x >= -0.3) & (x < 0.0)
        out[push] = 1.2 * np.sin(math.pi * (x[push] + 0.3) / 0.3)
        # Flight: free fall, the accelerometer reads ~0 g.
        fly = near & (x >= 0.0) & (x < flights)
        out[fly] = -1.0
        # Landing: a sharp impact peak, then a softer absorption hump.
        y = x - flights
        land = near & (y >= 0.0) & (y < 0.6)
        ys = y[land]
        rise = LANDING_RISE_S
        impact = (ys / rise) * np.exp(1.0 - ys / rise)
        hump = 0.4 * np.exp(-((ys - 0.15) ** 2) / (2 * 0.04**2))
        out[land] = (peaks[land] - 1.0) * impact + hump
        return out

    def fall_times_s(self) -> list[float]:
        """Impact time of every fall the model performs, simulated s."""
        return [
            off + seg.start_s + FALL_AT_S + FALL_TURN_S
            for off, seg in self._segments()
            if seg.kind == "fall" and off + seg.start_s + FALL_AT_S + FALL_TURN_S < self.duration_s
        ]

    # -- heart -----------------------------------------------------------------------------

    def _make_hr(self) -> FloatArray:
        n = math.ceil(self.duration_s / _HR_DT_S) + 2
        hr = np.empty(n)
        value = HR_TARGET_BPM["rest"]
        for i in range(n):
            target = HR_TARGET_BPM.get(self.segment_at(i * _HR_DT_S).kind, 70.0)
            tau = HR_TAU_ON_S if target > value else HR_TAU_OFF_S
            value = target + (value - target) * math.exp(-_HR_DT_S / tau)
            hr[i] = value
        return hr

    def hr_bpm(self, t_s: float) -> float:
        """Heart rate at simulated time `t_s`, bpm (held after the session ends)."""
        x = min(max(t_s, 0.0), (len(self._hr_grid) - 1) * _HR_DT_S) / _HR_DT_S
        i = min(int(x), len(self._hr_grid) - 2)
        f = x - i
        return float(self._hr_grid[i] * (1 - f) + self._hr_grid[i + 1] * f)

    def _make_beats(self) -> tuple[FloatArray, np.ndarray]:
        rng = np.random.default_rng([self.seed, 0xBEA7])
        beats = [0.0]
        rr_list = []
        t = 0.0
        while t < self.duration_s + 2.0:
            hr = self.hr_bpm(t)
            rsa = RSA_REL * (70.0 / hr) ** 2 * math.sin(2 * math.pi * RESP_HZ * t)
            rr_s = 60.0 / hr * (1.0 + rsa + RR_NOISE_REL * float(rng.standard_normal()))
            rr = round(rr_s * 1024)
            t += rr / 1024
            beats.append(t)
            rr_list.append(rr)
        return np.asarray(beats[1:]), np.asarray(rr_list, dtype=np.int64)

    def beat_times_s(self) -> FloatArray:
        """Time of every beat, s (beat k ends RR interval k)."""
        return self._beats_s.copy()

    def rr_1024_between(self, t0_s: float, t1_s: float) -> list[int]:
        """RR intervals (1/1024 s) of the beats that fall in (t0_s, t1_s], oldest first."""
        i0 = int(np.searchsorted(self._beats_s, t0_s, side="right"))
        i1 = int(np.searchsorted(self._beats_s, t1_s, side="right"))
        return [int(v) for v in self._rr_1024[i0:i1]]

    def energy_kj(self, t_s: float) -> float:
        """Cumulative energy expenditure since the start, kJ (Keytel 2005, male 70 kg 65 y)."""
        n = int(min(max(t_s, 0.0), self.duration_s) / _HR_DT_S)
        hr = self._hr_grid[:n]
        kj_per_min = np.maximum(0.0, -55.0969 + 0.6309 * hr + 0.1988 * 70 + 0.2017 * 65)
        return float(kj_per_min.sum() * _HR_DT_S / 60.0)


def _fall_components(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(up, forward) acceleration components, g, `x` s after a fall begins."""
    turn = np.clip(x / FALL_TURN_S, 0.0, 1.0)
    theta = 0.5 * math.pi * turn
    mag = np.where((x >= 0) & (x < FALL_TURN_S), 1.0 - 0.7 * np.sin(math.pi * turn), 1.0)
    after = x - FALL_TURN_S
    hit = (after >= 0) & (after < 0.3)
    mag = np.where(hit, 1.0 + (FALL_IMPACT_G - 1.0) * np.exp(-np.clip(after, 0, None) / 0.03), mag)
    return mag * np.cos(theta), mag * np.sin(theta)


def _bend_components(x: FloatArray, length_s: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(up, forward) acceleration components, g, `x` s into a bend segment."""
    down = np.clip((x - 1.0) / 1.5, 0.0, 1.0)
    up_again = np.clip((length_s - 1.0 - x) / 1.5, 0.0, 1.0)
    theta = np.radians(BEND_DEG) * np.minimum(down, up_again)
    return np.cos(theta), np.sin(theta)
