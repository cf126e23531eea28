"""Import a Polar Sensor Logger export into an osteomonitor recording.

The recording holds what the device would have sent: ACC rows become Polar PMD frames
(the app's per-sample sensor timestamps give each frame's timestamp; raw int16 frames
for an H10, delta frames for a Verity Sense), HR and PP-interval rows become Heart Rate
Measurement notifications (PP ms → RR in 1/1024 s, rounded, which `round(rr / 1.024)`
inverts exactly), MARKER rows become marker events. Arrival times are the phone
timestamps. Values are never altered beyond that unit conversion; what HRS cannot carry
(PPI error estimate, blocker and contact bits) is kept verbatim in the metadata.
Malformed lines are skipped and listed by file and line number.
"""

from __future__ import annotations

import hashlib
import heapq
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from osteomonitor import __version__
from osteomonitor.devices import hrs, polar_pmd
from osteomonitor.devices.profiles import Profile, get_profile
from osteomonitor.errors import UsageError
from osteomonitor.importers.psl_files import PslExport, Skipped, read_export
from osteomonitor.model import DeviceInfo, Event, EventKind, Packet, SessionKind, SessionMeta

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

    IntArray = npt.NDArray[np.int64]

#: Most samples in one re-encoded frame (Verity frames at 52 Hz hold about 70).
MAX_FRAME_SAMPLES = 128
#: A sensor-time step above this multiple of the median spacing is a gap: frames never span it.
GAP_FACTOR = 1.5
#: A profile rate within this fraction of the rate measured from the sensor times is the
#: device's nominal rate (a Verity Sense at "52 Hz" measures 51.7 Hz: its clock runs at
#: 52 Hz · (1 − 0.6 %); sensor clocks drift well under 1 %); farther away (50 Hz is 4 % from
#: 52 Hz), the measured rate is kept and a notice says so.
RATE_MATCH_FRACTION = 0.02
#: Device-name fragments → profile (Polar Sensor Logger names files after the device).
PROFILE_BY_NAME: tuple[tuple[str, str], ...] = (
    ("h10", "polar-h10"),
    ("sense", "polar-verity"),
    ("oh1", "polar-verity"),
)
DEVICE_KEYS = {"polar-h10": "h10", "polar-verity": "verity", "hr-strap": "strap"}


@dataclass
class ImportReport:
    """What an import wrote, what it skipped, and what the user should know (`notices`)."""

    out: Path
    profile: str
    device_key: str
    acc_samples: int = 0
    acc_frames: int = 0
    hr_notifications: int = 0
    rr_intervals: int = 0
    markers: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Helsinki"
        ) from None


def choose_profile(export: PslExport, profile_key: str | None) -> Profile:
    """The profile named, or the one the device name points to (an HR strap without ACC)."""
    if profile_key:
        return get_profile(profile_key)
    name = export.device_name.lower()
    for fragment, key in PROFILE_BY_NAME:
        if fragment in name:
            return get_profile(key)
    if export.acc_mg:
        raise UsageError(
            f"cannot tell which Polar device {export.device_name!r} is; "
            "pass --profile polar-h10 or --profile polar-verity"
        )
    return get_profile("hr-strap")


def _monotone(times: list[int]) -> list[int]:
    """Arrival times never go backwards (PPI phone stamps do, by a few hundred ms)."""
    out, last = [], None
    for t in times:
        last = t if last is None else max(t, last)
        out.append(last)
    return out


def frame_ends(sensor: IntArray, max_samples: int = MAX_FRAME_SAMPLES) -> list[int]:
    """End indices (exclusive) of the frames the app's per-sample times came from.

    Within one frame the exported times are evenly spaced by an integer step; the step
    into a frame's first sample also carries the division remainder, so it is a
    one-off. Frames are therefore the runs of equal spacing, with one-off steps joined
    to the run after them. The first frame, and the first after a gap, are cut to one
    sample: the SDK spaces a lone first frame at the nominal rate, which the export
    does not show, and a one-sample frame carries its time exactly.
    """
    n = len(sensor)
    if n == 0:
        return []
    d = np.diff(sensor)
    if d.size == 0:
        return [1]
    median = float(np.median(d))
    gaps = set((np.nonzero(d > GAP_FACTOR * median)[0] + 1).tolist())
    starts = np.concatenate([[0], np.nonzero(d[1:] != d[:-1])[0] + 1])
    stops = np.concatenate([starts[1:], [d.size]])
    ends: list[int] = []
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        if b - a == 1 and b < d.size:
            continue  # the step into the next frame's first sample
        ends.append(b + 1)  # d[b-1] is the step to sample b, the frame's last
    cuts = sorted({1, n} | gaps | {g + 1 for g in gaps if g + 1 < n} | set(ends))
    out: list[int] = []
    prev = 0
    for c in cuts:
        while c - prev > max_samples:
            prev += max_samples
            out.append(prev)
        if c > prev:
            out.append(c)
            prev = c
    return out


def acc_rate(sensor_ns: IntArray, profile: Profile) -> tuple[float, str | None]:
    """The ACC rate of an export, from its own per-sample sensor times, and a notice.

    The measured rate is 1 / the median sample spacing. When a rate the profile lists lies
    within `RATE_MATCH_FRACTION` of it, that nominal rate is returned (clock drift only).
    Otherwise the measured rate is kept, never snapped to a distant profile rate, and
    the notice says so (what, and which `--profile` would list it).

    Args:
        sensor_ns: per-sample sensor times, ns, increasing.
        profile: the device profile chosen for the export.

    Returns:
        (rate in Hz, notice text or None).
    """
    spacing = np.diff(sensor_ns)
    if spacing.size == 0 or float(np.median(spacing)) <= 0:
        return float(profile.default_rate_hz or 0), None
    measured = 1e9 / float(np.median(spacing))
    if profile.rates_hz:
        nearest = min(profile.rates_hz, key=lambda r: abs(r - measured))
        if abs(nearest - measured) <= RATE_MATCH_FRACTION * nearest:
            return float(nearest), None
    rate = round(measured, 2)
    others = []
    for key in dict.fromkeys(k for _, k in PROFILE_BY_NAME):
        rates = get_profile(key).rates_hz
        others.append(f"{key}: {', '.join(f'{r:g}' for r in rates)} Hz")
    return rate, (
        f"ACC runs at {rate:g} Hz (from the file's sensor times), a rate profile "
        f"{profile.key} does not list ({_rates(profile)}); imported at the measured "
        f"{rate:g} Hz. If the file is from another device, import again with --profile "
        f"({'; '.join(others)})."
    )


def _rates(profile: Profile) -> str:
    return ", ".join(f"{r:g}" for r in profile.rates_hz) + " Hz" if profile.rates_hz else "none"


def acc_packets(
    export: PslExport, profile: Profile, device: str
) -> tuple[list[Packet], float, str | None]:
    """PMD frames of the ACC rows, the ACC rate and its notice (see `acc_rate`)."""
    if not export.acc_mg:
        return [], float(profile.default_rate_hz or 0), None
    sensor = np.asarray(export.acc_sensor_ns, dtype=np.int64)
    mg = np.asarray(export.acc_mg, dtype=np.int64)
    phone = _monotone(export.acc_phone_ns)
    rate, notice = acc_rate(sensor, profile)
    compressed = bool(profile.options.get("acc_compressed", False))
    frame_type = int(profile.options.get("acc_frame_type", 1))
    packets: list[Packet] = []
    start = 0
    for end in frame_ends(sensor):
        raw = polar_pmd.encode_acc_frame(
            int(sensor[end - 1]), mg[start:end], compressed=compressed, frame_type=frame_type
        )
        packets.append(Packet(phone[end - 1], device, "pmd_data", raw))
        start = end
    return packets, rate, notice


def hr_packets(export: PslExport, device: str) -> list[Packet]:
    """HR notifications from HR rows, each carrying the PP intervals since the previous one.

    PP intervals keep their file order (their phone stamps can go backwards).
    """
    ppi = [(t, 0, pp, contact if sup else None, hr) for t, pp, _, _, contact, sup, hr in export.ppi]
    beats = [(t, 1, None, None, bpm) for t, bpm in export.hr]
    has_hr_file = bool(export.hr)
    out: list[tuple[int, bytes]] = []
    pending: list[int] = []
    contact: bool | None = None
    last_hr = 0
    last_t = 0

    def emit(t: int, bpm: int) -> None:
        out.append((t, hrs.encode_hr(bpm, pending, contact)))
        pending.clear()

    for t, is_hr, pp, c, bpm in heapq.merge(ppi, beats, key=lambda r: (r[0], r[1])):
        last_t = t
        if is_hr:
            last_hr = bpm
            emit(t, bpm)
            continue
        assert pp is not None
        contact = None if c is None else bool(c)
        pending.append(round(pp * 1.024))
        if not has_hr_file:
            emit(t, bpm)
        elif len(pending) == hrs.MAX_RR_PER_NOTIFICATION:
            emit(t, last_hr)
    if pending:
        emit(last_t, last_hr)
    times = _monotone([t for t, _ in out])
    return [Packet(t, device, "hr", payload) for t, (_, payload) in zip(times, out, strict=True)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def convert_polar_sensor_logger(
    src_dir: Path,
    out: Path,
    patient: str = "imported",
    timezone: str = "UTC",
    profile_key: str | None = None,
    kind: str = SessionKind.MIXED,
) -> ImportReport:
    """Write `out` from the export in `src_dir` and report what happened.

    Args:
        src_dir: the folder Polar Sensor Logger exported.
        out: new recording file (.omrec); never overwritten.
        patient: pseudonym for the recording.
        timezone: IANA zone the phone was in (phone timestamps are local wall time).
        profile_key: force the device profile ("polar-h10", "polar-verity").
        kind: session kind to record.

    Raises:
        UsageError: the folder is not a Polar Sensor Logger export, or an argument is bad.
        RecordingError: `out` exists or cannot be written.
    """
    from osteomonitor.store import RecordingWriter

    tz = _zone(timezone)
    src_dir = Path(src_dir)
    export = read_export(src_dir, tz)
    profile = choose_profile(export, profile_key)
    if export.acc_mg and not profile.has_acc:
        raise UsageError(f"profile {profile.key} has no accelerometer but the export has ACC rows")
    key = DEVICE_KEYS.get(profile.key, "polar")
    acc, rate, notice = acc_packets(export, profile, key)
    notices = [notice] if notice else []
    heart = hr_packets(export, key)
    packets = sorted(acc + heart, key=lambda p: p.t_ns)
    times = [p.t_ns for p in packets] + [t for t, _ in export.markers]
    if not times:
        raise UsageError(f"{src_dir}: the export has no readable rows")
    start = datetime.fromtimestamp(min(times) / 1e9, tz)
    settings: dict[str, object] = {}
    if profile.has_acc:
        settings = {"sample_rate": rate, "range_g": profile.default_range_g}
    files = {
        stream: {"name": name, "sha256": _sha256(src_dir / name)}
        for stream, name in export.files.items()
    }
    meta = SessionMeta(
        patient=patient,
        kind=kind,
        start_iso=start.isoformat(timespec="milliseconds"),
        timezone=timezone,
        software_version=__version__,
        notes=(
            f"Imported from a Polar Sensor Logger export ({src_dir.name}: "
            f"{', '.join(export.files.values())}); packets re-encoded as the device sent them."
        ),
    )
    with RecordingWriter.create(out, meta) as w:
        w.set_meta(
            imported={
                "tool": "Polar Sensor Logger",
                "importer": "polar-sensor-logger",
                "source_dir": src_dir.name,  # the folder name only: a path names its user
                "files": files,
                "frames": "rebuilt from the per-sample sensor times (frame_ends)",
                "range_g_assumed": profile.has_acc,
                "skipped_lines": [str(s) for s in export.skipped],
                "ignored_files": export.ignored_files,
                "notices": notices,
            },
            psl_ppi={
                "columns": [
                    "t_ns",
                    "pp_ms",
                    "error_ms",
                    "blocker",
                    "contact",
                    "contact_supported",
                    "hr_bpm",
                ],
                "rows": [list(r) for r in export.ppi],
            },
        )
        w.add_device(
            DeviceInfo(
                key, "", export.device_name or profile.display_name, profile.key, settings=settings
            )
        )
        w.write_packets(packets)
        for t, label in export.markers:
            w.write_event(
                Event(t, EventKind.MARKER, {"label": label, "source": "polar-sensor-logger"})
            )
    return ImportReport(
        out=Path(out),
        profile=profile.key,
        device_key=key,
        acc_samples=len(export.acc_mg),
        acc_frames=len(acc),
        hr_notifications=len(heart),
        rr_intervals=len(export.ppi),
        markers=len(export.markers),
        skipped=export.skipped,
        ignored_files=export.ignored_files,
        notices=notices,
    )


def import_polar_sensor_logger(
    src_dir: Path, out: Path, patient: str = "imported", **kwargs: str
) -> Path:
    """Import an export folder into the recording `out`; returns `out`.

    Keyword arguments are those of `convert_polar_sensor_logger` (timezone, profile_key, kind).
    """
    return convert_polar_sensor_logger(src_dir, out, patient, **kwargs).out
