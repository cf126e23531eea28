"""Review overrides kept beside a recording, never inside it.

A recording is the source of truth and is never modified after it was written. What a
clinician corrects in review (today: whether the session was supervised) is kept in a
small JSON file beside it, `<name>.omrec.review.json` (owner-only, 0600), and applied
when the recording is read for judgement (`effective_meta`). Deleting the side file
restores what was recorded.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from osteomonitor.errors import RecordingError
from osteomonitor.model import SessionMeta
from osteomonitor.store.reader import RecordingReader

#: Suffix of the side file, appended to the recording's full name.
OVERRIDE_SUFFIX = ".review.json"
#: Keys the side file may hold, with their accepted types.
_KEYS: dict[str, tuple[type, ...]] = {"supervised": (bool, type(None))}


def override_path(recording: str | Path) -> Path:
    """The side file of a recording."""
    p = Path(recording)
    return p.with_name(p.name + OVERRIDE_SUFFIX)


def read_overrides(recording: str | Path) -> dict[str, Any]:
    """The valid overrides of a recording ({} without a side file).

    Raises:
        RecordingError: the side file exists but is not readable JSON (named, with
            what to do); unknown keys or wrongly typed values are ignored.
    """
    side = override_path(recording)
    try:
        raw = side.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise RecordingError(f"{side}: cannot read the review overrides: {exc.strerror}") from exc
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RecordingError(
            f"{side}: review overrides are not valid JSON ({exc.msg}); delete the file to "
            "use what was recorded"
        ) from exc
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k in _KEYS and isinstance(v, _KEYS[k])}


def write_supervised(recording: str | Path, supervised: bool | None) -> Path:
    """Record in review whether the session was supervised (None: unknown).

    The recording itself is not touched; the side file is written owner-only and
    replaced atomically.

    Returns:
        The side file's path.
    """
    side = override_path(recording)
    data = read_overrides(recording)
    data["supervised"] = supervised
    tmp = side.with_name(side.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, side)
    return side


def apply_overrides(meta: SessionMeta, recording: str | Path) -> SessionMeta:
    """The recording's metadata with its review overrides applied."""
    ov = read_overrides(recording)
    return replace(meta, **ov) if ov else meta


def effective_meta(recording: str | Path) -> SessionMeta:
    """A recording's metadata as recorded, with its review overrides applied."""
    with RecordingReader(recording) as r:
        meta = r.meta
    return apply_overrides(meta, recording)
