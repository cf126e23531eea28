"""A recording file checked before SQLite opens it: the header (`check_header`: a regular
file, SQLite magic, our application id, a format this version reads, not truncated), the
page size it declares and the read-only URI it is opened with. Used by the reader and by
repair.
"""

from __future__ import annotations

from pathlib import Path

from osteomonitor.errors import CorruptRecording, NewerRecording, NotARecording, RecordingError
from osteomonitor.store.lock import check_regular_file
from osteomonitor.store.schema import APPLICATION_ID, SCHEMA_VERSION, SQLITE_MAGIC


def page_size(header: bytes) -> int:
    """The page size an SQLite header (its first 100 bytes) declares, bytes."""
    size = int.from_bytes(header[16:18], "big")
    return 65536 if size == 1 else size


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens `path` read-only.

    Without a WAL the writer closed (or a crash was checkpointed) and, since writers only
    ever create new files, nobody will write there again: it opens immutable, which
    leaves no -shm/-wal companions beside a finished recording.
    """
    uri = f"file:{path.resolve()}?mode=ro"
    if not path.with_name(path.name + "-wal").exists():
        uri += "&immutable=1"
    return uri


def check_header(path: Path) -> None:
    """Refuse files that are not, or no longer, a whole SQLite database.

    Anything but a regular file (a FIFO, a device) is refused before it is opened.
    """
    check_regular_file(path)
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(100)
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such file") from None
    except PermissionError:
        raise RecordingError(f"{path}: permission denied (recordings are owner-only)") from None
    if size == 0:
        raise NotARecording(f"{path} is empty: not an osteomonitor recording")
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise NotARecording(
            f"{path} is not an osteomonitor recording (not an SQLite file); "
            "import other tools' exports with 'osteomonitor import'"
        )
    app_id = int.from_bytes(header[68:72], "big")
    if app_id != APPLICATION_ID:
        raise NotARecording(
            f"{path} is an SQLite database but not an osteomonitor recording "
            f"(application id {app_id:#x})"
        )
    version = int.from_bytes(header[60:64], "big")
    if version > SCHEMA_VERSION:
        raise NewerRecording(
            f"{path} was written by a newer osteomonitor (format {version}, this one reads "
            f"up to {SCHEMA_VERSION}): upgrade osteomonitor to read it"
        )
    page = page_size(header)
    n_pages = int.from_bytes(header[28:32], "big")
    wal = path.with_name(path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    # With a live WAL the header may already count pages that only the WAL holds
    # (a checkpoint cut short, e.g. by a full disk): SQLite reads those from the WAL.
    if page and n_pages and not wal_size and size < page * n_pages:
        raise CorruptRecording(
            f"{path} is truncated: {size} bytes on disk, the file says "
            f"{page * n_pages}; the file was cut short (copy interrupted?): copy it "
            "again, or salvage the part present with `osteomonitor recordings repair`"
        )
