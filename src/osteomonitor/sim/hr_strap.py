"""A standard heart-rate strap: Heart Rate Service with HR, RR, contact and energy.

Behaves like the HRS-only straps in reference/protocols.md §1: one Heart Rate
Measurement notification per second (device clock), carrying the RR intervals of the
beats since the previous one (none, one or several), the skin-contact bits, and the
cumulative energy every tenth notification; no timestamps. Body Sensor Location reads
"chest"; the control point accepts only "reset energy expended" (0x01) and answers
anything else with the HRS error 0x80.
"""

from __future__ import annotations

import asyncio
import struct

from bumble import gatt
from bumble.att import ATT_Error, AttributeValue
from bumble.core import UUID
from bumble.device import Connection

from osteomonitor.devices import hrs
from osteomonitor.sim.clock import SimClock
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.peripheral import (
    NO_ACCESS,
    VirtualPeripheral,
    advertising_payload,
    device_information_service,
    read_only,
)
from osteomonitor.sim.radio import VirtualRadio
from osteomonitor.sim.session_model import SessionModel

#: Seconds between Heart Rate Measurement notifications (device clock).
HR_INTERVAL_S = 1.0
#: Energy Expended is sent in every N-th notification (HRS recommends at least every 10th).
ENERGY_EVERY = 10
#: HRS application error "Heart Rate Control Point value not supported".
HRS_CP_NOT_SUPPORTED = 0x80
#: Body Sensor Location value "chest".
LOCATION_CHEST = 1


class VirtualHrStrap(VirtualPeripheral):
    """An HRS-only chest strap playing the session model's heart rate.

    Args:
        radio, clock, name, address, faults, battery_pct, duration_s: see `VirtualPeripheral`.
        model: the session whose heart rate and beats it reports.
        energy: include Energy Expended (every `ENERGY_EVERY`-th notification).
        contact: report skin contact (True) or "contact not supported" (False).
        info: Device Information strings.
    """

    kind = "hr-strap"
    data_streams: tuple[str, ...] = ("hr",)

    def __init__(
        self,
        radio: VirtualRadio,
        clock: SimClock,
        *,
        model: SessionModel,
        name: str = "HRM-Dual:0A1B2C",
        address: str = "C0:4D:00:00:00:02",
        faults: Faults | None = None,
        battery_pct: int = 76,
        duration_s: float | None = None,
        energy: bool = True,
        contact: bool = True,
        info: dict[str, str] | None = None,
    ) -> None:
        super().__init__(
            radio,
            clock,
            name=name,
            address=address,
            faults=faults,
            battery_pct=battery_pct,
            duration_s=model.duration_s if duration_s is None else duration_s,
        )
        self.model = model
        self.energy = energy
        self.contact = contact
        self.info = info or {
            "manufacturer": "Garmin International",
            "model": "HRM-Dual",
            "serial": "3380512345",
            "firmware": "3.10",
        }
        self._hr_count = 0
        self._energy_offset_kj = 0.0
        self.hr_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(hrs.HR_MEASUREMENT_UUID), gatt.Characteristic.Properties.NOTIFY, NO_ACCESS, b""
        )

    # -- GATT -------------------------------------------------------------------------

    def hr_services(self) -> list[gatt.Service]:
        """Heart Rate and Device Information services."""
        control_point: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(hrs.HR_CONTROL_POINT_UUID),
            gatt.Characteristic.Properties.WRITE,
            gatt.Characteristic.WRITEABLE,
            AttributeValue[bytes](write=self._on_hr_control_point),
        )
        chars = [self.hr_char, read_only(hrs.BODY_SENSOR_LOCATION_UUID, bytes([LOCATION_CHEST]))]
        if self.energy:
            chars.append(control_point)
        return [
            gatt.Service(UUID(hrs.HR_SERVICE_UUID), chars),
            device_information_service(self.info),
        ]

    def services(self) -> list[gatt.Service]:
        """Heart Rate and Device Information services."""
        return self.hr_services()

    def advertising_data(self) -> bytes:
        """Flags, the Heart Rate and Battery services, the name."""
        return advertising_payload(self.name, [0x180D, 0x180F])

    def _on_hr_control_point(self, _connection: Connection, value: bytes) -> None:
        if value != hrs.HR_CP_RESET_ENERGY:
            raise ATT_Error(error_code=HRS_CP_NOT_SUPPORTED)
        self._energy_offset_kj = self.model.energy_kj(self.clock.now_s())

    def malformed(self, stream: str, good: bytes) -> bytes:
        """An HR notification whose flags announce RR intervals and a uint16 HR, none sent.

        Same shape as the invalid vector `17 01 01` (Nordic's HeartRateMeasurement tests).
        """
        return bytes([0x17]) + struct.pack("<H", good[1] if len(good) > 1 else 0)

    # -- streaming ----------------------------------------------------------------------

    def background_tasks(self) -> list[asyncio.Task[None]]:
        """The once-a-second heart-rate loop."""
        return [asyncio.create_task(self._hr_loop())]

    def hr_payload(self, t_sim: float, t_prev: float) -> bytes:
        """The notification the strap sends at simulated time `t_sim`."""
        self._hr_count += 1
        rr = self.model.rr_1024_between(t_prev, t_sim)[-hrs.MAX_RR_PER_NOTIFICATION :]
        energy = None
        if self.energy and self._hr_count % ENERGY_EVERY == 0:
            spent = self.model.energy_kj(t_sim) - self._energy_offset_kj
            energy = min(0xFFFF, max(0, round(spent)))
        return hrs.encode_hr(
            round(self.model.hr_bpm(t_sim)),
            rr,
            contact=True if self.contact else None,
            energy_kj=energy,
        )

    async def _hr_loop(self) -> None:
        if self.playback is not None:
            await self.replay(self.hr_char, "hr", 0.0)
            return
        k = 0
        t_prev = 0.0
        while True:
            k += 1
            t = self.sim_s(k * HR_INTERVAL_S)
            if not await self.sleep_until(t):
                return
            payload = self.hr_payload(t, t_prev)
            t_prev = t
            await self.send(self.hr_char, "hr", payload)
