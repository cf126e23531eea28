"""Synthetic trunk signals with known answers for the fall and posture tests.

Body frame: z up while standing, x forward. A posture change is a rotation of the
body about its x or y axis; the accelerometer sees gravity in the body frame plus
the movement's own acceleration (a free-fall dip, an impact spike).
"""

from __future__ import annotations

import numpy as np


def _gravity_tilted(deg: np.ndarray, axis: str = "y") -> np.ndarray:
    """Unit gravity in the body frame after pitching forward by `deg` (about y) or
    rolling sideways (about x)."""
    r = np.radians(deg)
    g = np.zeros((deg.size, 3))
    if axis == "y":
        g[:, 0], g[:, 2] = np.sin(r), np.cos(r)
    else:
        g[:, 1], g[:, 2] = np.sin(r), np.cos(r)
    return g


def transition_signal(
    fs: float,
    end_deg: float,
    *,
    lead_s: float = 4.0,
    turn_s: float = 0.8,
    dip_g: float = 0.3,
    impact_g: float = 4.0,
    tail_s: float = 5.0,
    axis: str = "y",
    seed: int = 0,
) -> tuple[np.ndarray, float]:
    """Standing still, then a turn to `end_deg` with ‖a‖ dipping to `dip_g`, an impact
    of `impact_g` (peak of ‖a‖) and stillness in the new posture.

    A fall: end_deg ≈ 90, dip ≈ 0.3, impact ≈ 4. Collapsing into a chair: ≈ 20°, a mild
    dip, ≈ 2.5 g. Returns the (n, 3) signal and the impact time, s.
    """
    rng = np.random.default_rng(seed)
    n_lead, n_turn, n_tail = round(lead_s * fs), round(turn_s * fs), round(tail_s * fs)
    deg = np.concatenate(
        (np.zeros(n_lead), np.linspace(0, end_deg, n_turn), np.full(n_tail, end_deg))
    )
    mag = np.ones(deg.size)
    turn = slice(n_lead, n_lead + n_turn)
    mag[turn] = 1 - (1 - dip_g) * np.sin(np.linspace(0, np.pi, n_turn))
    t_imp = (n_lead + n_turn) / fs
    k = np.arange(round(0.3 * fs))
    spike = (impact_g - 1) * np.exp(-k / (0.03 * fs))
    mag[n_lead + n_turn : n_lead + n_turn + k.size] += spike
    acc = _gravity_tilted(deg, axis) * mag[:, None]
    return acc + rng.normal(0, 0.01, acc.shape), t_imp


def bend_signal(
    fs: float, bend_deg: float, *, lead_s: float = 3.0, down_s: float = 1.5, hold_s: float = 5.0
) -> np.ndarray:
    """Standing still, a slow forward bend to `bend_deg`, a hold, and back up."""
    n = [round(x * fs) for x in (lead_s, down_s, hold_s, down_s, 2.0)]
    deg = np.concatenate(
        (
            np.zeros(n[0]),
            np.linspace(0, bend_deg, n[1]),
            np.full(n[2], bend_deg),
            np.linspace(bend_deg, 0, n[3]),
            np.zeros(n[4]),
        )
    )
    acc = _gravity_tilted(deg)
    return acc + np.random.default_rng(1).normal(0, 0.01, acc.shape)
