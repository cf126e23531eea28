"""A bleak client backend that connects through a `VirtualRadio`'s host adapter.

Passed to bleak through its public argument: ``BleakClient(device, backend=BumbleClient,
radio=radio)`` (also through ``bleak_retry_connector.establish_connection(BleakClient,
device, name, backend=BumbleClient, radio=radio)``). The radio comes from the keyword
argument or from `BLEDevice.details` when the device was found by `BumbleScanner`.

Behaviour matched to bleak's BlueZ backend where the collector depends on it:
notifications are preferred over indications; the disconnected callback runs only for
disconnections the client did not ask for; GATT errors become `BleakGATTProtocolError`;
an operation interrupted by a link loss raises `BleakError` (never `CancelledError`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bleak.args import SizedBuffer
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError, BleakGATTProtocolError
from bleak.uuids import normalize_uuid_str
from bumble import att, core, hci
from bumble.device import Connection, Peer
from bumble.gatt_client import CharacteristicProxy

from osteomonitor.sim.bleak_scanner import VirtualDeviceDetails
from osteomonitor.sim.radio import VirtualRadio

#: ATT MTU the host asks for, bytes: what BlueZ and Android ask of Polar straps by
#: default (ble-virtual-testing.md measured 247 over this stack).
REQUESTED_MTU = 247

#: Default connection timeout, s (bleak's own default is 30 s; tests pass less).
DEFAULT_CONNECT_TIMEOUT_S = 10.0

_CCCD_UUID = normalize_uuid_str("2902")

log = logging.getLogger(__name__)
T = TypeVar("T")


def _uuid_str(uuid: core.UUID) -> str:
    return normalize_uuid_str(uuid.to_hex_str("-"))


class BumbleClient(BaseBleakClient):
    """bleak client backend over a `VirtualRadio` (keyword argument ``radio``)."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        services: set[str] | None = None,
        timeout: float = DEFAULT_CONNECT_TIMEOUT_S,
        radio: VirtualRadio | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        details = getattr(address_or_ble_device, "details", None)
        if radio is None and isinstance(details, VirtualDeviceDetails):
            radio = details.radio
        if radio is None:
            raise TypeError("BumbleClient needs radio=<VirtualRadio> or a BLEDevice it found")
        self._radio = radio
        self._name = getattr(address_or_ble_device, "name", None) or self.address
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._subscribers: dict[int, Callable[[bytes], None]] = {}
        self._disconnecting = False

    # -- connection -------------------------------------------------------------

    @property
    def name(self) -> str:
        """The name the scanner saw, or the address."""
        return self._name

    @property
    def mtu_size(self) -> int:
        """Negotiated ATT MTU, bytes (23 until connected)."""
        return self._connection.att_mtu if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        """Whether the link is up."""
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        """Connect, exchange the MTU and discover the whole GATT database."""
        timeout = float(kwargs.get("timeout", self._timeout))
        central = self._radio.require_central()
        address = hci.Address(self.address)
        async with self._radio.connect_lock:
            try:
                connection = await central.connect(address, timeout=timeout)
            except core.TimeoutError as exc:
                raise TimeoutError(f"{self.address}: no connection within {timeout:g} s") from exc
            except core.BaseBumbleError as exc:
                raise BleakError(f"{self.address}: connection failed: {exc}") from exc
        self._connection = connection
        self._disconnecting = False
        connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)
        self._peer = Peer(connection)
        try:
            await self._guard(self._peer.request_mtu(REQUESTED_MTU))
            self.services = await self._guard(self._discover())
        except BaseException:
            if self._connection is not None:
                await self.disconnect()
            raise

    async def _discover(self) -> BleakGATTServiceCollection:
        assert self._peer is not None
        peer = self._peer
        collection = BleakGATTServiceCollection()
        await peer.discover_services()
        for service_proxy in peer.services:
            await peer.discover_characteristics(service=service_proxy)
            service = BleakGATTService(
                service_proxy, service_proxy.handle, _uuid_str(service_proxy.uuid)
            )
            collection.add_service(service)
            for char_proxy in service_proxy.characteristics:
                await peer.discover_descriptors(characteristic=char_proxy)
                props = [
                    p.name.lower()
                    for p in type(char_proxy.properties)
                    if p in char_proxy.properties and p.name
                ]
                characteristic = BleakGATTCharacteristic(
                    char_proxy,
                    char_proxy.handle,
                    _uuid_str(char_proxy.uuid),
                    props,  # type: ignore[arg-type]
                    lambda: self.mtu_size - 3,
                    service,
                )
                collection.add_characteristic(characteristic)
                for desc_proxy in char_proxy.descriptors:
                    collection.add_descriptor(
                        BleakGATTDescriptor(
                            desc_proxy,
                            desc_proxy.handle,
                            _uuid_str(desc_proxy.type),
                            characteristic,
                        )
                    )
        return collection

    def _on_disconnection(self, reason: int) -> None:
        solicited = self._disconnecting
        self._connection = None
        self._peer = None
        self._subscribers.clear()
        log.debug("%s disconnected, reason 0x%02X", self.address, reason)
        if not solicited and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def disconnect(self) -> None:
        """Disconnect (no-op when already disconnected)."""
        connection = self._connection
        if connection is None:
            return
        self._disconnecting = True
        try:
            await connection.disconnect(hci.HCI_REMOTE_USER_TERMINATED_CONNECTION_ERROR)
        except core.BaseBumbleError as exc:
            log.debug("disconnect of %s: %r", self.address, exc)
        self._connection = None
        self._peer = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        """Virtual wearables need no pairing."""

    async def unpair(self) -> None:
        """Virtual wearables need no pairing."""

    # -- GATT I/O -----------------------------------------------------------------

    def _require_peer(self) -> Peer:
        if self._peer is None:
            raise BleakError(f"{self.address}: not connected")
        return self._peer

    async def _guard(self, operation: Awaitable[T]) -> T:
        """Await a GATT operation, mapping bumble errors and link loss to bleak errors."""
        try:
            return await operation
        except att.ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from exc
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._connection is None and (task is None or task.cancelling() == 0):
                # bumble cancels the pending request when the link drops.
                raise BleakError(f"{self.address}: disconnected during a GATT operation") from None
            raise
        except core.BaseBumbleError as exc:
            raise BleakError(f"{self.address}: {exc}") from exc

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Read a characteristic value."""
        peer = self._require_peer()
        return bytearray(await self._guard(peer.read_value(characteristic.obj)))

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        """Read a descriptor value."""
        peer = self._require_peer()
        return bytearray(await self._guard(peer.read_value(descriptor.obj)))

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: SizedBuffer, response: bool
    ) -> None:
        """Write a characteristic, with or without response."""
        peer = self._require_peer()
        await self._guard(peer.write_value(characteristic.obj, bytes(data), with_response=response))

    async def write_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, data: SizedBuffer
    ) -> None:
        """Write a descriptor (with response)."""
        peer = self._require_peer()
        await self._guard(peer.write_value(descriptor.obj, bytes(data), with_response=True))

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        """Enable notifications (or indications when the characteristic has only those)."""
        peer = self._require_peer()
        proxy: CharacteristicProxy[bytes] = characteristic.obj

        def deliver(value: bytes) -> None:
            callback(bytearray(value))

        self._subscribers[characteristic.handle] = deliver
        await self._guard(peer.subscribe(proxy, deliver, prefer_notify=True))

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Disable notifications/indications (writes 0 to the CCCD).

        The CCCD is cleared first and the callback removed only after the device has
        acknowledged it: ATT is ordered, so every notification the device sent before
        it saw the write still reaches the callback (BlueZ delivers those too).
        """
        peer = self._require_peer()
        proxy: CharacteristicProxy[bytes] = characteristic.obj
        cccd = characteristic.get_descriptor(_CCCD_UUID)
        if cccd is not None:
            await self._guard(peer.write_value(cccd.obj, b"\x00\x00", with_response=True))
        deliver = self._subscribers.pop(characteristic.handle, None)
        if self._peer is not None:
            await self._guard(self._peer.unsubscribe(proxy, deliver))
