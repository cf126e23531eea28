"""Many Polar PMD acceleration frames decoded at once (the batch form of `pmd_frames`).

The frames of one stream are joined into one byte buffer and read with array
operations: one `np.frombuffer` for the headers and the bodies, delta blocks walked for
every frame at once (a frame holds one to three), every delta value read from a 64-bit
window at its bit offset, and each frame's samples restored by one cumulative sum. The
result is identical to `pmd_frames.decode_frame` frame by frame (tested); frames this
form does not cover (another measurement type, a layout without a table entry, any
malformed frame) make it return None, and the caller decodes one frame at a time so
the error is reported exactly as live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.devices.pmd_control_point import PmdMeasurementType
from osteomonitor.devices.pmd_delta import MAX_DELTA_BITS
from osteomonitor.devices.pmd_frames import (
    DELTA_LAYOUTS,
    FRAME_HEADER_BYTES,
    MAX_DEVICE_NS,
    RAW_LAYOUTS,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]

_ACC = int(PmdMeasurementType.ACC)


@dataclass(frozen=True, slots=True)
class AccFrames:
    """Decoded ACC frames of one stream, in order.

    Attributes:
        timestamp_ns: (F,) int64 device time of each frame (its last sample), ns.
        frame_type: (F,) int64 frame type without the compression bit.
        compressed: (F,) bool, delta-compressed frames.
        counts: (F,) int64 samples per frame.
        samples: (N, 3) int64 raw integers of every frame, N = counts.sum().
    """

    timestamp_ns: IntArray
    frame_type: IntArray
    compressed: npt.NDArray[np.bool_]
    counts: IntArray
    samples: IntArray

    @property
    def starts(self) -> IntArray:
        """(F,) index of each frame's first sample in `samples`."""
        return np.concatenate(([0], np.cumsum(self.counts)[:-1])).astype(np.int64)


def decode_acc_frames(payloads: Sequence[bytes]) -> AccFrames | None:
    """Decode PMD ACC notifications at once; None when a frame needs `decode_frame`.

    Args:
        payloads: the notifications' bytes, in arrival order.
    """
    f = len(payloads)
    if f == 0:
        return None
    lens = np.fromiter(map(len, payloads), dtype=np.int64, count=f)
    if int(lens.min()) < FRAME_HEADER_BYTES:
        return None
    joined = b"".join(payloads)
    buf = np.frombuffer(joined + bytes(8), dtype=np.uint8)  # 8 B slack for 64-bit windows
    offs = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64)
    b0 = buf[offs]
    ts_u = _u64(buf, offs + 1)
    ft = buf[offs + 9].astype(np.int64)
    if np.any((b0 & 0x3F) != _ACC) or np.any(ts_u > MAX_DEVICE_NS):
        return None
    ts = ts_u.astype(np.int64)
    ftype = ft & 0x7F
    compressed = (ft & 0x80) != 0
    counts = np.zeros(f, dtype=np.int64)
    parts: list[tuple[IntArray, IntArray]] = []  # (frame index, (n, 3) samples)
    for key in np.flatnonzero(np.bincount(ft)).tolist():
        idx = np.flatnonzero(ft == key)
        got = (_delta if key & 0x80 else _raw)(buf, offs[idx], lens[idx], key & 0x7F)
        if got is None:
            return None
        n_per, samples = got
        counts[idx] = n_per
        parts.append((idx, samples))
    if len(parts) == 1:
        samples = parts[0][1]
    else:  # frames of several types: put the samples back in frame order
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        samples = np.empty((int(counts.sum()), 3), dtype=np.int64)
        for idx, s in parts:
            rows = _ranges(starts[idx], counts[idx])
            samples[rows] = s
    return AccFrames(ts, ftype, compressed, counts, samples)


def _u64(buf: npt.NDArray[np.uint8], at: IntArray) -> npt.NDArray[np.uint64]:
    """Little-endian uint64 starting at each byte offset `at` (unaligned)."""
    view = np.ndarray((buf.size - 7,), dtype="<u8", buffer=buf.data, strides=(1,))
    return view[at]


def _ranges(starts: IntArray, counts: IntArray) -> IntArray:
    """Concatenated aranges [s, s + c) for every (s, c)."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    first = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return np.repeat(starts - first, counts) + np.arange(total, dtype=np.int64)


def _raw(
    buf: npt.NDArray[np.uint8], offs: IntArray, lens: IntArray, ftype: int
) -> tuple[IntArray, IntArray] | None:
    layout = RAW_LAYOUTS.get((_ACC, ftype))
    if layout is None or layout[0] != 3:
        return None
    ch, size = layout
    body = lens - FRAME_HEADER_BYTES
    step = ch * size
    if np.any(body == 0) or np.any(body % step):
        return None
    n = body // step
    if int(lens.min()) == int(lens.max()) and int(offs[-1] - offs[0]) == int(lens[0]) * (
        offs.size - 1
    ):  # equal, adjacent frames (the usual case): one reshape, no index
        length = int(lens[0])
        rows = buf[int(offs[0]) : int(offs[0]) + length * offs.size].reshape(-1, length)
        raw = np.ascontiguousarray(rows[:, FRAME_HEADER_BYTES:]).reshape(-1)
    else:
        raw = buf[_ranges(offs + FRAME_HEADER_BYTES, body)]
    if size == 2:
        return n, raw.view("<i2").reshape(-1, 3).astype(np.int64)
    if size == 1:
        return n, raw.view(np.int8).reshape(-1, 3).astype(np.int64)
    b = raw.reshape(-1, 3).astype(np.int32)  # int24
    v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
    return n, ((v ^ 0x800000) - 0x800000).astype(np.int64).reshape(-1, 3)


def _delta(
    buf: npt.NDArray[np.uint8], offs: IntArray, lens: IntArray, ftype: int
) -> tuple[IntArray, IntArray] | None:
    layout = DELTA_LAYOUTS.get((_ACC, ftype))
    if layout is None or layout[0] != 3 or layout[1] != 16:
        return None
    ch = 3
    ref_at = offs + FRAME_HEADER_BYTES
    end = offs + lens
    if np.any(end - ref_at < 2 * ch):
        return None
    # walk the block headers of every frame at once
    pos = ref_at + 2 * ch
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
        nbytes = (width * count * ch + 7) // 8
        if np.any(p + 2 + nbytes > end[live]):
            return None
        f_idx.append(live)
        b_start.append(p + 2)
        b_width.append(width)
        b_count.append(count)
        pos[live] = p + 2 + nbytes
        live = live[pos[live] < end[live]]
    nf = offs.size
    if len(f_idx) == 1 and f_idx[0].size == nf and int(b_count[0].min()) == int(b_count[0].max()):
        return _delta_uniform(buf, ref_at, b_start[0], b_width[0], int(b_count[0][0]))
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
    out = np.empty((total, ch), dtype=np.int64)
    row0 = np.concatenate(([0], np.cumsum(per_frame)[:-1]))
    ref = buf[_ranges(ref_at, np.full(nf, 2 * ch, np.int64))].view("<i2").reshape(-1, ch)
    out[row0] = ref
    if f_idx:
        first_row = row0[fi] + 1 + (np.cumsum(count) - count) - _block_base(fi, count)
        flat = out.reshape(-1)
        for w in np.flatnonzero(np.bincount(width)).tolist():
            g = np.flatnonzero(width == w)
            nvals = count[g] * ch
            before = np.cumsum(nvals) - nvals
            k = np.arange(int(nvals.sum()), dtype=np.int64)
            bit = np.repeat(start[g] * 8 - before * w, nvals) + k * w
            flat[np.repeat(first_row[g] * ch - before, nvals) + k] = _bits(buf, bit, w)
    np.cumsum(out, axis=0, out=out)
    base = np.zeros((nf, ch), dtype=np.int64)
    base[1:] = out[row0[1:] - 1]
    out -= np.repeat(base, per_frame, axis=0)
    return per_frame, out


def _delta_uniform(
    buf: npt.NDArray[np.uint8], ref_at: IntArray, start: IntArray, width: IntArray, count: int
) -> tuple[IntArray, IntArray]:
    """Every frame one block of `count` deltas (the usual case): (F, count + 1, 3) at once."""
    nf = ref_at.size
    ch = 3
    out = np.empty((nf, count + 1, ch), dtype=np.int64)
    out[:, 0, :] = buf[ref_at[:, None] + np.arange(2 * ch)].view("<i2")
    kw = np.arange(count * ch, dtype=np.int64)
    for w in np.flatnonzero(np.bincount(width)).tolist():
        g = np.flatnonzero(width == w)
        if w > 25:
            bit = (start[g] * 8)[:, None] + (kw * w)[None, :]
            out[g, 1:, :] = _bits(buf, bit.reshape(-1), w).reshape(g.size, count, ch)
            continue
        # bit offsets within a block are the same for every frame: broadcast them
        off = kw * w
        view = np.ndarray((buf.size - 3,), dtype="<u4", buffer=buf.data, strides=(1,))
        word = view[start[g][:, None] + (off >> 3)[None, :]]
        word >>= (off & 7).astype(np.uint32)[None, :]
        word &= np.uint32((1 << w) - 1)
        val = word.view(np.int32)
        sign = np.int32(1 << (w - 1))
        val ^= sign
        val -= sign
        out[g, 1:, :] = val.reshape(g.size, count, ch)
    np.cumsum(out, axis=1, out=out)
    return np.full(nf, count + 1, dtype=np.int64), out.reshape(-1, ch)


def _bits(buf: npt.NDArray[np.uint8], bit: IntArray, w: int) -> IntArray:
    """Signed `w`-bit integers packed LSB-first starting at each absolute `bit`."""
    if w <= 25:  # shift ≤ 7 + 25 bits fit a 32-bit window
        view = np.ndarray((buf.size - 3,), dtype="<u4", buffer=buf.data, strides=(1,))
        word = view[bit >> 3] >> (bit & 7).astype(np.uint32)
        v32 = (word & np.uint32((1 << w) - 1)).view(np.int32)
        s32 = np.int32(1 << (w - 1))
        out: IntArray = ((v32 ^ s32) - s32).astype(np.int64)
        return out
    word64 = _u64(buf, bit >> 3) >> (bit & 7).astype(np.uint64)
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
