"""The virtual air: bumble controllers on one in-process link, and the host's adapter.

A `VirtualRadio` owns a `bumble.link.LocalLink`, one central bumble `Device` that plays
the computer's Bluetooth adapter (the bleak backend in `sim.bleak_scanner` /
`sim.bleak_client` drives it), and hands out controllers for virtual peripherals. Real
HCI, L2CAP and ATT traffic flows between the controllers; nothing is mocked.

Facts this module relies on (see ../shared/reference/ble-virtual-testing.md):
bumble controllers must be created inside the running loop; in-flight HCI traffic must
settle (~50 ms) before devices are powered off; one central can have only one LE
connection attempt pending at a time (`connect_lock`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from bumble import hci
from bumble.controller import Controller
from bumble.device import Advertisement, Device
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

#: Address of the host's virtual adapter (random static: two top bits set).
CENTRAL_ADDRESS = "F0:0F:0E:0D:0C:01"

#: LE ACL data length of every virtual controller, bytes. 251 is the LE Data Length
#: Extension maximum (Core v5.x Vol 6 Part B 4.5.10) that phones and BlueZ negotiate
#: with Polar straps; bumble's default of 27 multiplies CPU cost per notification ~9x.
LE_ACL_DATA_LENGTH = 251

#: Seconds to let in-flight HCI traffic settle before powering devices off
#: (ble-virtual-testing.md, "Pitfalls seen").
SETTLE_S = 0.05

log = logging.getLogger(__name__)

AdvertisementListener = Callable[[Advertisement], None]


class HostAdapterController(Controller):
    """bumble's virtual controller with a working LE Create Connection Cancel.

    bumble 0.0.236 answers the cancel command with success but keeps the pending
    connection and never reports its end, so a connection attempt to a peripheral
    that is not advertising hangs forever. The specification (Core v5.4 Vol 4 Part E
    7.8.13) requires an LE Connection Complete event with status Unknown Connection
    Identifier (0x02) after a successful cancel; this subclass sends it.
    """

    def on_hci_le_create_connection_cancel_command(
        self, _command: hci.HCI_LE_Create_Connection_Cancel_Command
    ) -> hci.HCI_StatusReturnParameters:
        pending = self.pending_le_connection
        if pending is None:
            return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.COMMAND_DISALLOWED_ERROR)
        self.pending_le_connection = None
        event = hci.HCI_LE_Connection_Complete_Event(
            status=hci.HCI_ErrorCode.UNKNOWN_CONNECTION_IDENTIFIER_ERROR,
            connection_handle=0,
            role=hci.Role.CENTRAL,
            peer_address_type=pending.peer_address_type,
            peer_address=pending.peer_address,
            connection_interval=0,
            peripheral_latency=0,
            supervision_timeout=0,
            central_clock_accuracy=0,
        )
        # After the Command Complete that the caller sends when we return.
        asyncio.get_running_loop().call_soon(self.send_hci_packet, event)
        return hci.HCI_StatusReturnParameters(hci.HCI_ErrorCode.SUCCESS)


class VirtualRadio:
    """One shared virtual BLE medium with the host adapter on it.

    Use as an async context manager, or call `start()` / `close()` inside a running
    event loop.
    """

    def __init__(self) -> None:
        self.link: LocalLink | None = None
        self.central: Device | None = None
        self.connect_lock = asyncio.Lock()
        self._scan_users = 0
        self._scan_lock = asyncio.Lock()
        self._listeners: list[AdvertisementListener] = []
        self._peripheral_devices: list[Device] = []
        self._closed = False

    async def __aenter__(self) -> VirtualRadio:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Create the link and power the host adapter on."""
        self.link = LocalLink()  # type: ignore[no-untyped-call]
        controller = HostAdapterController("host-adapter", link=self.link)
        controller.le_acl_data_packet_length = LE_ACL_DATA_LENGTH
        host = Host(controller, AsyncPipeSink(controller))
        self.central = Device(name="osteomonitor-host", address=Address(CENTRAL_ADDRESS), host=host)
        self.central.on(self.central.EVENT_ADVERTISEMENT, self._on_advertisement)
        await self.central.power_on()

    def new_controller(self, name: str) -> Controller:
        """A new controller on this radio's link (call inside the running loop)."""
        if self.link is None:
            raise RuntimeError("VirtualRadio.start() was not awaited")
        controller = Controller(name, link=self.link)
        controller.le_acl_data_packet_length = LE_ACL_DATA_LENGTH
        return controller

    def new_host(self, name: str) -> Host:
        """A bumble Host wired to a new controller on this link."""
        controller = self.new_controller(name)
        return Host(controller, AsyncPipeSink(controller))

    def adopt(self, device: Device) -> None:
        """Remember a peripheral device so `close()` powers it off."""
        self._peripheral_devices.append(device)

    def require_central(self) -> Device:
        """The host adapter device; raises if the radio is not running."""
        if self.central is None or self._closed:
            raise RuntimeError("the virtual radio is not running")
        return self.central

    # -- scanning shared by every scanner backend instance -----------------------

    async def acquire_scan(self, listener: AdvertisementListener) -> None:
        """Start (or join) scanning; `listener` gets every advertisement report."""
        central = self.require_central()
        self._listeners.append(listener)
        async with self._scan_lock:
            self._scan_users += 1
            if self._scan_users == 1:
                await central.start_scanning(active=True, filter_duplicates=False)

    async def release_scan(self, listener: AdvertisementListener) -> None:
        """Leave scanning; the last user stops it."""
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)
        async with self._scan_lock:
            self._scan_users = max(0, self._scan_users - 1)
            if self._scan_users == 0 and self.central is not None and not self._closed:
                await self.central.stop_scanning()

    def _on_advertisement(self, advertisement: Advertisement) -> None:
        for listener in list(self._listeners):
            listener(advertisement)

    async def close(self) -> None:
        """Disconnect everything and power every device off."""
        if self._closed:
            return
        await asyncio.sleep(SETTLE_S)
        self._closed = True
        for device in [*self._peripheral_devices, self.central]:
            if device is None:
                continue
            try:
                await asyncio.wait_for(device.power_off(), 1.0)
            except Exception as exc:  # shutdown of a virtual stack: log, keep going
                log.debug("power_off of %s failed: %r", device.name, exc)
        await asyncio.sleep(SETTLE_S)
