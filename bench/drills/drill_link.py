"""Drills over the virtual BLE stack: link drops and malformed notifications.

1. 20 link drops per simulated hour (virtual H10, HR + ACC 200 Hz): share of the
   packets the device sent while connected that the recording holds, and the time
   from each drop to the next data packet (reconnect + stream restart).
2. One malformed notification in every 50 for 10 simulated minutes: every good packet
   kept (byte-exact, in order), every bad one recorded raw and counted as a decode error
   by the analysis, none lost.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import Row
from osteomonitor.session import analyze_recording
from osteomonitor.sim.faults import parse_faults
from osteomonitor.sim.packet_audit import run_simulated_session

STREAMS = ("hr", "pmd_data")


def _drops(smoke: bool, folder: Path) -> list[Row]:
    session_s = 360.0 if smoke else 3600.0
    per_hour = 20
    faults = parse_faults(f"drops-per-hour={per_hour},seed=4")
    run = asyncio.run(
        run_simulated_session(
            ["h10"], session_s, output=folder / "drops.omrec", speed=15.0, faults=faults
        )
    )
    sent = sum(len(run.sent("h10", s)) for s in STREAMS)
    recorded = sum(len(run.recorded("h10", s)) for s in STREAMS)
    exact = all(run.sent("h10", s) == run.recorded("h10", s) for s in STREAMS)
    resumes = run.resume_times_s("h10")
    done = [r for r in resumes if r is not None]
    n_drops = len(run.events_of("link_lost", "h10"))
    restored = len(run.events_of("link_restored", "h10"))
    expected = round(per_hour * session_s / 3600)
    label = "" if not smoke else " (smoke: 6 min)"
    return [
        Row(
            f"drill: 20 drops/h → connected-time packets recorded{label}",
            100.0 * recorded / sent if sent else 0.0,
            "%",
            "100",
            recorded == sent and exact,
            f"{recorded}/{sent} packets, {n_drops} drops (plan {expected}), {restored} restored",
        ),
        Row(
            f"drill: 20 drops/h → time to resume data, median{label}",
            statistics.median(done) if done else float("nan"),
            "s (simulated)",
            "",
            None,
            f"max {max(done):.1f} s incl. the device's 3 s silence; {len(resumes) - len(done)} never resumed"
            if done
            else "no drop resumed",
        ),
    ]


def _malformed(smoke: bool, folder: Path) -> list[Row]:
    session_s = 120.0 if smoke else 600.0
    run = asyncio.run(
        run_simulated_session(
            ["h10"],
            session_s,
            output=folder / "malformed.omrec",
            speed=60.0,
            faults=parse_faults("malformed=50"),
        )
    )
    good_sent = sum(len(run.sent("h10", s, include_malformed=False)) for s in STREAMS)
    all_sent = sum(len(run.sent("h10", s)) for s in STREAMS)
    bad_sent = all_sent - good_sent
    recorded_all = all(run.sent("h10", s) == run.recorded("h10", s) for s in STREAMS)
    _, summary = analyze_recording(run.path)
    label = "" if not smoke else " (smoke: 2 min)"
    return [
        Row(
            f"drill: 1 malformed in 50 → good packets kept{label}",
            float(good_sent if recorded_all else 0),
            f"of {good_sent}",
            "all",
            recorded_all,
            "recording holds every sent payload byte-exact, in order",
        ),
        Row(
            f"drill: 1 malformed in 50 → bad packets counted{label}",
            float(summary.decode_errors),
            f"of {bad_sent}",
            f"{bad_sent}",
            summary.decode_errors == bad_sent,
            "decode errors reported by the analysis",
        ),
    ]


def run(smoke: bool = False) -> list[Row]:
    with tempfile.TemporaryDirectory() as d:
        return _drops(smoke, Path(d)) + _malformed(smoke, Path(d))


if __name__ == "__main__":
    from benchlib import format_table

    print(format_table(run(smoke="--smoke" in sys.argv)))
