"""What the patient marked during a session: sets, balance blocks, stretch holds, RPE, pain.

Read from the session's events (SET_DONE, BALANCE_START/END, STRETCH_HOLD, RPE, PAIN); a
set's load is expressed as %1RM when the prescription gives the exercise an estimated
1RM. RPE events carry `{"rpe": value, "scale": "borg6-20" | "cr10"}`; an event without
"scale" is Borg 6-20 (recordings made before CR-10 could be entered), and the older
`{"cr10": value}` form is CR-10. A value outside its scale, a stretch hold outside
`HOLD_S_VALID` or a negative load never reaches a verdict: it is left out with a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from osteomonitor.model import NS_PER_S, EventKind, SessionSummary
from osteomonitor.prescription.fitt import EFFORT_SCALES, Prescription
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
class StretchHold:
    """A stretch hold the patient timed (t_s from session start; hold_s seconds)."""

    t_s: float
    exercise: str
    hold_s: float


#: How a report names its effort scale (the report vocabulary predates CR-10 entry:
#: old recordings must read as they did, so Borg 6-20 stays "borg").
REPORT_SCALE: dict[str, str] = {"borg6-20": "borg", "cr10": "cr10"}

#: Plausible stretch holds, s: shorter is a tap of the button, longer a forgotten timer.
HOLD_S_VALID: tuple[float, float] = (1.0, 300.0)


@dataclass(frozen=True, slots=True)
class SessionRecords:
    """Everything the patient marked in one session, and what was left out (notes)."""

    sets: tuple[SetRecord, ...]
    blocks: tuple[BalanceBlock, ...]
    rpe: tuple[Report, ...]
    pain: tuple[Report, ...]
    holds: tuple[StretchHold, ...] = ()
    notes: tuple[str, ...] = ()


def _number(v: object) -> float | None:
    if isinstance(v, int | float) and not isinstance(v, bool) and v == v:
        return float(v)
    return None


@dataclass(frozen=True, slots=True)
class Report:
    """An RPE or pain report: t_s from session start, value, scale, free text."""

    t_s: float
    value: float | None
    scale: str
    note: str = ""


def session_records(summary: SessionSummary, rx: Prescription) -> SessionRecords:
    """The session's marked sets, balance blocks, stretch holds and reports."""
    res = rx.modalities.get("resistance")
    sets: list[SetRecord] = []
    blocks: list[BalanceBlock] = []
    holds: list[StretchHold] = []
    rpe: list[Report] = []
    pain: list[Report] = []
    notes: list[str] = []
    open_block: tuple[float, str] | None = None
    for ev in summary.events:
        t_s = (ev.t_ns - summary.start_t_ns) / NS_PER_S
        d = ev.data
        if ev.kind == EventKind.SET_DONE:
            name = str(d.get("exercise") or "unnamed")
            reps = _number(d.get("reps"))
            load_f = _number(d.get("load_kg"))
            if load_f is not None and load_f < 0:
                notes.append(f"set at {t_s:.0f} s: load {load_f:g} kg left out (negative)")
                load_f = None
            reps_i = int(reps) if reps is not None and reps >= 0 else None
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
        elif ev.kind == EventKind.STRETCH_HOLD:
            hold = _number(d.get("hold_s"))
            name = str(d.get("exercise") or "stretch")
            lo, hi = HOLD_S_VALID
            if hold is None or not lo <= hold <= hi:
                notes.append(
                    f"stretch hold at {t_s:.0f} s ({name}): {d.get('hold_s')!r} s left out "
                    f"(outside {lo:g}–{hi:g} s)"
                )
                continue
            holds.append(StretchHold(t_s, name, hold))
        elif ev.kind == EventKind.RPE:
            report = _effort(d, t_s, notes)
            if report is not None:
                rpe.append(report)
        elif ev.kind == EventKind.PAIN:
            pain.append(Report(t_s, _number(d.get("level")), "pain 0-10", str(d.get("where", ""))))
    if open_block is not None:  # block still open at the end: it ends with the session
        blocks.append(BalanceBlock(open_block[0], summary.duration_s, open_block[1]))
    return SessionRecords(
        tuple(sets), tuple(blocks), tuple(rpe), tuple(pain), tuple(holds), tuple(notes)
    )


def _effort(d: Mapping[str, Any], t_s: float, notes: list[str]) -> Report | None:
    """One effort rating on its scale, or None (with a note) when it is not on the scale."""
    if "rpe" in d:
        value, scale = _number(d.get("rpe")), str(d.get("scale") or "borg6-20")
    elif "cr10" in d:
        value, scale = _number(d.get("cr10")), "cr10"
    else:
        return None
    if scale not in EFFORT_SCALES:
        notes.append(f"effort at {t_s:.0f} s on unknown scale {scale!r} left out")
        return None
    lo, hi, label = EFFORT_SCALES[scale]
    if value is None or not lo <= value <= hi:
        raw = d.get("rpe", d.get("cr10"))
        notes.append(
            f"effort at {t_s:.0f} s: {label.replace('effort (Borg CR-10)', 'CR-10')} {raw!r} "
            f"left out (the scale runs {lo:g}–{hi:g})"
        )
        return None
    return Report(t_s, value, REPORT_SCALE[scale], str(d.get("note", "")))
