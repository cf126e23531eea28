"""A virtual Movesense sensor: GSP subscriptions to `/Meas/Acc/<rate>` and `/Meas/HR`.

It streams the session model's acceleration and heart rate to GSP subscriptions built with
the devices layer's encoders (reference/protocols.md §4) and answers an unknown rate with
status 404. A central that disconnects while it is still sampling is noted as a
violation (protocols.md §7.6). Split from `imu_wearables.py`, which re-exports it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import numpy as np
from bumble import gatt
from bumble.att import AttributeValue
from bumble.core import UUID
from bumble.device import Connection

from osteomonitor.devices import movesense
from osteomonitor.errors import DecodeError
from osteomonitor.sim.clock import SimClock
from osteomonitor.sim.imu_wearables import G_MS2, WRITE, VirtualImu
from osteomonitor.sim.peripheral import advertising_payload, device_information_service
from osteomonitor.sim.radio import VirtualRadio

#: Movesense samples per DATA notification (the official client reads IMU arrays of 8).
MOVESENSE_SAMPLES_PER_PACKET = 8
#: Movesense "not found" status for an unknown resource.
GSP_NOT_FOUND = 404

log = logging.getLogger(__name__)


class VirtualMovesense(VirtualImu):
    """A Movesense sensor serving GSP subscriptions to /Meas/Acc/<rate> and /Meas/HR."""

    kind = "movesense"
    data_uuid = movesense.GSP_DATA_UUID
    data_stream = "gsp_data"
    data_streams = ("gsp_data",)

    def __init__(self, radio: VirtualRadio, clock: SimClock, **kwargs: Any) -> None:
        super().__init__(radio, clock, **kwargs)
        self.acc_ref: int | None = None
        self._hr_task: asyncio.Task[None] | None = None
        self.command_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(movesense.GSP_COMMAND_UUID),
            WRITE,
            gatt.Characteristic.WRITEABLE,
            AttributeValue[bytes](write=self._on_command),
        )

    def services(self) -> list[gatt.Service]:
        """GSP and Device Information."""
        info = {"manufacturer": "Movesense", "model": "Movesense MD", "firmware": "2.3.1"}
        return [
            gatt.Service(UUID(movesense.GSP_SERVICE_UUID), [self.command_char, self.data_char]),
            device_information_service(info),
        ]

    def advertising_data(self) -> bytes:
        """Flags and the name "Movesense <serial>"."""
        return advertising_payload(self.name)

    def malformed(self, stream: str, good: bytes) -> bytes:
        """A DATA message cut inside its first sample."""
        return good[:9]

    def _on_command(self, _connection: Connection, value: bytes) -> None:
        b = bytes(value)
        self.commands.append(b)
        try:
            cmd, ref, data = movesense.parse_command(b)
        except DecodeError:
            return
        if cmd == movesense.GspCommand.HELLO:
            self._reply(bytes([movesense.GspResponse.COMMAND_RESULT, ref]) + b"Hello")
        elif cmd == movesense.GspCommand.SUBSCRIBE:
            self._subscribe(ref, data.decode("ascii", "replace"))
        elif cmd == movesense.GspCommand.UNSUBSCRIBE:
            if ref == self.acc_ref:
                self.stop_sampling()
                self.acc_ref = None
            elif self._hr_task is not None:
                self._hr_task.cancel()
                self._hr_task = None

    def _reply(self, message: bytes) -> None:
        self._spawn(self.send(self.data_char, "gsp_data", message))  # type: ignore[arg-type]

    def replayable(self, payload: bytes) -> bool:
        """DATA and DATA_PART2 messages (accelerometer and heart rate)."""
        return payload[:1] in (
            bytes([movesense.GspResponse.DATA]),
            bytes([movesense.GspResponse.DATA_PART2]),
        )

    def _subscribe(self, ref: int, path: str) -> None:
        if path == "/Meas/HR":
            if self.playback is not None:
                return  # recorded HR messages come with the accelerometer replay
            self._hr_task = asyncio.create_task(self._hr_loop(ref))
            return
        rate = path.rsplit("/", 1)[-1]
        if path.startswith("/Meas/Acc/") and rate.isdigit() and int(rate) in movesense.ACC_RATES_HZ:
            self.acc_ref = ref
            self.start_sampling(
                int(rate), MOVESENSE_SAMPLES_PER_PACKET, lambda t, i: self._encode(t, ref)
            )
            return
        code = GSP_NOT_FOUND.to_bytes(2, "big")
        self._reply(bytes([movesense.GspResponse.COMMAND_RESULT, ref]) + code)

    def _encode(self, sim_t: np.ndarray, ref: int) -> bytes:
        first_ms = round(self.device_s(float(sim_t[0])) * 1000) & 0xFFFFFFFF
        body = movesense.encode_acc(first_ms, self.model.acc_g(sim_t) * G_MS2)
        return movesense.split_parts(movesense.GspResponse.DATA, ref, body)[0]

    async def _hr_loop(self, ref: int) -> None:
        k = 0
        t_prev = self.clock.now_s()
        while True:
            k += 1
            t = t_prev + 1.0
            if not await self.sleep_until(t):
                return
            rr = [round(r * 1000 / 1024) for r in self.model.rr_1024_between(t_prev, t)]
            t_prev = t
            body = movesense.encode_hr(self.model.hr_bpm(t), rr)
            for part in movesense.split_parts(movesense.GspResponse.DATA, ref, body):
                await self.send(self.data_char, "gsp_data", part)

    async def on_disconnected(self, reason: int, dropped: bool) -> None:
        """Subscriptions end with the link (the violation check comes first)."""
        await super().on_disconnected(reason, dropped)
        if self._hr_task is not None:
            self._hr_task.cancel()
            self._hr_task = None
