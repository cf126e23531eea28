"""Owner-only, atomic writing of a patient record's files.

A temporary file in the same folder, created 0600 with `O_EXCL | O_NOFOLLOW`, synced,
then renamed over the target (`replace=True`) or hard-linked to it (`replace=False`, so
an existing file is never overwritten). An interrupted write leaves the old file or none.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from osteomonitor.errors import PatientError


def write_private_file(path: Path, text: str, *, replace: bool) -> Path:
    """Write `text` to `path` owner-only (0600) and atomically.

    Args:
        replace: replace an existing file; when False an existing file is an error.

    Raises:
        PatientError: the file exists (and `replace` is False) or cannot be written.
    """
    folder = path.parent
    tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise PatientError(f"{path}: cannot write the patient record ({exc.strerror})") from None
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(text.encode("utf-8"))
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            if path.is_symlink():
                raise PatientError(
                    f"{path} is a symbolic link: patient files are not written "
                    "through links; replace it with the file itself"
                )
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the target exists: never overwrites
            os.unlink(tmp)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise PatientError(f"{path} already exists; it was left as it is") from None
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise PatientError(f"{path}: cannot write the patient record ({exc.strerror})") from None
    except PatientError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return path
