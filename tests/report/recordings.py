"""Real recording files for the command tests, written with the store writer and the
device encoders (Polar H10 PMD acceleration frames, Heart Rate Service notifications).

Impact sessions replay the simulator's session model (osteomonitor.sim.session_model):
the model knows the true jumps, so a test can compare what `analyze` found with the
truth rather than with a number copied from an earlier run.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from osteomonitor.devices.hrs import encode_hr
from osteomonitor.devices.pmd_frames import encode_acc_frame
from osteomonitor.model import DeviceInfo, Event, EventKind, Packet, SessionMeta
from osteomonitor.sim.session_model import DEFAULT_PLAN, Segment, SessionModel
from osteomonitor.store import RecordingWriter

TZ = "Europe/Helsinki"
NS = 1_000_000_000
ACC_HZ = 200
ACC_FRAME = 73  # samples per PMD frame at 200 Hz (≈ 0.37 s)
H10 = DeviceInfo(
    "h10",
    "C0:FF:EE:00:00:01",
    "Polar H10 TEST",
    "polar-h10",
    "H10",
    "3.0.56",
    90,
    {"sample_rate": ACC_HZ, "range_g": 8},
)
STRAP = DeviceInfo("strap", "C0:FF:EE:00:00:02", "HR strap", "hr-strap")


def start_ns(day: dt.date, hour: int = 10) -> int:
    t = dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(TZ))
    return int(t.timestamp()) * NS


def _meta(patient: str, kind: str, day: dt.date, hour: int, rx_toml: str | None) -> SessionMeta:
    t = dt.datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(TZ))
    return SessionMeta(patient, kind, t.isoformat(), TZ, "test", rx_toml, simulated=True)


def impact_recording(
    path: Path,
    day: dt.date,
    seed: int,
    rx_toml: str | None,
    patient: str = "P07",
    duration_s: float = 600.0,
    plan: tuple[Segment, ...] = DEFAULT_PLAN,
) -> SessionModel:
    """A Polar H10 session (ACC 200 Hz ±8 g + HR) playing the simulator's session model."""
    model = SessionModel(seed=seed, duration_s=duration_s, plan=plan)
    t0 = start_ns(day)
    with RecordingWriter.create(path, _meta(patient, "impact", day, 10, rx_toml)) as w:
        w.add_device(H10)
        n_frames = int(duration_s * ACC_HZ) // ACC_FRAME
        hr_next = 0.0
        for k in range(n_frames):
            t = (k * ACC_FRAME + np.arange(1, ACC_FRAME + 1)) / ACC_HZ
            acc_mg = np.clip(np.rint(model.acc_g(t) * 1000.0), -8000, 8000).astype(np.int64)
            t_ns = t0 + int(t[-1] * NS)
            w.write_packet(
                Packet(t_ns, "h10", "pmd_data", encode_acc_frame(int(t[-1] * NS), acc_mg))
            )
            while hr_next <= t[-1]:
                rr = model.rr_1024_between(hr_next - 1.0, hr_next)
                bpm = round(model.hr_bpm(hr_next))
                w.write_packet(
                    Packet(t0 + int(hr_next * NS), "h10", "hr", encode_hr(bpm, rr, contact=True))
                )
                hr_next += 1.0
    return model


def hr_recording(
    path: Path,
    day: dt.date,
    kind: str,
    minutes: float,
    bpm_mid: float,
    rx_toml: str | None,
    events: tuple[tuple[float, str, dict[str, object]], ...] = (),
    patient: str = "P07",
    hour: int = 10,
) -> None:
    """A chest strap session: 1 Hz HR around `bpm_mid` (±4 bpm, 30 s period) with RR."""
    t0 = start_ns(day, hour)
    with RecordingWriter.create(path, _meta(patient, kind, day, hour, rx_toml)) as w:
        w.add_device(STRAP)
        for i in range(int(minutes * 60)):
            bpm = bpm_mid + 4.0 * math.sin(2 * math.pi * i / 30.0)
            rr = round(60.0 / bpm * 1024)
            w.write_packet(Packet(t0 + i * NS, "strap", "hr", encode_hr(round(bpm), (rr,), True)))
        for off, kind_, data in events:
            w.write_event(Event(t0 + int(off * NS), kind_, data))


SETS = tuple(
    (60.0 + 90 * i, EventKind.SET_DONE, {"exercise": ex, "reps": reps, "load_kg": kg})
    for i, (ex, reps, kg) in enumerate(
        [("squat", 10, 30.0), ("squat", 10, 30.0), ("row", 8, 30.0), ("row", 8, 30.0)]
    )
)
