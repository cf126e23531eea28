"""Start and stop sequences of the hip IMUs: MetaWear/MetaMotion, Movesense, Thingy:52, open IMU.

Each follows its vendor's protocol as documented in reference/protocols.md §3-6 and the
devices layer's builders; like the H10, every measurement is stopped before the link
disconnects (MetaWear and Movesense keep sampling otherwise: protocols.md §7.5-7.6).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

from bleak import BleakClient

from osteomonitor.collect.stream_control import (
    ControlContext,
    StreamControl,
    choose_setting,
    write_command,
)
from osteomonitor.devices import metawear, movesense, osteomonitor_imu, thingy52
from osteomonitor.errors import DecodeError, DeviceError
from osteomonitor.model import EventKind

#: Wall seconds to wait for a MetaWear module-info reply before assuming the profile's chip.
MODULE_INFO_TIMEOUT_S = 2.0
#: Wall seconds to wait for the first Movesense DATA (a successful subscribe sends no
#: COMMAND_RESULT on the firmware read, so the first DATA is the acknowledgement).
GSP_ACK_TIMEOUT_S = 5.0
#: HTTP-style status of a successful Movesense command.
GSP_OK = 200

log = logging.getLogger(__name__)


def _stream_uuid(ctx: ControlContext, carries: str) -> str:
    spec = next((s for s in ctx.profile.streams.values() if s.carries == carries), None)
    if spec is None:
        raise DeviceError(f"{ctx.label}: profile {ctx.profile.key} has no {carries} stream")
    return spec.uuid


class _ImuControl(StreamControl):
    """Shared: pick rate and range from the profile, note the first data."""

    def __init__(self, ctx: ControlContext) -> None:
        super().__init__(ctx)
        self.command_uuid = _stream_uuid(ctx, "command")
        self.running = False
        self.first_data = asyncio.Event()

    def rate_and_range(self) -> tuple[float, float]:
        p = self.ctx.profile
        rate = choose_setting(
            self.ctx.label, "sample rate", self.ctx.rate_hz, p.default_rate_hz, p.rates_hz, "Hz"
        )
        rng = choose_setting(
            self.ctx.label, "range", self.ctx.range_g, p.default_range_g, p.ranges_g, "g"
        )
        return rate, rng

    async def command(self, client: BleakClient, data: bytes) -> None:
        await write_command(client, self.command_uuid, data)

    def started(self) -> None:
        self.running = True
        self.ctx.event(EventKind.STREAM_STARTED, {"stream": "acc", "delay_s": 0.0})

    def stopped(self) -> None:
        self.running = False
        self.ctx.event(EventKind.STREAM_STOPPED, {"stream": "acc", "by": "host"})


class MetaWearControl(_ImuControl):
    """MetaWear: module info → config → subscribe → enable → start (SDK order)."""

    def __init__(self, ctx: ControlContext) -> None:
        super().__init__(ctx)
        self._chip: asyncio.Future[str] | None = None

    def on_data(self, stream: str, payload: bytes) -> None:
        """Catch the module-info reply while waiting for it."""
        chip = self._chip
        if chip is not None and not chip.done():
            name = metawear.parse_module_info(payload)
            if name is not None:
                chip.set_result(name)

    async def start(self, client: BleakClient) -> dict[str, Any]:
        """Configure and start the accelerometer."""
        rate, rng = self.rate_and_range()
        self._chip = asyncio.get_running_loop().create_future()
        await self.command(client, metawear.build_module_info_read())
        try:
            chip = await asyncio.wait_for(self._chip, MODULE_INFO_TIMEOUT_S)
        except TimeoutError:
            chip = str(self.ctx.profile.options.get("default_chip", "bmi160"))
            log.info("%s: no module-info reply; assuming %s", self.ctx.label, chip)
        packed = bool(self.ctx.profile.options.get("packed", False))
        try:
            config = metawear.build_acc_config(rate, int(rng), chip)
        except ValueError as exc:
            raise DeviceError(f"{self.ctx.label}: {exc}") from None
        for message in (
            config,
            metawear.build_acc_subscribe(packed, chip),
            metawear.build_acc_enable_sampling(),
            metawear.build_acc_start(),
        ):
            await self.command(client, message)
        self.settings = {"sample_rate": rate, "range_g": rng, "chip": chip, "packed": packed}
        self.started()
        return self.settings

    async def stop(self, client: BleakClient) -> None:
        """Stop, disable the interrupt, unsubscribe (mirror of start)."""
        if not self.running:
            return
        chip = str(self.settings.get("chip", "bmi160"))
        for message in (
            metawear.build_acc_stop(),
            metawear.build_acc_disable_sampling(),
            metawear.build_acc_subscribe(bool(self.settings.get("packed")), chip, enable=False),
        ):
            await self.command(client, message)
        self.stopped()


class MovesenseControl(_ImuControl):
    """Movesense GSP: SUBSCRIBE /Meas/Acc/<rate> (and /Meas/HR); UNSUBSCRIBE on stop."""

    def __init__(self, ctx: ControlContext) -> None:
        super().__init__(ctx)
        options = ctx.profile.options
        self.acc_ref = int(options.get("acc_ref", 99))
        self.hr_ref = int(options.get("hr_ref", 98))
        self._ack: asyncio.Future[int] | None = None

    def on_data(self, stream: str, payload: bytes) -> None:
        """The first DATA of the accelerometer subscription, or its error result."""
        ack = self._ack
        if ack is None or ack.done():
            return
        try:
            message = movesense.parse_message(payload)
        except DecodeError:
            return
        if message.ref != self.acc_ref:
            return
        if message.kind == movesense.GspResponse.DATA:
            ack.set_result(GSP_OK)
        elif message.kind == movesense.GspResponse.COMMAND_RESULT:
            try:
                ack.set_result(movesense.result_code(message.body))
            except DecodeError:
                ack.set_result(0)

    async def start(self, client: BleakClient) -> dict[str, Any]:
        """Subscribe to the accelerometer (and heart rate) resources."""
        rate, rng = self.rate_and_range()
        options = self.ctx.profile.options
        path = movesense.acc_path(rate, str(options.get("acc_path", "/Meas/Acc/{rate}")))
        self._ack = asyncio.get_running_loop().create_future()
        await self.command(client, movesense.build_subscribe(self.acc_ref, path))
        try:
            code = await asyncio.wait_for(self._ack, GSP_ACK_TIMEOUT_S)
        except TimeoutError:
            raise DeviceError(
                f"{self.ctx.label}: no data {GSP_ACK_TIMEOUT_S:g} s after subscribing to {path} "
                "(firmware older than 2.3.0 lacks the GATT SensorData Protocol)"
            ) from None
        if code != GSP_OK:
            raise DeviceError(f"{self.ctx.label}: subscribing to {path} failed with status {code}")
        hr_path = options.get("hr_path")
        if hr_path:
            await self.command(client, movesense.build_subscribe(self.hr_ref, str(hr_path)))
        self.settings = {"sample_rate": rate, "range_g": rng}
        self.started()
        return self.settings

    async def stop(self, client: BleakClient) -> None:
        """Unsubscribe every resource."""
        if not self.running:
            return
        await self.command(client, movesense.build_unsubscribe(self.acc_ref))
        if self.ctx.profile.options.get("hr_path"):
            await self.command(client, movesense.build_unsubscribe(self.hr_ref))
        self.stopped()


class ThingyControl(StreamControl):
    """Thingy:52: set the motion frequency in the config; it streams while notified."""

    async def start(self, client: BleakClient) -> dict[str, Any]:
        """Read, adjust and write back the motion config, then record it."""
        uuid = _stream_uuid(self.ctx, "config")
        p = self.ctx.profile
        rate = choose_setting(
            self.ctx.label, "sample rate", self.ctx.rate_hz, p.default_rate_hz, p.rates_hz, "Hz"
        )
        rng = choose_setting(
            self.ctx.label, "range", self.ctx.range_g, p.default_range_g, p.ranges_g, "g"
        )
        try:
            config = thingy52.parse_config(bytes(await client.read_gatt_char(uuid)))
        except DecodeError as exc:
            raise DeviceError(f"{self.ctx.label}: unreadable motion config: {exc}") from None
        config = dataclasses.replace(config, motion_freq_hz=int(rate))
        await client.write_gatt_char(uuid, thingy52.build_config(config), response=True)
        # Read back what the device now uses, and record it: the decoder takes its rate from it.
        self.ctx.record(
            next(s.name for s in p.streams.values() if s.carries == "config"),
            bytes(await client.read_gatt_char(uuid)),
        )
        self.settings = {"sample_rate": rate, "range_g": rng}
        return self.settings


class OsteoImuControl(_ImuControl):
    """The open osteomonitor IMU: `01 rate range` START, `02` STOP."""

    async def start(self, client: BleakClient) -> dict[str, Any]:
        """Send START with the chosen rate and range."""
        rate, rng = self.rate_and_range()
        try:
            message = osteomonitor_imu.build_start(int(rate), int(rng))
        except ValueError as exc:
            raise DeviceError(f"{self.ctx.label}: {exc}") from None
        await self.command(client, message)
        self.settings = {"sample_rate": rate, "range_g": rng}
        self.started()
        return self.settings

    async def stop(self, client: BleakClient) -> None:
        """Send STOP."""
        if self.running:
            await self.command(client, osteomonitor_imu.build_stop())
            self.stopped()


#: Protocol name (as in profiles) → its stream control.
IMU_CONTROLS: dict[str, type[StreamControl]] = {
    "metawear": MetaWearControl,
    "movesense_gsp": MovesenseControl,
    "thingy52": ThingyControl,
    "osteomonitor_imu": OsteoImuControl,
}
