"""Trunk posture and time in HR zones over one hour, as `analyze` runs them (issue 15).

The signal is the bench session model's (`sim.session_model.SessionModel`, the one
`recording_files.h10_recording` writes: ACC 200 Hz rounded to 1 mg, HR from its beats).
Process CPU time, median of repeats, in the same run:

- posture as `TrunkTracker` feeds it (`PostureTracker.feed_latest` with the ‖a‖ that
  `AccTrack` passes), beside a numpy floor: one pass over the samples;
- `TrunkTracker.feed` (posture plus the fall detector, `analysis.falls`);
- `ZoneAccumulator.feed` of the hour's beat-by-beat HR series (the array path);
- the RR correction of the hour's beats (`rr.correct_rr`, which the HR series runs);
- stillness (`movement.StillnessMeter`, which `AccTrack` feeds the raw samples), the
  hour at once: only the windows back from the newest to the first moving one are judged;
- live: posture and stillness per 2-s chunk (what `AccTrack.sync` hands over while
  recording).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, median_time
from osteomonitor.analysis.intensity import ZoneAccumulator
from osteomonitor.analysis.movement import StillnessMeter
from osteomonitor.analysis.posture import PostureTracker
from osteomonitor.analysis.rr import correct_rr
from osteomonitor.analysis.signal import magnitude
from osteomonitor.analysis.trunk import TrunkTracker
from osteomonitor.sim.session_model import SessionModel

FS_HZ = 200.0


def _signal(hours: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ACC (n, 3) g as the file holds it, and the beats' times (s) and HR (bpm)."""
    duration_s = hours * 3600.0
    model = SessionModel(seed=1, duration_s=duration_s)
    t = np.arange(1, int(duration_s * FS_HZ) + 1) / FS_HZ
    acc = np.rint(model.acc_g(t) * 1000.0) / 1000.0
    rr = np.asarray(model.rr_1024_between(0.0, duration_s), dtype=np.float64) / 1024.0
    beats = np.cumsum(rr)
    return np.ascontiguousarray(acc), beats, 60.0 / rr


def _floor(acc: np.ndarray) -> None:
    """One contiguous pass over the samples: what reading them once costs."""
    acc.sum()


def run(smoke: bool = False) -> list[Row]:
    hours = 0.05 if smoke else 1.0
    repeats = 3 if smoke else 7
    label = "3 min (smoke)" if smoke else "1 h"
    acc, beats, hr = _signal(hours)
    mag = magnitude(acc)

    def posture() -> None:
        PostureTracker(FS_HZ).feed_latest(acc, mag)

    def trunk() -> None:
        tr = TrunkTracker()
        tr.start(FS_HZ, 0.0)
        tr.feed(acc, mag)
        tr.end()

    def zones() -> None:
        ZoneAccumulator(60.0, 175.0, start_s=0.0).feed(beats, hr, np.ones(beats.size, bool))

    rr_ms = np.diff(beats, prepend=0.0) * 1000.0

    def rr() -> None:
        correct_rr(rr_ms)

    def still() -> None:
        StillnessMeter(FS_HZ).feed(acc)

    chunk = int(2 * FS_HZ)
    live_n = min(acc.shape[0], int(600 * FS_HZ))  # ten minutes of 2-s chunks

    def live() -> None:
        tr = PostureTracker(FS_HZ)
        for i in range(0, live_n, chunk):
            tr.feed_latest(acc[i : i + chunk], mag[i : i + chunk])

    def still_live() -> None:
        meter = StillnessMeter(FS_HZ)
        for i in range(0, live_n, chunk):
            meter.feed(acc[i : i + chunk])

    floor = median_time(lambda: _floor(acc), repeats)
    t_rr = median_time(rr, repeats)
    t_still = median_time(still, repeats)
    t_still_live = median_time(still_live, max(3, repeats // 2)) / (live_n / chunk)
    t_post = median_time(posture, repeats)
    t_trunk = median_time(trunk, repeats)
    t_zones = median_time(zones, repeats)
    t_live = median_time(live, max(3, repeats // 2)) / (live_n / chunk)
    return [
        Row(
            f"posture of {label} ACC 200 Hz, as TrunkTracker feeds it",
            t_post * 1e3,
            "ms CPU",
            "",
            None,
            f"numpy floor (one contiguous pass over the samples, acc.sum()) {floor * 1e3:.1f} ms; "
            f"ratio {t_post / floor:.1f}×; bit-identical to the block-by-block tracker",
        ),
        Row(
            f"TrunkTracker.feed {label} (posture + falls)",
            t_trunk * 1e3,
            "ms CPU",
            "",
            None,
            f"falls ≈ {max(0.0, t_trunk - t_post) * 1e3:.1f} ms of it (analysis.falls)",
        ),
        Row(
            f"time in HR zones, {label} beat-by-beat series ({beats.size} samples)",
            t_zones * 1e3,
            "ms CPU",
            "",
            None,
            "ZoneAccumulator.feed, array path",
        ),
        Row(
            f"RR correction, {label} of beats ({rr_ms.size} intervals)",
            t_rr * 1e3,
            "ms CPU",
            "",
            None,
            "rr.correct_rr (Lipponen-Tarvainen, 256-beat blocks), as build_hr_series runs it",
        ),
        Row(
            f"stillness of {label} ACC 200 Hz fed at once",
            t_still * 1e3,
            "ms CPU",
            "",
            None,
            f"StillnessMeter.feed; numpy floor {floor * 1e3:.1f} ms (the windows back from "
            "the newest to the first moving one are judged, not the hour)",
        ),
        Row(
            "stillness live, one 2-s chunk (400 samples)",
            t_still_live * 1e6,
            "µs CPU",
            "",
            None,
            f"median over {live_n // chunk} chunks",
        ),
        Row(
            "posture live, one 2-s chunk (400 samples)",
            t_live * 1e6,
            "µs CPU",
            "",
            None,
            f"median over {live_n // chunk} chunks",
        ),
    ]


if __name__ == "__main__":
    from benchlib import format_table

    print(format_table(run(smoke="--smoke" in sys.argv)))
