"""Plausibility gates: decoded frames that cannot be true are set aside, counted, never analysed.

A decoder turns bytes into samples; these gates decide whether the samples can be what
the stream was set up to send. A frame that fails one is *set aside* (quarantined): it
stays in the recording untouched, it is counted with its reason, and the rest of the
session is analysed as if it had been lost on the link. One corrupted frame therefore
never aborts an analysis (issue 11 item 4) and no absurd value reaches a clinical number
(item 5).

Pure and streaming: every gate looks at one frame and what came before it, so live,
replay and batch analysis set aside exactly the same frames.

The limits are in `LIMITS`, each with the reason for its value.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from osteomonitor.errors import DecodeError
from osteomonitor.model import NS_PER_S, AccBlock

if TYPE_CHECKING:  # pragma: no cover
    from osteomonitor.devices.profiles import Profile


@dataclass(frozen=True, slots=True)
class Limit:
    """One plausibility threshold and why it has that value.

    Attributes:
        value: the threshold, in `unit`.
        unit: unit of `value`.
        rationale: where the number comes from.
    """

    value: float
    unit: str
    rationale: str


#: The plausibility thresholds, by name.
LIMITS: dict[str, Limit] = {
    "acc_range_margin": Limit(
        0.25,
        "fraction of full scale",
        "A sensor saturates at its full-scale range (±range_g); integer formats cannot exceed "
        "it and calibrated float outputs (Movesense m/s²) exceed it only by their gain and "
        "offset calibration, a few per cent. A quarter of the range above it can only be a "
        "corrupted value or a wrong scale factor.",
    ),
    "rate_tolerance": Limit(
        0.01,
        "fraction of the configured rate",
        "A frame announces its own rate (osteomonitor-imu, Thingy config); crystals are "
        "within 100 ppm, so a frame more than 1 % off the rate its stream was started "
        "with disagrees with the stream's settings.",
    ),
    "hr_wire_max_bpm": Limit(
        300.0,
        "bpm",
        "No human heart beats faster (the plausible band used by the analysis is 30-220 "
        "bpm, domain §3.5); a float HR beyond 300 bpm or not a number is a sensor fault, "
        "kept out so it cannot reach an integer conversion or an average.",
    ),
    "host_backward_s": Limit(
        3600.0,
        "s",
        "Arrival times come from the host wall clock, written as each notification "
        "arrives; a clock step (NTP, a daylight-saving mistake of the OS) can move it back "
        "by up to an hour. A time earlier than the session start by more is corrupt.",
    ),
    "host_jump_s": Limit(
        6 * 3600.0,
        "s",
        "A session is an exercise bout of minutes to a few hours (the FITT prescriptions "
        "of KSBMR 2023 and ACSM); a link lost longer than six hours does not continue "
        "the same session, so an arrival time that far past everything before it is a "
        "corrupt timestamp (one gave a session of 2,078,439 hours).",
    ),
    "start_hint_window_s": Limit(
        366 * 86400.0,
        "s",
        "The recorded start (SessionMeta.start_iso) comes from the same host clock as the "
        "arrival times but is written separately (importers take it from the other tool); "
        "the first time admitted must lie within a year of it, which lets a mis-set clock "
        "through and stops garbage (0, year 2263) from becoming the session's anchor.",
    ),
    "block_vs_arrival_s": Limit(
        120.0,
        "s",
        "A block's sample times are its device clock mapped to the host; they sit before "
        "the block's arrival by the link latency plus the device's buffer (Polar and "
        "Movesense buffer a few seconds). Two minutes off means the mapping jumped.",
    ),
}


def limit(name: str) -> float:
    """The value of the threshold `name` (see `LIMITS`)."""
    return LIMITS[name].value


class SetAside(DecodeError):
    """A frame decoded but cannot be true; it is quarantined with `reason`.

    Attributes:
        reason: short, in people's terms and without numbers that vary per frame
            ("value outside ±16 g"), so equal reasons count together.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason} ({detail})" if detail else reason)
        self.reason = reason


def _fmt(x: float) -> str:
    return f"{x:g}"


def check_acc(block: AccBlock) -> None:
    """Raise `SetAside` unless a decoded accelerometer block is plausible: a positive
    rate, finite values within its full-scale range plus the margin, times that never
    run backwards. (Frames that announce their own rate and range are also checked
    against their stream's settings by their decoder.)"""
    fs = float(block.fs_hz)
    if not math.isfinite(fs) or fs <= 0:
        raise SetAside("sample rate not a positive number")
    full = float(block.range_g)
    acc = block.acc_g
    if acc.size:
        # One reduction: NaN and ±∞ fail the comparison like an out-of-range value.
        peak = float(np.abs(acc).max())
        if not peak <= full * (1.0 + limit("acc_range_margin")):
            if not math.isfinite(peak) or np.isnan(acc).any():
                raise SetAside("value not a number")
            raise SetAside(f"value outside ±{_fmt(full)} g", f"{peak:.3g} g")
    t = block.t_ns
    if t.size > 1 and int(t[-1]) < int(t[0]):  # decoders space samples forward
        raise SetAside("sample times run backwards")


def check_block_time(block: AccBlock, arrival_ns: int) -> None:
    """Raise `SetAside` when a block's mapped times are far from its arrival (clock jump)."""
    if block.t_ns.size == 0:
        return
    off = abs(int(block.t_ns[-1]) - arrival_ns)
    if off > limit("block_vs_arrival_s") * NS_PER_S:
        raise SetAside("sample times jump away from arrival", f"{off / NS_PER_S:.3g} s")


def check_hr_value(bpm: float) -> None:
    """Raise `SetAside` for a float heart rate (Movesense) that is not a number or absurd."""
    if not math.isfinite(bpm) or not 0 <= bpm <= limit("hr_wire_max_bpm"):
        raise SetAside(f"heart rate outside 0-{_fmt(limit('hr_wire_max_bpm'))} bpm")


def check_factor(factor: float) -> None:
    """Raise `SetAside` for a PMD scale factor that would turn samples into NaN/∞ or 0."""
    if not math.isfinite(factor) or factor <= 0:
        raise SetAside("scale factor not a positive number", repr(factor))


def offered_rate(profile: Profile, rate_hz: float) -> bool:
    """Whether the profile offers this accelerometer rate (any rate when it lists none)."""
    return not profile.rates_hz or any(
        abs(rate_hz - r) <= limit("rate_tolerance") * r for r in profile.rates_hz
    )


def start_ns_of(start_iso: str) -> int | None:
    """A recording's ISO start time as ns since the epoch (None when unreadable)."""
    try:
        t = dt.datetime.fromisoformat(start_iso)
    except (TypeError, ValueError):
        return None
    if t.tzinfo is None:
        return None
    return int(t.timestamp() * NS_PER_S)


class ArrivalGate:
    """Arrival (host) times a session can have: none far before its start, no huge jump.

    The first time admitted is the session's anchor; a later time more than
    `host_backward_s` before it, or more than `host_jump_s` after the latest admitted
    one, is set aside.

    Args:
        start_hint_ns: the session's recorded start, ns since the epoch (None = not
            known); the anchor must lie within `start_hint_window_s` of it.
    """

    def __init__(self, start_hint_ns: int | None = None) -> None:
        self.start_hint_ns = start_hint_ns
        self.anchor_ns: int | None = None
        self.latest_ns: int | None = None

    def check(self, t_ns: int) -> None:
        """Admit `t_ns` or raise `SetAside`."""
        anchor = self.anchor_ns
        if anchor is None:
            hint = self.start_hint_ns
            if hint is not None and abs(t_ns - hint) > limit("start_hint_window_s") * NS_PER_S:
                raise SetAside("time far from the recorded start")
            self.anchor_ns = self.latest_ns = t_ns
            return
        if t_ns < anchor - limit("host_backward_s") * NS_PER_S:
            raise SetAside("time before the session start")
        assert self.latest_ns is not None
        if t_ns > self.latest_ns + limit("host_jump_s") * NS_PER_S:
            raise SetAside("time jumps hours ahead")
        self.latest_ns = max(self.latest_ns, t_ns)
