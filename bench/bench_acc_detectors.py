"""The accelerometer detectors of `analyze` over one hour of H10 ACC (issue 15, target 1).

The hour's samples are decoded once (`recording_files.h10_recording`, 200 Hz, as the
collector writes them); measured in the same run, process CPU time, median of repeats:

- floor: ‖a‖, a threshold and the local maxima above it, with numpy;
- each detector fed the whole hour at once with ‖a‖ given, as `AccTrack.sync` feeds
  them in batch: impacts and steps (one shared peak search, `ImpactCounter(wide=…)` +
  `StepCounter.feed_peak_times`), jumps, falls, and their sum (target ≤ 35 ms/h);
  the detectors are told the rows and ‖a‖ are checked (`checked=True`, as `AccTrack`
  tells jumps and impacts, and `TrunkTracker` falls);
- `AccTrack` over the hour as `analyze` runs it (a wrist sensor: no trunk analysis; a
  chest sensor: with `TrunkTracker`'s posture, intensity and falls);
- live: `AccTrack` fed the same samples in the H10's 36-sample frames with a gait and
  impact snapshot after each (CPU as % of one core over the session time covered).

Run: `.venv/bin/python bench/bench_acc_detectors.py`; `--smoke` takes seconds.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_batch import decoded_acc
from benchlib import Row, format_table, median_time
from recording_files import h10_recording

FS = 200.0
RANGE_G = 8.0
#: The four detectors' target over one hour in batch, ms CPU (issue 15 work split).
DETECTORS_TARGET_MS = 35.0


def _floor(acc: np.ndarray) -> None:
    mag = np.sqrt((acc * acc).sum(axis=1))
    m = mag[1:-1]
    np.flatnonzero((m >= 1.1) & (m > mag[:-2]) & (m >= mag[2:]))


def run(smoke: bool = False) -> list[Row]:
    from osteomonitor.analysis.falls import FallDetector
    from osteomonitor.analysis.impacts import ImpactCounter
    from osteomonitor.analysis.jumps import JumpDetector
    from osteomonitor.analysis.screen import checked_with_magnitude
    from osteomonitor.analysis.steps import STEP_PEAKS, StepCounter
    from osteomonitor.model import AccBlock
    from osteomonitor.session.acc_track import AccTrack

    hours = 0.05 if smoke else 1.0
    repeats = 1 if smoke else 7
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "h10.omrec"
        h10_recording(path, hours, seed=1)
        acc = np.ascontiguousarray(decoded_acc(path), dtype=np.float64)
    acc, mag = checked_with_magnitude(acc, "bench")
    per_h = 1.0 / hours

    def impacts_steps() -> None:
        ic = ImpactCounter(FS, RANGE_G, wide=STEP_PEAKS)
        sc = StepCounter(FS)
        ic.feed(acc, mag, checked=True)  # as `AccTrack.sync` feeds it
        sc.feed_peak_times(ic.take_wide())
        ic.flush()
        sc.feed_peak_times(ic.take_wide())
        sc.end()

    def jumps() -> None:
        det = JumpDetector(FS, RANGE_G)
        det.feed(acc, mag, checked=True)
        det.flush()

    def falls() -> None:
        det = FallDetector(FS)
        det.feed(acc, mag, checked=True)
        det.flush()

    def track(placement: str, frames: int | None) -> None:
        n = acc.shape[0]
        step = frames or n
        t = AccTrack("h10", placement, 0)
        for i in range(0, n, step):
            part = acc[i : i + step]
            ts = ((i + np.arange(part.shape[0])) * (1e9 / FS)).astype(np.int64)
            t.feed(AccBlock("h10", ts, part, FS, RANGE_G))
            if frames:
                t.gait(exact=False)
                t.impacts.summary()
        t.finish()
        t.gait()

    floor = median_time(lambda: _floor(acc), repeats) * per_h
    parts = {
        "impacts + steps (one peak search)": median_time(impacts_steps, repeats) * per_h,
        "jumps": median_time(jumps, repeats) * per_h,
        "falls": median_time(falls, repeats) * per_h,
    }
    total = sum(parts.values())
    label = "1 h" if not smoke else f"{hours * 60:g} min (smoke)"
    rows = [
        Row(
            f"ACC detectors, {label} at once: {name}",
            1000 * v,
            "ms CPU/h",
            "",
            None,
            f"floor (‖a‖, threshold, local maxima) {1000 * floor:.1f} ms/h",
        )
        for name, v in parts.items()
    ]
    rows.append(
        Row(
            f"ACC detectors, {label} at once: impacts + steps + jumps + falls",
            1000 * total,
            "ms CPU/h",
            f"≤ {DETECTORS_TARGET_MS:g}",
            None if smoke else 1000 * total <= DETECTORS_TARGET_MS,
            f"{total / floor:.1f}× the floor measured in the same run",
        )
    )
    for placement, what in (("wrist", "no trunk analysis"), ("chest", "with trunk")):
        v = median_time(lambda p=placement: track(p, None), repeats) * per_h
        rows.append(
            Row(
                f"AccTrack, {label} as analyze feeds it ({placement}: {what})",
                1000 * v,
                "ms CPU/h",
                "",
                None,
                "‖a‖ once, every detector, stillness, gait",
            )
        )
    live = median_time(lambda: track("chest", 36), max(1, repeats // 3)) * per_h
    rows.append(
        Row(
            f"AccTrack live, {label} in 36-sample frames (chest), snapshot after each",
            100 * live / 3600.0,
            "% of a core",
            "",
            None,
            f"{1000 * live:.0f} ms CPU per session-hour",
        )
    )
    return rows


if __name__ == "__main__":
    print(format_table(run("--smoke" in sys.argv)))
