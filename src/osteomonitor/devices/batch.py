"""A whole recording's packets of one device decoded at once (batch `DeviceDecoder`).

`decode_device` gives what feeding the same packets one by one to a `DeviceDecoder`
gives (samples, set-aside counts, decode errors, the decoder's state afterwards), with
array operations where the work is: Polar PMD acceleration (`pmd_batch`: every frame of
a stretch between two control messages at once; SDK per-sample timestamps,
`ClockMapper.add_many`, the no-backwards rule and the plausibility gates on arrays)
and Heart Rate Service notifications. Control messages, other protocols and any
stretch the array form does not cover go through `DeviceDecoder.feed` one by one, in
order, so errors and state are exactly those of live decoding (tested).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

import numpy as np

from osteomonitor.devices import hrs
from osteomonitor.devices import polar_pmd as pmd
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.plausibility import SetAside, limit
from osteomonitor.devices.pmd_batch import decode_acc_frames
from osteomonitor.devices.stream_decoders import MG_PER_G, PmdDecoder
from osteomonitor.errors import DecodeError
from osteomonitor.model import NS_PER_S, AccBlock, HrSample, Packet

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]


@dataclass
class AccFramesOut:
    """Admitted accelerometer frames of one device, in arrival order.

    Attributes:
        order: (F,) the packet's position in the recording's item order.
        first_ns / last_ns: (F,) host time of each frame's first and last sample, ns.
        counts: (F,) samples per frame; acc_g: (N, 3) float64 samples, g.
        fs_hz / range_g: (F,) rate (Hz) and full-scale range (±g) of each frame.
    """

    order: list[IntArray] = field(default_factory=list)
    first_ns: list[IntArray] = field(default_factory=list)
    last_ns: list[IntArray] = field(default_factory=list)
    counts: list[IntArray] = field(default_factory=list)
    acc_g: list[FloatArray] = field(default_factory=list)
    fs_hz: list[FloatArray] = field(default_factory=list)
    range_g: list[FloatArray] = field(default_factory=list)

    def add_blocks(self, order: int, blocks: Sequence[AccBlock]) -> None:
        """Append blocks decoded one by one."""
        for b in blocks:
            if len(b) == 0:
                continue
            self._add(
                np.array([order]), b.t_ns[:1], b.t_ns[-1:], np.array([len(b)]),
                np.asarray(b.acc_g, dtype=np.float64), np.array([b.fs_hz], np.float64),
                np.array([b.range_g], np.float64),
            )  # fmt: skip

    def _add(
        self,
        order: IntArray,
        first_ns: IntArray,
        last_ns: IntArray,
        counts: IntArray,
        acc_g: FloatArray,
        fs_hz: FloatArray,
        range_g: FloatArray,
    ) -> None:
        self.order.append(order)
        self.first_ns.append(first_ns)
        self.last_ns.append(last_ns)
        self.counts.append(counts)
        self.acc_g.append(acc_g)
        self.fs_hz.append(fs_hz)
        self.range_g.append(range_g)


@dataclass
class DeviceOut:
    """What one device's packets decoded to.

    Attributes:
        acc: admitted accelerometer frames; hr: (order, sample) per HR value.
        errors: (order, message) per packet that did not decode.
    """

    acc: AccFramesOut = field(default_factory=AccFramesOut)
    hr: list[tuple[int, HrSample]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def decode_device(
    decoder: DeviceDecoder,
    device: str,
    order: IntArray,
    t_ns: IntArray,
    streams: Sequence[str],
    payloads: Sequence[bytes],
) -> DeviceOut:
    """Decode one device's admitted packets (in their arrival order).

    Args:
        decoder: the device's decoder (its state is advanced as if fed one by one).
        device: the device key; order / t_ns: (n,) position in the item order and host
            arrival per packet; streams / payloads: (n,) stream name and bytes.
    """
    out = DeviceOut()
    spec_of = decoder.profile.streams
    pmd_data = [
        name
        for name, spec in spec_of.items()
        if isinstance(decoder.protocol, PmdDecoder) and "acc" in spec.carries
    ]
    n = len(payloads)
    fast_hr = [s in spec_of and spec_of[s].carries == "hr" for s in streams]
    fast_acc = [s in pmd_data for s in streams]
    run: list[int] = []
    for i in range(n + 1):
        if i < n and fast_acc[i]:
            run.append(i)
            continue
        if i < n and fast_hr[i]:  # stateless: never splits a run of ACC frames
            _hr(out, int(order[i]), payloads[i], int(t_ns[i]))
            continue
        if run:  # ACC frames since the last control message
            _pmd_run(decoder, device, out, order[run], t_ns[run], streams, payloads, run)
            run = []
        if i < n:
            _one(decoder, out, Packet(int(t_ns[i]), device, streams[i], payloads[i]), int(order[i]))
    return out


def _one(decoder: DeviceDecoder, out: DeviceOut, packet: Packet, order: int) -> None:
    try:
        samples = decoder.feed(packet)
    except SetAside:
        return  # counted by the decoder
    except DecodeError as exc:
        out.errors.append((order, f"{packet.device}/{packet.stream}: {exc}"))
        return
    for s in samples:
        if isinstance(s, HrSample):
            out.hr.append((order, s))
    out.acc.add_blocks(order, [s for s in samples if isinstance(s, AccBlock)])


def _hr(out: DeviceOut, order: int, payload: bytes, t_ns: int) -> None:
    try:
        out.hr.append((order, hrs.decode_hr(payload, t_ns)))
    except DecodeError as exc:
        out.errors.append((order, f"hr: {exc}"))


def _pmd_run(
    decoder: DeviceDecoder,
    device: str,
    out: DeviceOut,
    order: IntArray,
    arrival: IntArray,
    streams: Sequence[str],
    payloads: Sequence[bytes],
    idx: list[int],
) -> None:
    """ACC frames between two control messages: at once, else one by one."""
    proto = decoder.protocol
    assert isinstance(proto, PmdDecoder)
    frames = decode_acc_frames([payloads[j] for j in idx])
    cfg = decoder.config
    if frames is None or not cfg.rate_hz or not cfg.range_g or not cfg.rate_hz > 0:
        for k, j in enumerate(idx):
            packet = Packet(int(arrival[k]), device, streams[j], payloads[j])
            _one(decoder, out, packet, int(order[k]))
        return
    fs, full = float(cfg.rate_hz), float(cfg.range_g)
    starts, counts = frames.starts, frames.counts
    f = counts.size
    n_same = int(counts[0]) if int(counts.min()) == int(counts.max()) else 0
    # only a frame's first and last sample times are ever read (segment gaps, coverage,
    # the gates): map those two per frame, with the per-sample formulas
    dev_first, dev_last = _timestamps(
        proto.timestamper, frames.timestamp_ns, frames.frame_type, counts, fs
    )
    assert proto.clock is not None
    expected = np.rint(counts * 1e9 / fs).astype(np.int64)
    fits = proto.clock.add_many(frames.timestamp_ns, arrival, expected)
    every = np.arange(f)
    first, last = fits.to_host(dev_first, every), fits.to_host(dev_last, every)
    shift = _continuous(proto, first, last, fs)
    first += shift
    last += shift
    scale = np.ones(f, dtype=np.float64)
    types = frames.frame_type[frames.compressed]
    for t in np.flatnonzero(np.bincount(types)).tolist():  # by frame type
        sel = frames.compressed & (frames.frame_type == t)
        like = cast("pmd.PmdFrame", _Frame(True, int(t)))  # what frame_factor_mg reads
        scale[sel] = pmd.frame_factor_mg(like, proto.factor)
    scale /= MG_PER_G
    if n_same:
        acc = (frames.samples.reshape(f, n_same, 3) * scale[:, None, None]).reshape(-1, 3)
        peak = np.abs(acc).reshape(f, -1).max(axis=1)
    else:
        acc = frames.samples * np.repeat(scale, counts)[:, None]
        peak = np.maximum.reduceat(np.abs(acc).max(axis=1), starts)
    # plausibility gates (plausibility.check_acc, check_block_time), per frame
    out_range = ~(peak <= full * (1.0 + limit("acc_range_margin")))
    backwards = last < first
    far = np.abs(last - arrival) > limit("block_vs_arrival_s") * NS_PER_S
    stream = streams[idx[0]]
    for mask, reason in (
        (out_range, f"value outside ±{full:g} g"),
        (~out_range & backwards, "sample times run backwards"),
        (~out_range & ~backwards & far, "sample times jump away from arrival"),
    ):
        if mask.any():
            decoder.set_aside[(stream, reason)] += int(mask.sum())
    keep = ~(out_range | backwards | far)
    if not keep.all():
        acc = acc[np.repeat(keep, counts)]
    kept = np.flatnonzero(keep)
    out.acc._add(
        order[kept], first[kept], last[kept], counts[kept], acc,
        np.full(counts.size, fs), np.full(counts.size, full),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Frame:
    """What `frame_factor_mg` reads of a frame."""

    compressed: bool
    frame_type: int


def _timestamps(
    ts: pmd.PmdTimestamper, frame_ts: IntArray, ftype: IntArray, counts: IntArray, fs: float
) -> tuple[IntArray, IntArray]:
    """Device times of each frame's first and last sample, as `PmdTimestamper.timestamps`
    gives them frame by frame (and its state afterwards)."""
    f = frame_ts.size
    prev = np.zeros(f, dtype=np.int64)
    has = np.zeros(f, dtype=bool)
    for t in np.flatnonzero(np.bincount(ftype)).tolist():
        key = (int(pmd.ACC), t)
        k = np.flatnonzero(ftype == t)
        old = ts._prev.get(key)
        prev[k[1:]] = frame_ts[k[:-1]]
        has[k[1:]] = True
        if old is not None:
            prev[k[0]], has[k[0]] = old, True
        ts._prev[key] = int(frame_ts[k[-1]])
    nominal = 1e9 / fs
    dt = (frame_ts - prev).astype(np.float64) / counts
    ok = has & (dt > 0)
    if ts.tolerance is not None:
        ok &= np.abs(dt / nominal - 1.0) <= ts.tolerance
        ts.restarts += int((has & ~ok).sum())
    n = counts.astype(np.float64)
    # the first and the last sample of `PmdTimestamper.timestamps` (i = 0 and n − 1)
    along_first = prev + np.rint(dt * 1.0).astype(np.int64)
    along_last = prev + np.rint(dt * n).astype(np.int64)
    back_first = frame_ts - np.rint(nominal * (n - 1.0)).astype(np.int64)
    back_last = frame_ts - np.rint(nominal * 0.0).astype(np.int64)
    return np.where(ok, along_first, back_first), np.where(ok, along_last, back_last)


def _continuous(proto: PmdDecoder, first: IntArray, last: IntArray, fs: float) -> IntArray:
    """Shift per frame so host times never run backwards (`ProtocolDecoder.continuous`)."""
    period = round(1e9 / fs)
    f = first.size
    shift = np.zeros(f, dtype=np.int64)
    prev_last = proto._last_host_ns
    k = 0
    while k < f:
        before = np.concatenate(([prev_last], last[k : f - 1])) if prev_last is not None else None
        if before is None:  # the very first frame: nothing to follow
            prev_last = int(last[k])
            k += 1
            continue
        bad = np.flatnonzero(first[k:] <= before)
        if bad.size == 0:
            prev_last = int(last[-1])
            break
        j = k + int(bad[0])
        prev_last = int(last[j - 1]) if j > k else prev_last
        assert prev_last is not None
        while j < f and int(first[j]) <= prev_last:  # a run of moved frames
            s = prev_last + period - int(first[j])
            shift[j] = s
            proto.time_shifts += 1
            prev_last = int(last[j]) + s
            j += 1
        k = j
    proto._last_host_ns = prev_last
    return shift
