"""A writer killed with SIGKILL mid-stream leaves a readable file missing at most the last second."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from osteomonitor.store import RecordingReader

WRITER = textwrap.dedent(
    """
    import sys, time
    from osteomonitor.model import DeviceInfo, Packet, SessionMeta
    from osteomonitor.store import RecordingWriter
    w = RecordingWriter.create(sys.argv[1], SessionMeta("P01", "impact",
        "2026-11-21T10:00:00+00:00", "UTC", "test"))
    w.add_device(DeviceInfo("h10", "AA", "Polar H10", "polar-h10"))
    i = 0
    while True:                      # 200 packets/s, each stamped with its host time
        w.write_packet(Packet(time.time_ns(), "h10", "pmd_data", i.to_bytes(4, "little")))
        if i == 50:
            print("ready", flush=True)
        i += 1
        time.sleep(0.005)
    """
)


@pytest.mark.parametrize("run_s", [1.3, 2.7])
def test_sigkill_loses_at_most_the_last_second(tmp_path: Path, run_s: float) -> None:
    path = tmp_path / "killed.omrec"
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(run_s)
    killed_ns = time.time_ns()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    with RecordingReader(path) as r:
        assert r.status == "ended unexpectedly"
        assert not r.ended_cleanly
        packets = list(r.packets())
    assert packets, "nothing was committed"
    seqs = [int.from_bytes(p.payload, "little") for p in packets]
    assert seqs == list(range(len(seqs))), "committed packets must be complete and in order"
    lost_s = (killed_ns - packets[-1].t_ns) / 1e9
    assert lost_s <= 1.0 + 0.25, f"lost the last {lost_s:.2f} s"
