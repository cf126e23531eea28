"""The posture tracker's automatic upright reference: the first still window.

A window of `reference_s` of blocks is still when the spread of ‖a‖ is below
`still_sd_g` and its mean within `still_tol_g` of 1 g (`PostureParams`); its mean
direction is then the upright reference. `find_reference` sums ‖a‖ over the new blocks
a growing span at a time (a batch hour that starts still sums a few seconds of ‖a‖,
not the hour), rules windows out with block-ordered sums (`still_candidates`) and
decides the remaining candidates, oldest first, with the exact rule
(`still_reference`, `math.fsum`), so the block found is the one a block-by-block
search finds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .posture_blocks import BlockStats, magnitude_blocks, unit, window_sum
from .signal import FloatArray, SignalError, magnitude

if TYPE_CHECKING:  # pragma: no cover
    from .posture import PostureParams

#: New blocks whose ‖a‖ sums are taken before the first look for a still window; each
#: further look takes twice as many.
FIRST_LOOK_BLOCKS = 256


def find_reference(
    hist: BlockStats,
    new: BlockStats,
    samples: FloatArray,
    mag: FloatArray | None,
    k0: int,
    first: int,
    b: int,
    r: int,
    p: PostureParams,
) -> tuple[BlockStats, int, FloatArray | None]:
    """Look for the still reference among the new blocks, oldest first.

    Args:
        hist / new: the blocks kept from before (with ‖a‖ sums) and the new ones.
        samples: (new.n · b, 3) the new blocks' samples, g; mag: their ‖a‖, or None.
        k0: blocks of the stretch before the new ones; first: the first block that
            may give a posture sample; b: samples per block; r: blocks per window.

    Returns:
        (blocks, k, ref): `hist` and `new` joined (with ‖a‖ sums while no reference
        is known), the block whose window gave the reference (k0 + new.n + 1 when
        none did) and the reference (unit vector) or None.
    """
    nb = new.n
    joined = BlockStats.join(hist, new)
    acc = joined.acc
    hist_mag = hist.mag if hist.mag is not None else np.empty(0)
    hist_mag2 = hist.mag2 if hist.mag2 is not None else np.empty(0)
    parts, parts2 = [hist_mag], [hist_mag2]
    bm, bm2 = hist_mag, hist_mag2
    done, span = 0, FIRST_LOOK_BLOCKS
    start = max(first, r)  # the first block whose window may be the reference
    row0 = hist.n - (k0 + 1)  # column of block k is k + row0
    while done < nb:
        end = min(nb, done + span)
        part = samples[done * b : end * b]
        m = mag[done * b : end * b] if mag is not None else magnitude(part)
        s1, s2 = magnitude_blocks(m, b)
        parts.append(s1)
        parts2.append(s2)
        bm, bm2 = np.concatenate(parts), np.concatenate(parts2)
        lo_k = max(start, k0 + 1 + done)
        if lo_k <= k0 + end:
            cand = still_candidates(bm, bm2, lo_k + row0, k0 + end + 1 + row0, r, b, p)
            blocks = BlockStats(acc, bm, bm2, None)
            for row in cand.tolist():
                ref = still_reference(blocks, row, r, b, p)
                if ref is not None:
                    return joined, row - row0, ref
        done, span = end, span * 2
    return BlockStats(acc, bm, bm2, joined.gyro), k0 + nb + 1, None


def still_candidates(
    mag: FloatArray, mag2: FloatArray, lo: int, hi: int, r: int, b: int, p: PostureParams
) -> npt.NDArray[np.intp]:
    """Columns lo … hi − 1 whose `r`-block window might be still (`still_reference`
    decides); the others are certainly not still. Block-ordered sums differ from
    `math.fsum`'s by ≈ 1e-13 relative; the test allows 1e-9."""
    n = r * b
    s1 = window_sum(mag[None, :], lo, hi, r)[0]
    s2 = window_sum(mag2[None, :], lo, hi, r)[0]
    mean = s1 / n
    var = s2 / n - mean * mean
    ok = (var < p.still_sd_g * p.still_sd_g + 1e-9) & (np.abs(mean - 1.0) < p.still_tol_g + 1e-9)
    return np.flatnonzero(ok) + lo


def still_reference(
    blocks: BlockStats, row: int, r: int, b: int, p: PostureParams
) -> FloatArray | None:
    """The mean direction of the `r` blocks ending at `row` when they were still, else None."""
    if blocks.mag is None or blocks.mag2 is None:
        raise SignalError("posture: still_reference needs the blocks' ‖a‖ sums")
    n = r * b
    s1 = math.fsum(blocks.mag[row - r + 1 : row + 1].tolist())
    s2 = math.fsum(blocks.mag2[row - r + 1 : row + 1].tolist())
    mean = s1 / n
    sd = math.sqrt(max(0.0, s2 / n - mean * mean))
    if sd < p.still_sd_g and abs(mean - 1.0) < p.still_tol_g:
        return unit(window_sum(blocks.acc, row, row + 1, r)[:, 0], "reference")
    return None
