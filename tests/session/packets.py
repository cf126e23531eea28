"""Offline H10 packet streams from the simulator's session model (no BLE involved).

The bytes are exactly what the virtual H10 notifies (PMD ACC raw frames of 36 samples
at 200 Hz, ±8 g, and HRS notifications once a second with the RR intervals of the
beats since the last one), stamped with the arrival time a link with a constant
latency would give. The model knows the true jumps, so tests know the answer.
"""

from __future__ import annotations

import numpy as np

from osteomonitor.devices.hrs import encode_hr
from osteomonitor.devices.pmd_frames import encode_acc_frame
from osteomonitor.model import DeviceInfo, Packet
from osteomonitor.sim.session_model import SessionModel

H10 = DeviceInfo(
    "h10",
    "C0:00:00:00:00:10",
    "Polar H10 SIM00001",
    "polar-h10",
    settings={"sample_rate": 200, "range_g": 8},
)
T0_NS = 1_790_000_000_000_000_000  # host time of session start, ns
DEVICE_T0_NS = 599_616_000_000_000_000  # an H10 clock reset to 2019-01-01
FS_HZ = 200
PER_FRAME = 36
LATENCY_NS = 30_000_000


def h10_packets(model: SessionModel, duration_s: float | None = None) -> list[Packet]:
    """Every notification of an H10 playing `model`, in arrival order."""
    dur = model.duration_s if duration_s is None else duration_s
    n = int(dur * FS_HZ) // PER_FRAME * PER_FRAME
    t = np.arange(n) / FS_HZ
    mg = np.clip(np.round(model.acc_g(t) * 1000.0), -8000, 8000).astype(np.int64)
    out: list[Packet] = []
    for k in range(0, n, PER_FRAME):
        last_s = t[k + PER_FRAME - 1]
        payload = encode_acc_frame(DEVICE_T0_NS + round(last_s * 1e9), mg[k : k + PER_FRAME])
        out.append(Packet(T0_NS + round(last_s * 1e9) + LATENCY_NS, "h10", "pmd_data", payload))
    for s in range(1, int(dur) + 1):
        rr = model.rr_1024_between(s - 1, s)
        payload = encode_hr(round(model.hr_bpm(s)), rr, contact=True)
        out.append(Packet(T0_NS + s * 1_000_000_000 + LATENCY_NS, "h10", "hr", payload))
    out.sort(key=lambda p: p.t_ns)
    return out
