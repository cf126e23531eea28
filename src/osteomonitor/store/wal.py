"""Reading an SQLite write-ahead log (`X.omrec-wal`) frame by frame, without SQLite.

SQLite trusts a WAL only up to its first frame whose checksum fails, and ignores the
whole log when its 32-byte header fails: one damaged byte can hide every packet a
crashed writer committed after its last checkpoint. This module checks each frame on
its own, so the frames after a damaged one are kept.

Format (https://www.sqlite.org/fileformat2.html, "WAL file format"): a 32-byte header
(magic 0x377f0682 or 0x377f0683, format version, page size, checkpoint sequence,
salt-1, salt-2, checksum-1, checksum-2), then frames of a 24-byte header (page number,
database size in pages after a commit or 0, salt-1, salt-2, checksum-1, checksum-2)
and one page. Checksums are cumulative: each frame's pair is the Fibonacci-weighted
sum of its first 8 header bytes and its page, seeded with the previous frame's pair
(the header's for the first frame). The magic's low bit says whether the 32-bit words
are read big-endian (0x377f0683) or little-endian (0x377f0682).

A damaged frame's stored pair is usually intact, so the next frame is checked seeded
with it; when the pair itself was hit, the pair recomputed over the damaged frame is
tried instead. A frame is kept only if it checks, carries the log's salts (frames of
an older log generation beyond the current one carry other salts) and lies at or
before the last commit that checks.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

WAL_MAGIC_LE = 0x377F0682
WAL_MAGIC_BE = 0x377F0683
HEADER_BYTES = 32
FRAME_HEADER_BYTES = 24
_MASK = 0xFFFFFFFF


def wal_checksum(data: bytes, seed: tuple[int, int], big_endian: bool) -> tuple[int, int]:
    """SQLite's WAL checksum of `data` (a multiple of 8 bytes) continuing from `seed`."""
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    s0, s1 = seed
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & _MASK
        s1 = (s1 + words[i + 1] + s0) & _MASK
    return s0, s1


@dataclass(frozen=True, slots=True)
class WalFrame:
    """One frame of the log.

    Attributes:
        index: position in the log (0 = first frame).
        page: the database page it holds (1-based).
        commit_size: database size in pages after this commit, or 0 (not a commit).
        ok: its checksum checks and its salts are the log's.
        interior: it holds a b-tree interior page (type byte 0x02 or 0x05): no row
            lives there, only the way to the rows below.
        salted: it carries the log's salts (so it belongs to this log, damaged or not).
    """

    index: int
    page: int
    commit_size: int
    ok: bool
    interior: bool = False
    salted: bool = False


@dataclass(frozen=True, slots=True)
class WalScan:
    """What a log holds, frame by frame.

    Attributes:
        page_size: bytes per page (from the log header, else the caller's).
        frames: every whole frame in the file.
        header_ok: the 32-byte header checks.
        last_commit: index of the last frame that checks and ends a transaction, or -1.
        sqlite_frames: frames SQLite itself would use (up to its first failure).
    """

    page_size: int
    frames: tuple[WalFrame, ...]
    header_ok: bool
    last_commit: int
    sqlite_frames: int

    @property
    def kept(self) -> tuple[WalFrame, ...]:
        """Frames that check and belong to a committed transaction."""
        return tuple(f for f in self.frames if f.ok and f.index <= self.last_commit)

    @property
    def patched(self) -> tuple[WalFrame, ...]:
        """Damaged frames used as they are: b-tree interior pages of the log's salts.

        Leaving one out would cut off every row below it (the main file has no older
        copy of a page first written after the last checkpoint); used with its damaged
        byte, at worst the one branch that byte points to is lost.
        """
        return tuple(f for f in self.usable_damaged if f.interior)

    @property
    def usable_damaged(self) -> tuple[WalFrame, ...]:
        """Damaged frames of the log's salts naming a page the database has."""
        size = max((f.commit_size for f in self.kept), default=0)
        return tuple(f for f in self.damaged if f.salted and 0 < f.page <= size)

    @property
    def damaged(self) -> tuple[WalFrame, ...]:
        """Frames before the last good commit that fail their check."""
        return tuple(f for f in self.frames if not f.ok and f.index <= self.last_commit)

    @property
    def sound(self) -> bool:
        """SQLite reads every committed frame there is: nothing is lost by trusting it."""
        return self.header_ok and not self.damaged and self.sqlite_frames > self.last_commit


def _salts_of(blob: bytes, page_size: int, header_salts: tuple[int, int]) -> tuple[int, int]:
    """The log's salts: the header's, unless the first frames mostly carry others."""
    counts: dict[tuple[int, int], int] = {header_salts: 1}
    step = FRAME_HEADER_BYTES + page_size
    for off in range(HEADER_BYTES, min(len(blob), HEADER_BYTES + 8 * step), step):
        if off + FRAME_HEADER_BYTES <= len(blob):
            s = struct.unpack(">II", blob[off + 8 : off + 16])
            counts[s] = counts.get(s, 0) + 1
    return max(counts, key=lambda s: counts[s])


def scan_wal(path: Path, db_page_size: int) -> WalScan:
    """Check every frame of the log at `path`.

    Args:
        db_page_size: the database's page size (bytes), used when the log header's
            own page size is damaged.
    """
    blob = path.read_bytes()
    if len(blob) < HEADER_BYTES:
        return WalScan(db_page_size, (), False, -1, 0)
    magic, _version, psize, _ckpt, salt1, salt2, c1, c2 = struct.unpack(">8I", blob[:32])
    page_size = psize if psize == db_page_size or not db_page_size else db_page_size
    orders = [magic == WAL_MAGIC_BE] if magic in (WAL_MAGIC_LE, WAL_MAGIC_BE) else [False, True]
    best: WalScan | None = None
    for big in orders:
        scan = _scan(blob, page_size, big, (salt1, salt2), (c1, c2), magic)
        if best is None or len(scan.kept) > len(best.kept):
            best = scan
    assert best is not None
    return best


def _scan(
    blob: bytes,
    page_size: int,
    big: bool,
    header_salts: tuple[int, int],
    stored: tuple[int, int],
    magic: int,
) -> WalScan:
    recomputed = wal_checksum(blob[:24], (0, 0), big)
    header_ok = magic in (WAL_MAGIC_LE, WAL_MAGIC_BE) and recomputed == stored
    salts = _salts_of(blob, page_size, header_salts)
    seeds = [stored] if recomputed == stored else [stored, recomputed]
    step = FRAME_HEADER_BYTES + page_size
    frames: list[WalFrame] = []
    last_commit = -1
    sqlite_frames = 0
    sqlite_ok = header_ok
    for i, off in enumerate(range(HEADER_BYTES, len(blob) - step + 1, step)):
        head = blob[off : off + FRAME_HEADER_BYTES]
        page_no, commit, fs1, fs2, k1, k2 = struct.unpack(">6I", head)
        body = blob[off + FRAME_HEADER_BYTES : off + step]
        ok = False
        computed: list[tuple[int, int]] = []
        for seed in seeds:
            got = wal_checksum(body, wal_checksum(head[:8], seed, big), big)
            computed.append(got)
            if got == (k1, k2):
                ok = True
                break
        ok = ok and (fs1, fs2) == salts and page_no > 0
        if sqlite_ok and ok and seed is seeds[0]:
            sqlite_frames += 1
        else:
            sqlite_ok = False
        type_at = FRAME_HEADER_BYTES + (100 if page_no == 1 else 0)
        salted = (fs1, fs2) == salts
        interior = salted and blob[off + type_at : off + type_at + 1] in (
            b"\x02",
            b"\x05",
        )
        frames.append(WalFrame(i, page_no, commit, ok, interior, salted))
        if ok and commit:
            last_commit = i
        # the next frame is seeded with this frame's stored pair, else its recomputed one
        seeds = [(k1, k2)] + [c for c in computed[-1:] if c != (k1, k2)]
    # SQLite uses frames only up to its last commit among those it read
    sqlite_commit = max((f.index for f in frames[:sqlite_frames] if f.commit_size), default=-1)
    return WalScan(page_size, tuple(frames), header_ok, last_commit, sqlite_commit + 1)


def apply_wal(image: Path, wal: Path, scan: WalScan, *, with_damaged: bool = False) -> None:
    """Write every kept (and patched) frame of `wal` over the database file `image`.

    The file ends at the size the last kept commit declares (pages never written are
    zeros, which SQLite reads as damaged, never as data).
    """
    step = FRAME_HEADER_BYTES + scan.page_size
    size_pages: int | None = None
    with open(wal, "rb") as fin, open(image, "r+b") as fout:
        extra = scan.usable_damaged if with_damaged else scan.patched
        for f in sorted(scan.kept + extra, key=lambda f: f.index):
            fin.seek(HEADER_BYTES + f.index * step + FRAME_HEADER_BYTES)
            fout.seek((f.page - 1) * scan.page_size)
            fout.write(fin.read(scan.page_size))
            if f.commit_size and f.ok:
                size_pages = f.commit_size
        if size_pages is not None:
            fout.truncate(size_pages * scan.page_size)
