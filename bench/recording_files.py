"""Realistic recording files for the batch and study benchmarks (not a benchmark itself).

A Polar H10 session as the collector writes it: ACC at 200 Hz ±8 g in PMD frames of 36
samples (delta-compressed by default, as the H10 sends them at its MTU; raw int16 on
request), device timestamps on a clock drifting 20 ppm from the host, arrivals one BLE
connection interval or more after the last sample (latency 7.5-45 ms), and 1 Hz Heart
Rate Service notifications with RR intervals; samples play the simulator's session
model (`osteomonitor.sim.session_model`: walking, jump blocks, rest, HR kinetics).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from osteomonitor.devices.hrs import encode_hr
from osteomonitor.devices.pmd_frames import POLAR_EPOCH_UNIX_NS, encode_acc_frame
from osteomonitor.model import DeviceInfo, Packet, SessionMeta
from osteomonitor.sim.session_model import SessionModel
from osteomonitor.store import RecordingWriter

NS = 1_000_000_000
ACC_HZ = 200
FRAME = 36  # samples per H10 ACC notification at its ATT MTU
DRIFT = 20e-6  # device clock runs 20 ppm fast
H10 = DeviceInfo(
    "h10",
    "C0:FF:EE:00:00:01",
    "Polar H10 BENCH",
    "polar-h10",
    "H10",
    "3.0.56",
    90,
    {"sample_rate": ACC_HZ, "range_g": 8},
)


def h10_recording(
    path: Path,
    hours: float,
    seed: int = 0,
    compressed: bool = True,
    start: dt.datetime | None = None,
    patient: str = "B01",
) -> int:
    """Write an H10 session of `hours` to `path`; returns the ACC samples written."""
    start = start or dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    t0 = int(start.timestamp()) * NS
    duration_s = hours * 3600.0
    model = SessionModel(seed=seed, duration_s=duration_s)
    rng = np.random.default_rng(seed)
    n_frames = int(duration_s * ACC_HZ) // FRAME
    t = np.arange(1, n_frames * FRAME + 1) / ACC_HZ
    acc_mg = np.clip(np.rint(model.acc_g(t) * 1000.0), -8000, 8000).astype(np.int64)
    dev0 = t0 - POLAR_EPOCH_UNIX_NS + 3 * NS  # device clock 3 s ahead of the host
    latency = rng.choice([7.5e-3, 15e-3, 22.5e-3, 45e-3], n_frames, p=[0.7, 0.2, 0.08, 0.02])
    meta = SessionMeta(patient, "impact", start.isoformat(), "UTC", "bench", simulated=True)
    packets: list[Packet] = []
    for k in range(n_frames):
        t_last = t[(k + 1) * FRAME - 1]
        dev_ns = dev0 + round(t_last * (1.0 + DRIFT) * NS)
        frame = encode_acc_frame(dev_ns, acc_mg[k * FRAME : (k + 1) * FRAME], compressed)
        packets.append(Packet(t0 + round((t_last + latency[k]) * NS), "h10", "pmd_data", frame))
    for s in range(int(duration_s)):
        rr = model.rr_1024_between(s - 1.0, float(s))
        bpm = round(model.hr_bpm(float(s)))
        packets.append(Packet(t0 + s * NS + 3_000_000, "h10", "hr", encode_hr(bpm, rr, True)))
    packets.sort(key=lambda p: p.t_ns)
    with RecordingWriter.create(path, meta, commit_interval_s=3600.0) as w:
        w.add_device(H10)
        w.write_packets(packets)
    return n_frames * FRAME
