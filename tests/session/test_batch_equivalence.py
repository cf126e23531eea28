"""The batch path (`process_recording_batch`, what `analyze` runs) gives exactly the summary
of feeding the same file packet by packet through the processor live and replay use.

Files: the format corpus (H10 delta, HR strap with a link drop, Movesense, three hip
IMUs, a crashed recording), and H10 sessions written like the collector writes them
(`bench/recording_files.py`: 36-sample delta or raw frames, a drifting device clock,
BLE latency, HR with RR) long enough for the clock's slope to be re-solved, plus the
same with damage: corrupt and out-of-range frames, a link gap, a device clock reset.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest

from osteomonitor.devices.pmd_frames import encode_acc_frame
from osteomonitor.model import Packet, SessionSummary
from osteomonitor.session import process_recording, process_recording_batch
from osteomonitor.store import RecordingReader, RecordingWriter

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "data" / "format-corpus").glob("*.omrec"))
sys.path.insert(0, str(ROOT / "bench"))
from recording_files import h10_recording  # noqa: E402


def _same(path: Path) -> SessionSummary:
    _, streamed = process_recording(path)
    _, batch = process_recording_batch(path)
    a, b = streamed.summary(), batch.summary()
    for f in dataclasses.fields(SessionSummary):
        assert getattr(a, f.name) == getattr(b, f.name), f"{path.name}: {f.name} differs"
    assert streamed.decode_errors == batch.decode_errors
    return b


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_files_batch_equals_streaming(path: Path) -> None:
    _same(path)


@pytest.mark.parametrize("compressed", [True, False], ids=["delta", "raw"])
def test_long_h10_session_batch_equals_streaming(tmp_path: Path, compressed: bool) -> None:
    path = tmp_path / "h10.omrec"
    h10_recording(path, 0.1, seed=3, compressed=compressed)  # 6 min: slope re-solved 6 times
    s = _same(path)
    assert len(s.jumps) > 0 and s.gait.steps > 0 and s.heart.hr_mean_bpm is not None


def _damaged(src: Path, dst: Path) -> None:
    """A copy with a corrupt frame, an absurd frame, a 3-s link gap and a clock reset."""
    with RecordingReader(src) as r:
        meta, devices, packets, events = r.meta, r.devices, list(r.packets()), r.events()
    acc = [i for i, p in enumerate(packets) if p.stream == "pmd_data"]
    bad_bytes, absurd, gap_from, reset_from = acc[40], acc[80], acc[300], acc[900]
    gap_to = acc[317]
    out: list[Packet] = []
    for i, p in enumerate(packets):
        if gap_from <= i < gap_to:
            continue  # lost on the link
        if i == bad_bytes:
            p = Packet(p.t_ns, p.device, p.stream, p.payload[:13])
        elif i == absurd:
            p = Packet(p.t_ns, p.device, p.stream, encode_acc_frame(1, np.full((36, 3), 30000)))
        elif i >= reset_from and p.stream == "pmd_data":  # device clock set back 1 h
            ts = int.from_bytes(p.payload[1:9], "little") - 3_600_000_000_000
            p = Packet(
                p.t_ns, p.device, p.stream, p.payload[:1] + ts.to_bytes(8, "little") + p.payload[9:]
            )
        out.append(p)
    with RecordingWriter.create(dst, meta) as w:
        for d in devices:
            w.add_device(d)
        w.write_packets(out)
        for e in events:
            w.write_event(e)


def test_damaged_session_batch_equals_streaming(tmp_path: Path) -> None:
    src, dst = tmp_path / "h10.omrec", tmp_path / "damaged.omrec"
    h10_recording(src, 0.1, seed=4)
    _damaged(src, dst)
    s = _same(dst)
    assert s.decode_errors >= 1
    assert sum(f.frames for f in s.set_aside) >= 1
