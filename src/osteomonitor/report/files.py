"""Safe file writing: exports are created owner-only (0600), they hold patient data."""

from __future__ import annotations

import os
from pathlib import Path

from osteomonitor.errors import UsageError


def write_private(path: str | Path, text: str) -> Path:
    """Write `text` to `path` readable by its owner only (0600), replacing any file.

    Raises:
        UsageError: the file cannot be written (names the path and the reason).
    """
    p = Path(path)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, text.encode("utf-8"))
        finally:
            os.close(fd)
    except OSError as exc:
        raise UsageError(f"{p}: cannot write the export: {exc.strerror}") from exc
    return p
