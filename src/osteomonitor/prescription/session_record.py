"""What the patient marked during a session: resistance sets, balance blocks, RPE and pain.

Read from the session's events (SET_DONE, BALANCE_START/END, RPE, PAIN); a set's load
is expressed as %1RM when the prescription gives the exercise an estimated 1RM.
"""

from __future__ import annotations

from dataclasses import dataclass

from osteomonitor.model import NS_PER_S, EventKind, SessionSummary
from osteomonitor.prescription.effort import CR10, rpe_rating
from osteomonitor.prescription.fitt import Prescription
from osteomonitor.prescription.strength import pct_of_1rm


@dataclass(frozen=True, slots=True)
class SetRecord:
    """A resistance set the patient marked (t_s from session start; load %1RM if known)."""

    t_s: float
    exercise: str
    reps: int | None
    load_kg: float | None
    pct_1rm: float | None


@dataclass(frozen=True, slots=True)
class BalanceBlock:
    """A balance block the patient marked (session seconds; eyes "open"/"closed")."""

    start_s: float
    end_s: float
    eyes: str


@dataclass(frozen=True, slots=True)
class Report:
    """An RPE or pain report: t_s from session start, value, scale, free text."""

    t_s: float
    value: float | None
    scale: str
    note: str = ""


def session_records(
    summary: SessionSummary, rx: Prescription
) -> tuple[tuple[SetRecord, ...], tuple[BalanceBlock, ...], tuple[Report, ...], tuple[Report, ...]]:
    res = rx.modalities.get("resistance")
    sets: list[SetRecord] = []
    blocks: list[BalanceBlock] = []
    rpe: list[Report] = []
    pain: list[Report] = []
    open_block: tuple[float, str] | None = None
    for ev in summary.events:
        t_s = (ev.t_ns - summary.start_t_ns) / NS_PER_S
        d = ev.data
        if ev.kind == EventKind.SET_DONE:
            name = str(d.get("exercise") or "unnamed")
            reps = d.get("reps")
            load = d.get("load_kg")
            reps_i = (
                int(reps) if isinstance(reps, int | float) and not isinstance(reps, bool) else None
            )
            load_f = (
                float(load)
                if isinstance(load, int | float) and not isinstance(load, bool)
                else None
            )
            ex = res.exercise(name) if res is not None else None
            pct = (
                pct_of_1rm(load_f, ex.one_rm_kg) if ex is not None and load_f is not None else None
            )
            sets.append(SetRecord(t_s, name, reps_i, load_f, pct))
        elif ev.kind == EventKind.BALANCE_START:
            if open_block is not None:
                blocks.append(BalanceBlock(open_block[0], t_s, open_block[1]))
            open_block = (t_s, str(d.get("eyes", "open")))
        elif ev.kind == EventKind.BALANCE_END and open_block is not None:
            blocks.append(BalanceBlock(open_block[0], t_s, open_block[1]))
            open_block = None
        elif ev.kind == EventKind.RPE:
            # {"rpe": v, "scale": "borg6-20"|"cr10"} (no scale: Borg 6-20); an older
            # {"cr10": v} form is read too
            rated = rpe_rating(d)
            if rated is not None:
                rating, scale = rated
                name = "cr10" if scale.key == CR10 else "borg"
                rpe.append(Report(t_s, rating, name, str(d.get("note", ""))))
            v = d.get("cr10")
            if isinstance(v, int | float) and not isinstance(v, bool):
                rpe.append(Report(t_s, float(v), "cr10", str(d.get("note", ""))))
        elif ev.kind == EventKind.PAIN:
            lvl = d.get("level")
            value = (
                float(lvl) if isinstance(lvl, int | float) and not isinstance(lvl, bool) else None
            )
            pain.append(Report(t_s, value, "pain 0-10", str(d.get("where", ""))))
    if open_block is not None:  # block still open at the end: it ends with the session
        blocks.append(BalanceBlock(open_block[0], summary.duration_s, open_block[1]))
    return tuple(sets), tuple(blocks), tuple(rpe), tuple(pain)
