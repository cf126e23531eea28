"""`recordings repair`: finish crashed files in place, salvage damaged ones into new files.

The damage is real: a writer process that dies without closing (its data partly in
the -wal), pages with smashed b-tree headers, a file cut short. Salvaged packets are
compared byte for byte with what was written.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from osteomonitor.cli import main
from osteomonitor.errors import NotARecording, RecordingError
from osteomonitor.model import DeviceInfo, Event, EventKind, Packet, SessionMeta
from osteomonitor.store import RecordingReader, RecordingWriter
from osteomonitor.store.repair import CHECKPOINTED, INTACT, SALVAGED, repair_recording

META = SessionMeta("P07", "impact", "2026-11-21T10:00:00+02:00", "Europe/Helsinki", "test")
H10 = DeviceInfo("h10", "AA", "Polar H10", "polar-h10")
N = 5000
PAGE = 4096

#: Writes N packets over several commits, then dies without closing (no checkpoint).
CRASHING_WRITER = textwrap.dedent(
    f"""
    import os, sys
    from osteomonitor.model import DeviceInfo, Packet, SessionMeta
    from osteomonitor.store import RecordingWriter
    w = RecordingWriter.create(sys.argv[1], SessionMeta("P07", "impact",
        "2026-11-21T10:00:00+02:00", "Europe/Helsinki", "test"))
    w.add_device(DeviceInfo("h10", "AA", "Polar H10", "polar-h10"))
    for i in range({N}):
        w.write_packet(Packet(10**18 + i * 5_000_000, "h10", "pmd_data", i.to_bytes(4, "little") * 30))
        if i % 500 == 499:
            w.flush()
    os._exit(0)
    """
)


def _payload(i: int) -> bytes:
    return i.to_bytes(4, "little") * 30


def _good(path: Path) -> None:
    with RecordingWriter.create(path, META) as w:
        w.add_device(H10)
        for i in range(N):
            w.write_packet(Packet(10**18 + i * 5_000_000, "h10", "pmd_data", _payload(i)))
        w.write_event(Event(10**18 + 7, EventKind.MARKER, {"label": "set 1"}))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_salvaged_packets(path: Path) -> list[int]:
    """Packet indices in a salvage; each payload must be exactly what was written."""
    with RecordingReader(path) as r:
        packets = list(r.packets())
    idx = [int.from_bytes(p.payload[:4], "little") for p in packets]
    for i, p in zip(idx, packets, strict=True):
        assert p.payload == _payload(i)
        assert p.t_ns == 10**18 + i * 5_000_000
        assert (p.device, p.stream) == ("h10", "pmd_data")
    assert idx == sorted(idx)
    return idx


def test_intact_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "good.omrec"
    _good(path)
    before = _sha(path)
    r = repair_recording(path)
    assert (r.action, r.output, r.packets, r.events) == (INTACT, path, N, 1)
    assert _sha(path) == before


def test_crashed_recording_is_finished_in_place(tmp_path: Path) -> None:
    path = tmp_path / "crashed.omrec"
    subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(path)], check=True, timeout=60)
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0
    # the file alone (as someone would copy or mail it) misses what only the WAL holds
    alone = tmp_path / "copy" / "alone.omrec"
    alone.parent.mkdir()
    shutil.copy(path, alone)
    with RecordingReader(alone) as r:
        assert r.packet_count < N

    result = repair_recording(path)
    assert (result.action, result.packets) == (CHECKPOINTED, N)
    assert not wal.exists()
    shutil.copy(path, alone2 := tmp_path / "copy" / "alone2.omrec")
    with RecordingReader(alone2) as rd:
        assert rd.packet_count == N
        assert rd.status == "ended unexpectedly"  # still the truth
        assert "repaired_ns" in rd.meta_raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # a second repair finds nothing more to move
    assert repair_recording(path).packets == N


def test_smashed_pages_are_salvaged_into_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "smashed.omrec"
    _good(path)
    data = bytearray(path.read_bytes())
    for off in range(PAGE * 100, PAGE * 105, PAGE):  # 5 leaf pages of the packets table
        data[off : off + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))
    before = _sha(path)

    r = repair_recording(path)
    assert r.action == SALVAGED and r.output == tmp_path / "smashed.salvaged.omrec"
    assert r.problems and not r.end_lost
    # the original is never modified: set aside, not unlinked
    assert r.set_aside == tmp_path / "smashed.omrec.damaged" and not path.exists()
    assert _sha(r.set_aside) == before
    assert stat.S_IMODE(r.output.stat().st_mode) == 0o600
    idx = _check_salvaged_packets(r.output)
    assert len(idx) == r.packets
    # five pages of ~25 packets each are gone, nothing else
    assert N - 5 * 30 <= len(idx) < N
    assert r.lost_packets == N - len(idx)
    missing = sorted(set(range(N)) - set(idx))
    assert [(a - 1, b - 1) for a, b in r.lost_ranges] == [(missing[0], missing[-1])]
    with RecordingReader(r.output) as rd:
        assert rd.meta == META
        assert rd.meta_raw["salvage_lost_packets"] == r.lost_packets
        assert [e.kind for e in rd.events()] == [EventKind.MARKER]
    # never overwritten
    shutil.copy(r.set_aside, path)
    with pytest.raises(RecordingError, match="already exists"):
        repair_recording(path)


@pytest.mark.parametrize("fraction", [0.31, 0.5, 2 / 3, 0.77, 0.93])
def test_file_cut_short_keeps_the_part_present(tmp_path: Path, fraction: float) -> None:
    path = tmp_path / "cut.omrec"
    _good(path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])  # mostly mid-page
    r = repair_recording(path, tmp_path / "out.omrec")
    assert r.action == SALVAGED and r.end_lost
    # every packet salvaged is exactly as written (none from the zero-filled partial page)
    idx = _check_salvaged_packets(tmp_path / "out.omrec")
    # the part of the file present holds about that part of the packets
    assert len(idx) >= (fraction - 0.08) * N
    assert idx[0] == 0
    assert not list(tmp_path.glob(".*whole-pages*"))  # the private working copy is gone


def test_live_recording_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "live.omrec"
    w = RecordingWriter.create(path, META)
    try:
        w.add_device(H10)
        w.write_packet(Packet(1, "h10", "hr", b"\x00\x3c"))
        w.flush()
        with pytest.raises(RecordingError, match="still being recorded"):
            repair_recording(path)
    finally:
        w.close()


def test_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.omrec"
    path.write_text("not a recording\n" * 20)
    with pytest.raises(NotARecording):
        repair_recording(path)


def test_cli_reports_each_file_and_fails_if_any_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, cut, junk = tmp_path / "good.omrec", tmp_path / "cut.omrec", tmp_path / "junk.omrec"
    _good(good)
    _good(cut)
    cut.write_bytes(cut.read_bytes()[: os.path.getsize(cut) // 2])
    junk.write_bytes(b"\x00" * 200)
    assert main(["recordings", "repair", str(good), str(cut), str(junk)]) == 1
    out, err = capsys.readouterr()
    assert f"{good}: intact" in out
    assert f"into {tmp_path / 'cut.salvaged.omrec'}" in out
    assert f"kept unchanged as {tmp_path / 'cut.omrec.damaged'}" in out
    assert err.startswith("osteomonitor: error:") and str(junk) in err
    assert main(["recordings", "info", str(tmp_path / "cut.salvaged.omrec")]) == 0
    info = capsys.readouterr().out
    assert "salvaged  from cut.omrec (the file was cut short)" in info
    # what was lost, in the user's terms, never "ended cleanly … 0 unreadable"
    lost = re.search(r"lost +(\d+) packets lost \(([\d.]+) s of recording\)", info)
    assert lost and int(lost.group(1)) > N // 3 and float(lost.group(2)) > 5
    assert "ended cleanly" not in info
