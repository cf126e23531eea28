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


FULL_CHILD = textwrap.dedent(
    """
    import resource, sys, time
    from osteomonitor.errors import StorageFull
    from osteomonitor.model import DeviceInfo, Packet, SessionMeta
    from osteomonitor.store import RecordingWriter
    resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))
    w = RecordingWriter.create(sys.argv[1], SessionMeta("P01", "impact",
        "2026-11-21T10:00:00+00:00", "UTC", "test"))
    w.add_device(DeviceInfo("h10", "AA", "Polar H10", "polar-h10"))
    i = 0
    try:
        while True:
            w.write_packet(Packet(i, "h10", "pmd_data", i.to_bytes(4, "little") * 50))
            i += 1
            if i % 100 == 0:
                w.flush()
    except StorageFull as exc:
        print(w.packets_written)
        print(exc)
    """
)


def test_disk_full_keeps_everything_committed(tmp_path: Path) -> None:
    path = tmp_path / "full.omrec"
    out = subprocess.run(
        [sys.executable, "-c", FULL_CHILD, str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    committed, message = out.stdout.splitlines()[:2]
    assert "no space left" in message and str(path) in message
    with RecordingReader(path) as r:
        packets = list(r.packets())
    assert len(packets) == int(committed) > 0
    assert [p.t_ns for p in packets] == list(range(len(packets)))
