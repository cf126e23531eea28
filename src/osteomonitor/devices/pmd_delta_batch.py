"""Delta-compressed PMD frames decoded many at once (the array form of `pmd_delta`).

Every frame's block headers are walked at once (a frame holds one to three blocks);
every delta value is read from a 32-bit (or 64-bit) window at its bit offset and each
frame's samples are its reference plus the running sum of its deltas. The usual case,
every frame one block of equally many deltas (`_uniform`), goes `CHUNK` frames at a
time so every temporary stays in cache, and can give the samples in g straight away
(each chunk multiplied while it is in cache: no whole-recording integer array). The
results equal `pmd_frames.decode_frame` frame by frame (tested). `pmd_batch` calls it;
None means "not this form" and the caller decodes frame by frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from osteomonitor.devices.pmd_delta import MAX_DELTA_BITS
from osteomonitor.devices.pmd_frames import FRAME_HEADER_BYTES

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    U8Array = npt.NDArray[np.uint8]

#: Channels of an ACC sample (x, y, z).
CH = 3

#: Widest delta for which a frame's samples (16-bit reference plus up to 255 deltas)
#: stay inside int32: 2^15 + 255 · 2^22 < 2^31.
_INT32_DELTA_BITS = 23

#: Frames decoded together by `_uniform`: 256 frames of 36 samples keep its
#: temporaries (~0.6 MB with the g conversion) in a core's cache (fewest CPU ms per
#: hour among 256-2048 without the conversion; 192-512 alike with it, 128 slower).
#: The running sum along each frame (numpy's accumulate, one element after another)
#: is the largest step (~6 of 15 ms an hour); sums of whole rows in a frame-inner
#: layout are ~5× cheaper but turning the result back costs as much (measured).
CHUNK = 256


class Decoded(NamedTuple):
    """Samples of frames of one layout.

    Attributes:
        counts: (F,) int64 samples per frame.
        samples: (N, 3) the integers `decode_frame` gives (int32 or int64), or, when a
            scale was given and `big` is not None, those integers × the scale, float64.
        big: largest |integer| of every frame when `samples` are scaled, else None.
    """

    counts: IntArray
    samples: npt.NDArray[Any]
    big: int | None


def u64_at(buf: U8Array, at: IntArray) -> npt.NDArray[np.uint64]:
    """Little-endian uint64 starting at each byte offset `at` (unaligned)."""
    view = np.ndarray((buf.size - 7,), dtype="<u8", buffer=buf.data, strides=(1,))
    return view[at]


def ranges(starts: IntArray, counts: IntArray) -> IntArray:
    """Concatenated aranges [s, s + c) for every (s, c)."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return np.repeat(starts - first, counts) + np.arange(total, dtype=np.int64)


def delta_frames(
    buf: U8Array, offs: IntArray, lens: IntArray, scale: float | None = None
) -> Decoded | None:
    """3-channel delta frames with 16-bit references at `buf[offs[i] : offs[i] + lens[i]]`.

    Args:
        buf: the bytes, followed by at least 8 more (windows read past a frame's end).
        offs / lens: (F,) int64 byte offset and length of each frame.
        scale: when given (finite, > 0), samples come back × scale as float64 where the
            chunked form applies (`Decoded.big` set), else as integers.

    Returns:
        None when a frame is malformed (a block header or its bits past the frame's end,
        a width of 0 or over `MAX_DELTA_BITS`, an empty block).
    """
    ref_at = offs + FRAME_HEADER_BYTES
    end = offs + lens
    if np.any(end - ref_at < 2 * CH):
        return None
    # walk the block headers of every frame at once
    pos = ref_at + 2 * CH
    f_idx: list[IntArray] = []
    b_start: list[IntArray] = []
    b_width: list[IntArray] = []
    b_count: list[IntArray] = []
    live = np.flatnonzero(pos < end)
    while live.size:
        p = pos[live]
        if np.any(end[live] - p < 2):
            return None
        width = buf[p].astype(np.int64)
        count = buf[p + 1].astype(np.int64)
        if np.any((width < 1) | (width > MAX_DELTA_BITS) | (count == 0)):
            return None
        nbytes = (width * count * CH + 7) // 8
        if np.any(p + 2 + nbytes > end[live]):
            return None
        f_idx.append(live)
        b_start.append(p + 2)
        b_width.append(width)
        b_count.append(count)
        pos[live] = p + 2 + nbytes
        live = live[pos[live] < end[live]]
    nf = offs.size
    one_block = len(f_idx) == 1 and f_idx[0].size == nf
    # every frame one block of equally many deltas of ≤ 25 bits (a value plus its
    # shift, ≤ 7 bits, fits a 32-bit window): the chunked form
    if one_block and int(b_count[0].min()) == int(b_count[0].max()) and int(b_width[0].max()) <= 25:
        return _uniform(buf, ref_at, b_start[0], b_width[0], int(b_count[0][0]), scale)
    per_frame = np.ones(nf, dtype=np.int64)
    if f_idx:
        fi = np.concatenate(f_idx)
        order = np.lexsort((np.concatenate(b_start), fi))  # blocks in frame, then byte order
        fi = fi[order]
        start = np.concatenate(b_start)[order]
        width = np.concatenate(b_width)[order]
        count = np.concatenate(b_count)[order]
        np.add.at(per_frame, fi, count)
    total = int(per_frame.sum())
    out = np.empty((total, CH), dtype=np.int64)
    row0 = np.concatenate(([0], np.cumsum(per_frame)[:-1]))
    ref = buf[ranges(ref_at, np.full(nf, 2 * CH, np.int64))].view("<i2").reshape(-1, CH)
    out[row0] = ref
    if f_idx:
        first_row = row0[fi] + 1 + (np.cumsum(count) - count) - _block_base(fi, count)
        flat = out.reshape(-1)
        for w in np.flatnonzero(np.bincount(width)).tolist():
            g = np.flatnonzero(width == w)
            nvals = count[g] * CH
            before = np.cumsum(nvals) - nvals
            k = np.arange(int(nvals.sum()), dtype=np.int64)
            bit = np.repeat(start[g] * 8 - before * w, nvals) + k * w
            flat[np.repeat(first_row[g] * CH - before, nvals) + k] = _bits(buf, bit, w)
    np.cumsum(out, axis=0, out=out)
    base = np.zeros((nf, CH), dtype=np.int64)
    base[1:] = out[row0[1:] - 1]
    out -= np.repeat(base, per_frame, axis=0)
    return Decoded(per_frame, out, None)


def _uniform(
    buf: U8Array,
    ref_at: IntArray,
    start: IntArray,
    width: IntArray,
    count: int,
    scale: float | None,
) -> Decoded:
    """Every frame one block of `count` deltas of ≤ 25 bits (the usual case).

    Each value is read from a 32-bit window at its bit offset (byte offsets and shifts
    from a per-width table, so one gather for every frame) and sign-extended by a left
    then an arithmetic right shift; a frame's samples are its reference plus the running
    sum of its deltas. The frames go `CHUNK` at a time, so every temporary (window
    copy, offsets, words) stays small and in cache, and is reused rather than faulted
    in anew (the running sum is done in place). With a `scale`, each chunk's integers
    (in one reused chunk-sized array) are multiplied into the float64 result and their
    largest |value| noted while in cache: the same values as multiplying the whole
    integer array afterwards (int → float64 is exact, the product the same IEEE
    operation), without that array (8.6 MB an hour, faulted in afresh by every
    process) or a second pass over memory: `decode_packets` of the bench's H10 file,
    paired A/B medians on a loaded 2-core machine, −0.3 to −1.9 ms of ~28 at 1 h,
    −1.1 to −4 ms of ~90 at 3 h (the rest is the float64 result's own pages).
    """
    nf = ref_at.size
    nv = count * CH
    ns = count + 1  # samples per frame
    top = int(width.max())
    ints = np.int32 if top <= _INT32_DELTA_BITS else np.int64
    fused = scale is not None
    out = np.empty((nf, ns, CH), dtype=np.float64 if fused else ints)
    part = np.empty((min(nf, CHUNK), ns * CH), dtype=ints) if fused else None
    ref = np.ndarray((buf.size - 2 * CH + 1, 2 * CH), dtype=np.uint8, buffer=buf, strides=(1, 1))
    bit = np.arange(nv, dtype=np.int64)[None, :] * np.arange(top + 1)[:, None]
    lead = bit >> 3  # (width, value): byte of each value in its block
    up = (32 - np.arange(top + 1)[:, None] - (bit & 7)).astype(np.uint32)
    down = (32 - width).astype(np.int32)[:, None]
    window = np.ndarray((buf.size - 3,), dtype="<u4", buffer=buf, strides=(1,))
    span = int(lead[-1, -1]) + 1  # windows a block may start, after its first byte
    # frames in buffer order (a recording's, as a rule): each chunk copies only the
    # windows of its own bytes; else the whole buffer's once
    whole = None if bool(np.all(start[1:] > start[:-1])) else np.ascontiguousarray(window)
    hi = lo = 0
    for a in range(0, nf, CHUNK):
        b = min(nf, a + CHUNK)
        # this chunk's integers, (frames, samples × channels): a reshape of a contiguous
        # array, so always a view (out= below writes into it)
        flat = part[: b - a] if part is not None else out[a:b].reshape(b - a, ns * CH)
        flat[:, :CH] = ref[ref_at[a:b]].view("<i2")
        s = start[a:b]
        lo_byte = int(s[0]) if whole is None else 0
        # the chunk's windows, aligned (gathers from it are faster than unaligned)
        near = np.ascontiguousarray(window[lo_byte : int(s[-1]) + span]) if whole is None else whole
        bits = width[a:b]
        at = np.take(lead, bits, axis=0)  # (frames, nv) window of each value
        at += (s - lo_byte)[:, None]
        word = np.take(near, at)
        word <<= np.take(up, bits, axis=0)  # the value's top bit to bit 31
        # arithmetic shift (sign-extends), straight into the samples after the reference
        np.right_shift(word.view(np.int32), down[a:b], out=flat[:, CH:])
        chunk = flat.reshape(b - a, ns, CH)
        np.cumsum(chunk, axis=1, out=chunk)
        if scale is not None:
            hi, lo = max(hi, int(flat.max())), min(lo, int(flat.min()))
            np.multiply(chunk, scale, out=out[a:b], dtype=np.float64)
    counts = np.full(nf, ns, dtype=np.int64)
    return Decoded(counts, out.reshape(-1, CH), max(hi, -lo) if fused else None)


def _bits(buf: U8Array, bit: IntArray, w: int) -> IntArray:
    """Signed `w`-bit integers packed LSB-first starting at each absolute `bit`."""
    if w <= 25:  # shift ≤ 7 + 25 bits fit a 32-bit window
        view = np.ndarray((buf.size - 3,), dtype="<u4", buffer=buf.data, strides=(1,))
        word = view[bit >> 3] >> (bit & 7).astype(np.uint32)
        v32 = (word & np.uint32((1 << w) - 1)).view(np.int32)
        s32 = np.int32(1 << (w - 1))
        out: IntArray = ((v32 ^ s32) - s32).astype(np.int64)
        return out
    word64 = u64_at(buf, bit >> 3) >> (bit & 7).astype(np.uint64)
    v64 = (word64 & np.uint64((1 << w) - 1)).view(np.int64)
    s64 = np.int64(1 << (w - 1))
    out = (v64 ^ s64) - s64
    return out


def _block_base(fi: IntArray, count: IntArray) -> IntArray:
    """For each block, the samples of all blocks of earlier frames (blocks sorted by frame)."""
    csum = np.cumsum(count) - count  # samples of all earlier blocks
    first_of_frame = np.concatenate(([True], fi[1:] != fi[:-1]))
    base = np.where(first_of_frame, csum, 0)
    return np.maximum.accumulate(base)
