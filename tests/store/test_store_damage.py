"""Issue 11, store side: nothing lost, nothing absurd, with real files and real damage.

A crashed writer's -wal with one damaged byte, a salvage killed midway, wrongly typed
column values, a FIFO named like a recording, a writer pid reused by another process:
each is made for real (subprocesses, kill -9, bytes flipped on disk, SQL edits).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from osteomonitor.cli import main
from osteomonitor.errors import CorruptRecording, RecordingError
from osteomonitor.model import DeviceInfo, Event, EventKind, Packet, SessionMeta
from osteomonitor.store import ENDED_UNEXPECTEDLY, RECORDING, RecordingReader, RecordingWriter
from osteomonitor.store.library import list_recordings
from osteomonitor.store.repair import CHECKPOINTED, SALVAGED, repair_recording

N = 3000
HEADER_BYTES, FRAME_HEADER_BYTES = 32, 24  # SQLite's WAL format
PAGE = 4096
META = SessionMeta("P07", "impact", "2026-11-21T10:00:00+02:00", "Europe/Helsinki", "test")
H10 = DeviceInfo("h10", "AA", "Polar H10", "polar-h10")

#: Commits every 50 packets (≈ 300 WAL frames), then dies without a checkpoint.
CRASHING_WRITER = textwrap.dedent(
    f"""
    import os, sys
    from osteomonitor.model import DeviceInfo, Event, Packet, SessionMeta
    from osteomonitor.store import RecordingWriter
    w = RecordingWriter.create(sys.argv[1], SessionMeta("P07", "impact",
        "2026-11-21T10:00:00+02:00", "Europe/Helsinki", "test"))
    w.add_device(DeviceInfo("h10", "AA", "Polar H10", "polar-h10"))
    w.write_event(Event(10**18 + 1, "marker", {{"label": "set 1"}}))
    for i in range({N}):
        w.write_packet(Packet(10**18 + i * 5_000_000, "h10", "pmd_data",
                              i.to_bytes(4, "little") * 30))
        if i % 50 == 49:
            w.flush()
    os._exit(0)
    """
)


def _crashed(path: Path) -> Path:
    subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(path)], check=True, timeout=60)
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 100 * PAGE
    return wal


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _indices(path: Path) -> list[int]:
    with RecordingReader(path) as r:
        packets = list(r.packets())
    idx = [int.from_bytes(p.payload[:4], "little") for p in packets]
    for i, p in zip(idx, packets, strict=True):  # byte for byte what was written
        assert p.payload == i.to_bytes(4, "little") * 30
        assert p.t_ns == 10**18 + i * 5_000_000
    return idx


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


# -- 1. a damaged -wal is salvaged frame by frame; nothing is deleted ----------------------
def test_sound_wal_checks_as_sqlite_reads_it(tmp_path: Path) -> None:
    from osteomonitor.store.wal import scan_wal

    wal = _crashed(tmp_path / "c.omrec")
    scan = scan_wal(wal, PAGE)
    assert scan.sound and scan.header_ok and not scan.damaged
    assert len(scan.kept) == len(scan.frames) == scan.sqlite_frames


@pytest.mark.parametrize(
    ("where", "offset"),
    [
        ("wal header salt", 17),
        ("first frame's page", HEADER_BYTES + FRAME_HEADER_BYTES + 100),
        ("a middle frame's page", HEADER_BYTES + 150 * (FRAME_HEADER_BYTES + PAGE) + 3000),
        ("a middle frame's header", HEADER_BYTES + 150 * (FRAME_HEADER_BYTES + PAGE) + 2),
    ],
)
def test_one_damaged_wal_byte_loses_at_most_that_frame(
    tmp_path: Path, where: str, offset: int
) -> None:
    path = tmp_path / "crashed.omrec"
    wal = _crashed(path)
    _flip(wal, offset)
    before = {p.name: _sha(p) for p in (path, wal)}
    # SQLite alone would read a shortened (or empty) session: the reader says so
    with pytest.raises(CorruptRecording, match="-wal log"):
        RecordingReader(path)

    r = repair_recording(path)
    assert r.action == SALVAGED
    idx = _indices(r.output)
    # a frame holds one page (≈ 30 packets); a header byte costs nothing at all
    assert len(idx) >= N - 40, f"{where}: kept {len(idx)} of {N}"
    assert r.lost_packets == N - len(idx)
    if len(idx) < N:
        assert r.loss.seconds > 0
    # originals set aside byte for byte, never unlinked
    assert r.set_aside is not None and not path.exists() and not wal.exists()
    aside_wal = r.set_aside.with_name(r.set_aside.name + "-wal")
    assert {path.name: _sha(r.set_aside), wal.name: _sha(aside_wal)} == before
    with RecordingReader(r.output) as rd:
        assert [e.kind for e in rd.events()] == [EventKind.MARKER]
        assert rd.meta == META


def test_damaged_only_copy_of_a_small_table_still_gives_every_packet(tmp_path: Path) -> None:
    """The streams table's one page was written once, after the last checkpoint: its
    damaged frame is the only copy. Without it no packet could be attributed."""
    from osteomonitor.store.wal import scan_wal

    path = tmp_path / "crashed.omrec"
    wal = _crashed(path)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'streams'").fetchone()
    conn.close()
    frames = [f for f in scan_wal(wal, PAGE).frames if f.page == root]
    assert len(frames) == 1
    _flip(wal, HEADER_BYTES + frames[0].index * (FRAME_HEADER_BYTES + PAGE) + 24 + 2000)
    r = repair_recording(path)
    assert r.action == SALVAGED and len(_indices(r.output)) == N


def test_sound_wal_is_still_finished_in_place(tmp_path: Path) -> None:
    path = tmp_path / "crashed.omrec"
    _crashed(path)
    r = repair_recording(path)
    assert (r.action, r.packets) == (CHECKPOINTED, N)


# -- 3. a killed salvage never looks like a good file ----------------------------------------
KILLED_SALVAGE = textwrap.dedent(
    """
    import os, signal, sys
    from osteomonitor.store import repair
    def dying(conn, rows, meta):        # the process really dies mid-write
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO packets VALUES (?,?,?,?)", rows.packets[:100])
        conn.execute("COMMIT")
        os.kill(os.getpid(), signal.SIGKILL)
    repair.write_rows = dying
    repair.repair_recording(sys.argv[1])
    """
)


def test_killed_salvage_leaves_no_good_looking_file_and_rerun_replaces_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crashed.omrec"
    wal = _crashed(path)
    _flip(wal, 17)
    proc = subprocess.run([sys.executable, "-c", KILLED_SALVAGE, str(path)], timeout=60)
    assert proc.returncode == -signal.SIGKILL
    # nothing named like a recording appeared; the original is where it was
    assert sorted(p.name for p in tmp_path.glob("*.omrec")) == ["crashed.omrec"]
    assert [i.path.name for i in list_recordings(tmp_path)] == ["crashed.omrec"]
    assert list(tmp_path.glob(".*.partial"))  # the killed run's own leftover
    r = repair_recording(path)  # the rerun replaces it
    assert r.action == SALVAGED and len(_indices(r.output)) == N
    assert not list(tmp_path.glob(".*.partial"))


# -- 6. wrongly typed values: damaged, listed, never a traceback, never "intact" -------------
def _good(path: Path) -> None:
    with RecordingWriter.create(path, META) as w:
        w.add_device(H10)
        for i in range(200):
            w.write_packet(
                Packet(10**18 + i * 5_000_000, "h10", "pmd_data", i.to_bytes(4, "little") * 30)
            )
        w.write_event(Event(10**18 + 7, EventKind.MARKER, {"label": "set 1"}))


EDITS = {
    "text timestamp": "UPDATE packets SET t_ns = 'yesterday' WHERE seq = 10",
    "list event data": "UPDATE events SET data = '[1, 2]'",
    "numeric patient": "UPDATE meta SET value = '7' WHERE key = 'patient'",
    "text payload": "UPDATE packets SET payload = 'abc' WHERE seq = 20",
    "list settings": "UPDATE devices SET settings = '[]'",
    "packet naming no stream": "UPDATE packets SET stream_id = 999 WHERE seq = 30",
}


def _edited(folder: Path, label: str) -> Path:
    path = folder / (label.replace(" ", "-") + ".omrec")
    _good(path)
    conn = sqlite3.connect(path)
    conn.execute(EDITS[label])
    conn.commit()
    conn.close()
    return path


def test_wrongly_typed_values_list_as_damaged_and_hide_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for label in EDITS:
        _edited(tmp_path, label)
    _good(tmp_path / "zz-good.omrec")
    infos = {i.path.name: i for i in list_recordings(tmp_path)}
    assert infos["zz-good.omrec"].error is None and infos["zz-good.omrec"].packet_count == 200
    for label in EDITS:
        info = infos[label.replace(" ", "-") + ".omrec"]
        assert info.error is not None and info.error.startswith("damaged:"), label
    assert main(["recordings", "list", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "zz-good.omrec" in out and out.count("damaged") >= len(EDITS)


@pytest.mark.parametrize("label", list(EDITS))
def test_wrongly_typed_values_give_a_message_and_a_salvage(
    tmp_path: Path, label: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _edited(tmp_path, label)
    assert main(["analyze", str(path)]) != 0
    assert "damaged" in capsys.readouterr().err
    main(["recordings", "info", str(path)])  # shows what it can, and says what is wrong
    out, err = capsys.readouterr()
    assert "damaged" in out + err and "Traceback" not in out + err
    r = repair_recording(path)
    assert r.action == SALVAGED, f"{label}: called {r.action}"
    idx = _indices(r.output)
    assert len(idx) >= 199  # only the edited row, if a packet, is left out
    with RecordingReader(r.output) as rd:
        assert isinstance(rd.meta.patient, str)
        assert all(isinstance(e.data, dict) for e in rd.events())


# -- 8. no host or user identifier in a recording ---------------------------------------------
def test_recordings_carry_no_host_or_user(tmp_path: Path) -> None:
    path = tmp_path / "r.omrec"
    _good(path)
    with RecordingReader(path) as r:
        keys = set(r.meta_raw)
    assert not keys & {"writer_host", "writer_pid", "host", "user"}
    blob = path.read_bytes()
    for ident in {socket.gethostname(), os.environ.get("USER", ""), str(Path.home())} - {""}:
        assert ident.encode() not in blob, ident


def _old_writer_meta(path: Path, host: str, pid: int) -> None:
    """What files written before this change held: the writer's host and pid."""
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        [("writer_host", json.dumps(host)), ("writer_pid", str(pid))],
    )
    conn.commit()
    conn.close()


def test_old_file_with_host_and_pid_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "old.omrec"
    _good(path)
    _old_writer_meta(path, "lab-pc", 4242)
    with RecordingReader(path) as r:
        assert r.packet_count == 200 and r.status == "ended cleanly"


# -- 10. a FIFO named *.omrec is refused before it is opened -------------------------------
@pytest.mark.parametrize(
    "args",
    [["recordings", "info"], ["analyze"], ["recordings", "repair"], ["recordings", "list"]],
)
def test_fifo_is_refused_not_opened(tmp_path: Path, args: list[str]) -> None:
    fifo = tmp_path / "pipe.omrec"
    os.mkfifo(fifo)
    out = subprocess.run(
        [sys.executable, "-m", "osteomonitor", *args, str(fifo)],
        capture_output=True,
        text=True,
        timeout=30,  # opening a FIFO would block forever
    )
    text = out.stdout + out.stderr
    assert "Traceback" not in text
    assert "FIFO" in text and "not a recording file" in text


def test_fifo_is_refused_by_replay(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.omrec"
    os.mkfifo(fifo)
    code = (
        "import sys\n"
        "from osteomonitor.errors import RecordingError\n"
        "from osteomonitor.session import replay_items\n"
        "try:\n    next(iter(replay_items(sys.argv[1])))\n"
        "except RecordingError as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=30
    )
    assert "FIFO" in out.stdout and "Traceback" not in out.stderr


# -- 11. "still being written" is a lock, never a pid ------------------------------------------
def test_crashed_file_whose_pid_was_reused_is_repairable(tmp_path: Path) -> None:
    path = tmp_path / "crashed.omrec"
    _crashed(path)
    # an old-format file naming this host and a live process (this test) as its writer
    _old_writer_meta(path, socket.gethostname(), os.getpid())
    with RecordingReader(path) as r:
        assert r.status == ENDED_UNEXPECTEDLY
    assert repair_recording(path).action == CHECKPOINTED


def test_live_writer_is_seen_through_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "live.omrec"
    w = RecordingWriter.create(path, META)
    try:
        w.add_device(H10)
        w.flush()
        with RecordingReader(path) as r:
            assert r.status == RECORDING
        with pytest.raises(RecordingError, match="still being recorded"):
            repair_recording(path)
    finally:
        w.close()
    with RecordingReader(path) as r:
        assert r.status == "ended cleanly"


# -- 12. damage reported in packets, seconds and streams; SQLite only with --verbose ---------
def _smashed(path: Path) -> None:
    with RecordingWriter.create(path, META) as w:
        w.add_device(H10)
        for i in range(N):
            w.write_packet(
                Packet(10**18 + i * 5_000_000, "h10", "pmd_data", i.to_bytes(4, "little") * 30)
            )
    data = bytearray(path.read_bytes())
    data[PAGE * 60 : PAGE * 60 + 500] = b"\xa5" * 500  # 500 overwritten bytes
    path.write_bytes(bytes(data))


def test_analyze_counts_the_packets_read_before_the_damage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "smashed.omrec"
    _smashed(path)
    assert main(["analyze", str(path)]) != 0
    err = capsys.readouterr().err
    read = re.search(r"(\d+) packets were read intact", err)
    assert read, err
    salvaged = repair_recording(path).packets
    assert 0 < int(read.group(1)) < salvaged < N


def test_repair_speaks_in_packets_and_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "smashed.omrec"
    _smashed(path)
    assert main(["recordings", "repair", str(path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"\d+ packets lost \([\d.]+ s of recording\)", out), out
    for internal in ("tree page", "cell", "malformed", "sqlite", "btree", "rowid"):
        assert internal not in out.lower(), out
    # the SQLite diagnostics are there for whoever asks
    again = tmp_path / "again.omrec"
    _smashed(again)
    assert main(["recordings", "repair", "--verbose", str(again)]) == 0
    assert "sqlite:" in capsys.readouterr().out


def test_stream_with_nothing_left_is_named(tmp_path: Path) -> None:
    path = tmp_path / "two.omrec"
    with RecordingWriter.create(path, META) as w:
        w.add_device(H10)
        for i in range(N):
            w.write_packet(
                Packet(10**18 + i * 5_000_000, "h10", "pmd_data", i.to_bytes(4, "little") * 30)
            )
        w.write_packet(Packet(10**18 + N * 5_000_000, "h10", "hr", b"\x00\x3c"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - PAGE])  # the last page (the hr packet) is gone
    r = repair_recording(path)
    assert r.loss.end_lost and "h10/hr" in r.loss.streams
