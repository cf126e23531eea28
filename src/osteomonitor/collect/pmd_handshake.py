"""Starting and stopping the Polar PMD accelerometer (H10, Verity Sense, OH1).

The sequence follows reference/protocols.md §2 and the Polar SDK:

1. indications on the control point and notifications on PMD data are enabled first
   (the link subscribes control streams first; `BlePMDClient` refuses commands
   otherwise and Python users who skipped it got no response, issues #281/#360);
2. read the control point: the feature bitmap must offer ACC;
3. GET the ACC settings and check the requested rate and range against them;
4. REQUEST_MEASUREMENT_START; the response's status byte is checked (ALREADY_IN_STATE
   counts as started, transient statuses are retried, the others are reported);
5. ACC may start up to ~30 s after the request (polar-ble-sdk #414, #424; bleakheart
   #1): the link waits `LATE_START_TOLERANCE_S` before calling it an error and
   restarting once;
6. the device's own `01 <types>` "measurement stopped" message is recorded and the
   measurement restarted;
7. on stop, STOP_MEASUREMENT before notifications are disabled and the link dropped,
   because an H10 left streaming stays on (Polar KnownIssues.md).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bleak import BleakClient

from osteomonitor.collect.stream_control import ControlContext, StreamControl, choose_setting
from osteomonitor.devices import polar_pmd as pmd
from osteomonitor.errors import DecodeError, DeviceError
from osteomonitor.model import EventKind

#: Wall seconds to wait for a control-point response indication.
CP_RESPONSE_TIMEOUT_S = 5.0
#: Session seconds to wait for the first ACC frame after a start (H10 ACC/ECG start up
#: to ~30 s late, polar-ble-sdk #414/#424; 15 s margin).
LATE_START_TOLERANCE_S = 45.0
#: Session seconds before restarting after the device stopped a measurement itself.
RESTART_DELAY_S = 1.0
#: Start attempts per connection for transient statuses, and the pause between them (s).
START_ATTEMPTS = 3
START_RETRY_S = 1.0
#: Restarts per connection after "measurement stopped" or a stream that never came.
MAX_RESTARTS = 5
#: Statuses worth retrying: the device may be busy or still closing a measurement.
TRANSIENT_STATUSES = frozenset(
    {pmd.PmdStatus.INVALID_STATE, pmd.PmdStatus.INVALID_MTU, pmd.PmdStatus.DEVICE_IN_CHARGER}
)

log = logging.getLogger(__name__)


def _describe(resp: pmd.CpResponse) -> str:
    return f"{resp.status_name} (status {int(resp.status)})"


class PmdControl(StreamControl):
    """The PMD accelerometer start/stop sequence of one device."""

    def __init__(self, ctx: ControlContext) -> None:
        super().__init__(ctx)
        self._pending: tuple[int, asyncio.Future[pmd.CpResponse]] | None = None
        self._parts: list[pmd.CpResponse] = []
        self._first_frame = asyncio.Event()
        self._device_stopped = asyncio.Event()
        self._started_at_s = 0.0
        self.acc_started = False
        self.restarts = 0

    # -- called from the notification callback -------------------------------------------

    def on_control(self, stream: str, payload: bytes) -> None:
        """Route a control-point indication to the waiting request, or note a stop."""
        try:
            message = pmd.parse_cp_message(payload)
        except DecodeError as exc:
            log.debug("%s: unreadable control-point message: %s", self.ctx.label, exc)
            return
        if isinstance(message, pmd.MeasurementStopped):
            if pmd.ACC in message.types and self.acc_started:
                self.acc_started = False
                self._device_stopped.set()
            return
        pending = self._pending
        if pending is None or message.op != pending[0] or pending[1].done():
            return
        self._parts.append(message)
        if not message.more:
            pending[1].set_result(pmd.merge_cp_responses(self._parts))

    def on_data(self, stream: str, payload: bytes) -> None:
        """A PMD data frame arrived."""
        if stream == "pmd_data":
            self._first_frame.set()

    # -- requests ----------------------------------------------------------------------------

    async def _request(self, client: BleakClient, message: bytes) -> pmd.CpResponse:
        future: asyncio.Future[pmd.CpResponse] = asyncio.get_running_loop().create_future()
        self._pending, self._parts = (message[0], future), []
        try:
            await client.write_gatt_char(pmd.PMD_CP_UUID, message, response=True)
            return await asyncio.wait_for(future, CP_RESPONSE_TIMEOUT_S)
        except TimeoutError:
            raise DeviceError(
                f"{self.ctx.label}: no answer from the PMD control point to "
                f"{message.hex(' ')} within {CP_RESPONSE_TIMEOUT_S:g} s (were its indications "
                "enabled? is another app connected to the strap?)"
            ) from None
        finally:
            self._pending = None

    async def start(self, client: BleakClient) -> dict[str, Any]:
        """Check features and settings, then start ACC.

        Raises:
            DeviceError: ACC not offered, rate/range not offered, or the device refused
                the start (the message names the status).
        """
        features = pmd.parse_features(bytes(await client.read_gatt_char(pmd.PMD_CP_UUID)))
        if pmd.ACC not in features:
            raise DeviceError(
                f"{self.ctx.label}: the device offers no accelerometer over PMD "
                f"(features: {', '.join(pmd.type_name(t) for t in sorted(features))})"
            )
        offered = await self._request(client, pmd.build_get_settings(pmd.ACC))
        if not offered.ok:
            raise DeviceError(
                f"{self.ctx.label}: the device refused to list its ACC settings: "
                f"{_describe(offered)}"
            )
        choices = offered.settings()
        label, profile = self.ctx.label, self.ctx.profile
        rate = int(
            choose_setting(
                label,
                "sample rate",
                self.ctx.rate_hz,
                profile.default_rate_hz,
                [float(v) for v in choices.get("sample_rate", [])],
                "Hz",
            )
        )
        rng = int(
            choose_setting(
                label,
                "range",
                self.ctx.range_g,
                profile.default_range_g,
                [float(v) for v in choices.get("range", [])],
                "g",
            )
        )
        resolution = int(max(choices.get("resolution", [self.ctx.profile.resolution_bits or 16])))
        self.settings = {
            "sample_rate": rate,
            "range_g": rng,
            "resolution_bits": resolution,
            "pmd_features": sorted(int(t) for t in features),
        }
        await self._start_acc(client)
        return self.settings

    async def _start_acc(self, client: BleakClient) -> None:
        request = pmd.build_start(
            pmd.ACC,
            {
                "sample_rate": self.settings["sample_rate"],
                "resolution": self.settings["resolution_bits"],
                "range": self.settings["range_g"],
            },
        )
        for attempt in range(1, START_ATTEMPTS + 1):
            self._first_frame.clear()
            self._device_stopped.clear()
            resp = await self._request(client, request)
            if resp.ok or resp.status == pmd.PmdStatus.ALREADY_IN_STATE:
                self.acc_started = True
                self._started_at_s = self.ctx.stack.session_s()
                return
            if resp.status not in TRANSIENT_STATUSES or attempt == START_ATTEMPTS:
                raise DeviceError(
                    f"{self.ctx.label}: the device refused to start the accelerometer at "
                    f"{self.settings['sample_rate']} Hz ±{self.settings['range_g']} g: "
                    f"{_describe(resp)}"
                )
            await self.ctx.stack.sleep(START_RETRY_S)

    # -- supervision -------------------------------------------------------------------------

    async def supervise(self, client: BleakClient) -> None:
        """Wait for late streams and restart after the device's own stop."""
        while client.is_connected and self.acc_started and self.restarts <= MAX_RESTARTS:
            if not await self._await_first_frame():
                self.ctx.event(
                    EventKind.DEVICE_ERROR,
                    {
                        "message": f"no ACC data {LATE_START_TOLERANCE_S:g} s after the start "
                        "request; restarting the measurement"
                    },
                )
                await self._restart(client, stop_first=True)
                continue
            await self._device_stopped.wait()
            self.ctx.event(EventKind.STREAM_STOPPED, {"stream": "acc", "by": "device"})
            await self.ctx.stack.sleep(RESTART_DELAY_S)
            await self._restart(client, stop_first=False)

    async def _await_first_frame(self) -> bool:
        self.ctx.set_state("waiting for ACC")
        waited = 0.0
        while not self._first_frame.is_set():
            if waited >= LATE_START_TOLERANCE_S:
                return False
            step = min(1.0, LATE_START_TOLERANCE_S - waited)
            try:
                await asyncio.wait_for(self._first_frame.wait(), step / self.ctx.stack.speed)
            except TimeoutError:
                waited = self.ctx.stack.session_s() - self._started_at_s
        delay = self.ctx.stack.session_s() - self._started_at_s
        self.ctx.event(EventKind.STREAM_STARTED, {"stream": "acc", "delay_s": round(delay, 3)})
        self.ctx.set_state("streaming")
        return True

    async def _restart(self, client: BleakClient, stop_first: bool) -> None:
        self.restarts += 1
        try:
            if stop_first:
                await self._request(client, pmd.build_stop(pmd.ACC))
                self.acc_started = False
            await self._start_acc(client)
        except DeviceError as exc:
            self.ctx.event(EventKind.DEVICE_ERROR, {"message": str(exc)})
            self.ctx.set_state("ACC refused")
            self.ctx.set_error(str(exc))

    async def stop(self, client: BleakClient) -> None:
        """STOP_MEASUREMENT for ACC (before notifications are disabled)."""
        if not self.acc_started:
            return
        self.acc_started = False
        resp = await self._request(client, pmd.build_stop(pmd.ACC))
        if not resp.ok and resp.status != pmd.PmdStatus.ALREADY_IN_STATE:
            self.ctx.event(
                EventKind.DEVICE_ERROR,
                {"message": f"{self.ctx.label}: ACC stop answered {_describe(resp)}"},
            )
        self.ctx.event(EventKind.STREAM_STOPPED, {"stream": "acc", "by": "host"})
