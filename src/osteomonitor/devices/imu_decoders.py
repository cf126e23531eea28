"""Stateful decoders for IMU protocols: Movesense GSP, MetaWear, Thingy:52, osteomonitor-imu."""

from __future__ import annotations

import numpy as np

from osteomonitor.devices import metawear, movesense, osteomonitor_imu, thingy52
from osteomonitor.devices.clock import ClockMapper, Gap
from osteomonitor.devices.plausibility import (
    SetAside,
    check_hr_value,
    limit,
    offered_rate,
)
from osteomonitor.devices.profiles import StreamSpec
from osteomonitor.devices.sample_clock import SampleClock
from osteomonitor.devices.stream_decoders import DecoderConfig, ProtocolDecoder, Sample
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, HrSample, Packet

_U32 = 1 << 32
_MS_NS = 1_000_000


class MovesenseDecoder(ProtocolDecoder):
    """GSP: joins DATA + DATA_PART2, routes by client reference, maps the ms clock."""

    def __init__(self, config: DecoderConfig) -> None:
        super().__init__(config)
        opts = config.profile.options
        self.acc_ref = int(opts.get("acc_ref", 99))
        self.hr_ref = int(opts.get("hr_ref", 98))
        self.clock = ClockMapper()
        self.pending: dict[int, bytes] = {}
        self.orphaned_parts = 0
        self.last_result: bytes | None = None
        self._last_ts: int | None = None
        self._next_first: int | None = None
        self._wrap = 0

    def reset(self) -> None:
        self.pending.clear()
        self._next_first = None

    def feed(self, packet: Packet, spec: StreamSpec) -> list[Sample]:
        if spec.carries == "command":
            return []
        msg = movesense.parse_message(packet.payload)
        kind = movesense.GspResponse
        if msg.kind == kind.COMMAND_RESULT:
            self.last_result = msg.body
            return []
        if msg.kind == kind.DATA:
            out: list[Sample] = []
            held = self.pending.pop(msg.ref, None)
            if held is not None:  # its DATA_PART2 never came: try it whole, else count it
                try:
                    out += self._payload(packet, msg.ref, held)
                except DecodeError:
                    self.orphaned_parts += 1
            if len(msg.body) == movesense.PART_BYTES:
                self.pending[msg.ref] = msg.body
                return out
            return out + self._payload(packet, msg.ref, msg.body)
        if msg.kind == kind.DATA_PART2:
            first = self.pending.pop(msg.ref, None)
            if first is None:
                raise DecodeError(f"Movesense: DATA_PART2 for reference {msg.ref} without its DATA")
            return self._payload(packet, msg.ref, first + msg.body)
        raise DecodeError(f"Movesense: response type {msg.kind.name} is not supported")

    def _payload(self, packet: Packet, ref: int, body: bytes) -> list[Sample]:
        if ref == self.hr_ref:
            avg, rr = movesense.decode_hr(body)
            check_hr_value(avg)
            rr_1024 = tuple(movesense.rr_ms_to_1024(r) for r in rr)
            return [HrSample(t_ns=packet.t_ns, hr_bpm=round(avg), rr_1024=rr_1024)]
        if ref != self.acc_ref:
            raise DecodeError(f"Movesense: data for unknown client reference {ref}")
        ts_ms, acc = movesense.decode_acc(body)
        if self._last_ts is not None and ts_ms < self._last_ts - _U32 // 2:
            self._wrap += _U32
        self._last_ts = ts_ms
        fs = self.config.need_rate()
        n = acc.shape[0]
        period = 1e9 / fs
        first = (ts_ms + self._wrap) * 1_000_000
        # The timestamp has 1 ms resolution: while frames follow each other, continue the
        # sample grid (sub-ms exact) instead of restarting at the rounded value.
        if self._next_first is not None and abs(first - self._next_first) <= _MS_NS:
            first = self._next_first
        dev_t = first + np.rint(np.arange(n) * period).astype(np.int64)
        self._next_first = first + round(n * period)
        assert self.clock is not None
        self.clock.add(int(dev_t[-1]), packet.t_ns, expected_interval_ns=round(n * period))
        return [
            AccBlock(
                device=packet.device,
                t_ns=self.continuous(self.clock.to_host(dev_t), fs),
                acc_g=acc / movesense.STANDARD_GRAVITY,
                fs_hz=fs,
                range_g=self.config.need_range(),
                device_t_ns=dev_t,
            )
        ]


class MetaWearDecoder(ProtocolDecoder):
    """MetaWear: single or packed samples, no device time (counted at the nominal rate)."""

    def __init__(self, config: DecoderConfig) -> None:
        super().__init__(config)
        self.chip = str(
            config.settings.get("chip", config.profile.options.get("default_chip", "bmi160"))
        )
        self.sample_clock = SampleClock(config.need_rate()) if config.rate_hz else None
        self.clock = self.sample_clock.mapper if self.sample_clock else None

    def reset(self) -> None:
        if self.config.rate_hz:
            self.sample_clock = SampleClock(self.config.rate_hz)
            self.clock = self.sample_clock.mapper

    def feed(self, packet: Packet, spec: StreamSpec) -> list[Sample]:
        if spec.carries != "acc":
            return []
        b = packet.payload
        if len(b) < 2:
            raise DecodeError(f"MetaWear: {len(b)}-byte notification (need module and register)")
        chip = metawear.parse_module_info(b)
        if chip is not None:
            self.chip = chip
            return []
        if not metawear.is_acc_data(b):
            return []  # other module responses
        acc = metawear.decode_acc(b, self.config.need_range())
        if self.sample_clock is None:
            self.sample_clock = SampleClock(self.config.need_rate())
            self.clock = self.sample_clock.mapper
        host, _ = self.sample_clock.stamp(acc.shape[0], packet.t_ns)
        host = self.continuous(host, self.config.need_rate())
        return [
            AccBlock(packet.device, host, acc, self.config.need_rate(), self.config.need_range())
        ]


class ThingyDecoder(ProtocolDecoder):
    """Thingy:52 raw data: one sample per notification at the configured motion rate."""

    def __init__(self, config: DecoderConfig) -> None:
        super().__init__(config)
        self.sample_clock: SampleClock | None = None
        self.motion_config: thingy52.MotionConfig | None = None

    def reset(self) -> None:
        self.sample_clock = None

    def feed(self, packet: Packet, spec: StreamSpec) -> list[Sample]:
        if spec.carries == "config":
            self.motion_config = thingy52.parse_config(packet.payload)
            if float(self.motion_config.motion_freq_hz) != self.config.rate_hz:
                self.config.rate_hz = float(self.motion_config.motion_freq_hz)
                self.sample_clock = None
            return []
        if spec.carries != "acc":
            return []
        acc, _, _ = thingy52.decode_raw(packet.payload)
        if self.sample_clock is None:
            self.sample_clock = SampleClock(self.config.need_rate())
            self.clock = self.sample_clock.mapper
        host, _ = self.sample_clock.stamp(1, packet.t_ns)
        host = self.continuous(host, self.config.need_rate())
        return [
            AccBlock(
                packet.device,
                host,
                acc.reshape(1, 3),
                self.config.need_rate(),
                self.config.need_range(),
            )
        ]


class OsteoImuDecoder(ProtocolDecoder):
    """osteomonitor-imu: device µs clock mapped to host; sample counter reveals losses."""

    def __init__(self, config: DecoderConfig) -> None:
        super().__init__(config)
        self.clock = ClockMapper()
        self.next_index: int | None = None
        self.lost_samples = 0
        # Frames carry their own rate and range: they must agree with what the stream
        # was started with (the settings), or with the first frame when none are stored.
        settings = config.settings
        self.stream_rate_hz: float | None = (
            float(settings["sample_rate"]) if settings.get("sample_rate") else None
        )
        self.stream_range_g: float | None = (
            float(settings["range_g"]) if settings.get("range_g") else None
        )

    def _agree(self, f: osteomonitor_imu.ImuFrame) -> None:
        """Raise SetAside when a frame's rate or range disagrees with its stream's."""
        profile = self.config.profile
        if self.stream_rate_hz is None:
            if not offered_rate(profile, f.rate_hz):
                raise SetAside(f"rate {f.rate_hz} Hz not offered by {profile.display_name}")
            self.stream_rate_hz = float(f.rate_hz)
        if self.stream_range_g is None:
            self.stream_range_g = float(f.range_g)
        rate, rng = self.stream_rate_hz, self.stream_range_g
        if abs(f.rate_hz - rate) > limit("rate_tolerance") * rate:
            raise SetAside(f"rate differs from the stream's {rate:g} Hz", f"{f.rate_hz} Hz")
        if f.range_g != rng:
            raise SetAside(f"range differs from the stream's ±{rng:g} g", f"±{f.range_g} g")

    def reset(self) -> None:
        self.next_index = None

    @property
    def gaps(self) -> list[Gap]:
        assert self.clock is not None
        return self.clock.gaps

    def feed(self, packet: Packet, spec: StreamSpec) -> list[Sample]:
        if spec.carries != "acc":
            return []
        f = osteomonitor_imu.decode_frame(packet.payload)
        self._agree(f)
        n = f.acc_g.shape[0]
        if self.next_index is not None and f.first_index != self.next_index:
            self.lost_samples += (f.first_index - self.next_index) % _U32
        self.next_index = (f.first_index + n) % _U32
        period = 1e9 / f.rate_hz
        dev_t = f.t_us * 1000 + np.rint(np.arange(n) * period).astype(np.int64)
        assert self.clock is not None
        self.clock.add(int(dev_t[-1]), packet.t_ns, expected_interval_ns=round(n * period))
        return [
            AccBlock(
                device=packet.device,
                t_ns=self.continuous(self.clock.to_host(dev_t), float(f.rate_hz)),
                acc_g=f.acc_g,
                fs_hz=float(f.rate_hz),
                range_g=float(f.range_g),
                device_t_ns=dev_t,
            )
        ]
