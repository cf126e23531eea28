"""Stateful per-protocol decoders behind `DeviceDecoder`: the base class, HRS and Polar PMD.

Each turns the packets of one device into samples, keeping what a protocol needs between
packets (PMD timestamper and factor, clock mapping). Pure: no I/O, no asyncio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from osteomonitor.devices import polar_pmd as pmd
from osteomonitor.devices.clock import ClockMapper, Gap
from osteomonitor.devices.plausibility import check_factor
from osteomonitor.devices.profiles import Profile, StreamSpec
from osteomonitor.errors import DecodeError
from osteomonitor.model import AccBlock, HrSample, Packet

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]

Sample = HrSample | AccBlock

#: PMD frames whose measured sample spacing deviates more than this from 1/fs restart the
#: per-sample timestamps at the nominal rate (lost frames; L0rek/polar_h10
#: `get_timestamps_list` uses 10 %).
PMD_TIMESTAMP_TOLERANCE = 0.10
MG_PER_G = 1000.0


@dataclass
class DecoderConfig:
    """What a protocol decoder knows about its device.

    Attributes:
        profile: the device family.
        rate_hz: accelerometer rate in use, Hz (None for HR-only devices).
        range_g: accelerometer full-scale range, ±g (None for HR-only devices).
        settings: everything the collector chose (stored in DeviceInfo.settings).
    """

    profile: Profile
    rate_hz: float | None
    range_g: float | None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def need_rate(self) -> float:
        """The accelerometer rate, or DecodeError when the profile has none."""
        if not self.rate_hz:
            raise DecodeError(f"{self.profile.key}: accelerometer data but no sample rate known")
        return self.rate_hz

    def need_range(self) -> float:
        """The accelerometer range, or DecodeError when the profile has none."""
        if not self.range_g:
            raise DecodeError(f"{self.profile.key}: accelerometer data but no range known")
        return self.range_g


class ProtocolDecoder:
    """Base: one instance per device; `feed` gets every packet not handled generically."""

    def __init__(self, config: DecoderConfig) -> None:
        self.config = config
        self.clock: ClockMapper | None = None
        self.time_shifts = 0
        self._last_host_ns: int | None = None

    def continuous(self, t_ns: IntArray, fs_hz: float) -> IntArray:
        """Host times that never run backwards from one block to the next.

        While the clock fit settles (its offset drops when a faster frame arrives), a
        block could start before the previous one ended; it is then moved later as a
        whole, spacing kept, to one period after it. Counted in `time_shifts`.
        """
        last = self._last_host_ns
        if last is not None and t_ns.size and t_ns[0] <= last:
            t_ns = t_ns + (last + round(1e9 / fs_hz) - int(t_ns[0]))
            self.time_shifts += 1
        if t_ns.size:
            self._last_host_ns = int(t_ns[-1])
        return t_ns

    def feed(self, packet: Packet, spec: StreamSpec) -> list[Sample]:
        """Decode one packet of a protocol-specific stream (control streams give [])."""
        return []

    def reset(self) -> None:
        """Forget per-stream state after a reconnect or stream restart (keeps the clock)."""

    @property
    def gaps(self) -> list[Gap]:
        """Lost data detected so far."""
        return self.clock.gaps if self.clock is not None else []


class HrsDecoder(ProtocolDecoder):
    """Heart Rate Service straps: everything is handled by `DeviceDecoder` itself."""


class PmdDecoder(ProtocolDecoder):
    """Polar PMD: control-point state, per-sample timestamps, device→host clock."""

    def __init__(self, config: DecoderConfig) -> None:
        super().__init__(config)
        self.timestamper = pmd.PmdTimestamper(tolerance=PMD_TIMESTAMP_TOLERANCE)
        self.clock = ClockMapper()
        self.factor = 1.0
        self.features: frozenset[int] | None = None
        self.last_response: pmd.CpResponse | None = None
        self.stopped: tuple[int, ...] = ()
        self.frames_skipped = 0

    def reset(self) -> None:
        self.timestamper.reset()

    def feed(self, packet: Packet, spec: StreamSpec) -> list[Sample]:
        if spec.carries == "control":
            self._control(packet.payload)
            return []
        if "acc" not in spec.carries:
            return []
        frame = pmd.decode_frame(packet.payload)
        if frame.mtype != pmd.ACC:
            self.frames_skipped += 1
            return []
        fs = self.config.need_rate()
        n = len(frame)
        dev_t = self.timestamper.timestamps(pmd.ACC, frame.frame_type, frame.timestamp_ns, n, fs)
        assert self.clock is not None
        self.clock.add(frame.timestamp_ns, packet.t_ns, expected_interval_ns=round(n * 1e9 / fs))
        scale = pmd.frame_factor_mg(frame, self.factor) / MG_PER_G
        return [
            AccBlock(
                device=packet.device,
                t_ns=self.continuous(self.clock.to_host(dev_t), fs),
                acc_g=np.multiply(frame.samples, scale, dtype=np.float64),
                fs_hz=fs,
                range_g=self.config.need_range(),
                device_t_ns=dev_t,
            )
        ]

    def _control(self, b: bytes) -> None:
        if b[:1] == bytes([0x0F]):
            self.features = pmd.parse_features(b)
            return
        msg = pmd.parse_cp_message(b)
        if isinstance(msg, pmd.MeasurementStopped):
            self.stopped = msg.types
            self.timestamper.reset()
            return
        self.last_response = msg
        if msg.op == pmd.PmdOp.REQUEST_MEASUREMENT_START and msg.ok and msg.mtype == pmd.ACC:
            factor = msg.settings().get("factor")
            value = float(factor[0]) if factor else 1.0
            self.timestamper.reset()
            check_factor(value)  # a bad factor is set aside; the last good one is kept
            self.factor = value
