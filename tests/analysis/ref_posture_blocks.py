"""The posture block sums as they were before the batch fast path (issue 15), kept
verbatim as the reference the fast path must match bit for bit. Test-only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.analysis.signal import FloatArray, SignalError, magnitude

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    from .ref_posture import PostureParams


def seq_sum(blocks: FloatArray) -> FloatArray:
    """Sum over axis 1 of (n, b, …) in index order: ((x0 + x1) + x2) + …"""
    out = blocks[:, 0].copy()
    for i in range(1, blocks.shape[1]):
        out += blocks[:, i]
    return out


@dataclass(frozen=True, slots=True)
class BlockStats:
    """Per-block sums, oldest first.

    Attributes:
        acc: (n, 3) sum of the samples, g. mag / mag2: (n,) sum of ‖a‖ and ‖a‖².
        gyro: (n, 3) sum of the angular rates, deg/s, or None without a gyroscope.
    """

    acc: FloatArray
    mag: FloatArray
    mag2: FloatArray
    gyro: FloatArray | None

    @property
    def n(self) -> int:
        """Number of blocks."""
        return int(self.mag.shape[0])

    @staticmethod
    def none() -> BlockStats:
        """No blocks yet."""
        return BlockStats(np.empty((0, 3)), np.empty(0), np.empty(0), None)

    @staticmethod
    def join(old: BlockStats, new: BlockStats, gyro: FloatArray | None) -> BlockStats:
        """`old` blocks followed by `new` ones (with the new blocks' gyro sums)."""
        g = None
        if gyro is not None:
            g = gyro if old.gyro is None else np.concatenate((old.gyro, gyro))
        return BlockStats(
            np.concatenate((old.acc, new.acc)),
            np.concatenate((old.mag, new.mag)),
            np.concatenate((old.mag2, new.mag2)),
            g,
        )

    def tail(self, r: int) -> BlockStats:
        """The last `r` blocks."""
        gyro = None if self.gyro is None else self.gyro[-r:]
        return BlockStats(self.acc[-r:], self.mag[-r:], self.mag2[-r:], gyro)


def block_stats(acc_g: FloatArray, b: int) -> BlockStats:
    """Sums of whole blocks of `b` samples of (n·b, 3) acceleration, g."""
    nb = acc_g.shape[0] // b
    blocks = acc_g[: nb * b].reshape(nb, b, 3)
    mag = magnitude(acc_g[: nb * b]).reshape(nb, b)
    return BlockStats(seq_sum(blocks), seq_sum(mag), seq_sum(mag * mag), None)


def window_sum(x: FloatArray, rows: npt.NDArray[np.int64], m: int) -> FloatArray:
    """Sum of the `m` rows of `x` ending at each of `rows`, oldest first."""
    out = x[rows - (m - 1)].copy()
    for j in range(m - 2, -1, -1):
        out += x[rows - j]
    return out


def unit(v: FloatArray, what: str) -> FloatArray:
    """`v` (3,) scaled to length 1; SignalError when it has no direction."""
    n = math.sqrt(float(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]))
    if not math.isfinite(n) or n == 0:
        raise SignalError(f"posture: {what} vector {v.tolist()} has no direction")
    return v / n


def window_inclination(
    blocks: BlockStats, rows: npt.NDArray[np.int64], m: int, ref: FloatArray, b: int
) -> tuple[FloatArray, FloatArray]:
    """Inclination from `ref` (degrees) and rotation rate about the window's gravity
    (deg/s, NaN without a gyroscope) of the windows of `m` blocks ending at `rows`."""
    g = window_sum(blocks.acc, rows, m)
    n2 = g[:, 0] * g[:, 0] + g[:, 1] * g[:, 1] + g[:, 2] * g[:, 2]
    has = n2 > 0
    norm = np.sqrt(np.where(has, n2, 1.0))
    if not np.isfinite(norm).all():
        bad = g[~np.isfinite(norm)][0]
        raise SignalError(f"posture: gravity vector {bad.tolist()} has no direction")
    u = np.where(has[:, None], g / norm[:, None], ref[None, :])
    c = np.clip(u[:, 0] * ref[0] + u[:, 1] * ref[1] + u[:, 2] * ref[2], -1.0, 1.0)
    # libm's acos (numpy's SIMD arccos differs in the last bit for some inputs)
    deg = np.fromiter(map(math.degrees, map(math.acos, c.tolist())), np.float64, c.size)
    rot = np.full(rows.size, math.nan)
    if blocks.gyro is not None:
        gm = blocks.gyro[rows] / b
        rot = gm[:, 0] * u[:, 0] + gm[:, 1] * u[:, 1] + gm[:, 2] * u[:, 2]
    return deg, rot


def still_reference(
    blocks: BlockStats, row: int, r: int, b: int, p: PostureParams
) -> FloatArray | None:
    """The mean direction of the `r` blocks ending at `row` when they were still, else None."""
    n = r * b
    s1 = math.fsum(blocks.mag[row - r + 1 : row + 1].tolist())
    s2 = math.fsum(blocks.mag2[row - r + 1 : row + 1].tolist())
    mean = s1 / n
    sd = math.sqrt(max(0.0, s2 / n - mean * mean))
    if sd < p.still_sd_g and abs(mean - 1.0) < p.still_tol_g:
        return unit(window_sum(blocks.acc, np.array([row]), r)[0], "reference")
    return None
