"""Polar Sensor Logger import: the real export round-trips through the recording and decoders."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from osteomonitor.cli import main
from osteomonitor.devices.decoder import DeviceDecoder
from osteomonitor.devices.profiles import get_profile
from osteomonitor.errors import RecordingError, UsageError
from osteomonitor.importers.polar_sensor_logger import (
    convert_polar_sensor_logger,
    frame_ends,
    import_polar_sensor_logger,
)
from osteomonitor.importers.psl_files import read_export
from osteomonitor.model import AccBlock, EventKind, HrSample
from osteomonitor.store import RecordingReader

TZ = "Europe/Helsinki"


@pytest.fixture(scope="module")
def psl_dir(datasets_dir: Path) -> Path:
    d = datasets_dir / "polar-sensor-logger"
    if not d.is_dir():
        pytest.skip(f"Polar Sensor Logger example not found at {d}")
    return d


def _decode(path: Path) -> tuple[RecordingReader, list[AccBlock], list[HrSample]]:
    rd = RecordingReader(path)
    (dev,) = rd.devices
    dec = DeviceDecoder(get_profile(dev.profile), dev.settings)
    acc: list[AccBlock] = []
    heart: list[HrSample] = []
    for p in rd.packets():
        for s in dec.feed(p):
            if isinstance(s, AccBlock):
                acc.append(s)
            else:
                heart.append(s)
    return rd, acc, heart


@pytest.mark.datasets
def test_real_export_decodes_back_to_the_csv_values(psl_dir: Path, tmp_path: Path) -> None:
    out = import_polar_sensor_logger(psl_dir, tmp_path / "psl.omrec", patient="p01", timezone=TZ)
    csv = read_export(psl_dir, ZoneInfo(TZ))
    rd, acc, heart = _decode(out)
    assert rd.ended_cleanly and rd.meta.patient == "p01" and rd.meta.timezone == TZ
    (dev,) = rd.devices
    assert dev.profile == "polar-verity" and dev.settings["sample_rate"] == 52
    # ACC: every sample, unchanged (mG → g → mG).
    mg = np.rint(np.concatenate([b.acc_g for b in acc]) * 1000).astype(np.int64)
    assert np.array_equal(mg, np.asarray(csv.acc_mg))
    # Device times: the app's SDK per-sample times, re-derived by our PMD timestamper.
    dev_t = np.concatenate([b.device_t_ns for b in acc])
    assert np.abs(dev_t - np.asarray(csv.acc_sensor_ns)).max() < 1_000  # < 1 µs
    # Host times: the sensor clock mapped onto the phone clock (ms-resolution phone stamps).
    host = np.concatenate([b.t_ns for b in acc])
    assert np.abs(host - np.asarray(csv.acc_phone_ns)).max() < 5_000_000
    # HR: one notification per HR row, values as in the file, plus one carrying the PP
    # intervals that came after the last HR row.
    assert [h.hr_bpm for h in heart[: len(csv.hr)]] == [bpm for _, bpm in csv.hr]
    assert len(heart) == len(csv.hr) + 1 and heart[-1].rr_1024
    # PP intervals: all of them, in file order, ms ↔ 1/1024 s exactly invertible.
    rr = [r for h in heart for r in h.rr_1024]
    assert [round(r / 1.024) for r in rr] == [row[1] for row in csv.ppi]
    assert rd.meta_raw["psl_ppi"]["rows"] == [list(r) for r in csv.ppi]
    # Markers.
    events = rd.events()
    assert [(e.kind, e.data["label"]) for e in events] == [
        (EventKind.MARKER, "MARKER_START"),
        (EventKind.MARKER, "MARKER_STOP"),
    ]
    assert events[0].t_ns == csv.markers[0][0]
    imported = rd.meta_raw["imported"]
    assert imported["tool"] == "Polar Sensor Logger" and set(imported["files"]) == {
        "ACC",
        "HR",
        "PPI",
        "MARKER",
    }
    assert imported["skipped_lines"] == [] and rd.meta.start_iso.endswith("+03:00")
    rd.close()


@pytest.mark.datasets
def test_time_zone_only_shifts_host_time(psl_dir: Path, tmp_path: Path) -> None:
    a = read_export(psl_dir, ZoneInfo("Europe/Helsinki"))
    b = read_export(psl_dir, ZoneInfo("UTC"))
    assert b.hr[0][0] - a.hr[0][0] == 3 * 3600 * 10**9  # EEST is UTC+3 in April
    assert a.acc_sensor_ns == b.acc_sensor_ns


def _export(
    tmp_path: Path, acc: list[str], hr: list[str] | None = None, ppi: list[str] | None = None
) -> Path:
    d = tmp_path / "export"
    d.mkdir()
    (d / "Polar_H10_ABCD1234_ACC.txt").write_text(
        "Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]\n" + "\n".join(acc) + "\n"
    )
    if hr is not None:
        (d / "Polar_H10_ABCD1234_HR.txt").write_text(
            "Phone timestamp;HR [bpm]\n" + "\n".join(hr) + "\n"
        )
    if ppi is not None:
        (d / "Polar_H10_ABCD1234_PPI.txt").write_text(
            "Phone timestamp;PP-interval [ms];error estimate [ms];blocker;contact;contact;hr [bpm]\n"
            + "\n".join(ppi)
            + "\n"
        )
    (d / "notes.pdf").write_bytes(b"%PDF")
    return d


def _acc_rows(n: int, start_ns: int = 700_000_000_000_000_000) -> list[str]:
    rows = []
    for i in range(n):
        t = start_ns + i * 5_000_000  # 200 Hz
        ms = 100 + i * 5
        rows.append(f"2024-05-02T10:00:{ms // 1000:02d}.{ms % 1000:03d};{t};{i};{-i};1000")
    return rows


def test_malformed_lines_are_skipped_and_reported_by_line_number(tmp_path: Path) -> None:
    acc = _acc_rows(100)
    acc[10] = "2024-05-02T10:00:00.150;700000000050000000;12;x;1000"  # line 12: not an integer
    acc[20] = "2024-05-02T10:00:00.200;7000"  # line 22: too few fields
    acc[30] = "yesterday;700000000150000000;1;1;1"  # line 32: bad phone time
    acc[40] = acc[39]  # line 42: sensor time repeats
    hr = [
        "2024-05-02T10:00:00.500;61",
        "2024-05-02T10:00:01.500;sixty",
        "2024-05-02T10:00:02.500;63",
    ]
    ppi = ["2024-05-02T10:00:01.000;980;10;0;1;1;61", "2024-05-02T10:00:02.000;99999;1;0;1;1;61"]
    d = _export(tmp_path, acc, hr, ppi)
    r = convert_polar_sensor_logger(d, tmp_path / "x.omrec", timezone="UTC")
    lines = {(s.file, s.line) for s in r.skipped}
    assert lines == {
        ("Polar_H10_ABCD1234_ACC.txt", 12),
        ("Polar_H10_ABCD1234_ACC.txt", 22),
        ("Polar_H10_ABCD1234_ACC.txt", 32),
        ("Polar_H10_ABCD1234_ACC.txt", 42),
        ("Polar_H10_ABCD1234_HR.txt", 3),
        ("Polar_H10_ABCD1234_PPI.txt", 3),
    }
    assert r.profile == "polar-h10" and r.acc_samples == 96 and r.ignored_files == ["notes.pdf"]
    rd, acc_blocks, heart = _decode(r.out)
    assert sum(len(b) for b in acc_blocks) == 96
    assert [h.hr_bpm for h in heart] == [61, 63] and heart[1].rr_1024 == (round(980 * 1.024),)
    assert heart[1].contact is True
    assert len(rd.meta_raw["imported"]["skipped_lines"]) == 6
    rd.close()


def test_h10_export_uses_raw_frames_and_snaps_the_rate(tmp_path: Path) -> None:
    d = _export(tmp_path, _acc_rows(300))
    r = convert_polar_sensor_logger(d, tmp_path / "h10.omrec", timezone="UTC")
    rd, acc, _ = _decode(r.out)
    assert rd.devices[0].settings == {"sample_rate": 200.0, "range_g": 8.0}
    assert all(p.payload[9] == 0x01 for p in rd.packets())  # raw int16 frames, as an H10 sends
    x_mg = np.rint(np.concatenate([b.acc_g for b in acc])[:, 0] * 1000)
    assert x_mg.tolist() == list(range(300))
    rd.close()


def test_frame_ends_follow_the_sdk_spacing_and_gaps() -> None:
    # Two frames of 5 with integer steps 10 and 11, a remainder step into the second,
    # then a gap and two more samples.
    t = [0, 10, 20, 30, 40, 53, 64, 75, 86, 97, 500, 511]
    assert frame_ends(np.array(t)) == [1, 5, 10, 11, 12]


def test_bad_folders_and_arguments(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not a folder"):
        convert_polar_sensor_logger(tmp_path / "missing", tmp_path / "a.omrec")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no Polar Sensor Logger"):
        convert_polar_sensor_logger(tmp_path / "empty", tmp_path / "a.omrec")
    d = _export(tmp_path, _acc_rows(5))
    with pytest.raises(UsageError, match="time zone"):
        convert_polar_sensor_logger(d, tmp_path / "a.omrec", timezone="Mars/Olympus")
    (d / "Polar_H10_ABCD1234_HR.txt").write_text("time,hr\n1,2\n")
    with pytest.raises(UsageError, match="not a Polar Sensor Logger HR header"):
        convert_polar_sensor_logger(d, tmp_path / "a.omrec")
    (d / "Polar_H10_ABCD1234_HR.txt").unlink()
    convert_polar_sensor_logger(d, tmp_path / "a.omrec")
    with pytest.raises(RecordingError, match="already exists"):
        convert_polar_sensor_logger(d, tmp_path / "a.omrec")


def test_cli_import_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = _export(tmp_path, _acc_rows(50), ["2024-05-02T10:00:00.500;61"])
    out = tmp_path / "cli"
    rc = main(["import", "polar-sensor-logger", str(d), "-o", str(out), "--timezone", "UTC"])
    text = capsys.readouterr().out
    assert rc == 0 and "50 ACC samples" in text and "1 HR notifications" in text
    assert (tmp_path / "cli.omrec").exists()
    assert main(["import", "polar-sensor-logger", str(tmp_path / "nope"), "-o", str(out)]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_import_stores_no_path_that_names_a_user(tmp_path: Path) -> None:
    """Issue 11 item 8: the export's folder path (/home/<user>/…) is not kept."""
    home = tmp_path / "home" / "alice-lindqvist"
    home.mkdir(parents=True)
    d = _export(home, _acc_rows(100))
    r = convert_polar_sensor_logger(d, tmp_path / "i.omrec", timezone="UTC")
    blob = r.out.read_bytes()
    assert b"alice-lindqvist" not in blob and str(tmp_path).encode() not in blob
    rd, _, _ = _decode(r.out)
    assert rd.meta_raw["imported"]["source_dir"] == "export"
    assert not {"writer_host", "writer_pid"} & set(rd.meta_raw)
    rd.close()


def _resampled_export(psl_dir: Path, out: Path, rate_hz: float, device: str) -> Path:
    """The real Verity Sense ACC export (its first minute) resampled to `rate_hz`, in the
    app's format.

    Sensor times are evenly spaced at the new rate (integer ns, as the app writes them);
    each row keeps the phone time of the nearest original row; mG are interpolated.
    """
    lines = (psl_dir / "Polar_Sense_ACC.txt").read_text().splitlines()
    # the first minute (52 Hz × 60 s rows) keeps the test fast
    header, rows = lines[0], [ln.split(";") for ln in lines[1 : 1 + 52 * 60] if ln.strip()]
    t = np.array([int(r[1]) for r in rows], dtype=np.int64)
    mg = np.array([[int(v) for v in r[2:5]] for r in rows], dtype=np.float64)
    n = int((t[-1] - t[0]) * rate_hz / 1e9)
    new_t = t[0] + np.rint(np.arange(n) * (1e9 / rate_hz)).astype(np.int64)
    rel = (t - t[0]).astype(np.float64)
    new_rel = (new_t - t[0]).astype(np.float64)
    new_mg = np.rint(np.column_stack([np.interp(new_rel, rel, mg[:, k]) for k in range(3)]))
    near = np.clip(np.searchsorted(t, new_t), 0, len(t) - 1)
    out.mkdir()
    body = [
        f"{rows[j][0]};{tt};{int(x)};{int(y)};{int(z)}"
        for j, tt, (x, y, z) in zip(near.tolist(), new_t.tolist(), new_mg.tolist(), strict=True)
    ]
    (out / f"{device}_ACC.txt").write_text(header + "\n" + "\n".join(body) + "\n")
    return out


@pytest.mark.datasets
@pytest.mark.parametrize("rate_hz", [25.0, 50.0, 52.0, 100.0, 200.0])
@pytest.mark.parametrize("device", ["Polar_Sense", "Polar_H10_ABCD1234"])
def test_export_imports_at_its_true_rate(
    psl_dir: Path, tmp_path: Path, rate_hz: float, device: str
) -> None:
    src = _resampled_export(psl_dir, tmp_path / "export", rate_hz, device)
    r = convert_polar_sensor_logger(src, tmp_path / "r.omrec", timezone=TZ)
    rd, acc, _ = _decode(r.out)
    (dev,) = rd.devices
    rate = float(dev.settings["sample_rate"])
    assert abs(rate - rate_hz) <= 0.005 * rate_hz  # never snapped to a distant rate
    listed = get_profile(r.profile).rates_hz
    if rate_hz in listed:
        assert rate == rate_hz and r.notices == []
    else:  # imported as measured, and said so
        (notice,) = r.notices
        assert f"{rate_hz:g} Hz" in notice and "--profile" in notice
        assert rd.meta_raw["imported"]["notices"] == r.notices
    # the decoded device times run at the true rate too
    dev_t = np.concatenate([b.device_t_ns for b in acc])
    assert abs(1e9 / float(np.median(np.diff(dev_t))) - rate_hz) <= 0.005 * rate_hz
    assert sum(b.acc_g.shape[0] for b in acc) == r.acc_samples
    rd.close()


@pytest.mark.datasets
def test_cli_prints_the_rate_notice(
    psl_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = _resampled_export(psl_dir, tmp_path / "export", 100.0, "Polar_Sense")
    assert main(["import", "polar-sensor-logger", str(src), "-o", str(tmp_path / "x")]) == 0
    out = capsys.readouterr().out
    assert "notice: ACC runs at 100 Hz" in out and "polar-verity" in out


def test_a_byte_that_is_not_utf8_costs_one_line_not_the_export(tmp_path: Path) -> None:
    """Issue 11 fuzz drill: one 0xFF byte in an ACC file refused the whole export."""
    d = _export(tmp_path, _acc_rows(100), ["2024-05-02T10:00:00.500;61"])
    acc = d / "Polar_H10_ABCD1234_ACC.txt"
    lines = acc.read_bytes().split(b"\n")
    lines[11] = lines[11][:5] + b"\xff" + lines[11][6:]  # line 12 of the file
    acc.write_bytes(b"\n".join(lines))
    out = tmp_path / "out"
    rc = main(["import", "polar-sensor-logger", str(d), "-o", str(out), "--timezone", "UTC"])
    assert rc == 0
    rd, blocks, _ = _decode(tmp_path / "out.omrec")
    rd.close()
    assert sum(len(b.t_ns) for b in blocks) == 99
