"""Virtual hip IMUs: MetaMotion (MetaWear), Thingy:52, the open osteomonitor IMU (Movesense:
`movesense_wearable.py`, on the `VirtualImu` base here).

Each plays the session model's acceleration through its own protocol, built with the
devices layer's encoders (reference/protocols.md §3-6): MetaWear answers the module-info
read as a MetaMotion R (BMI160) and streams packed samples once configured, subscribed,
enabled and started; Movesense streams `/Meas/Acc/<rate>` and `/Meas/HR` to GSP
subscriptions and answers an unknown rate with status 404; the Thingy:52 streams one
9-axis sample per notification at its configured motion frequency, clipped at its ±2 g;
the open IMU streams timestamped, counted frames between START and STOP.
A central that disconnects while MetaWear, Movesense or the open IMU is still sampling
is noted as a violation (those sensors keep sampling: protocols.md §7.5-7.6).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from bumble import gatt
from bumble.att import ATT_Error, AttributeValue
from bumble.core import UUID
from bumble.device import Connection

from osteomonitor.devices import metawear, osteomonitor_imu, thingy52
from osteomonitor.errors import DecodeError
from osteomonitor.sim.clock import SimClock
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.peripheral import (
    NO_ACCESS,
    VirtualPeripheral,
    advertising_payload,
    device_information_service,
)
from osteomonitor.sim.radio import VirtualRadio
from osteomonitor.sim.session_model import SessionModel

WRITE = gatt.Characteristic.Properties.WRITE | gatt.Characteristic.Properties.WRITE_WITHOUT_RESPONSE
#: Seconds of signal per open-IMU frame.
OSTEO_IMU_FRAME_S = 0.1
#: ATT error for an invalid Thingy config ("value not allowed", Core v5.4 Vol 3 Part F 3.4.1).
ATT_VALUE_NOT_ALLOWED = 0x13
#: Thingy accelerometer full scale (eMPL default, drv_motion.c never changes it), ±g.
THINGY_RANGE_G = 2.0
#: Standard gravity, m/s² per g.
G_MS2 = 9.80665

log = logging.getLogger(__name__)

Encoder = Callable[[np.ndarray, int], bytes]


class VirtualImu(VirtualPeripheral):
    """A sampler: blocks of `per_packet` samples at `rate_hz` (device clock) while running."""

    data_streams: tuple[str, ...] = ()
    #: Whether disconnecting while sampling leaves the real sensor running.
    keeps_running_without_link = True

    def __init__(
        self,
        radio: VirtualRadio,
        clock: SimClock,
        *,
        model: SessionModel,
        name: str,
        address: str,
        faults: Faults | None = None,
        battery_pct: int = 64,
    ) -> None:
        super().__init__(
            radio,
            clock,
            name=name,
            address=address,
            faults=faults,
            battery_pct=battery_pct,
            duration_s=model.duration_s,
        )
        self.model = model
        self.data_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(self.data_uuid), gatt.Characteristic.Properties.NOTIFY, NO_ACCESS, b""
        )
        self.commands: list[bytes] = []
        self._sampler: asyncio.Task[None] | None = None
        #: Simulated time sampling last started.
        self.sampling_started_s: float | None = None
        #: Simulated times of the samples of every data notification that went out.
        self.sample_times_s: list[np.ndarray] = []

    data_uuid = ""
    data_stream = ""

    @property
    def running(self) -> bool:
        """Whether the sensor is sampling."""
        return self._sampler is not None and not self._sampler.done()

    def start_sampling(self, rate_hz: float, per_packet: int, encode: Encoder) -> None:
        """Start sampling now (restarts when already running)."""
        self.stop_sampling()
        self.sampling_started_s = self.clock.now_s()
        self._sampler = asyncio.create_task(
            self._sample_loop(rate_hz, per_packet, encode, self.sampling_started_s)
        )

    def stop_sampling(self) -> None:
        """Stop sampling."""
        if self._sampler is not None:
            self._sampler.cancel()
            self._sampler = None

    async def _sample_loop(
        self, rate_hz: float, per_packet: int, encode: Encoder, start_sim: float
    ) -> None:
        if self.playback is not None:
            await self.replay(self.data_char, self.data_stream, start_sim, wanted=self.replayable)
            return
        dev0 = self.device_s(start_sim)
        k = 0
        while True:
            dev_t = dev0 + (k * per_packet + np.arange(1, per_packet + 1)) / rate_hz
            sim_t = dev_t / (1.0 + self.drift)
            if not await self.sleep_until(float(sim_t[-1])):
                return
            if await self.send(self.data_char, self.data_stream, encode(sim_t, k * per_packet)):
                self.sample_times_s.append(sim_t)
            k += 1

    def replayable(self, payload: bytes) -> bool:
        """Whether a recorded payload is sampled data (replies to commands are not replayed)."""
        return True

    async def on_disconnected(self, reason: int, dropped: bool) -> None:
        """Note a central that left the sensor sampling."""
        if self.running and not dropped and self.keeps_running_without_link:
            self.violations.append(
                "disconnected while the accelerometer was sampling (it keeps running)"
            )
        self.stop_sampling()

    async def stop(self) -> None:
        """Stop sampling and every task."""
        self.stop_sampling()
        await super().stop()


class VirtualMetaMotion(VirtualImu):
    """A MetaMotion R (BMI160) on the MetaWear protocol, packed samples."""

    kind = "metamotion"
    data_uuid = metawear.MW_NOTIFY_UUID
    data_stream = "mw_notify"
    data_streams = ("mw_notify",)
    chip = "bmi160"

    def __init__(self, radio: VirtualRadio, clock: SimClock, **kwargs: Any) -> None:
        super().__init__(radio, clock, **kwargs)
        self.odr_hz = 100.0
        self.range_g = 16
        self.packed = False
        self.subscribed_acc = False
        self.enabled = False
        self.command_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(metawear.MW_COMMAND_UUID),
            WRITE,
            gatt.Characteristic.WRITEABLE,
            AttributeValue[bytes](write=self._on_command),
        )

    def services(self) -> list[gatt.Service]:
        """MetaWear and Device Information."""
        info = {"manufacturer": "MbientLab Inc", "model": "5", "firmware": "1.7.3"}
        return [
            gatt.Service(UUID(metawear.MW_SERVICE_UUID), [self.command_char, self.data_char]),
            device_information_service(info),
        ]

    def advertising_data(self) -> bytes:
        """Flags, the MetaWear service, the name."""
        return advertising_payload(self.name, uuid128=metawear.MW_SERVICE_UUID)

    def malformed(self, stream: str, good: bytes) -> bytes:
        """Accelerometer data one byte short."""
        return good[:-1]

    def _on_command(self, _connection: Connection, value: bytes) -> None:
        b = bytes(value)
        self.commands.append(b)
        if b == metawear.build_module_info_read():
            self._spawn(self.send(self.data_char, "mw_notify", bytes([3, 0x80, 1, 1])))  # type: ignore[arg-type]
        elif b[:2] == bytes([metawear.ACC_MODULE, metawear.REG_DATA_CONFIG]):
            try:
                self.odr_hz, self.range_g = metawear.parse_acc_config(b, self.chip)
            except DecodeError as exc:
                log.debug("%s: bad config %s", self.name, exc)
        elif b[:2] in (
            bytes([3, metawear.REG_DATA]),
            bytes([3, metawear.PACKED_REGISTER[self.chip]]),
        ):
            self.subscribed_acc = len(b) > 2 and b[2] == 1
            self.packed = b[1] != metawear.REG_DATA
        elif b == metawear.build_acc_enable_sampling():
            self.enabled = True
        elif b == metawear.build_acc_disable_sampling():
            self.enabled = False
        elif b == metawear.build_acc_start():
            if self.enabled and self.subscribed_acc:
                n = 3 if self.packed else 1
                self.start_sampling(self.odr_hz, n, self._encode)
        elif b == metawear.build_acc_stop():
            self.stop_sampling()

    def replayable(self, payload: bytes) -> bool:
        """Accelerometer data only (not module-info replies)."""
        return metawear.is_acc_data(payload)

    def _encode(self, sim_t: np.ndarray, first: int) -> bytes:
        acc = np.clip(self.model.acc_g(sim_t), -self.range_g, self.range_g)
        return metawear.encode_acc(acc, self.range_g, self.chip)


class VirtualThingy(VirtualImu):
    """A Nordic Thingy:52 streaming raw motion data while notifications are on."""

    kind = "thingy52"
    data_uuid = thingy52.RAW_DATA_UUID
    data_stream = "raw_data"
    data_streams = ("raw_data",)
    keeps_running_without_link = False

    def __init__(self, radio: VirtualRadio, clock: SimClock, **kwargs: Any) -> None:
        super().__init__(radio, clock, **kwargs)
        self.config = thingy52.MotionConfig()
        self.config_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(thingy52.MOTION_CONFIG_UUID),
            gatt.Characteristic.Properties.READ | gatt.Characteristic.Properties.WRITE,
            gatt.Characteristic.READABLE | gatt.Characteristic.WRITEABLE,
            AttributeValue[bytes](
                read=lambda _c: thingy52.build_config(self.config), write=self._on_config
            ),
        )

    def services(self) -> list[gatt.Service]:
        """Motion service and the (empty) configuration service it advertises."""
        return [
            gatt.Service(UUID(thingy52.MOTION_SERVICE_UUID), [self.config_char, self.data_char]),
            gatt.Service(UUID(thingy52.CONFIG_SERVICE_UUID), []),
        ]

    def advertising_data(self) -> bytes:
        """Flags, the configuration service, the name."""
        return advertising_payload(self.name, uuid128=thingy52.CONFIG_SERVICE_UUID)

    def malformed(self, stream: str, good: bytes) -> bytes:
        """Raw data one byte short."""
        return good[:-1]

    def _on_config(self, _connection: Connection, value: bytes) -> None:
        try:
            self.config = thingy52.parse_config(bytes(value))
        except DecodeError:
            raise ATT_Error(error_code=ATT_VALUE_NOT_ALLOWED) from None
        if self.running:
            self._start()

    def on_subscription(self, characteristic: object, notify: bool, indicate: bool) -> None:
        """Stream exactly while raw-data notifications are on."""
        if characteristic is self.data_char:
            if notify:
                self._start()
            else:
                self.stop_sampling()

    def _start(self) -> None:
        self.start_sampling(self.config.motion_freq_hz, 1, self._encode)

    def _encode(self, sim_t: np.ndarray, first: int) -> bytes:
        acc = np.clip(self.model.acc_g(sim_t)[0], -THINGY_RANGE_G, THINGY_RANGE_G)
        return thingy52.encode_raw(acc)


class VirtualOsteoImu(VirtualImu):
    """The open osteomonitor IMU: counted, timestamped frames between START and STOP."""

    kind = "osteomonitor-imu"
    data_uuid = osteomonitor_imu.IMU_DATA_UUID
    data_stream = "imu_data"
    data_streams = ("imu_data",)

    def __init__(self, radio: VirtualRadio, clock: SimClock, **kwargs: Any) -> None:
        super().__init__(radio, clock, **kwargs)
        self.rate_hz = 0
        self.range_g = 16
        self.control_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(osteomonitor_imu.IMU_CONTROL_UUID),
            WRITE,
            gatt.Characteristic.WRITEABLE,
            AttributeValue[bytes](write=self._on_command),
        )

    def services(self) -> list[gatt.Service]:
        """The IMU service and Device Information."""
        info = {"manufacturer": "osteomonitor", "model": "OsteoIMU", "firmware": "1.0"}
        return [
            gatt.Service(
                UUID(osteomonitor_imu.IMU_SERVICE_UUID), [self.data_char, self.control_char]
            ),
            device_information_service(info),
        ]

    def advertising_data(self) -> bytes:
        """Flags, the IMU service, the name."""
        return advertising_payload(self.name, uuid128=osteomonitor_imu.IMU_SERVICE_UUID)

    def malformed(self, stream: str, good: bytes) -> bytes:
        """A frame whose sample block is one byte short."""
        return good[:-1]

    def _on_command(self, _connection: Connection, value: bytes) -> None:
        self.commands.append(bytes(value))
        try:
            op, rate, rng = osteomonitor_imu.parse_command(bytes(value))
        except DecodeError:
            raise ATT_Error(error_code=ATT_VALUE_NOT_ALLOWED) from None
        if op == "stop":
            self.stop_sampling()
            return
        assert rate is not None and rng is not None
        self.rate_hz, self.range_g = rate, rng
        per_frame = max(1, round(rate * OSTEO_IMU_FRAME_S))
        self.start_sampling(rate, per_frame, self._encode)

    def _encode(self, sim_t: np.ndarray, first: int) -> bytes:
        t_us = round(self.device_s(float(sim_t[0])) * 1e6)
        return osteomonitor_imu.encode_frame(
            t_us, first, self.model.acc_g(sim_t), self.rate_hz, self.range_g
        )
