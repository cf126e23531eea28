"""Reading the text files of a Polar Sensor Logger export (pure parsing, no writing).

Polar Sensor Logger (Polar's Android app built on the Polar BLE SDK) writes one
`;`-separated text file per stream, named `<device>_<stream>.txt` (e.g.
`Polar_Sense_ACC.txt`, or with an id and start time before the stream name), plus
`MARKER.txt`. Phone timestamps are local wall-clock ISO times with ms; sensor
timestamps are the SDK's per-sample device times, ns since 2000-01-01.

    ACC:    Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]
    HR:     Phone timestamp;HR [bpm][;…]
    PPI:    Phone timestamp;PP-interval [ms];error estimate [ms];blocker;contact;contact;hr [bpm]
            (the two "contact" columns are skin-contact status and skin-contact supported,
            in the order of the SDK's PpiSample)
    MARKER: Phone timestamp;Marker start/stop

Malformed lines are skipped and reported by file and line number; nothing else is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from osteomonitor.errors import UsageError

_STREAM_RE = re.compile(r"^(?P<device>.*?)_?(?P<stream>ACC|HR|PPI|ECG|GYRO|MAGN|PPG)\.txt$")
#: Header cells each stream must start with (lowercase, compared by prefix).
EXPECTED_HEADERS: dict[str, tuple[str, ...]] = {
    "ACC": ("phone timestamp", "sensor timestamp [ns]", "x [mg]", "y [mg]", "z [mg]"),
    "HR": ("phone timestamp", "hr [bpm]"),
    "PPI": (
        "phone timestamp",
        "pp-interval [ms]",
        "error estimate [ms]",
        "blocker",
        "contact",
        "contact",
    ),
    "MARKER": ("phone timestamp", "marker"),
}
INT16 = (-32768, 32767)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A line that could not be read."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class PslExport:
    """Everything read from one export folder (times: host ns since the Unix epoch).

    Attributes:
        device_name: device part of the file names with spaces ("Polar Sense").
        acc_phone_ns / acc_sensor_ns / acc_mg: ACC rows (phone time, SDK sample time
            in ns since 2000-01-01, x/y/z in mG).
        hr: (phone ns, bpm) rows.
        ppi: (phone ns, pp_ms, error_ms, blocker, contact, contact_supported, hr_bpm).
        markers: (phone ns, label) rows.
        skipped: malformed lines.
        files: file names read, by stream.
        ignored_files: files in the folder this importer does not read.
    """

    device_name: str = ""
    acc_phone_ns: list[int] = field(default_factory=list)
    acc_sensor_ns: list[int] = field(default_factory=list)
    acc_mg: list[tuple[int, int, int]] = field(default_factory=list)
    hr: list[tuple[int, int]] = field(default_factory=list)
    ppi: list[tuple[int, int, int, int, int, int, int]] = field(default_factory=list)
    markers: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    ignored_files: list[str] = field(default_factory=list)


def phone_time_ns(text: str, tz: ZoneInfo) -> int:
    """Unix ns of a phone timestamp ("2022-04-25T11:39:36.978", local wall time in `tz`)."""
    dt = datetime.fromisoformat(text.strip())
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return round(dt.timestamp() * 1000) * 1_000_000


def _int(cell: str, what: str, lo: int | None = None, hi: int | None = None) -> int:
    try:
        v = int(cell.strip())
    except ValueError:
        raise ValueError(f"{what} {cell.strip()!r} is not an integer") from None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{what} {v} outside {lo}..{hi}")
    return v


def _check_header(stream: str, header: str, name: str) -> None:
    cells = [c.strip().lower() for c in header.split(";")]
    want = EXPECTED_HEADERS[stream]
    if len(cells) < len(want) or any(
        not c.startswith(w) for c, w in zip(cells, want, strict=False)
    ):
        raise UsageError(
            f"{name}: header {header.strip()!r} is not a Polar Sensor Logger {stream} header "
            f"(expected it to start with {';'.join(want)})"
        )


def _lines(path: Path, skipped: list[Skipped]) -> list[str]:
    """The file's lines; a line that is not UTF-8 text is listed in `skipped` and read
    as blank, so one damaged byte costs one line, never the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    data = data.removeprefix(b"\xef\xbb\xbf")
    out = []
    for no, raw in enumerate(data.splitlines(), start=1):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            skipped.append(
                Skipped(
                    path.name,
                    no,
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                )
            )
            out.append("")
    return out


def read_export(src_dir: Path, tz: ZoneInfo) -> PslExport:
    """Read every supported file of an export folder.

    Raises:
        UsageError: not a folder, no ACC/HR/PPI file, two files for one stream, or a
            file whose header is not Polar Sensor Logger's.
    """
    if not src_dir.is_dir():
        raise UsageError(f"{src_dir} is not a folder: give the folder Polar Sensor Logger exported")
    out = PslExport()
    found: dict[str, Path] = {}
    for p in sorted(src_dir.iterdir()):
        m = _STREAM_RE.match(p.name)
        if p.name.upper().startswith("MARKER") and p.suffix == ".txt":
            stream, device = "MARKER", None
        elif m and m.group("stream") in ("ACC", "HR", "PPI"):
            stream, device = m.group("stream"), m.group("device")
        else:
            if p.is_file():
                out.ignored_files.append(p.name)
            continue
        if stream in found:
            raise UsageError(
                f"{src_dir} holds two {stream} files ({found[stream].name}, {p.name}): "
                "import one session folder at a time"
            )
        found[stream] = p
        if device and not out.device_name:
            out.device_name = device.replace("_", " ").strip()
    if not set(found) & {"ACC", "HR", "PPI"}:
        raise UsageError(
            f"{src_dir} has no Polar Sensor Logger ACC, HR or PPI file "
            "(*_ACC.txt, *_HR.txt, *_PPI.txt)"
        )
    for stream, path in found.items():
        lines = _lines(path, out.skipped)
        if not any(lines):
            out.skipped.append(Skipped(path.name, 1, "empty file"))
            continue
        _check_header(stream, lines[0], path.name)
        out.files[stream] = path.name
        for no, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            try:
                _parse_row(out, stream, line.split(";"), tz)
            except (ValueError, IndexError) as exc:
                out.skipped.append(Skipped(path.name, no, str(exc)))
    return out


def _parse_row(out: PslExport, stream: str, cells: list[str], tz: ZoneInfo) -> None:
    want = len(EXPECTED_HEADERS[stream])
    if len(cells) < want:
        raise ValueError(f"{len(cells)} fields, expected {want}")
    t = phone_time_ns(cells[0], tz)
    if stream == "ACC":
        sensor = _int(cells[1], "sensor timestamp", 0, (1 << 63) - 1)
        xyz = tuple(_int(c, "acceleration (mG)", *INT16) for c in cells[2:5])
        if out.acc_sensor_ns and sensor <= out.acc_sensor_ns[-1]:
            raise ValueError(f"sensor timestamp {sensor} does not increase")
        out.acc_phone_ns.append(t)
        out.acc_sensor_ns.append(sensor)
        out.acc_mg.append((xyz[0], xyz[1], xyz[2]))
    elif stream == "HR":
        out.hr.append((t, _int(cells[1], "heart rate (bpm)", 0, 0xFFFF)))
    elif stream == "PPI":
        pp = _int(cells[1], "PP interval (ms)", 0, 63999)  # 63999 ms = 65535/1024 s
        err = _int(cells[2], "error estimate (ms)", 0)
        blocker, contact, supported = (_int(c, "flag", 0, 1) for c in cells[3:6])
        hr = _int(cells[6], "hr (bpm)", 0, 0xFFFF) if len(cells) > 6 and cells[6].strip() else 0
        out.ppi.append((t, pp, err, blocker, contact, supported, hr))
    else:
        out.markers.append((t, cells[1].strip()))
