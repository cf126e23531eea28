"""Safe file writing: the one way every export is written (owner-only, atomic, never over an
input or a recording, never through a link).

`analyze X.omrec --csv-jumps X.omrec` used to replace the recording with CSV, and every
export followed symlinks. `write_export` is used by every file the program exports
(analyze's CSVs, the review's reports, `prescription new -o`):

* it refuses an output that is one of the command's inputs (same file by inode, or by
  resolved path when it does not exist yet);
* it refuses to replace an existing recording (`.omrec`, or any SQLite database: a
  recording renamed is still a recording) or anything but a regular file;
* it refuses a symlink as the output (checked with `lstat`, and the temporary file is
  opened with `O_NOFOLLOW | O_EXCL`);
* it writes a temporary file in the same folder, owner-only (0600), `fsync`s it, then
  renames it over the target (atomic: an interrupted run leaves the old file or none,
  never an empty or half-written one) and `fsync`s the folder.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from osteomonitor.errors import UsageError

#: The first 16 bytes of every SQLite database, a recording included (sqlite.org/fileformat).
SQLITE_MAGIC = b"SQLite format 3\x00"
RECORDING_SUFFIX = ".omrec"


def _is_recording(p: Path) -> bool:
    if p.suffix.lower() == RECORDING_SUFFIX:
        return True
    try:
        with p.open("rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_export_target(
    path: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str]] = (),
    what: str = "export",
) -> Path:
    """Refuse an output that is an input, a recording, a symlink or not a regular file.

    Returns:
        the path, unchanged.

    Raises:
        UsageError: naming the path, what it is, and what to do.
    """
    p = Path(path)
    for src in inputs:
        if _same_file(p, Path(src)):
            raise UsageError(
                f"{p} is also an input of this command: the {what} never replaces its "
                "input; choose another file name"
            )
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        return p
    except OSError as exc:
        raise UsageError(f"{p}: cannot check the {what} file ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise UsageError(f"{p} is a symbolic link: the {what} is not written through links")
    if not stat.S_ISREG(st.st_mode):
        raise UsageError(f"{p} exists and is not a regular file; choose another file name")
    if _is_recording(p):
        raise UsageError(
            f"{p} is a recording: the {what} never replaces a recording; choose another file name"
        )
    return p


def _cannot_write(p: Path, what: str, exc: OSError) -> str:
    """Why `p` (the `what`: "export", "prescription" …) could not be written, and what to do."""
    return (
        f"{p}: cannot write the {what} ({exc.strerror}); check that the folder exists and "
        "that you may write there, or choose another path with -o"
    )


def write_export(
    path: str | os.PathLike[str],
    text: str | bytes,
    inputs: Iterable[str | os.PathLike[str]] = (),
    *,
    what: str = "export",
) -> Path:
    """Write an export owner-only (0600) and atomically; see the module docstring.

    Args:
        path: the output file (an existing export of the same name is replaced).
        text: its content (str is written as UTF-8).
        inputs: the files the command read; none of them may be the output.
        what: what is written, for messages ("export", "prescription").

    Raises:
        UsageError: the target is refused, or the file cannot be written.
    """
    p = check_export_target(path, inputs, what)
    data = text.encode("utf-8") if isinstance(text, str) else text
    folder = p.parent if str(p.parent) else Path(".")
    tmp = folder / f".{p.name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise UsageError(_cannot_write(p, what, exc)) from None
    try:
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, p)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise UsageError(_cannot_write(p, what, exc)) from None
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return p


def write_private(
    path: str | os.PathLike[str],
    text: str,
    inputs: Iterable[str | os.PathLike[str]] = (),
    *,
    what: str = "export",
) -> Path:
    """Write an export: owner-only (0600), atomically, never over an input, a recording
    or through a symlink (see `write_export`; exports hold patient data).

    Raises:
        UsageError: the target is refused or cannot be written (names the path and why).
    """
    return write_export(path, text, inputs, what=what)
