"""Synthetic accelerometer signals with known answers for the analysis tests."""

from __future__ import annotations

import numpy as np


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
