"""sim: virtual wearables on bumble's virtual controllers, reached through bleak.

Public API:

- `sim.world.virtual_world(kinds, session_model=, speed=, faults=, seed=, duration_s=,
  playback=)` (async context manager) → `VirtualWorld` with `.stack` (pass to the
  collector), `.devices` (their `sent` logs and `violations`), `.model`, `.clock`,
  `.device_specs()`; `KINDS`, `parse_kinds("h10,hr-strap")`.
- `sim.session_model.SessionModel(seed, duration_s)`: the built-in session as functions
  of time (acc_g, hr_bpm, rr_1024_between, jumps, steps, energy_kj).
- `sim.faults.Faults`, `parse_faults("drop@30,malformed=50,…")`.
- `sim.packet_audit.run_simulated_session(kinds, session_s, output=, speed=, faults=)`
  → `SimulatedRun` (sent vs recorded, resume times, CPU, latencies) for benches/drills.
- `sim.bleak_scanner.BumbleScanner` / `sim.bleak_client.BumbleClient`: bleak backends
  (`BleakScanner(backend=BumbleScanner, radio=…)`, `BleakClient(…, backend=BumbleClient)`).
- `sim.playback.Playback`: play a recording through a virtual wearable.
"""
