"""A virtual Polar H10: Heart Rate Service plus the PMD control point and ACC frames.

Reproduces what reference/protocols.md §2 and ble-virtual-testing.md describe:

- reading the control point gives the features `0F 05 00…` (ECG + ACC);
- commands get no answer unless the central enabled indications on the control point
  first, and a start before notifications on PMD data are enabled is noted as a
  violation (the SDK refuses both, `BlePMDClient.sendControlPointCommand`);
- GET settings for ACC answers the H10 vector of pdf fig. 2 (25/50/100/200 Hz,
  16 bit, ±2/4/8 G); a start with an unsupported rate, resolution or range gets
  INVALID_SAMPLE_RATE / INVALID_RESOLUTION / INVALID_RANGE, a second start
  ALREADY_IN_STATE; ECG is refused with NOT_SUPPORTED (this simulator streams ACC only);
- ACC frames are raw int16 mG (frame type 1) or delta-compressed (0x81), 36 samples
  per frame at 200 Hz, stamped with the device time of the last sample (ns since
  2000-01-01, clock reset to 2019-01-01 at power-on);
- faults: late stream start, control-point error status, "measurement stopped"
  messages (`01 02`), clock drift, malformed frames, link drops;
- a central that disconnects while ACC is streaming is noted as a violation: a real
  H10 left streaming stays on until its battery is removed (Polar KnownIssues.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import numpy as np
from bumble import gatt
from bumble.att import AttributeValue
from bumble.core import UUID
from bumble.device import Connection

from osteomonitor.devices import polar_pmd as pmd
from osteomonitor.errors import DecodeError
from osteomonitor.sim.clock import SimClock
from osteomonitor.sim.faults import Faults
from osteomonitor.sim.hr_strap import VirtualHrStrap
from osteomonitor.sim.peripheral import NO_ACCESS, advertising_payload
from osteomonitor.sim.radio import VirtualRadio
from osteomonitor.sim.session_model import SessionModel

#: What the H10 offers for ACC (pdf fig. 2 response): rates Hz, resolution bits, ranges ±g.
H10_ACC_RATES_HZ = (25, 50, 100, 200)
H10_ACC_RESOLUTION = 16
H10_ACC_RANGES_G = (2, 4, 8)
#: ECG settings of the H10 (PolarH10.md: 130 Hz; 14-bit in the SDK's settings answer).
H10_ECG_RATE_HZ = 130
H10_ECG_RESOLUTION = 14
#: Seconds of signal per ACC frame: 36 samples at 200 Hz (the SDK's test frame).
ACC_FRAME_S = pmd.H10_ACC_MAX_SAMPLES_PER_FRAME / 200.0
#: Device nanoseconds from clock reset to the simulated session start (arbitrary boot time).
BOOT_OFFSET_NS = 36 * 60 * 1_000_000_000

log = logging.getLogger(__name__)


class VirtualPolarH10(VirtualHrStrap):
    """A Polar H10 playing the session model on its HR service and its accelerometer.

    Args:
        acc_compressed: send delta-compressed frames (0x81) instead of raw type 1.
        other arguments: see `VirtualHrStrap`.
    """

    kind = "h10"
    max_mtu = pmd.H10_ATT_MTU
    data_streams = ("hr", "pmd_data")

    def __init__(
        self,
        radio: VirtualRadio,
        clock: SimClock,
        *,
        model: SessionModel,
        name: str = "Polar H10 0A3B5C7D",
        address: str = "C0:9E:1A:00:00:01",
        faults: Faults | None = None,
        battery_pct: int = 87,
        duration_s: float | None = None,
        acc_compressed: bool = False,
    ) -> None:
        super().__init__(
            radio,
            clock,
            model=model,
            name=name,
            address=address,
            faults=faults,
            battery_pct=battery_pct,
            duration_s=duration_s,
            energy=False,
            contact=True,
            info={
                "manufacturer": "Polar Electro Oy",
                "model": "H10",
                "serial": name.rsplit(" ", 1)[-1],
                "hardware": "39044024.10",
                "firmware": "3.0.56",
                "software": "H10 3.0.56",
            },
        )
        self.acc_compressed = acc_compressed
        self.cp_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(pmd.PMD_CP_UUID),
            gatt.Characteristic.Properties.READ
            | gatt.Characteristic.Properties.WRITE
            | gatt.Characteristic.Properties.INDICATE,
            gatt.Characteristic.READABLE | gatt.Characteristic.WRITEABLE,
            AttributeValue[bytes](read=self._on_cp_read, write=self._on_cp_write),
        )
        self.data_char: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(pmd.PMD_DATA_UUID), gatt.Characteristic.Properties.NOTIFY, NO_ACCESS, b""
        )
        self.acc_active = False
        self.acc_settings: dict[str, int] = {}
        self.requests: list[bytes] = []
        self.starts_refused = 0
        self._acc_task: asyncio.Task[None] | None = None
        self._cp_enabled = False
        self._data_enabled = False

    # -- GATT ---------------------------------------------------------------------------

    def services(self) -> list[gatt.Service]:
        """HR, Device Information and PMD."""
        pmd_service = gatt.Service(UUID(pmd.PMD_SERVICE_UUID), [self.cp_char, self.data_char])
        return [*self.hr_services(), pmd_service]

    def advertising_data(self) -> bytes:
        """Flags, the Heart Rate service, the name "Polar H10 <id>"."""
        return advertising_payload(self.name, [0x180D])

    def device_ns(self, sim_s: float) -> int:
        """Device clock at simulated time `sim_s`, ns since 2000-01-01."""
        return pmd.H10_RESET_EPOCH_NS + BOOT_OFFSET_NS + round(self.device_s(sim_s) * 1e9)

    def on_subscription(self, characteristic: object, notify: bool, indicate: bool) -> None:
        """Track the CCCDs the H10 cares about."""
        if characteristic is self.cp_char:
            self._cp_enabled = indicate
        elif characteristic is self.data_char:
            self._data_enabled = notify

    def malformed(self, stream: str, good: bytes) -> bytes:
        """HR: see `VirtualHrStrap.malformed`; PMD: a raw ACC frame cut mid-sample."""
        if stream == "pmd_data":
            return good[: pmd.FRAME_HEADER_BYTES + 7]
        return super().malformed(stream, good)

    # -- control point ----------------------------------------------------------------------

    def _on_cp_read(self, _connection: Connection) -> bytes:
        return pmd.encode_features([pmd.ECG, pmd.ACC])

    def _on_cp_write(self, connection: Connection, value: bytes) -> None:
        self.requests.append(bytes(value))
        # Answer after the ATT Write Response, as the device does.
        self._spawn(self._handle_request(connection, bytes(value)))

    async def _respond(self, connection: Connection, message: bytes) -> None:
        await asyncio.sleep(0)
        if self.connection is connection:
            await self.send(self.cp_char, "pmd_cp", message, indicate=True)

    async def _handle_request(self, connection: Connection, value: bytes) -> None:
        if not self._cp_enabled:
            self.violations.append(
                f"control-point command {value.hex(' ')} before indications were enabled"
            )
            return  # no indication can carry the answer: the central sees no response
        try:
            request = pmd.parse_cp_request(value)
        except DecodeError:
            op = value[0] if value else 0
            mtype = value[1] & 0x3F if len(value) > 1 else 0
            await self._respond(
                connection, pmd.encode_cp_response(op, mtype, pmd.PmdStatus.INVALID_LENGTH)
            )
            return
        status, params = self._execute(request)
        await self._respond(
            connection, pmd.encode_cp_response(request.op, request.mtype, status, params)
        )

    def _execute(self, request: pmd.CpRequest) -> tuple[int, bytes]:
        op, mtype = request.op, request.mtype
        if mtype not in (pmd.ACC, pmd.ECG):
            return pmd.PmdStatus.INVALID_MEASUREMENT_TYPE, b""
        if op == pmd.PmdOp.GET_MEASUREMENT_SETTINGS:
            if mtype == pmd.ACC:
                return pmd.PmdStatus.SUCCESS, pmd.encode_settings(
                    {
                        "sample_rate": list(H10_ACC_RATES_HZ),
                        "resolution": [H10_ACC_RESOLUTION],
                        "range": list(H10_ACC_RANGES_G),
                    }
                )
            return pmd.PmdStatus.SUCCESS, pmd.encode_settings(
                {"sample_rate": [H10_ECG_RATE_HZ], "resolution": [H10_ECG_RESOLUTION]}
            )
        if op == pmd.PmdOp.REQUEST_MEASUREMENT_START:
            return self._start(request), b""
        if op == pmd.PmdOp.STOP_MEASUREMENT:
            if mtype == pmd.ACC:
                self._stop_acc()
            return pmd.PmdStatus.SUCCESS, b""
        return pmd.PmdStatus.INVALID_OP_CODE, b""

    def _start(self, request: pmd.CpRequest) -> int:
        if request.mtype == pmd.ECG:
            return pmd.PmdStatus.NOT_SUPPORTED
        fault = self.faults.cp_error
        if fault is not None and (
            self.faults.cp_error_count is None or self.starts_refused < self.faults.cp_error_count
        ):
            self.starts_refused += 1
            return fault
        if self.acc_active:
            return pmd.PmdStatus.ALREADY_IN_STATE
        s = request.settings
        rate = int(s.get("sample_rate", [0])[0])
        resolution = int(s.get("resolution", [0])[0])
        rng = int(s.get("range", [0])[0])
        if rate not in H10_ACC_RATES_HZ:
            return pmd.PmdStatus.INVALID_SAMPLE_RATE
        if resolution != H10_ACC_RESOLUTION:
            return pmd.PmdStatus.INVALID_RESOLUTION
        if rng not in H10_ACC_RANGES_G:
            return pmd.PmdStatus.INVALID_RANGE
        if not self._data_enabled:
            self.violations.append("ACC start before notifications on PMD data were enabled")
        self.acc_active = True
        self.acc_settings = {"sample_rate": rate, "resolution": resolution, "range": rng}
        self._acc_task = asyncio.create_task(self._acc_loop(rate, rng, self.clock.now_s()))
        return pmd.PmdStatus.SUCCESS

    def _stop_acc(self) -> None:
        self.acc_active = False
        if self._acc_task is not None:
            self._acc_task.cancel()
            self._acc_task = None

    # -- ACC stream -------------------------------------------------------------------------

    async def _acc_loop(self, rate_hz: int, range_g: int, requested_s: float) -> None:
        """Stream frames from `requested_s` + the late-start delay until stopped."""
        if self.playback is not None:
            start = requested_s + self.faults.late_start_s
            await self.replay(self.data_char, "pmd_data", start, self._streaming)
            return
        n = max(1, min(pmd.H10_ACC_MAX_SAMPLES_PER_FRAME, round(rate_hz * ACC_FRAME_S)))
        limit_mg = range_g * 1000
        dev0 = self.device_s(requested_s + self.faults.late_start_s)
        k = 0
        try:
            while self.acc_active:
                dev_t = dev0 + (k * n + np.arange(1, n + 1)) / rate_hz  # device-clock seconds
                sim_t = dev_t / (1.0 + self.drift)
                if not await self.sleep_until(float(sim_t[-1])):
                    break
                acc_mg = np.clip(np.rint(self.model.acc_g(sim_t) * 1000.0), -limit_mg, limit_mg)
                frame = pmd.encode_acc_frame(
                    self.device_ns(float(sim_t[-1])),
                    acc_mg.astype(np.int64),
                    compressed=self.acc_compressed,
                )
                if not self._streaming():
                    break
                await self.send(self.data_char, "pmd_data", frame)
                k += 1
        except asyncio.CancelledError:
            pass

    def _streaming(self) -> bool:
        return self.acc_active

    def background_tasks(self) -> list[asyncio.Task[None]]:
        """HR loop plus the scheduled "measurement stopped" messages."""
        return [*super().background_tasks(), asyncio.create_task(self._stopped_schedule())]

    async def announce_stopped(self) -> bool:
        """Stop ACC on the device's own initiative and indicate `01 02`; False if idle."""
        if not self.acc_active:
            return False
        self._stop_acc()
        if self.connection is not None:
            await self.send(self.cp_char, "pmd_cp", pmd.encode_stopped([pmd.ACC]), indicate=True)
        return True

    async def _stopped_schedule(self) -> None:
        for t in self.faults.stopped_at_s:
            if not await self.sleep_until(t):
                return
            await self.announce_stopped()

    # -- link ---------------------------------------------------------------------------------

    async def on_disconnected(self, reason: int, dropped: bool) -> None:
        """Note a central that left the H10 streaming; the link is gone, so streams end."""
        if self.acc_active and not dropped:
            self.violations.append(
                "disconnected while ACC was streaming (a real H10 would stay on)"
            )
        self._stop_acc()
        self._cp_enabled = False
        self._data_enabled = False

    async def stop(self) -> None:
        """Stop streaming and every task."""
        self._stop_acc()
        with contextlib.suppress(Exception):
            await super().stop()
