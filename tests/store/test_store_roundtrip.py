"""Recording files: round trip, ordering, permissions, refusal of foreign files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.errors import CorruptRecording, NewerRecording, NotARecording, RecordingError
from osteomonitor.model import DeviceInfo, Event, EventKind, Packet, SessionMeta
from osteomonitor.store import RecordingReader, RecordingWriter
from osteomonitor.store.library import list_recordings

META = SessionMeta(
    patient="P07",
    kind="impact",
    start_iso="2026-11-21T09:30:00+02:00",
    timezone="Europe/Helsinki",
    software_version="0.1.0",
    prescription_toml='[patient]\npseudonym = "P07"\n',
)
H10 = DeviceInfo(
    "h10",
    "C0:FF:EE:00:00:01",
    "Polar H10 ABCD1234",
    "polar-h10",
    "H10",
    "3.0.56",
    87,
    {"sample_rate": 200, "range_g": 8},
)
HIP = DeviceInfo("hip", "C0:FF:EE:00:00:02", "MetaWear", "metamotion")


def _write(path: Path, packets: list[Packet], events: list[Event]) -> None:
    with RecordingWriter.create(path, META) as w:
        w.add_device(H10)
        w.add_device(HIP)
        for p in packets:
            w.write_packet(p)
        for e in events:
            w.write_event(e)


def test_round_trip_metadata_devices_packets_events(tmp_path: Path) -> None:
    path = tmp_path / "s.omrec"
    packets = [
        Packet(
            1_000 + i,
            "h10" if i % 3 else "hip",
            ("pmd_data", "hr", "acc")[i % 3],
            bytes([i % 256]) * (i % 7),
        )
        for i in range(500)
    ]
    events = [
        Event(1_100, EventKind.MARKER, {"text": "start jumps"}),
        Event(1_200, EventKind.RPE, {"rpe": 13}),
        Event(1_300, EventKind.LINK_LOST, {"reason": "timeout"}, device="h10"),
        Event(1_400, EventKind.PAIN, {"level": 3, "where": "lower back"}),
    ]
    _write(path, packets, events)
    with RecordingReader(path) as r:
        assert r.meta == META
        assert r.devices == [H10, HIP]
        assert list(r.packets()) == packets
        assert r.events() == events
        assert r.packet_count == 500
        assert r.ended_cleanly and r.status == "ended cleanly"
        assert r.packet_counts_by_device() == {"h10": 333, "hip": 167}
        assert r.time_span_ns() == (1_000, 1_499)


def test_packets_keep_arrival_order_even_with_non_monotonic_clock(tmp_path: Path) -> None:
    path = tmp_path / "o.omrec"
    times = [5, 3, 9, 1, 1, 7]  # host clock steps back (NTP): order is arrival, not time
    packets = [Packet(t, "h10", "hr", bytes([i])) for i, t in enumerate(times)]
    _write(path, packets, [])
    with RecordingReader(path) as r:
        assert [p.payload[0] for p in r.packets()] == list(range(6))


def test_streaming_reader_resumes_from_seq_and_batches(tmp_path: Path) -> None:
    path = tmp_path / "b.omrec"
    packets = [Packet(i, "hip", "acc", i.to_bytes(4, "little")) for i in range(10_000)]
    _write(path, packets, [])
    with RecordingReader(path) as r:
        it = r.packets()
        first = [next(it) for _ in range(3)]
        assert [p.t_ns for p in first] == [0, 1, 2]
        assert sum(1 for _ in r.packets(start_seq=9_990)) == 10


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 2**62),
            st.sampled_from(["hr", "pmd_data", "pmd_cp"]),
            st.binary(max_size=244),
        ),
        max_size=60,
    )
)
def test_any_packets_round_trip(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, str, bytes]]
) -> None:
    path = tmp_path_factory.mktemp("h") / "p.omrec"
    packets = [Packet(t, "h10", s, b) for t, s, b in rows]
    _write(path, packets, [])
    with RecordingReader(path) as r:
        assert list(r.packets()) == packets


def test_files_are_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "recordings"
    path = folder / "p.omrec"
    w = RecordingWriter.create(path, META)
    w.add_device(H10)
    w.write_packet(Packet(1, "h10", "hr", b"\x00\x3c"))
    w.flush()
    for f in folder.iterdir():  # the database and its -wal/-shm companions
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    w.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "p.omrec"
    _write(path, [], [])
    with pytest.raises(RecordingError, match="already exists"):
        RecordingWriter.create(path, META)


def test_unknown_device_is_a_clear_error(tmp_path: Path) -> None:
    with (
        RecordingWriter.create(tmp_path / "p.omrec", META) as w,
        pytest.raises(RecordingError, match="never added"),
    ):
        w.write_packet(Packet(1, "ghost", "hr", b""))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        RecordingReader(tmp_path / "nope.omrec")


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, I am a CSV\n1,2,3\n" * 10, b"\x89PNG\r\n\x1a\n" + bytes(200)],
    ids=["empty", "text", "png"],
)
def test_foreign_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "foreign.omrec"
    path.write_bytes(content)
    with pytest.raises(NotARecording, match="not an osteomonitor recording"):
        RecordingReader(path)


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()
    with pytest.raises(NotARecording, match="SQLite database but not an osteomonitor"):
        RecordingReader(path)


def test_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.omrec"
    _write(path, [], [])
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    with pytest.raises(NewerRecording, match="newer osteomonitor"):
        RecordingReader(path)


def _big_recording(path: Path) -> None:
    _write(path, [Packet(i, "h10", "pmd_data", os.urandom(200)) for i in range(3000)], [])


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.omrec"
    _big_recording(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptRecording, match="truncated"):
        RecordingReader(path)


def test_corrupt_pages_are_reported_with_what_was_read(tmp_path: Path) -> None:
    path = tmp_path / "c.omrec"
    _big_recording(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for off in range(len(data) // 2, len(data), page):  # smash the b-tree headers of later pages
        data[off : off + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptRecording) as info, RecordingReader(path) as r:
        for _ in r.packets():
            pass
    assert "damaged" in str(info.value)


def test_library_lists_good_and_bad_files(tmp_path: Path) -> None:
    _write(
        tmp_path / "a.omrec",
        [Packet(0, "h10", "hr", b"\x00\x3c"), Packet(2_000_000_000, "h10", "hr", b"\x00\x3d")],
        [],
    )
    (tmp_path / "b.omrec").write_text("not a recording")
    infos = list_recordings(tmp_path)
    assert [i.path.name for i in infos] == ["a.omrec", "b.omrec"]
    assert infos[0].patient == "P07" and infos[0].packet_count == 2
    assert infos[0].duration_s == pytest.approx(2.0)
    assert infos[1].error and "not an osteomonitor recording" in infos[1].error
