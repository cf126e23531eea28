"""Builders shared by the prescription and report tests: patients, prescriptions, summaries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from osteomonitor.model import (
    Event,
    GaitSummary,
    HeartRateSummary,
    ImpactSummary,
    Jump,
    SessionSummary,
    ZoneTime,
)
from osteomonitor.prescription import Prescription, draft_prescription, parse_prescription
from osteomonitor.prescription.fitt import Patient

TZ = "Europe/Helsinki"
START = dt.date(2025, 3, 3)  # a Monday: programme week 1 = ISO 2025-W10
NS = 1_000_000_000

#: Two resistance exercises with 1RM estimated from submaximal sets:
#: squat 40 kg × 8 (Epley → 50.67 kg), row 30 kg × 10 (Brzycki → 40 kg).
EXERCISES_TOML = (
    '\n[[resistance.exercises]]\nname = "squat"\ntest_load_kg = 40\ntest_reps = 8\n'
    'equation = "epley"\ntest_date = 2025-02-24\n'
    '\n[[resistance.exercises]]\nname = "row"\ntest_load_kg = 30\ntest_reps = 10\n'
    'equation = "brzycki"\ntest_date = 2025-02-24\n'
)


def patient(**kw: Any) -> Patient:
    """P07, 67 y, measured HRmax 158, resting 62 (override any field)."""
    base: dict[str, Any] = dict(
        pseudonym="P07",
        age_y=67,
        body_mass_kg=64.0,
        timezone=TZ,
        fracture_risk="moderate",
        prior_vertebral_fracture=False,
        hr_modulating_medication=False,
        resting_hr_bpm=62.0,
        resting_hr_method="seated-5min",
        resting_hr_date=dt.date(2025, 2, 24),
        hrmax_bpm=158.0,
        hrmax_method="measured",
        hrmax_date=dt.date(2025, 2, 20),
    )
    base.update(kw)
    return Patient(**base)


def rx_text(template: str = "ksbmr-2023", pct: float | None = 75, **kw: Any) -> str:
    """A drafted prescription file (validated)."""
    text, _ = draft_prescription(
        template,
        patient=patient(**kw),
        start_date=START,
        hr_ceiling_pct_hrr=pct,
        hr_ceiling_bpm=None if pct is not None else 140,
    )
    return text


def make_rx(template: str = "ksbmr-2023", extra: str = "", **kw: Any) -> Prescription:
    """Parse a drafted prescription, with `extra` TOML appended."""
    return parse_prescription(rx_text(template, **kw) + extra, "test.toml")


def local_ns(day: dt.date, hour: int = 10, minute: int = 0) -> int:
    """Host ns of a local time in the test zone."""
    from zoneinfo import ZoneInfo

    t = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(TZ))
    return int(t.timestamp()) * NS


def jumps(
    n: int, peak_g: float = 4.5, every_s: float = 2.0, first_s: float = 30.0
) -> tuple[Jump, ...]:
    """n identical jumps (flight 0.3 s) at regular times."""
    return tuple(
        Jump(first_s + i * every_s - 0.3, first_s + i * every_s, 0.3, 0.11, peak_g, 150.0)
        for i in range(n)
    )


def summary(
    kind: str,
    day: dt.date = START,
    minutes: float = 30.0,
    *,
    hour: int = 10,
    jump_list: tuple[Jump, ...] = (),
    acc_coverage: float = 1.0,
    hr_coverage: float = 0.0,
    hr_mean: float | None = None,
    hr_max: float | None = None,
    band_min: float = 0.0,
    events: tuple[Event, ...] = (),
    steps: int = 0,
    impacts: ImpactSummary | None = None,
    band: tuple[float, float] = (40.0, 60.0),
) -> SessionSummary:
    """A hand-built session summary; events are given as (offset s, kind, data) via `ev`."""
    start = local_ns(day, hour)
    dur = minutes * 60.0
    heart = HeartRateSummary(
        hr_mean_bpm=hr_mean,
        hr_max_bpm=hr_max,
        zones=(ZoneTime(f"{band[0]:g}-{band[1]:g}", *band, band_min * 60.0),)
        if hr_coverage
        else (),
        valid_s=dur * hr_coverage,
        unknown_s=dur * (1 - hr_coverage) if hr_coverage else 0.0,
        coverage=hr_coverage,
        target_lo_pct=band[0] if hr_coverage else None,
        target_hi_pct=band[1] if hr_coverage else None,
        target_s=band_min * 60.0,
        longest_bout_s=band_min * 60.0,
    )
    return SessionSummary(
        start_t_ns=start,
        end_t_ns=start + int(dur * NS),
        duration_s=dur,
        kind=kind,
        acc_s=dur * acc_coverage,
        acc_coverage=acc_coverage,
        jumps=jump_list,
        impacts=impacts or ImpactSummary(),
        heart=heart,
        gait=GaitSummary(steps=steps, walking_s=dur if steps else 0.0),
        events=tuple(Event(start + int(e.t_ns), e.kind, e.data) for e in events),
    )


def ev(offset_s: float, kind: str, **data: Any) -> Event:
    """An event `offset_s` after the session start (summary() adds the start)."""
    return Event(int(offset_s * NS), kind, data)
