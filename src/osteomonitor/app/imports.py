"""Import use case: another tool's export becomes a recording (`osteomonitor import`).

The importer re-encodes the other tool's samples as the notifications the device would
have sent, so an imported session replays through the same decoders as a live one.
"""

from __future__ import annotations

import os
from pathlib import Path

from osteomonitor.errors import UsageError
from osteomonitor.importers.polar_sensor_logger import ImportReport, convert_polar_sensor_logger
from osteomonitor.model import SessionKind
from osteomonitor.store import SUFFIX

__all__ = ["ImportReport", "import_polar_sensor_logger", "local_zone_name"]


def local_zone_name() -> str:
    """This computer's IANA zone: $TZ, else the /etc/localtime link, else UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz:
        return tz
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return "UTC"
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else "UTC"


def import_polar_sensor_logger(
    src_dir: Path,
    output: Path,
    *,
    patient: str = "imported",
    timezone: str | None = None,
    profile: str | None = None,
    kind: str = SessionKind.MIXED.value,
) -> ImportReport:
    """Write a recording from a Polar Sensor Logger export folder.

    Args:
        src_dir: the exported folder (ACC, HR, PPI, MARKER files).
        output: the new recording; `.omrec` is added when it has no suffix.
        patient: pseudonym to record.
        timezone: IANA zone the phone was in (default: this computer's, `local_zone_name`).
        profile: device profile when the file names do not tell.
        kind: session kind.

    Returns:
        What was imported, skipped and noticed (`report.out` is the file written).

    Raises:
        UsageError: a bad kind, or a folder that is not such an export.
        RecordingError: the output exists or cannot be written.
    """
    kinds = [k.value for k in SessionKind]
    if kind not in kinds:
        raise UsageError(f"--kind {kind!r} is not one of {', '.join(kinds)}")
    out = output if output.suffix else output.with_suffix(SUFFIX)
    return convert_polar_sensor_logger(
        src_dir,
        out,
        patient=patient,
        timezone=timezone or local_zone_name(),
        profile_key=profile,
        kind=kind,
    )
