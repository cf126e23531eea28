"""Many Polar PMD acceleration frames decoded at once (the batch form of `pmd_frames`).

The frames lie in one byte buffer (joined, or the recording's own: `store.columns`),
found by offset, and are read with array operations: headers gathered for every frame,
equal raw frames as rows of one strided view, delta frames by `pmd_delta_batch` (block
headers walked for every frame at once, every value read from a 32-bit window at its
bit offset, each frame's samples restored by a running sum). `decode_acc_frames_at`
gives the integers; `decode_acc_g_at` the samples in g, which the usual recording (one
frame layout, one scale) gets a chunk at a time, multiplied while in cache. The result
is identical to `pmd_frames.decode_frame` frame by frame (tested); frames this form
does not cover (another measurement type, a layout without a table entry, any malformed
frame) make it return None, and the caller decodes one frame at a time so the error is
reported exactly as live.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.devices.pmd_control_point import PmdMeasurementType
from osteomonitor.devices.pmd_delta_batch import CH, Decoded, delta_frames, ranges, u64_at
from osteomonitor.devices.pmd_frames import (
    DELTA_LAYOUTS,
    FRAME_HEADER_BYTES,
    MAX_DEVICE_NS,
    RAW_LAYOUTS,
)

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]
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


@dataclass(frozen=True, slots=True)
class AccFramesG:
    """Decoded ACC frames of one stream in g, in order (what `decode_acc_g_at` gives).

    Attributes:
        timestamp_ns / frame_type / compressed / counts: as `AccFrames`.
        acc_g: (N, 3) float64 samples, g: each frame's integers × its frame's scale,
            `np.multiply(samples, scale, dtype=np.float64)` as live decoding computes it.
        abs_max_g: largest |value| of `acc_g` (NaN when one is NaN; 0 when empty), g.
    """

    timestamp_ns: IntArray
    frame_type: IntArray
    compressed: npt.NDArray[np.bool_]
    counts: IntArray
    acc_g: FloatArray
    abs_max_g: float

    def peaks_g(self) -> FloatArray:
        """(F,) largest |value| of each frame, g (NaN for a frame holding a NaN)."""
        if self.acc_g.size == 0:
            return np.zeros(self.counts.size, dtype=np.float64)
        starts = np.concatenate(([0], np.cumsum(self.counts)[:-1]))
        return np.maximum.reduceat(np.abs(self.acc_g).max(axis=1), starts)


#: Zero bytes after the joined frames: 32- and 64-bit windows read past a frame's last byte.
SLACK = 8

#: g per integer of frames of a type (without the compression bit) and compression.
ScaleOf = Callable[[int, bool], float]


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
    head = _headers(buf, offs, lens)
    return None if head is None else _frames(buf, offs, lens, *head)


def decode_acc_g_at(
    buf: U8Array, offs: IntArray, lens: IntArray, scale_of: ScaleOf
) -> AccFramesG | None:
    """`decode_acc_frames_at` with every frame's integers × `scale_of(type, compressed)`
    as float64 (g); None when a frame needs `decode_frame`.

    Frames of one layout and one finite positive scale (a recording, as a rule) are
    decoded straight to g where the layout allows (equal raw 8/16-bit frames, delta
    frames of one block each): a chunk at a time, multiplied while in cache, the
    largest |integer| noted on the way. Any other mix decodes the integers first and
    multiplies them after: the same values either way (tested).
    """
    head = _headers(buf, offs, lens)
    if head is None:
        return None
    ts, ft = head
    ftype, compressed = ft & 0x7F, (ft & 0x80) != 0
    keys = np.flatnonzero(np.bincount(ft)).tolist()
    scale = {k: float(scale_of(k & 0x7F, bool(k & 0x80))) for k in keys}
    if len(keys) == 1 and math.isfinite(g := scale[keys[0]]) and g > 0:
        got = _one_kind(buf, offs, lens, keys[0], g)
        if got is None:
            return None
        if got.big is not None:  # scaled a chunk at a time
            return AccFramesG(ts, ftype, compressed, got.counts, got.samples, float(got.big) * g)
        frames = AccFrames(ts, ftype, compressed, got.counts, got.samples)
    else:
        mixed = _frames(buf, offs, lens, ts, ft)
        if mixed is None:
            return None
        frames = mixed
    per_frame = np.array([scale[k] for k in keys])[np.searchsorted(keys, ft)]
    acc = frames.samples * np.repeat(per_frame, frames.counts)[:, None]
    big = float(np.abs(acc).max()) if acc.size else 0.0
    return AccFramesG(ts, ftype, compressed, frames.counts, acc, big)


def _headers(buf: U8Array, offs: IntArray, lens: IntArray) -> tuple[IntArray, IntArray] | None:
    """(F,) device time (ns) and frame-type byte of every frame; None unless every frame
    is an ACC frame with a header and a believable time."""
    if offs.size == 0 or int(lens.min()) < FRAME_HEADER_BYTES:
        return None
    b0 = buf[offs]
    ts_u = u64_at(buf, offs + 1)
    if np.any((b0 & 0x3F) != _ACC) or np.any(ts_u > MAX_DEVICE_NS):
        return None
    return ts_u.astype(np.int64), buf[offs + 9].astype(np.int64)


def _frames(
    buf: U8Array, offs: IntArray, lens: IntArray, ts: IntArray, ft: IntArray
) -> AccFrames | None:
    """The integers of frames of any mix of layouts (one layout at a time)."""
    f = offs.size
    counts = np.zeros(f, dtype=np.int64)
    parts: list[tuple[IntArray, AnyIntArray]] = []  # (frame index, (n, 3) samples)
    keys = np.flatnonzero(np.bincount(ft)).tolist()
    for key in keys:
        idx = np.flatnonzero(ft == key) if len(keys) > 1 else np.arange(f)
        got = _one_kind(buf, offs[idx], lens[idx], key, None)
        if got is None:
            return None
        counts[idx] = got.counts
        parts.append((idx, got.samples))
    if len(parts) == 1:
        samples = parts[0][1]
    else:  # frames of several types: put the samples back in frame order
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        dtype = np.result_type(*(s.dtype for _, s in parts))
        samples = np.empty((int(counts.sum()), CH), dtype=dtype)
        for idx, s in parts:
            rows = ranges(starts[idx], counts[idx])
            samples[rows] = s
    return AccFrames(ts, ft & 0x7F, (ft & 0x80) != 0, counts, samples)


def _one_kind(
    buf: U8Array, offs: IntArray, lens: IntArray, key: int, scale: float | None
) -> Decoded | None:
    """Frames whose type byte (with the compression bit) is `key`."""
    ftype = key & 0x7F
    if key & 0x80:
        layout = DELTA_LAYOUTS.get((_ACC, ftype))
        if layout is None or layout[0] != CH or layout[1] != 16:
            return None
        return delta_frames(buf, offs, lens, scale)
    return _raw(buf, offs, lens, ftype, scale)


#: Raw frames decoded to g together by `_raw`: 512 36-sample int16 frames are ~110 KB
#: of bytes and ~440 KB of float64, in cache (256-1024 measured alike). Against the
#: whole int16 array multiplied after: `decode_packets` of a raw 1 h H10 file −1.1 ms
#: (of 14; paired A/B medians).
_RAW_CHUNK = 512


def _raw(
    buf: U8Array, offs: IntArray, lens: IntArray, ftype: int, scale: float | None
) -> Decoded | None:
    layout = RAW_LAYOUTS.get((_ACC, ftype))
    if layout is None or layout[0] != CH:
        return None
    size = layout[1]
    body = lens - FRAME_HEADER_BYTES
    step = CH * size
    if np.any(body == 0) or np.any(body % step):
        return None
    n = body // step
    if int(lens.min()) == int(lens.max()) and size in (1, 2):  # equal frames (the usual case)
        # each frame's body as one row of a strided view of the buffer: one row gather
        nb = int(body[0])
        rows = np.ndarray((buf.size - nb + 1, nb), dtype=np.uint8, buffer=buf, strides=(1, 1))
        at = offs + FRAME_HEADER_BYTES
        kind = "<i2" if size == 2 else np.int8
        if scale is None:
            return Decoded(n, rows[at].view(kind).reshape(-1, CH), None)
        # to g a chunk of frames at a time, while its integers are in cache
        f, per = at.size, nb // size
        out = np.empty((f, per), dtype=np.float64)
        hi = lo = 0
        for a in range(0, f, _RAW_CHUNK):
            got = rows[at[a : a + _RAW_CHUNK]].view(kind)
            hi, lo = max(hi, int(got.max())), min(lo, int(got.min()))
            np.multiply(got, scale, out=out[a : a + _RAW_CHUNK], dtype=np.float64)
        return Decoded(n, out.reshape(-1, CH), max(hi, -lo))
    raw = buf[ranges(offs + FRAME_HEADER_BYTES, body)]
    if size == 2:
        return Decoded(n, raw.view("<i2").reshape(-1, CH), None)
    if size == 1:
        return Decoded(n, raw.view(np.int8).reshape(-1, CH), None)
    b = raw.reshape(-1, CH).astype(np.int32)  # int24
    v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
    return Decoded(n, ((v ^ 0x800000) - 0x800000).reshape(-1, CH), None)
