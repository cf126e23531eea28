"""Block sums and gravity windows of the posture tracker, as array operations.

`PostureTracker` reduces the signal to fixed blocks of `step_s` (sum of the samples,
and while the upright reference is still sought, of ‖a‖ and ‖a‖²) and estimates
gravity as the sum of the last `window_s` of blocks. Every sum here is taken in a fixed
order (samples in time order within a block, blocks oldest first within a window) with
elementwise array operations, so a block's or a window's value is the same whether it
is computed in a 2-second chunk while live or in one pass over an hour: live, replay
and batch agree bit for bit.

Block sums are laid out component-major, (3, n): each pass of `block_sums` then runs
along one long row, and it walks the signal a cache-sized chunk at a time (an hour at
200 Hz is 17 MB; summing it 20 strided passes over the whole array was 3× slower).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .signal import FloatArray, SignalError

#: Bytes of samples `block_sums` adds up per chunk: small enough that a chunk stays in
#: a core's L2 cache (1.25 MB here) during its `b` passes, large enough that the
#: per-pass call overhead (≈ 1 µs) stays small. Measured on the 1-hour bench signal.
_CHUNK_BYTES = 1 << 19
#: Up to this many values `block_sums` takes one `np.cumsum` (sequential by definition:
#: each partial sum adds the next value) instead of `b` passes: faster for a live 2-s
#: chunk (10 µs against 46 µs for 400 samples), slower from a few thousand samples.
_SMALL_SUMS = 6000
#: Degrees between numpy's vectorised arccos (a few ulp from libm's) and libm's acos
#: that `Inclinations` treats as possibly different (≈ 1e-13° in fact): far above the
#: real difference, far below any threshold's resolution.
_ACOS_EPS_DEG = 1e-9
_RAD2DEG = 180.0 / math.pi  # what math.degrees multiplies by
#: Up to this many angles `decision_degrees` simply takes libm's for each (a live 2-s
#: chunk has 20): cheaper than its dozen array calls.
_SMALL_ANGLES = 64


def block_sums(x: FloatArray, b: int) -> FloatArray:
    """Sums of the whole blocks of `b` rows of `x`, each in row order ((x0 + x1) + x2) …

    Args:
        x: (n,) or (n, c) samples (rows beyond the last whole block are ignored).
        b: rows per block.

    Returns:
        (c, nb) sums, one row per column of `x` ((nb,) for 1-D `x`).
    """
    one = x.ndim == 1
    c = 1 if one else int(x.shape[1])
    nb = int(x.shape[0]) // b
    flat = np.ascontiguousarray(x[: nb * b], dtype=np.float64).reshape(nb, b * c)
    if nb * b * c <= _SMALL_SUMS:  # one call: running sums along each block (live chunks)
        last = np.cumsum(flat.reshape(nb, b, c), axis=1)[:, -1]
        return last[:, 0] if one else last.T
    v = flat.T
    out = np.empty((c, nb))
    step = max(64, _CHUNK_BYTES // (8 * b * c))
    for s in range(0, nb, step):
        w = v[:, s : s + step]  # (b·c, k): row j·c + i is column i of each block's sample j
        o = out[:, s : s + step]
        np.copyto(o, w[:c])
        for j in range(c, b * c, c):
            o += w[j : j + c]
    return out[0] if one else out


@dataclass(frozen=True, slots=True)
class BlockStats:
    """Per-block sums, oldest first.

    Attributes:
        acc: (3, n) sum of the samples, g (component-major).
        mag / mag2: (n,) sum of ‖a‖ and ‖a‖², or None once the reference is known
            (they only serve to find it).
        gyro: (3, n) sum of the angular rates, deg/s, or None without a gyroscope.
    """

    acc: FloatArray
    mag: FloatArray | None
    mag2: FloatArray | None
    gyro: FloatArray | None

    @property
    def n(self) -> int:
        """Number of blocks."""
        return int(self.acc.shape[1])

    @staticmethod
    def none() -> BlockStats:
        """No blocks yet."""
        return BlockStats(np.empty((3, 0)), np.empty(0), np.empty(0), None)

    @staticmethod
    def join(old: BlockStats, new: BlockStats) -> BlockStats:
        """`old` blocks followed by `new` ones, without ‖a‖ sums (the reference is known).

        With no old blocks (a stretch's first feed: in batch, the whole hour) the new
        arrays are taken as they are, not copied."""
        if old.n == 0:
            return BlockStats(new.acc, None, None, new.gyro)
        g = new.gyro
        if g is not None and old.gyro is not None:
            g = np.concatenate((old.gyro, g), axis=1)
        return BlockStats(np.concatenate((old.acc, new.acc), axis=1), None, None, g)

    def tail(self, r: int) -> BlockStats:
        """The last `r` blocks."""
        mag = None if self.mag is None else self.mag[-r:]
        mag2 = None if self.mag2 is None else self.mag2[-r:]
        gyro = None if self.gyro is None else self.gyro[:, -r:]
        return BlockStats(self.acc[:, -r:], mag, mag2, gyro)

    def without_magnitudes(self) -> BlockStats:
        """The same blocks without ‖a‖ sums (the reference is known)."""
        return BlockStats(self.acc, None, None, self.gyro)


def magnitude_blocks(mag: FloatArray, b: int) -> tuple[FloatArray, FloatArray]:
    """Block sums of ‖a‖ and of ‖a‖² (squared sample by sample), in sample order."""
    return block_sums(mag, b), block_sums(mag * mag, b)


def window_sum(x: FloatArray, lo: int, hi: int, m: int) -> FloatArray:
    """Sum of the `m` columns of (c, n) `x` ending at each column lo … hi − 1, oldest first."""
    out = x[:, lo - (m - 1) : hi - (m - 1)].copy()
    for j in range(m - 2, -1, -1):
        out += x[:, lo - j : hi - j]
    return out


def unit(v: FloatArray, what: str) -> FloatArray:
    """`v` (3,) scaled to length 1; SignalError when it has no direction."""
    n = math.sqrt(float(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]))
    if not math.isfinite(n) or n == 0:
        raise SignalError(f"posture: {what} vector {v.tolist()} has no direction")
    return v / n


def window_cosine(
    blocks: BlockStats, lo: int, hi: int, m: int, ref: FloatArray, b: int
) -> tuple[FloatArray, FloatArray]:
    """Cosine of the angle from `ref` and rotation rate about the window's gravity
    (deg/s, NaN without a gyroscope) of the windows of `m` blocks ending at columns
    lo … hi − 1 (a window with no direction reads as upright)."""
    g = window_sum(blocks.acc, lo, hi, m)
    n2 = g[0] * g[0] + g[1] * g[1] + g[2] * g[2]
    has = n2 > 0
    norm = np.sqrt(n2) if has.all() else np.sqrt(np.where(has, n2, 1.0))
    if not np.isfinite(norm).all():
        bad = g[:, ~np.isfinite(norm)][:, 0]
        raise SignalError(f"posture: gravity vector {bad.tolist()} has no direction")
    u = g / norm
    if not has.all():
        u = np.where(has, u, ref[:, None])
    c = np.clip(u[0] * ref[0] + u[1] * ref[1] + u[2] * ref[2], -1.0, 1.0)
    rot = np.full(hi - lo, math.nan)
    if blocks.gyro is not None:
        gm = blocks.gyro[:, lo:hi] / b
        rot = gm[0] * u[0] + gm[1] * u[1] + gm[2] * u[2]
    return c, rot


def exact_degrees(c: FloatArray) -> FloatArray:
    """math.degrees(math.acos(c)) of each cosine (libm's acos: numpy's SIMD arccos
    differs in the last bit for some inputs)."""
    return np.fromiter(map(math.degrees, map(math.acos, c.tolist())), np.float64, c.size)


def decision_degrees(c: FloatArray, marks: tuple[float, ...]) -> FloatArray:
    """Angles from cosines that decide exactly as `exact_degrees` would, at array speed.

    numpy's arccos is used, and libm's wherever the two could decide differently: near
    a whole degree (a histogram bin edge), near any of `marks` (thresholds compared
    with `>`), within reach of the maximum, and for the last angle. So every bin, every
    comparison with a mark, the maximum and the last value equal the exact ones; the
    other values may differ from them in the last bits. A few angles are all libm's.
    """
    if c.size <= _SMALL_ANGLES:
        return exact_degrees(c)
    deg = np.arccos(c) * _RAD2DEG
    eps = _ACOS_EPS_DEG
    near = np.abs(deg - np.rint(deg)) < eps
    for mark in marks:
        near |= np.abs(deg - mark) < eps
    near |= deg >= deg.max() - 2 * eps
    near[-1] = True
    at = np.flatnonzero(near)
    deg[at] = exact_degrees(c[at])
    return deg
