"""`store.columns.packet_columns` (one scan, values joined by SQLite) holds exactly what the
row-by-row reader streams, and hands a damaged or edited file back to it.

Files: the format corpus (old recordings, a crashed one with its -wal), written files
with payloads of every byte value and length (empty, NULs, invalid UTF-8), and copies
edited with SQL so a row holds a value of the wrong kind or names no stream.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from osteomonitor.errors import CorruptRecording
from osteomonitor.model import DeviceInfo, Packet, SessionMeta
from osteomonitor.session import process_recording, process_recording_batch
from osteomonitor.store import RecordingReader, RecordingWriter
from osteomonitor.store.columns import SLACK, packet_columns

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted((ROOT / "tests" / "data" / "format-corpus").glob("*.omrec"))
META = SessionMeta("P07", "impact", "2026-11-21T10:00:00+02:00", "Europe/Helsinki", "test")
H10 = DeviceInfo("h10", "AA", "Polar H10", "polar-h10", settings={"sample_rate": 200})


def _as_rows(
    path: Path,
) -> tuple[list[tuple[str, str, int, bytes]], list[tuple[str, str, int, bytes]]]:
    """(device, stream, t_ns, payload) per packet, in arrival order, both ways."""
    with RecordingReader(path) as r:
        streamed = [(p.device, p.stream, p.t_ns, p.payload) for p in r.packets()]
        cols = packet_columns(r)
    assert cols is not None
    rows = sorted(
        (int(s), c.device, c.stream, int(t), bytes(c.payloads[i]))
        for c in cols
        for i, (s, t) in enumerate(zip(c.seq, c.t_ns, strict=True))
    )
    return streamed, [r[1:] for r in rows]


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_columns_hold_what_the_reader_streams(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name  # (a crashed file is opened with its -wal beside it)
    for extra in path.parent.glob(path.name + "*"):
        shutil.copy(extra, tmp_path / extra.name)
    streamed, columns = _as_rows(copy)
    assert streamed and columns == streamed


def _written(path: Path, payloads: list[bytes]) -> Path:
    with RecordingWriter.create(path, META) as w:
        w.add_device(H10)
        for i, p in enumerate(payloads):
            w.write_packet(Packet(10**18 + i * 7, "h10", ("hr", "pmd_data", "x")[i % 3], p))
    return path


def test_any_bytes_survive_the_join(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    payloads = [b"", b"\x00", b"\x00\x00\xff", "é".encode(), b"\xc3", b"\xff\xfe" * 40]
    payloads += [rng.bytes(int(n)) for n in rng.integers(0, 300, 200)]
    path = _written(tmp_path / "bytes.omrec", payloads)
    streamed, columns = _as_rows(path)
    assert columns == streamed and [p for *_, p in columns] == payloads
    with RecordingReader(path) as r:
        cols = packet_columns(r)
    assert cols is not None
    data = cols[0].data
    assert all(c.data is data for c in cols)  # one buffer, shared by every stream
    assert data[-SLACK:].tolist() == [0] * SLACK
    assert [c.stream for c in cols] == ["hr", "pmd_data", "x"]


def test_an_empty_recording_has_no_columns(tmp_path: Path) -> None:
    path = _written(tmp_path / "empty.omrec", [])
    with RecordingReader(path) as r:
        assert packet_columns(r) == []


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE packets SET t_ns = CAST(t_ns AS TEXT) || 'x' WHERE seq = 5",
        "UPDATE packets SET t_ns = CAST('123' AS BLOB) WHERE seq = 5",
        "UPDATE packets SET t_ns = 1.5 WHERE seq = 5",
        "UPDATE packets SET payload = 'text' WHERE seq = 5",
        "UPDATE packets SET payload = 1234 WHERE seq = 5",
        "UPDATE packets SET stream_id = CAST('1' AS BLOB) WHERE seq = 5",
        "UPDATE packets SET stream_id = 99 WHERE seq = 5",
        "UPDATE packets SET stream_id = -1 WHERE seq = 5",
        "UPDATE packets SET stream_id = 1.5 WHERE seq = 5",
        "UPDATE packets SET t_ns = 1e300 WHERE seq = 5",
        "UPDATE packets SET stream_id = 'x' WHERE seq = 5",
        "UPDATE packets SET t_ns = CAST(t_ns AS TEXT) || ',1' WHERE seq = 5",
    ],
    ids=[
        "t-text",
        "t-blob",
        "t-real",
        "payload-text",
        "payload-int",
        "stream-blob",
        "stream-99",
        "stream-negative",
        "stream-real",
        "t-huge-real",
        "stream-text",
        "t-text-with-a-comma",
    ],
)
def test_a_wrong_row_leaves_the_file_to_the_row_by_row_reader(tmp_path: Path, edit: str) -> None:
    path = _written(tmp_path / "edited.omrec", [bytes([i % 256]) * 5 for i in range(40)])
    with sqlite3.connect(path) as conn:
        conn.execute(edit)
    conn.close()
    with RecordingReader(path) as r:
        assert packet_columns(r) is None
        assert r.bad_rows()[0] == 1  # the reader's own check agrees: one row is damaged
    # `analyze` then reads packet by packet and stops where the damage is, as before
    with pytest.raises(CorruptRecording) as batch:
        process_recording_batch(path)
    with pytest.raises(CorruptRecording) as streamed:
        process_recording(path)
    assert str(batch.value) == str(streamed.value) and "packet #4" in str(batch.value)


@pytest.mark.parametrize("column", ["t_ns", "stream_id", "payload"])
def test_a_null_leaves_the_file_to_the_row_by_row_reader(tmp_path: Path, column: str) -> None:
    path = _written(tmp_path / "nulls.omrec", [bytes([i % 256]) * 5 for i in range(40)])
    with sqlite3.connect(path) as conn:  # a hand-made table without the NOT NULL rules
        conn.execute("ALTER TABLE packets RENAME TO old")
        conn.execute("CREATE TABLE packets (seq INTEGER PRIMARY KEY, t_ns INTEGER, "
                     "stream_id INTEGER, payload BLOB)")  # fmt: skip
        conn.execute("INSERT INTO packets SELECT * FROM old")
        conn.execute("DROP TABLE old")
        conn.execute(f"UPDATE packets SET {column} = NULL WHERE seq = 5")
    conn.close()
    with RecordingReader(path) as r:
        assert packet_columns(r) is None
        assert r.bad_rows()[0] == 1


@pytest.mark.parametrize("first_row", [True, False])
@pytest.mark.parametrize("column", ["t_ns", "stream_id", "payload"])
def test_a_wrong_first_or_last_row_is_caught_too(
    tmp_path: Path, column: str, first_row: bool
) -> None:
    path = _written(tmp_path / "edge.omrec", [bytes([i % 256]) * 5 for i in range(40)])
    seq = "(SELECT min(seq) FROM packets)" if first_row else "(SELECT max(seq) FROM packets)"
    with sqlite3.connect(path) as conn:
        conn.execute(f"UPDATE packets SET {column} = 'text' WHERE seq = {seq}")
    conn.close()
    with RecordingReader(path) as r:
        assert packet_columns(r) is None
        assert r.bad_rows()[0] == 1


def test_an_index_on_the_packets_does_not_change_the_order(tmp_path: Path) -> None:
    """A hand-added covering index in another order is not used (the scan is `NOT
    INDEXED`: the table's b-tree, by `seq`)."""
    rng = np.random.default_rng(4)
    payloads = [rng.bytes(int(n)) for n in rng.integers(0, 40, 60)]
    path = _written(tmp_path / "indexed.omrec", payloads)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE packets SET t_ns = 2000000000000000000 - t_ns")  # times run backwards
        conn.execute("CREATE INDEX by_time ON packets (t_ns, stream_id, payload)")
    conn.close()
    streamed, columns = _as_rows(path)
    assert columns == streamed and [p for *_, p in columns] == payloads


def test_stream_ids_far_apart_unpack_exactly(tmp_path: Path) -> None:
    """Each row's length and stream travel as one number, length × (K + 1) + stream."""
    payloads = [bytes(range(n % 200)) for n in range(0, 600, 7)]
    path = _written(tmp_path / "ids.omrec", payloads)
    with sqlite3.connect(path) as conn:  # renumber the streams 0, 5000, 77777
        for old, new in ((1, 0), (2, 5000), (3, 77777)):
            conn.execute("UPDATE streams SET id = ? WHERE id = ?", (new, old))
            conn.execute("UPDATE packets SET stream_id = ? WHERE stream_id = ?", (new, old))
    conn.close()
    streamed, columns = _as_rows(path)
    assert columns == streamed and [p for *_, p in columns] == payloads
