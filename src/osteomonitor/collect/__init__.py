"""collect: wearables over bleak into a recording, fanned out live.

Public API (import from the submodules; nothing here imports bleak at package import):

- `collect.collector.Collector(specs, writer, stack=SYSTEM_STACK, options=None)`:
  `await start()`, `await stop(reason)`, `subscribe() -> asyncio.Queue[Packet | Event]`,
  `status() -> CollectorStatus`, `event(kind, data, device) -> Event`.
- `collect.session_recording.recording_collector(specs, output=, meta=, stack=)` (async
  context manager), `session_meta(...)`, `default_output(patient, kind)`.
- `collect.device_spec.DeviceSpec`, `parse_device("[KEY=]ADDRESS|NAME[@PROFILE]")`.
- `collect.scanner.scan(stack, timeout_s)`, `find_device(target, stack, timeout_s)`.
- `collect.stack.BleStack` (bleak backend kwargs + session clock), `SYSTEM_STACK`,
  `bluetooth_unavailable(exc)`.
- `collect.status.CollectorStatus` / `DeviceStatus` (with `.line()` for one-line status).
"""
