"""The session floor: one incremental processor for live, replay and batch analysis.

Modules:
    processor: `SessionProcessor` (packets and events in, state and summary out).
    acc_track: per-device accelerometer analysis (jumps, impacts, steps) and its gaps.
    state: `SessionState`, the live snapshot.
    params: `AnalysisParams` and `params_for` (what a prescription implies).
    recording: whole recordings through the processor (`analyze_recording`, replay order).
"""

from __future__ import annotations

# (the private helpers below stay importable as they were from the pre-package session.py)
from osteomonitor.session.acc_track import (  # noqa: F401
    ACC_BATCH_S,
    ACC_GAP_S,
    JUMP_STEP_MARGIN_S,
    AccTrack,
    _inside_jumps,
    _steps_outside_jumps,
    _walking_inside_jumps,
)
from osteomonitor.session.params import AnalysisParams, params_for
from osteomonitor.session.processor import (  # noqa: F401
    HR_HISTORY_POINTS,
    HR_REBUILD_DIVISOR,
    LAST_JUMPS,
    SessionProcessor,
    _safety_monitor,
    _valid_points,
)
from osteomonitor.session.recording import (
    _merged,  # noqa: F401
    analyze_recording,
    process_recording,
    recording_prescription,
    replay_items,
)
from osteomonitor.session.state import SessionState

#: The pre-package name of `AccTrack`.
_AccTrack = AccTrack

__all__ = [
    "ACC_BATCH_S",
    "ACC_GAP_S",
    "HR_HISTORY_POINTS",
    "HR_REBUILD_DIVISOR",
    "JUMP_STEP_MARGIN_S",
    "LAST_JUMPS",
    "AccTrack",
    "AnalysisParams",
    "SessionProcessor",
    "SessionState",
    "analyze_recording",
    "params_for",
    "process_recording",
    "recording_prescription",
    "replay_items",
]
