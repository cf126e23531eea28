"""Who is writing a recording: an advisory lock the writer holds, never a process id.

The writer holds an exclusive `flock` on its `.omrec` for as long as it is open. The
kernel drops the lock when the process ends however it ends (`kill -9`, power loss,
crash), so a file whose lock is free is not being written, whatever process ids were
reused since. `flock` locks are independent of the POSIX record locks SQLite uses on
the same file, and belong to one open file description, so a second open in the same
process sees them too. Repair takes the same lock while it works on a file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from osteomonitor.errors import RecordingError


def check_regular_file(path: Path) -> None:
    """Refuse anything but a regular file before anything opens it.

    A FIFO or device named `*.omrec` would block or stream forever on open.

    Raises:
        RecordingError: missing, a folder, or not a regular file.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise RecordingError(f"{path}: no such file") from None
    except PermissionError:
        raise RecordingError(f"{path}: permission denied (recordings are owner-only)") from None
    except OSError as exc:
        raise RecordingError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise RecordingError(f"{path} is a folder, not a recording file")
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
            if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "not a regular file"
        )
        raise RecordingError(
            f"{path} is {kind}, not a recording file; recordings are regular files, "
            "give the path of one"
        )


def hold_write_lock(path: Path) -> int:
    """Take the writer's exclusive lock on `path`; returns the descriptor to keep open.

    Raises:
        RecordingError: another process (or another writer here) holds it.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise RecordingError(f"cannot open {path}: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RecordingError(
            f"{path} is still being recorded (another program holds it open for writing); "
            "stop that recording first"
        ) from None
    except OSError as exc:  # a file system without advisory locks: nothing to hold
        if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
            os.close(fd)
            raise RecordingError(f"cannot lock {path}: {exc.strerror}") from None
    return fd


def release_lock(fd: int) -> None:
    """Release a lock taken by `hold_write_lock`."""
    with contextlib.suppress(OSError):
        os.close(fd)


def is_being_written(path: Path) -> bool:
    """True when a live writer holds `path`'s lock (`path` must be a regular file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False  # no advisory locks on this file system: nothing to go by
    finally:
        os.close(fd)
    return False


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the writer's lock on `path` for the block (repair works alone on a file)."""
    fd = hold_write_lock(path)
    try:
        yield
    finally:
        release_lock(fd)
