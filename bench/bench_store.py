"""Recording files: write one hour of a Polar H10 session and stream it back.

One hour = ACC at 200 Hz in PMD-sized frames (36 int16 xyz samples = 226-byte
notifications, the frame size at the 232-byte ATT MTU; 20 000 frames) plus 1 Hz HR
notifications with two RR values (3 600). Targets (issue 2): ≤ 2 s CPU to write,
≤ 1 s to stream back, file ≤ 20 MB.

Run: `.venv/bin/python bench/bench_store.py`
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table
from osteomonitor.model import DeviceInfo, Packet, SessionMeta
from osteomonitor.store import RecordingReader, RecordingWriter

SAMPLES_PER_FRAME = 36
FS_HZ = 200


def _session_packets(hours: float) -> list[Packet]:
    rng = np.random.default_rng(7)
    t0 = time.time_ns()
    n_frames = int(hours * 3600 * FS_HZ / SAMPLES_PER_FRAME)
    frame_ns = SAMPLES_PER_FRAME * 1_000_000_000 // FS_HZ
    packets: list[Packet] = []
    header = bytes([0x02]) + bytes(8) + bytes([0x01])
    acc = rng.integers(-2000, 2000, size=(n_frames, SAMPLES_PER_FRAME * 3), dtype=np.int16)
    for i in range(n_frames):
        packets.append(Packet(t0 + i * frame_ns, "h10", "pmd_data", header + acc[i].tobytes()))
    for s in range(int(hours * 3600)):
        rr = int(rng.integers(700, 900))
        payload = bytes([0x16, 75]) + rr.to_bytes(2, "little") + (rr + 5).to_bytes(2, "little")
        packets.append(Packet(t0 + s * 1_000_000_000, "h10", "hr", payload))
    packets.sort(key=lambda p: p.t_ns)
    return packets


def run(smoke: bool = False) -> list[Row]:
    hours = 0.05 if smoke else 1.0
    packets = _session_packets(hours)
    meta = SessionMeta("BENCH", "impact", "2026-11-21T10:00:00+00:00", "UTC", "bench")
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "hour.omrec"
        t0 = time.process_time()
        w = RecordingWriter.create(path, meta, commit_interval_s=1.0)
        w.add_device(DeviceInfo("h10", "AA:BB", "Polar H10", "polar-h10"))
        # Arrival pacing is simulated by committing once per second of session time,
        # as the live writer does (one transaction per second of data).
        per_second: dict[int, list[Packet]] = {}
        for p in packets:
            per_second.setdefault((p.t_ns - packets[0].t_ns) // 1_000_000_000, []).append(p)
        for batch in per_second.values():
            w.write_packets(batch)
            w.flush()
        w.close()
        write_cpu = time.process_time() - t0
        size_mb = path.stat().st_size / 1e6

        t0 = time.process_time()
        with RecordingReader(path) as r:
            n = sum(1 for _ in r.packets())
        read_cpu = time.process_time() - t0
    assert n == len(packets)
    scale = "" if not smoke else " (smoke: 3 min)"
    return [
        Row(
            "store: write 1 h H10 (ACC 200 Hz + HR)" + scale,
            write_cpu,
            "s CPU",
            "≤ 2",
            write_cpu <= 2 * hours,
            f"{len(packets)} packets, {len(per_second)} commits",
        ),
        Row(
            "store: stream 1 h back" + scale,
            read_cpu,
            "s CPU",
            "≤ 1",
            read_cpu <= 1 * hours,
            f"{n} packets",
        ),
        Row("store: file size for 1 h" + scale, size_mb, "MB", "≤ 20", size_mb <= 20 * hours),
    ]


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
