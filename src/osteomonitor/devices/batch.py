"""A whole recording's packets of one device decoded at once (batch `DeviceDecoder`).

`decode_device` gives what feeding the same packets one by one to a `DeviceDecoder`
gives (samples, set-aside counts, decode errors, the decoder's state afterwards), with
array operations where the work is: Polar PMD acceleration (`pmd_batch`: every frame of
a stretch between two control messages at once; SDK per-sample timestamps,
`ClockMapper.add_many`, the no-backwards rule and the plausibility gates on arrays)
and Heart Rate Service notifications (`hrs_batch`), every payload read by offset from
one byte buffer (`Packets`; `decode_packets`). Control messages, other protocols and any
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
from osteomonitor.devices.hrs_batch import HrColumns, decode_hr_at
from osteomonitor.devices.plausibility import SetAside, limit
from osteomonitor.devices.pmd_batch import decode_acc_g_at, joined
from osteomonitor.devices.stream_decoders import MG_PER_G, PmdDecoder
from osteomonitor.errors import DecodeError
from osteomonitor.model import NS_PER_S, AccBlock, HrSample, Packet

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]
    FloatArray = npt.NDArray[np.float64]
    U8Array = npt.NDArray[np.uint8]


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
        acc: admitted accelerometer frames; hr: the HR values, one row each (not
            necessarily in order: `HrColumns.in_order`).
        errors: (order, message) per packet that did not decode.
    """

    acc: AccFramesOut = field(default_factory=AccFramesOut)
    hr: HrColumns = field(default_factory=HrColumns)
    errors: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Packets:
    """One device's packets in arrival order, as arrays (what `decode_packets` reads).

    Attributes:
        order: (n,) int64 position of each packet in the recording's item order.
        t_ns: (n,) int64 host arrival, ns since the Unix epoch.
        stream: (n,) int64 index of each packet's stream in `names`.
        names: stream names.
        buf: uint8 bytes holding every packet's payload (possibly other bytes too),
            followed by at least `pmd_batch.SLACK` bytes.
        offsets / lengths: (n,) int64 where each payload is in `buf`.
    """

    order: IntArray
    t_ns: IntArray
    stream: IntArray
    names: tuple[str, ...]
    buf: U8Array
    offsets: IntArray
    lengths: IntArray

    @classmethod
    def of(
        cls, order: IntArray, t_ns: IntArray, streams: Sequence[str], payloads: Sequence[bytes]
    ) -> Packets:
        """Packets given as a stream name and the bytes of each."""
        names = tuple(dict.fromkeys(streams))
        code = {name: i for i, name in enumerate(names)}
        stream = np.fromiter(map(code.__getitem__, streams), dtype=np.int64, count=len(streams))
        buf, offs, lens = joined(payloads)
        order, t_ns = np.asarray(order, dtype=np.int64), np.asarray(t_ns, dtype=np.int64)
        return cls(order, t_ns, stream, names, buf, offs, lens)

    def packet(self, device: str, i: int) -> Packet:
        """Packet `i` as live decoding sees it."""
        o, n = int(self.offsets[i]), int(self.lengths[i])
        payload = self.buf[o : o + n].tobytes()
        return Packet(int(self.t_ns[i]), device, self.names[int(self.stream[i])], payload)


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
    return decode_packets(decoder, device, Packets.of(order, t_ns, streams, payloads))


_ACC, _HR, _OTHER = 0, 1, 2


def decode_packets(decoder: DeviceDecoder, device: str, packets: Packets) -> DeviceOut:
    """`decode_device` of packets given as arrays (no Python object per packet)."""
    out = DeviceOut()
    spec_of = decoder.profile.streams
    pmd_proto = isinstance(decoder.protocol, PmdDecoder)

    def kind(name: str) -> int:
        spec = spec_of.get(name)
        if spec is not None and pmd_proto and "acc" in spec.carries:
            return _ACC
        return _HR if spec is not None and spec.carries == "hr" else _OTHER

    kinds = np.array([kind(name) for name in packets.names], dtype=np.int64)[packets.stream]
    # Heart Rate Service notifications are stateless: all at once, never splitting a run
    _hr(out, packets, np.flatnonzero(kinds == _HR))
    acc = np.flatnonzero(kinds == _ACC)
    other = np.flatnonzero(kinds == _OTHER)
    done = 0  # ACC frames decoded so far
    for j, before in zip(other.tolist(), np.searchsorted(acc, other).tolist(), strict=True):
        if before > done:  # ACC frames since the last control message
            _pmd_run(decoder, device, out, packets, acc[done:before])
            done = before
        _one(decoder, out, packets.packet(device, j), int(packets.order[j]))
    if done < acc.size:
        _pmd_run(decoder, device, out, packets, acc[done:])
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
            out.hr.append(order, s)
    out.acc.add_blocks(order, [s for s in samples if isinstance(s, AccBlock)])


def _hr(out: DeviceOut, packets: Packets, idx: IntArray) -> None:
    """Heart Rate Measurements at once; a malformed one decoded alone for its message."""
    order = packets.order[idx]
    got, ok = decode_hr_at(
        packets.buf, packets.offsets[idx], packets.lengths[idx], packets.t_ns[idx], order
    )
    out.hr.extend(got)
    for k in np.flatnonzero(~ok).tolist():
        p = packets.packet("", int(idx[k]))
        try:
            out.hr.append(int(order[k]), hrs.decode_hr(p.payload, p.t_ns))
        except DecodeError as exc:
            out.errors.append((int(order[k]), f"hr: {exc}"))


def _pmd_run(
    decoder: DeviceDecoder, device: str, out: DeviceOut, packets: Packets, idx: IntArray
) -> None:
    """ACC frames `idx` (between two control messages): at once, else one by one."""
    proto = decoder.protocol
    assert isinstance(proto, PmdDecoder)
    cfg = decoder.config

    def g_per_count(frame_type: int, compressed: bool) -> float:
        like = cast("pmd.PmdFrame", _Frame(compressed, frame_type))  # what it reads
        return pmd.frame_factor_mg(like, proto.factor) / MG_PER_G

    ready = bool(cfg.rate_hz and cfg.range_g and cfg.rate_hz > 0)
    offs, lens = packets.offsets[idx], packets.lengths[idx]
    frames = decode_acc_g_at(packets.buf, offs, lens, g_per_count) if ready else None
    if frames is None:
        for j in idx.tolist():
            _one(decoder, out, packets.packet(device, j), int(packets.order[j]))
        return
    assert cfg.rate_hz is not None and cfg.range_g is not None
    order, arrival = packets.order[idx], packets.t_ns[idx]
    fs, full = float(cfg.rate_hz), float(cfg.range_g)
    counts = frames.counts
    f = counts.size
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
    acc = frames.acc_g
    top = full * (1.0 + limit("acc_range_margin"))
    # ‖·‖∞ frame by frame only when some value is too large (as a rule none is)
    out_range = ~(frames.peaks_g() <= top) if not frames.abs_max_g <= top else np.zeros(f, bool)
    # plausibility gates (plausibility.check_acc, check_block_time), per frame
    backwards = last < first
    far = np.abs(last - arrival) > limit("block_vs_arrival_s") * NS_PER_S
    stream = packets.names[int(packets.stream[idx[0]])]
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
        np.full(kept.size, fs), np.full(kept.size, full),
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
