"""Many Polar PMD acceleration frames decoded at once (the batch form of `pmd_frames`).

The frames lie in one byte buffer (joined, or the recording's own: `store.columns`),
found by offset, and are read with array operations: headers gathered for every frame,
equal raw frames as rows of one strided view, delta blocks walked for every frame at
once (a frame holds one to three), every delta value read from a 32-bit (or 64-bit)
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
    U8Array = npt.NDArray[np.uint8]
    AnyIntArray = npt.NDArray[np.integer]

_ACC = int(PmdMeasurementType.ACC)


@dataclass(frozen=True, slots=True)
class AccFrames:
    """Decoded ACC frames of one stream, in order.

    Attributes:
        timestamp_ns: (F,) int64 device time of each frame (its last sample), ns.
        frame_type: (F,) int64 frame type without the compression bit.
        compressed: (F,) bool, delta-compressed frames.
        counts: (F,) int64 samples per frame.
        samples: (N, 3) raw integers of every frame, N = counts.sum() (int8, int16,
            int32 or int64: the narrowest type that holds them as decoded; the values are
            `decode_frame`'s).
    """

    timestamp_ns: IntArray
    frame_type: IntArray
    compressed: npt.NDArray[np.bool_]
    counts: IntArray
    samples: AnyIntArray

    @property
    def starts(self) -> IntArray:
        """(F,) index of each frame's first sample in `samples`."""
        return np.concatenate(([0], np.cumsum(self.counts)[:-1])).astype(np.int64)


#: Zero bytes after the joined frames: 32- and 64-bit windows read past a frame's last byte.
SLACK = 8


def joined(payloads: Sequence[bytes]) -> tuple[U8Array, IntArray, IntArray]:
    """Notifications joined into one buffer: (bytes + `SLACK`, (n,) offsets, (n,) lengths)."""
    lens = np.fromiter(map(len, payloads), dtype=np.int64, count=len(payloads))
    offs = np.zeros(lens.size, dtype=np.int64)
    np.cumsum(lens[:-1], out=offs[1:])
    return np.frombuffer(b"".join(payloads) + bytes(SLACK), dtype=np.uint8), offs, lens


def decode_acc_frames(payloads: Sequence[bytes]) -> AccFrames | None:
    """Decode PMD ACC notifications at once; None when a frame needs `decode_frame`.

    Args:
        payloads: the notifications' bytes, in arrival order.
    """
    if not payloads:
        return None
    return decode_acc_frames_at(*joined(payloads))


def decode_acc_frames_at(buf: U8Array, offs: IntArray, lens: IntArray) -> AccFrames | None:
    """`decode_acc_frames` of the notifications at `buf[offs[i] : offs[i] + lens[i]]`.

    Args:
        buf: bytes holding the frames (other bytes between them are ignored), followed
            by at least `SLACK` bytes.
        offs / lens: (F,) int64 byte offset and length of each frame, in arrival order.
    """
    f = offs.size
    if f == 0 or int(lens.min()) < FRAME_HEADER_BYTES:
        return None
    b0 = buf[offs]
    ts_u = _u64(buf, offs + 1)
    ft = buf[offs + 9].astype(np.int64)
    if np.any((b0 & 0x3F) != _ACC) or np.any(ts_u > MAX_DEVICE_NS):
        return None
    ts = ts_u.astype(np.int64)
    ftype = ft & 0x7F
    compressed = (ft & 0x80) != 0
    counts = np.zeros(f, dtype=np.int64)
    parts: list[tuple[IntArray, AnyIntArray]] = []  # (frame index, (n, 3) samples)
    keys = np.flatnonzero(np.bincount(ft)).tolist()
    for key in keys:
        idx = np.flatnonzero(ft == key) if len(keys) > 1 else np.arange(f)
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
        dtype = np.result_type(*(s.dtype for _, s in parts))
        samples = np.empty((int(counts.sum()), 3), dtype=dtype)
        for idx, s in parts:
            rows = _ranges(starts[idx], counts[idx])
            samples[rows] = s
    return AccFrames(ts, ftype, compressed, counts, samples)


def _u64(buf: U8Array, at: IntArray) -> npt.NDArray[np.uint64]:
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
    buf: U8Array, offs: IntArray, lens: IntArray, ftype: int
) -> tuple[IntArray, AnyIntArray] | None:
    layout = RAW_LAYOUTS.get((_ACC, ftype))
    if layout is None or layout[0] != 3:
        return None
    ch, size = layout
    body = lens - FRAME_HEADER_BYTES
    step = ch * size
    if np.any(body == 0) or np.any(body % step):
        return None
    n = body // step
    if int(lens.min()) == int(lens.max()) and size in (1, 2):  # equal frames (the usual case)
        # each frame's body as one row of a strided view of the buffer: one row gather
        nb = int(body[0])
        rows = np.ndarray((buf.size - nb + 1, nb), dtype=np.uint8, buffer=buf, strides=(1, 1))
        got = rows[offs + FRAME_HEADER_BYTES]  # (F, nb) bytes, contiguous
        return n, got.view("<i2" if size == 2 else np.int8).reshape(-1, 3)
    raw = buf[_ranges(offs + FRAME_HEADER_BYTES, body)]
    if size == 2:
        return n, raw.view("<i2").reshape(-1, 3)
    if size == 1:
        return n, raw.view(np.int8).reshape(-1, 3)
    b = raw.reshape(-1, 3).astype(np.int32)  # int24
    v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
    return n, ((v ^ 0x800000) - 0x800000).reshape(-1, 3)


def _delta(
    buf: U8Array, offs: IntArray, lens: IntArray, ftype: int
) -> tuple[IntArray, AnyIntArray] | None:
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


#: Widest delta for which a frame's samples (16-bit reference plus up to 255 deltas)
#: stay inside int32: 2^15 + 255 · 2^22 < 2^31.
_INT32_DELTA_BITS = 23

#: Frames decoded together by `_delta_uniform`: 256 frames of 36 samples keep its
#: temporaries (~0.5 MB) in a core's cache (fewest CPU ms per hour measured, 256-2048).
_CHUNK = 256


def _delta_uniform(
    buf: U8Array, ref_at: IntArray, start: IntArray, width: IntArray, count: int
) -> tuple[IntArray, AnyIntArray]:
    """Every frame one block of `count` deltas (the usual case): (F, count + 1, 3) at once.

    Each value is read from a 32-bit window at its bit offset (byte offsets and shifts
    from a per-width table, so one gather for every frame) and sign-extended by a left
    then an arithmetic right shift; a frame's samples are its reference plus the running
    sum of its deltas. The frames go `_CHUNK` at a time, so every temporary (window
    copy, offsets, words) stays small and in cache, and is reused rather than faulted
    in anew (the running sum is written into the result in place).
    """
    nf = ref_at.size
    ch = 3
    nv = count * ch
    top = int(width.max())
    narrow = top <= _INT32_DELTA_BITS
    out = np.empty((nf, count + 1, ch), dtype=np.int32 if narrow else np.int64)
    ref = np.ndarray((buf.size - 2 * ch + 1, 2 * ch), dtype=np.uint8, buffer=buf, strides=(1, 1))
    out[:, 0, :] = ref[ref_at].view("<i2")
    deltas = out[:, 1:, :].reshape(nf, nv)  # a view: each frame's values, in bit order
    if top <= 25:  # a value plus its shift (≤ 7 bits) fits a 32-bit window
        bit = np.arange(nv, dtype=np.int64)[None, :] * np.arange(top + 1)[:, None]
        lead = bit >> 3  # (width, value): byte of each value in its block
        up = (32 - np.arange(top + 1)[:, None] - (bit & 7)).astype(np.uint32)
        down = (32 - width).astype(np.int32)[:, None]
        window = np.ndarray((buf.size - 3,), dtype="<u4", buffer=buf, strides=(1,))
        span = int(lead[-1, -1]) + 1  # windows a block may start, after its first byte
        # frames in buffer order (a recording's, as a rule): each chunk copies only the
        # windows of its own bytes; else the whole buffer's once
        whole = None if bool(np.all(start[1:] > start[:-1])) else np.ascontiguousarray(window)
        for a in range(0, nf, _CHUNK):
            b = min(nf, a + _CHUNK)
            s = start[a:b]
            lo = int(s[0]) if whole is None else 0
            # the chunk's windows, aligned (gathers from it are faster than unaligned)
            near = np.ascontiguousarray(window[lo : int(s[-1]) + span]) if whole is None else whole
            bits = width[a:b]
            at = np.take(lead, bits, axis=0)  # (frames, nv) window of each value
            at += (s - lo)[:, None]
            word = np.take(near, at)
            word <<= np.take(up, bits, axis=0)  # the value's top bit to bit 31
            # arithmetic shift (sign-extends), straight into the result
            np.right_shift(word.view(np.int32), down[a:b], out=deltas[a:b])
            np.cumsum(out[a:b], axis=1, out=out[a:b])
        return np.full(nf, count + 1, dtype=np.int64), out.reshape(-1, ch)
    kw = np.arange(nv, dtype=np.int64)
    for w in np.flatnonzero(np.bincount(width)).tolist():
        g = np.flatnonzero(width == w)
        bit = (start[g] * 8)[:, None] + (kw * w)[None, :]
        deltas[g] = _bits(buf, bit.reshape(-1), w).reshape(g.size, nv)
    np.cumsum(out, axis=1, out=out)
    return np.full(nf, count + 1, dtype=np.int64), out.reshape(-1, ch)


def _bits(buf: U8Array, bit: IntArray, w: int) -> IntArray:
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
