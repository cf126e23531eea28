"""A simulated fortnight of P07's sessions (plus one of another patient), for the week tests.

KSBMR 2023 prescription from Monday 3 March 2025 (programme week 1 = ISO 2025-W10) with a
physio-added impact phase: 20–50 jumps from programme week 3 (17 March). Times are local
(Europe/Helsinki, UTC+2 in March).
"""

from __future__ import annotations

import datetime as dt

from rx_builders import EXERCISES_TOML, TZ, ev, jumps, make_rx, summary

from osteomonitor.model import Event, EventKind, ImpactSummary, SessionMeta, SessionSummary
from osteomonitor.prescription import Prescription

PHASE = "\n[[impact.phases]]\nafter_weeks = 2\njumps_per_session = { min = 20, max = 50 }\n"


def rx() -> Prescription:
    return make_rx(extra=EXERCISES_TOML + PHASE)


def d(day: int) -> dt.date:
    """Day `day` counted from 1 March 2025 (32 = 1 April)."""
    return dt.date(2025, 3, 1) + dt.timedelta(days=day - 1)


def _sets() -> tuple[Event, ...]:
    spec = [("squat", 10, 30)] * 3 + [("row", 8, 30)] * 2
    return tuple(
        ev(60 + 120 * i, EventKind.SET_DONE, exercise=n, reps=r, load_kg=w)
        for i, (n, r, w) in enumerate(spec)
    )


def _aerobic(day: int, band_min: float, minutes: float = 30, hour: int = 10) -> SessionSummary:
    return summary(
        "aerobic",
        d(day),
        minutes,
        hour=hour,
        hr_coverage=0.95,
        hr_mean=108,
        hr_max=128,
        band_min=band_min,
        steps=3000,
    )


def sessions() -> list[tuple[SessionMeta, SessionSummary]]:
    """All recordings: ISO week 10, week 11 (the golden week), and a few after."""
    s: list[SessionSummary] = [
        # ---- W10
        summary("impact", d(3), 20, jump_list=jumps(25)),
        _aerobic(4, 25),
        summary("impact", d(5), 20, jump_list=jumps(25)),
        _aerobic(6, 22),
        _aerobic(8, 21),
        summary("activity", d(9), 30),
        # ---- W11 (golden)
        summary(
            "impact",
            d(10),
            20,
            jump_list=jumps(30, 4.4) + jumps(5, 3.0, first_s=300),
            impacts=ImpactSummary(n_peaks=120, n_above_3_9g=32, peak_max_g=4.6),
        ),
        _aerobic(11, 24),
        summary("resistance", d(12), 45, events=_sets()),
        summary(
            "impact",
            d(13),
            15,
            jump_list=jumps(8),
            events=(ev(400, EventKind.PAIN, level=3, where="left knee"),),
        ),
        _aerobic(14, 14),
        summary(
            "balance",
            d(15),
            25,
            hour=9,
            events=(
                ev(60, EventKind.BALANCE_START, eyes="open"),
                ev(540, EventKind.BALANCE_END),
                ev(600, EventKind.BALANCE_START, eyes="open"),
                ev(1080, EventKind.BALANCE_END),
            ),
        ),
        _aerobic(15, 28, minutes=40, hour=17),
        summary("activity", d(16), 45, hour=23),  # 21:00 UTC: still Sunday locally
        # ---- after W11: 01:00 Monday 17 March local is Sunday 23:00 UTC, but W12 here
        summary("impact", d(17), 20, hour=1, jump_list=jumps(30)),
        # W12, W13: aerobic only, impact lapses
        _aerobic(19, 25),
        _aerobic(21, 25),
        _aerobic(24, 25),
        _aerobic(26, 25),
        _aerobic(28, 25),
        # W14: aerobic on 1 and 3 April
        _aerobic(32, 25),
        _aerobic(34, 25),
    ]
    out = [(SessionMeta("P07", x.kind, "", TZ, "test"), x) for x in s]
    other = summary("impact", d(12), 20, jump_list=jumps(40))
    out.append((SessionMeta("P11", "impact", "", TZ, "test"), other))
    return out
