"""The session floor: one incremental processor for live, replay and batch analysis.

Modules:
    processor: `SessionProcessor` (packets and events in, state and summary out).
    acc_track: per-device accelerometer analysis (jumps, impacts, steps) and its gaps.
    state: `SessionState`, the live snapshot.
    params: `AnalysisParams` and `params_for` (what a prescription implies).
    driver: `SessionDriver` (any source → processor → `Snapshot`), `QueueDriver` (live).
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
from osteomonitor.session.batch import process_recording_batch
from osteomonitor.session.driver import (
    STATE_PERIOD_S,
    DeviceCount,
    QueueDriver,
    SessionDriver,
    Snapshot,
    SnapshotPolicy,
)
from osteomonitor.session.heart import _valid_points  # noqa: F401
from osteomonitor.session.params import AnalysisParams, params_for
from osteomonitor.session.processor import (  # noqa: F401
    HR_HISTORY_POINTS,
    LAST_JUMPS,
    SessionProcessor,
    _safety_monitor,
)
from osteomonitor.session.recording import (
    RecordingHeader,
    _merged,  # noqa: F401
    analyze_recording,
    process_recording,
    read_header,
    recording_prescription,
    recording_set_aside,
    replay_items,
)
from osteomonitor.session.state import SessionState

#: The pre-package name of `AccTrack`.
_AccTrack = AccTrack

__all__ = [
    "ACC_BATCH_S",
    "ACC_GAP_S",
    "HR_HISTORY_POINTS",
    "JUMP_STEP_MARGIN_S",
    "LAST_JUMPS",
    "STATE_PERIOD_S",
    "AccTrack",
    "AnalysisParams",
    "DeviceCount",
    "QueueDriver",
    "RecordingHeader",
    "SessionDriver",
    "SessionProcessor",
    "SessionState",
    "Snapshot",
    "SnapshotPolicy",
    "analyze_recording",
    "params_for",
    "process_recording",
    "process_recording_batch",
    "read_header",
    "recording_prescription",
    "recording_set_aside",
    "replay_items",
]
