"""Synthetic accelerometer signals with known answers for the analysis tests."""

from __future__ import annotations

import numpy as np


def chunks(acc: np.ndarray, sizes: list[int]) -> list[np.ndarray]:
    """`acc` cut into consecutive parts of `sizes[0]`, `sizes[1]`, … samples (cycling
    through `sizes`; the last part may be shorter), as a stream would deliver it."""
    out, i, k = [], 0, 0
    while i < len(acc):
        n = sizes[k % len(sizes)]
        out.append(acc[i : i + n])
        i, k = i + n, k + 1
    return out


def jumps_signal(
    fs: float, flights_s: list[float], gap_s: float = 0.5, lead_s: float = 2.0, tail_s: float = 3.0
) -> tuple[np.ndarray, list[float]]:
    """Standing (1 g on z), then hops: 0.15 s push at 2 g, flight at 0 g, landing spike.

    Returns the (n, 3) signal and the true touchdown times, s.
    """
    parts: list[np.ndarray] = [np.ones(round(lead_s * fs))]
    touchdowns = []
    t = lead_s
    for fl in flights_s:
        push = np.full(round(0.15 * fs), 2.0)
        flight = np.zeros(round(fl * fs))
        n_land = round(0.1 * fs)
        land = 1.0 + 4.0 * np.exp(-np.arange(n_land) / (0.02 * fs))
        ground = np.ones(round(gap_s * fs))
        t += push.size / fs
        t += flight.size / fs
        touchdowns.append(t)
        t += (n_land + ground.size) / fs
        parts += [push, flight, land, ground]
    parts.append(np.ones(round(tail_s * fs)))
    mag = np.concatenate(parts)
    acc = np.zeros((mag.size, 3))
    acc[:, 2] = mag
    return acc, touchdowns


def walking_signal(fs: float, cadence_spm: float, seconds: float, seed: int = 0) -> np.ndarray:
    """Walking-like trunk signal: a 0.6 g heel-strike pulse at each step plus noise."""
    rng = np.random.default_rng(seed)
    n = round(seconds * fs)
    t = np.arange(n) / fs
    mag = np.ones(n) - 0.2 * np.cos(2 * np.pi * cadence_spm / 60 * t)
    for ts in np.arange(0.5, seconds - 0.5, 60.0 / cadence_spm):
        mag += 0.6 * np.exp(-0.5 * ((t - ts) / 0.03) ** 2)
    acc = np.zeros((n, 3))
    acc[:, 2] = mag + rng.normal(0, 0.02, n)
    acc[:, 0] = 0.1 * np.sin(np.pi * cadence_spm / 60 * t)
    return acc


def rotation(seed: int) -> np.ndarray:
    """A random proper rotation matrix."""
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    q *= np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] *= -1
    return q


def running_signal(fs: float, step_s: float, seconds: float, seed: int = 0) -> np.ndarray:
    """Running seen from one hip. Near-side steps: a 0.15 s flight and a ~4 g landing;
    far-side steps: the hip barely leaves 1 g (0.06 s low phase, ~1.3 g landing), so only
    every other step is a flight candidate and impacts come once per stride (as in
    USC-HAD subject 5's running). Braking and propulsion swing the forward axis (x) by
    ±0.8 g during each stance. z is up."""
    rng = np.random.default_rng(seed)
    n = round(seconds * fs)
    t = np.arange(n) / fs
    k = np.floor(t / step_s).astype(int)  # step number
    near = k % 2 == 0
    ph = t - k * step_s  # time since this step's low phase began
    low_s = np.where(near, 0.15, 0.06)
    stance = step_s - low_s
    st = np.clip((ph - low_s) / stance, 0.0, 1.0)  # 0 … 1 through the stance
    impact = np.where(near, 3.0, 0.3) * np.exp(-st * stance / 0.02)
    air = ph < low_s
    z = np.where(air, 0.05, 1.0 + impact + 0.4 * np.sin(np.pi * st))
    acc = np.zeros((n, 3))
    acc[:, 2] = z + rng.normal(0, 0.02, n)
    acc[:, 0] = np.where(air, 0.0, 0.8 * np.sin(2 * np.pi * st)) + rng.normal(0, 0.02, n)
    return acc


def with_blips(
    acc: np.ndarray, fs: float, times_s: list[float], width_s: float, level_g: float
) -> np.ndarray:
    """Copy of `acc` with ‖a‖ lifted to `level_g` (along z) for `width_s` at each time."""
    out = acc.copy()
    for t in times_s:
        i = round(t * fs)
        out[i : i + max(1, round(width_s * fs)), :] = (0.0, 0.0, level_g)
    return out


def drop_landing_signal(fs: float, drop_m: float = 0.4) -> tuple[np.ndarray, float]:
    """Standing, stepping off a box (no push-off: ‖a‖ eases from 1 g to free fall), a
    free fall of √(2h/g), a 5 g landing, standing. z is up. Returns the signal and the
    true touchdown time, s."""
    fall_s = float(np.sqrt(2 * drop_m / 9.80665))
    ease = np.linspace(1.0, 0.0, round(0.1 * fs))  # weight leaves the stance foot
    n_land = round(0.15 * fs)
    land = 1.0 + 4.0 * np.exp(-np.arange(n_land) / (0.03 * fs))
    parts = [
        np.ones(round(2 * fs)),
        ease,
        np.zeros(round(fall_s * fs)),
        land,
        np.ones(round(3 * fs)),
    ]
    acc = np.zeros((sum(p.size for p in parts), 3))
    acc[:, 2] = np.concatenate(parts)
    return acc, 2.0 + (ease.size + round(fall_s * fs)) / fs


def slow_jog_signal(fs: float, seconds: float, step_s: float = 0.36, seed: int = 0) -> np.ndarray:
    """Jogging on the spot, as SisFall's older adult SE04 jogs slowly: every step a
    0.16 s flight and a 3.4 g landing, little forward motion (h/v below the in-place
    limit), and the pelvis thrown toward the stance foot, so the lateral axis (y)
    reverses from one step to the next. z is up."""
    rng = np.random.default_rng(seed)
    n = round(seconds * fs)
    t = np.arange(n) / fs
    k = np.floor(t / step_s).astype(int)
    ph = t - k * step_s
    low_s = 0.16
    stance = step_s - low_s
    st = np.clip((ph - low_s) / stance, 0.0, 1.0)
    air = ph < low_s
    side = np.where(k % 2 == 0, 1.0, -1.0)
    acc = np.zeros((n, 3))
    acc[:, 2] = np.where(
        air, 0.05, 1.0 + 2.4 * np.exp(-st * stance / 0.025) + 0.6 * np.sin(np.pi * st)
    )
    acc[:, 1] = np.where(air, 0.0, 0.35 * side * np.sin(np.pi * st))
    acc[:, 0] = np.where(air, 0.0, 0.1 * np.sin(2 * np.pi * st))
    return acc + rng.normal(0, 0.02, acc.shape)


def chair_signal(fs: float, hard: bool) -> np.ndarray:
    """Standing, then dropping onto a chair and staying seated, the trunk leaning back
    16°. Sitting down quickly (`hard` False, SisFall D10): a 0.2 s unweighting near
    free fall and a 1.9 g landing on the seat. Collapsing into the chair (`hard`, D11):
    leaning forward to rise (no push), a 0.13 s drop while the trunk moves backward
    (up to 1.5 g along x) and an 8 g landing, as SisFall SA04's collapse (8.8 g, push
    1.2 g, 16° turn). z is up while standing."""
    low_s, peak = (0.13, 8.0) if hard else (0.2, 1.9)
    stand = np.tile([0.0, 0.0, 1.0], (round(2 * fs), 1))
    drop = np.zeros((round(low_s * fs), 3))
    n_land = round(0.2 * fs)
    land = np.zeros((n_land, 3))
    land[:, 2] = 1.0 + (peak - 1.0) * np.exp(-np.arange(n_land) / (0.03 * fs))
    if hard:
        drop[:, 0] = -0.3
        land[:, 0] = -1.5 * np.exp(-np.arange(n_land) / (0.05 * fs))
        pre = np.tile([0.5, 0.0, 1.0], (round(0.3 * fs), 1))  # leaning forward to rise
        stand = np.concatenate((stand, pre))
    a = np.radians(16.0)
    seated = np.tile([-np.sin(a), 0.0, np.cos(a)], (round(4 * fs), 1))
    return np.concatenate((stand, drop, land, seated))
