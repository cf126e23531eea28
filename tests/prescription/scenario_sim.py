"""Clinical scenarios: patients, prescriptions and sessions played by the virtual wearables.

Each session is a real recording file written with the store writer: acceleration and
heart rate from the simulator's session model (`osteomonitor.sim.session_model`, the
model the virtual Polar H10 plays) or a chest strap's 1 Hz Heart Rate Service
notifications, plus the events the patient marks (sets, balance blocks, stretch holds,
effort ratings). The recordings are analysed by the same `analyze_recording` that
`osteomonitor analyze` runs, once per test session (`ScenarioLab` caches them), and a
summary is moved to the scenario's local date and hour with `on_day`.

The scenario patient "walker" (68 y, resting HR 55, measured HRmax 140) puts the
session model's walking heart rate (~100 bpm) inside a 40–60 %HRR band (89–106 bpm).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from rx_builders import EXERCISES_TOML, patient

from osteomonitor.devices.hrs import encode_hr
from osteomonitor.devices.pmd_frames import encode_acc_frame
from osteomonitor.model import DeviceInfo, Event, Packet, SessionMeta, SessionSummary
from osteomonitor.prescription import Prescription, draft_prescription, parse_prescription
from osteomonitor.prescription.fitt import Patient
from osteomonitor.session import analyze_recording
from osteomonitor.sim.session_model import Segment, SessionModel
from osteomonitor.store import RecordingWriter

#: Session events as the scenarios write them: (session s, kind, data).
Events = tuple[tuple[float, str, dict[str, Any]], ...]
TZ = "Europe/Helsinki"
START = dt.date(2025, 3, 3)  # Monday: programme week 1 = ISO 2025-W10
NS = 1_000_000_000
ACC_HZ = 200
ACC_FRAME = 73
H10 = DeviceInfo(
    "h10",
    "C0:FF:EE:00:00:11",
    "Polar H10 SIM",
    "polar-h10",
    "H10",
    "3.0.56",
    90,
    {"sample_rate": ACC_HZ, "range_g": 8},
)
STRAP = DeviceInfo("strap", "C0:FF:EE:00:00:12", "HR strap SIM", "hr-strap")


#: The scenario patient: the prescription tests' P07 with a resting HR and HRmax that put
#: the session model's walking HR (~100 bpm) inside 40–60 %HRR.
WALKER: dict[str, Any] = dict(
    pseudonym="S01", age_y=68, body_mass_kg=62.0, resting_hr_bpm=55.0, hrmax_bpm=140.0
)


def walker(**kw: Any) -> Patient:
    """The scenario patient (override any field)."""
    return patient(**{**WALKER, **kw})


#: squat 40 kg × 8 (Epley → 50.67 kg), row 30 kg × 10 (Brzycki → 40 kg), tested 24 Feb 2025.
EXERCISES = EXERCISES_TOML


def draft(
    template: str = "ksbmr-2023",
    pct: float | None = 75,
    bpm: float | None = None,
    start: dt.date = START,
    **kw: Any,
) -> tuple[str, list[str]]:
    """A drafted prescription file for the walker (validated by the reader)."""
    return draft_prescription(
        template,
        patient=walker(**kw),
        start_date=start,
        hr_ceiling_pct_hrr=pct if bpm is None else None,
        hr_ceiling_bpm=bpm,
    )


def rx(template: str = "ksbmr-2023", extra: str = "", **kw: Any) -> Prescription:
    """The walker's prescription from a template, with `extra` TOML appended."""
    return parse_prescription(draft(template, **kw)[0] + extra, "scenario.toml")


def local_ns(day: dt.date, hour: int = 10, minute: int = 0, tz: str = TZ) -> int:
    t = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(tz))
    return int(t.timestamp()) * NS


def day(n: int) -> dt.date:
    """Programme day n (1 = Monday 3 March 2025)."""
    return START + dt.timedelta(days=n - 1)


# ------------------------------------------------------------------ recordings


def _meta(kind: str, supervised: bool | None) -> SessionMeta:
    t = dt.datetime(2025, 1, 6, 10, tzinfo=ZoneInfo(TZ))
    kw: dict[str, Any] = {"supervised": supervised} if supervised is not None else {}
    return SessionMeta("S01", kind, t.isoformat(), TZ, "scenario", None, True, **kw)


def model_recording(
    path: Path,
    kind: str,
    plan: tuple[Segment, ...],
    *,
    seed: int = 3,
    peak_g: tuple[float, float] = (3.0, 6.0),
    events: Sequence[tuple[float, str, dict[str, Any]]] = (),
) -> SessionModel:
    """A virtual Polar H10 (ACC 200 Hz ±8 g + HR with RR) playing `plan` once."""
    duration = plan[-1].end_s
    model = SessionModel(seed=seed, duration_s=duration, plan=plan, peak_g=peak_g)
    t0 = local_ns(dt.date(2025, 1, 6))
    with RecordingWriter.create(path, _meta(kind, None)) as w:
        w.add_device(H10)
        hr_next = 0.0
        for k in range(int(duration * ACC_HZ) // ACC_FRAME):
            t = (k * ACC_FRAME + np.arange(1, ACC_FRAME + 1)) / ACC_HZ
            acc_mg = np.clip(np.rint(model.acc_g(t) * 1000.0), -8000, 8000).astype(np.int64)
            w.write_packet(
                Packet(
                    t0 + int(t[-1] * NS),
                    "h10",
                    "pmd_data",
                    encode_acc_frame(int(t[-1] * NS), acc_mg),
                )
            )
            while hr_next <= t[-1]:
                rr = model.rr_1024_between(hr_next - 1.0, hr_next)
                w.write_packet(
                    Packet(
                        t0 + int(hr_next * NS),
                        "h10",
                        "hr",
                        encode_hr(round(model.hr_bpm(hr_next)), rr, contact=True),
                    )
                )
                hr_next += 1.0
        for off, k_, data in events:
            w.write_event(Event(t0 + int(off * NS), k_, data))
    return model


def strap_recording(
    path: Path,
    kind: str,
    minutes: float,
    bpm: Callable[[float], float] | float,
    events: Sequence[tuple[float, str, dict[str, Any]]] = (),
    supervised: bool | None = None,
) -> None:
    """A virtual chest strap: 1 Hz HR (`bpm` constant ±3 bpm, or a function of s) with RR."""
    t0 = local_ns(dt.date(2025, 1, 6))
    with RecordingWriter.create(path, _meta(kind, supervised)) as w:
        w.add_device(STRAP)
        for i in range(int(minutes * 60)):
            b = bpm(i) if callable(bpm) else bpm + 3.0 * math.sin(2 * math.pi * i / 30.0)
            rr = round(60.0 / b * 1024)
            w.write_packet(Packet(t0 + i * NS, "strap", "hr", encode_hr(round(b), (rr,), True)))
        for off, k_, data in events:
            w.write_event(Event(t0 + int(off * NS), k_, data))


def walk_plan(minutes: float) -> tuple[Segment, ...]:
    end = minutes * 60.0
    return (Segment("rest", 0.0, 20.0), Segment("walk", 20.0, end))


def jump_plan(n: int) -> tuple[Segment, ...]:
    """Rest 10 s, a block of n jumps (3 s apart), rest 10 s."""
    block = 3.0 * n + 1.0
    return (
        Segment("rest", 0.0, 10.0),
        Segment("jumps", 10.0, 10.0 + block),
        Segment("rest", 10.0 + block, 20.0 + block),
    )


def on_day(
    s: SessionSummary, when: dt.date, hour: int = 10, minute: int = 0, tz: str = TZ
) -> SessionSummary:
    """The same session moved to a local date and time (all absolute times shifted)."""
    shift = local_ns(when, hour, minute, tz) - s.start_t_ns
    return replace(
        s,
        start_t_ns=s.start_t_ns + shift,
        end_t_ns=s.end_t_ns + shift,
        events=tuple(replace(e, t_ns=e.t_ns + shift) for e in s.events),
    )


class ScenarioLab:
    """Writes each recording once and analyses it once per prescription band."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._paths: dict[str, Path] = {}
        self._summaries: dict[tuple[object, ...], tuple[SessionMeta, SessionSummary]] = {}

    def path(self, name: str, make: Callable[[Path], object]) -> Path:
        if name not in self._paths:
            p = self.root / f"{name}.omrec"
            make(p)
            self._paths[name] = p
        return self._paths[name]

    def analysed(
        self, name: str, make: Callable[[Path], object], prx: Prescription
    ) -> tuple[SessionMeta, SessionSummary]:
        aer = prx.modalities.get("aerobic")
        band = aer.targets.get("hrr_pct") if aer is not None else None
        key = (name, (band.lo, band.hi) if band is not None else None, prx.patient)
        if key not in self._summaries:
            self._summaries[key] = analyze_recording(self.path(name, make), prx)
        return self._summaries[key]

    # -- the shared sessions -------------------------------------------------------

    def walk(self, prx: Prescription, minutes: int = 25) -> SessionSummary:
        return self.analysed(
            f"walk{minutes}",
            lambda p: model_recording(p, "aerobic", walk_plan(minutes)),
            prx,
        )[1]

    def jumps(self, prx: Prescription, n: int = 40, gentle: bool = False) -> SessionSummary:
        peak = (2.4, 3.5) if gentle else (4.3, 6.0)
        return self.analysed(
            f"jumps{n}{'gentle' if gentle else 'firm'}",
            lambda p: model_recording(p, "impact", jump_plan(n), peak_g=peak),
            prx,
        )[1]

    def strap(
        self,
        prx: Prescription,
        name: str,
        kind: str,
        minutes: float,
        bpm: Callable[[float], float] | float = 100.0,
        events: Sequence[tuple[float, str, dict[str, Any]]] = (),
        supervised: bool | None = None,
    ) -> tuple[SessionMeta, SessionSummary]:
        return self.analysed(
            name,
            lambda p: strap_recording(p, kind, minutes, bpm, events, supervised),
            prx,
        )


def sets(spec: Sequence[tuple[str, int, float]], first_s: float = 30.0) -> Events:
    """SET_DONE events (exercise, reps, load kg), 40 s apart."""
    return tuple(
        (first_s + 40.0 * i, "set_done", {"exercise": n, "reps": r, "load_kg": kg})
        for i, (n, r, kg) in enumerate(spec)
    )


def meta(kind: str, supervised: bool | None = None) -> SessionMeta:
    return _meta(kind, supervised)
