"""The session floor: one incremental processor for live, replay and batch analysis.

Modules:
    processor: `SessionProcessor` (packets and events in, state and summary out).
    acc_track: per-device accelerometer analysis (jumps, impacts, steps) and its gaps.
    state: `SessionState`, the live snapshot.
    params: `AnalysisParams` and `params_for` (what a prescription implies).
    driver: `SessionDriver` (any source → processor → `Snapshot`), `QueueDriver` (live).
    recording: whole recordings through the processor (`analyze_recording`, replay order).
    batch: `process_recording_batch`, a whole recording on arrays (`osteomonitor analyze`).

The package imports a module when one of its names is first used (PEP 562,
`osteomonitor.lazy`), so `analyze FILE` loads the batch path and not the live driver
(its queue and threads) or anything else it does not run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from osteomonitor.lazy import lazy_attributes

if TYPE_CHECKING:
    from osteomonitor.session.acc_track import (
        ACC_BATCH_S,
        ACC_GAP_S,
        JUMP_STEP_MARGIN_S,
        AccTrack,
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
    from osteomonitor.session.params import AnalysisParams, params_for
    from osteomonitor.session.processor import (
        HR_HISTORY_POINTS,
        LAST_JUMPS,
        SessionProcessor,
    )
    from osteomonitor.session.recording import (
        RecordingHeader,
        analyze_recording,
        process_recording,
        read_header,
        recording_prescription,
        recording_set_aside,
        replay_items,
    )
    from osteomonitor.session.state import SessionState

#: Where each name lives.
_HOME: dict[str, str] = {
    **dict.fromkeys(
        (
            "ACC_BATCH_S",
            "ACC_GAP_S",
            "JUMP_STEP_MARGIN_S",
            "AccTrack",
        ),
        "acc_track",
    ),
    "process_recording_batch": "batch",
    **dict.fromkeys(
        (
            "STATE_PERIOD_S",
            "DeviceCount",
            "QueueDriver",
            "SessionDriver",
            "Snapshot",
            "SnapshotPolicy",
        ),
        "driver",
    ),
    "AnalysisParams": "params",
    "params_for": "params",
    **dict.fromkeys(("HR_HISTORY_POINTS", "LAST_JUMPS", "SessionProcessor"), "processor"),
    **dict.fromkeys(
        (
            "RecordingHeader",
            "analyze_recording",
            "process_recording",
            "read_header",
            "recording_prescription",
            "recording_set_aside",
            "replay_items",
        ),
        "recording",
    ),
    "SessionState": "state",
}

__getattr__, __dir__ = lazy_attributes(__name__, _HOME)


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
