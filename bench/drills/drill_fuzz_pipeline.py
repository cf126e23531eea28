"""Drill: damaged sessions through the whole pipeline (issue 11, "whole-pipeline fuzz drill").

Each session is a short real recording (Polar H10 PMD + HR, osteomonitor-imu, Movesense
GSP, a Heart Rate Service strap: the bytes of the real encoders playing the simulator's
session model, jumps included) with damage a careless or unlucky user meets:

* packet damage, written through the recording writer as `record` writes: random bytes
  in payloads, truncated and over-long frames, absurd values (a corrupted osteomonitor-imu
  rate field, Movesense 1e30 / NaN / ∞, a PMD start response with a bad factor, HR
  65535), timestamp jumps (hours, years, zero);
* file damage: corrupt rows (text in a timestamp, a payload that is NULL, a stream that
  does not exist, list-valued event data, a numeric patient), a writer killed before it
  closed (a forked child leaving its `-wal` behind), and a damaged WAL frame (one byte
  of the killed writer's `-wal` flipped).

Every session then goes through `analyze --json` and `analyze` (the real CLI, in
process), the library listing (`list_recordings` of the batch folder), a headless replay
(the Textual replay feed at full speed, posting into a collector) and `repair`.

Reported: tracebacks (any exception other than the project's clear errors, target 0),
aborted analyses (analyze exiting non-zero, target 0), non-finite or out-of-range
numbers in any output (target 0), good packets kept (packets the file still holds and
the analysis counted, of those written; target 100 %), and packets recovered from
damaged WALs (of those committed to it).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import random
import sqlite3
import struct
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import Row

FULL_SESSIONS = 10_000
SMOKE_SESSIONS = 40
SESSION_S = 4.0  # data per session, s (inside the model's first jump block; short: 10,000 runs)
MODEL_T0_S = 238.0
NS = 1_000_000_000
T0_NS = 1_790_000_000_000_000_000
START_ISO = "2026-09-21T14:13:20+00:00"  # T0_NS
BATCH = 50  # sessions per folder (library listing runs once per folder)
PROGRESS_EVERY = 500  # sessions between progress lines on stderr
TEXT_EVERY = 5  # every n-th session also goes through the text report of `analyze`
REPLAY_STATE_PERIOD_S = 0.1  # the replay feed posts a snapshot this often (wall), s

#: Largest plausible magnitude per output field suffix (the issue's "out of range").
RANGES = {
    "_g": 16 * 1.25 * 3**0.5,  # resultant of three axes each within ±16 g + the gate margin
    "_bpm": 300.0,
    "_s": SESSION_S + 60.0,  # nothing in a 12-s session lasts longer than a minute more
    "_pct": 300.0,  # %HRR may exceed 100 at HRmax overshoot; never hundreds of per cent
    "_spm": 400.0,
}


@dataclass
class Tally:
    """What the drill counts."""

    sessions: int = 0
    tracebacks: Counter[str] = field(default_factory=Counter)
    aborted: Counter[str] = field(default_factory=Counter)
    bad_numbers: Counter[str] = field(default_factory=Counter)
    good_written: int = 0
    good_kept: int = 0
    wal_committed: int = 0
    wal_recovered: int = 0
    set_aside: int = 0
    import_refused: int = 0
    refused_to_repair: Counter[str] = field(default_factory=Counter)
    aborted_after_repair: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    drill_errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)

    def traceback(self, where: str, exc: BaseException) -> None:
        key = f"{where}: {type(exc).__name__}"
        self.tracebacks[key] += 1
        self.examples.setdefault(key, f"{exc}"[:200])


# -- clean sessions (built once) ---------------------------------------------------------


def _templates() -> dict[str, tuple[Any, list[Any]]]:
    """Clean packets per device family: {name: (DeviceInfo, [Packet])}."""
    from osteomonitor.devices import movesense, osteomonitor_imu
    from osteomonitor.devices.hrs import encode_hr
    from osteomonitor.devices.pmd_frames import encode_acc_frame
    from osteomonitor.devices.profiles import get_profile
    from osteomonitor.model import DeviceInfo, Packet
    from osteomonitor.sim.session_model import SessionModel

    model = SessionModel(seed=5, duration_s=MODEL_T0_S + SESSION_S + 1)

    def acc(fs: int, per: int) -> tuple[np.ndarray, np.ndarray]:
        n = int(SESSION_S * fs) // per * per
        t = MODEL_T0_S + np.arange(n) / fs
        return t, model.acc_g(t)

    def at(t_s: float) -> int:
        return T0_NS + round((t_s - MODEL_T0_S) * NS) + 25_000_000

    hr = [
        (s, encode_hr(round(model.hr_bpm(s)), model.rr_1024_between(s - 1, s), contact=True))
        for s in np.arange(MODEL_T0_S + 1, MODEL_T0_S + SESSION_S)
    ]
    out: dict[str, tuple[Any, list[Any]]] = {}

    h10 = DeviceInfo(
        "h10",
        "C0:00:00:00:00:10",
        "Polar H10 D1",
        "polar-h10",
        settings={"sample_rate": 200, "range_g": 8},
    )
    t, a = acc(200, 36)
    mg = np.clip(np.rint(a * 1000), -8000, 8000).astype(np.int64)
    pk = [
        Packet(
            at(t[k + 35]),
            "h10",
            "pmd_data",
            encode_acc_frame(600 * 10**15 + round(t[k + 35] * 1e9), mg[k : k + 36]),
        )
        for k in range(0, len(t), 36)
    ]
    pk += [Packet(at(s), "h10", "hr", b) for s, b in hr]
    out["h10"] = (h10, sorted(pk, key=lambda p: p.t_ns))

    imu = DeviceInfo(
        "hip",
        "C0:00:00:00:00:20",
        "OsteoIMU D1",
        "osteomonitor-imu",
        settings={"sample_rate": 200, "range_g": 16},
    )
    t, a = acc(200, 38)
    out["imu"] = (
        imu,
        [
            Packet(
                at(t[k + 37]),
                "hip",
                "imu_data",
                osteomonitor_imu.encode_frame(round(t[k] * 1e6), k, a[k : k + 38], 200, 16),
            )
            for k in range(0, len(t), 38)
        ],
    )

    ms = DeviceInfo(
        "ms",
        "C0:00:00:00:00:30",
        "Movesense D1",
        "movesense",
        settings={"sample_rate": 104, "range_g": 8},
    )
    opts = get_profile("movesense").options
    t, a = acc(104, 8)
    pk = []
    for k in range(0, len(t), 8):
        body = movesense.encode_acc(round(t[k] * 1000), a[k : k + 8] * movesense.STANDARD_GRAVITY)
        pk += [
            Packet(at(t[k + 7]), "ms", "gsp_data", m)
            for m in movesense.split_parts(2, int(opts["acc_ref"]), body)
        ]
    for s, _ in hr:
        body = movesense.encode_hr(model.hr_bpm(s), [round(60000 / model.hr_bpm(s))])
        pk += [
            Packet(at(s), "ms", "gsp_data", m)
            for m in movesense.split_parts(2, int(opts["hr_ref"]), body)
        ]
    out["ms"] = (ms, sorted(pk, key=lambda p: p.t_ns))

    strap = DeviceInfo("strap", "C0:00:00:00:00:40", "HR strap D1", "hr-strap")
    out["strap"] = (strap, [Packet(at(s), "strap", "hr", b) for s, b in hr])
    out["psl"] = _psl_template(model)  # type: ignore[assignment]
    return out


# -- damage ------------------------------------------------------------------------------

PACKET_DAMAGE = ("random-bytes", "truncated", "over-long", "absurd-value", "timestamp-jump")
FILE_DAMAGE = ("corrupt-row", "killed-writer", "damaged-wal")
IMPORT_DAMAGE = ("psl-export",)
PSL_ROW_DAMAGE = (
    "random-bytes",
    "truncated",
    "absurd-value",
    "timestamp-jump",
    "not-utf8",
    "empty-file",
    "bad-header",
    "swapped",
)


def _absurd(rng: random.Random, p: Any) -> list[Any]:
    """The packet with an absurd value its protocol can carry (or a bad control packet)."""
    from osteomonitor.devices import movesense
    from osteomonitor.devices import polar_pmd as pmd
    from osteomonitor.devices.pmd_control_point import PmdOp, encode_cp_response, encode_settings
    from osteomonitor.model import Packet

    b = bytearray(p.payload)
    if p.stream == "imu_data":
        if rng.random() < 0.5:
            b[2:4] = struct.pack("<H", rng.choice([7368, 1, 65535, 100, 400]))
        else:
            b[1] = rng.choice([2, 4, 8, 3, 255])
    elif p.stream == "gsp_data" and len(b) >= 14 and b[0] == 2:
        value = rng.choice([1e30, -1e30, math.nan, math.inf, 3.4e38])
        off = 6 + 4 * rng.randrange((len(b) - 6) // 4)
        b[off : off + 4] = struct.pack("<f", value)
        _ = movesense
    elif p.stream == "pmd_data":
        factor = rng.choice([math.nan, math.inf, 0.0, -1.0, 1e30])
        params = encode_settings({"factor": [factor]})
        cp = encode_cp_response(PmdOp.REQUEST_MEASUREMENT_START, pmd.ACC, 0, params)
        big = bytearray(p.payload)
        big[10:12] = struct.pack("<h", rng.choice([32767, -32768]))
        return [
            Packet(p.t_ns - 1, p.device, "pmd_cp", cp),
            Packet(p.t_ns, p.device, p.stream, bytes(big)),
        ]
    elif p.stream == "hr":
        b = bytearray([0x01, 0xFF, 0xFF])  # u16 HR 65535
    return [Packet(p.t_ns, p.device, p.stream, bytes(b))]


def _damage_packets(rng: random.Random, packets: list[Any], kind: str) -> list[Any]:
    from osteomonitor.model import Packet

    out = list(packets)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(out))
        p = out[i]
        b = bytearray(p.payload)
        if kind == "random-bytes":
            for _ in range(rng.randint(1, 8)):
                if b:
                    b[rng.randrange(len(b))] = rng.randrange(256)
            out[i] = Packet(p.t_ns, p.device, p.stream, bytes(b))
        elif kind == "truncated":
            out[i] = Packet(p.t_ns, p.device, p.stream, bytes(b[: rng.randrange(len(b) + 1)]))
        elif kind == "over-long":
            extra = bytes(rng.randrange(256) for _ in range(rng.randint(1, 400)))
            out[i] = Packet(p.t_ns, p.device, p.stream, bytes(b) + extra)
        elif kind == "absurd-value":
            out[i : i + 1] = _absurd(rng, p)
        elif kind == "timestamp-jump":
            jump = rng.choice([2_078_439 * 3600 * NS, -(10**18), 7 * 3600 * NS, -p.t_ns, 2**62])
            out[i] = Packet(max(0, min(p.t_ns + jump, 2**63 - 1)), p.device, p.stream, p.payload)
    return out


def _corrupt_rows(rng: random.Random, path: Path) -> None:
    """Damage column values the way a broken disk or a hand edit would."""
    con = sqlite3.connect(path)
    try:
        n = con.execute("SELECT max(seq) FROM packets").fetchone()[0] or 1
        seq = rng.randint(1, n)
        sql = rng.choice(
            [
                ("UPDATE packets SET t_ns = 'half past ten' WHERE seq = ?", (seq,)),
                ("UPDATE packets SET payload = 'not bytes' WHERE seq = ?", (seq,)),
                ("UPDATE packets SET stream_id = 999 WHERE seq = ?", (seq,)),
                ("UPDATE packets SET t_ns = 1.5e300 WHERE seq = ?", (seq,)),
                ("UPDATE events SET data = '[1, 2]'", ()),
                ("UPDATE packets SET t_ns = NULL WHERE seq = ?", (seq,)),
                ("UPDATE meta SET value = 42 WHERE key = 'patient'", ()),
                ("UPDATE meta SET value = 'yesterday' WHERE key = 'start_iso'", ()),
            ]
        )
        try:
            con.execute(*sql)
        except sqlite3.IntegrityError:  # the schema refuses it: a damaged disk would not
            con.execute("UPDATE packets SET payload = x'00' WHERE seq = ?", (seq,))
        con.commit()
    finally:
        con.close()


def _psl_rows(templates: dict[str, Any]) -> dict[str, list[str]]:
    """A clean Polar Sensor Logger export of the H10 template: {file suffix: lines}."""
    acc = templates["psl"]
    return {k: list(v) for k, v in acc.items()}


def _psl_template(model: Any) -> dict[str, list[str]]:
    from datetime import UTC, datetime

    def phone(t_s: float) -> str:
        ns = T0_NS + round((t_s - MODEL_T0_S) * NS)
        d = datetime.fromtimestamp(ns / NS, UTC)
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}"

    fs = 200
    t = MODEL_T0_S + np.arange(int(SESSION_S * fs)) / fs
    mg = np.clip(np.rint(model.acc_g(t) * 1000), -8000, 8000).astype(np.int64)
    acc = ["Phone timestamp;sensor timestamp [ns];X [mg];Y [mg];Z [mg]"] + [
        f"{phone(ti + 0.025)};{600 * 10**15 + round(ti * 1e9)};{x};{y};{z}"
        for ti, (x, y, z) in zip(t.tolist(), mg.tolist(), strict=True)
    ]
    secs = np.arange(MODEL_T0_S + 1, MODEL_T0_S + SESSION_S)
    hr = ["Phone timestamp;HR [bpm]"] + [f"{phone(s)};{round(model.hr_bpm(s))}" for s in secs]
    ppi = ["Phone timestamp;PP-interval [ms];error estimate [ms];blocker;contact;contact;hr [bpm]"]
    for s in secs:
        for rr in model.rr_1024_between(s - 1, s):
            ppi.append(f"{phone(s)};{round(rr * 1.024)};10;0;1;1;{round(model.hr_bpm(s))}")
    return {"ACC": acc, "HR": hr, "PPI": ppi}


def _damage_export(rng: random.Random, rows: dict[str, list[str]], folder: Path) -> Path:
    """Write the export with 1-3 damaged lines or files into `folder`/export-<n>."""
    for _ in range(rng.randint(1, 3)):
        part = rng.choice(sorted(rows))
        lines = rows[part]
        if not lines:  # emptied by an earlier damage
            continue
        how = rng.choice(PSL_ROW_DAMAGE)
        i = rng.randrange(len(lines))
        line = lines[i]
        if how == "random-bytes" and line:
            b = list(line)
            for _ in range(rng.randint(1, 6)):
                b[rng.randrange(len(b))] = chr(rng.randrange(32, 127))
            lines[i] = "".join(b)
        elif how == "truncated":
            lines[i] = line[: rng.randrange(len(line) + 1)]
        elif how == "absurd-value":
            cells = line.split(";")
            k = rng.randrange(1, len(cells)) if len(cells) > 1 else 0
            cells[k] = rng.choice(["99999999", "-99999999", "nan", "inf", "1e308", "", "-0"])
            lines[i] = ";".join(cells)
        elif how == "timestamp-jump":
            cells = line.split(";")
            cells[0] = rng.choice(
                ["1970-01-01T00:00:00.000", "2199-12-31T23:59:59.999", "2026-09-22T14:13:20.000"]
            )
            lines[i] = ";".join(cells)
        elif how == "not-utf8":
            lines[i] = line + "\udcff"  # written with surrogateescape: a lone 0xFF byte
        elif how == "empty-file":
            rows[part] = []
        elif how == "bad-header":
            lines[0] = lines[0].replace(";", ",")
        elif how == "swapped" and len(lines) > 2:
            j = rng.randrange(1, len(lines))
            lines[i], lines[j] = lines[j], lines[i]
    d = folder / f"export-{rng.randrange(10**9)}"
    d.mkdir()
    for part, lines in rows.items():
        text = "\n".join(lines) + ("\n" if lines else "")
        (d / f"Polar_H10_D1A2B3C4_{part}.txt").write_bytes(text.encode("utf-8", "surrogateescape"))
    return d


# -- one session -------------------------------------------------------------------------


def _meta(patient: str) -> Any:
    from osteomonitor.model import SessionMeta

    return SessionMeta(patient, "impact", START_ISO, "UTC", "drill", simulated=True)


def _write(path: Path, devices: list[Any], packets: list[Any], events: list[Any]) -> None:
    from osteomonitor.store import RecordingWriter

    with RecordingWriter.create(path, _meta("D01"), commit_interval_s=1e9) as w:
        for d in devices:
            w.add_device(d)
        w.write_packets(packets)
        for e in events:
            w.write_event(e)


def _killed_writer(path: Path, devices: list[Any], packets: list[Any]) -> int:
    """Write in a forked child that dies (os._exit) before closing; returns packets
    committed (the child flushes the first two thirds, buffers the rest)."""
    from osteomonitor.store import RecordingWriter

    cut = len(packets) * 2 // 3
    pid = os.fork()
    if pid == 0:  # the writer that will be killed
        code = 0
        try:
            w = RecordingWriter.create(path, _meta("D01"), commit_interval_s=1e9)
            for d in devices:
                w.add_device(d)
            w.write_packets(packets[:cut])
            w.flush()
            w.write_packets(packets[cut:])  # never committed: lost with the writer
        except BaseException:
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("killed-writer child failed before its kill")
    return cut


def _check_numbers(doc: Any, where: str, tally: Tally, key: str = "") -> None:
    if isinstance(doc, dict):
        for k, v in doc.items():
            _check_numbers(v, where, tally, str(k))
    elif isinstance(doc, list):
        for v in doc:
            _check_numbers(v, where, tally, key)
    elif isinstance(doc, float | int) and not isinstance(doc, bool):
        x = float(doc)
        bad = not math.isfinite(x)
        for suffix, lim in RANGES.items():
            if key.endswith(suffix) and not key.endswith("_g_s") and abs(x) > lim:
                bad = True
        if key in ("acc_coverage",) and not 0 <= x <= 1:
            bad = True
        if bad:
            tally.bad_numbers[f"{where}:{key}"] += 1
            tally.examples.setdefault(f"{where}:{key}", repr(doc))


_PARSER: Any = None


def _cli(argv: list[str]) -> tuple[int, str, str]:
    """The command line in process, as `osteomonitor.cli.main` runs it, with the parser
    built once (building it is most of a small command's cost)."""
    global _PARSER
    from osteomonitor.cli import build_parser
    from osteomonitor.errors import OsteomonitorError

    if _PARSER is None:
        _PARSER = build_parser()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            args = _PARSER.parse_args(argv)
            code = int(args.func(args) or 0)
        except OsteomonitorError as exc:
            print(f"osteomonitor: error: {exc}", file=sys.stderr)
            code = exc.exit_code
    return code, out.getvalue(), err.getvalue()


class _Collector:
    """A headless target for the replay feed: keeps the last state and the end."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.failed: str | None = None
        self.states: list[Any] = []
        self.summary: Any = None

    def post_message(self, message: Any) -> bool:
        name = type(message).__name__
        if name == "SessionUpdated":
            self.states.append(message.state)
        elif name == "FeedFinished":
            self.summary = message.summary
            self.done.set()
        elif name == "FeedFailed":
            self.failed = str(message.text)
            self.done.set()
        return True


def _replay(path: Path, tally: Tally, kind: str) -> None:
    import dataclasses

    from osteomonitor.errors import OsteomonitorError
    from osteomonitor.tui.feeds.replay import ReplayFeed

    feed = ReplayFeed(path, speed=None, state_period_s=REPLAY_STATE_PERIOD_S)
    try:
        feed.open()
    except OsteomonitorError:
        return  # a clear refusal, as the screen shows it
    target = _Collector()
    feed.start(target)  # type: ignore[arg-type]
    if not target.done.wait(60):
        tally.traceback("replay", TimeoutError("replay did not finish in 60 s"))
        return
    feed.stop_now()
    msg = target.failed or ""
    if "stopped:" in msg:  # the feed's wording for an unexpected exception
        tally.tracebacks[f"replay: {msg.split('stopped: ', 1)[1].split(':')[0]}"] += 1
        tally.examples.setdefault("replay", msg[:200])
    for s in target.states[-1:]:
        _check_numbers(dataclasses.asdict(s), f"replay/{kind}", tally)


def _session(rng: random.Random, folder: Path, templates: dict[str, Any], tally: Tally) -> Path:
    from osteomonitor.model import Event

    names = rng.sample(sorted(n for n in templates if n != "psl"), rng.randint(1, 2))
    devices = [templates[n][0] for n in names]
    clean = sorted((p for n in names for p in templates[n][1]), key=lambda p: p.t_ns)
    kind = rng.choice(PACKET_DAMAGE + FILE_DAMAGE + IMPORT_DAMAGE)
    tally.kinds[kind] += 1
    path = folder / f"s{tally.sessions:05d}-{kind}.omrec"
    events = [Event(T0_NS + 3 * NS, "marker", {"text": "drill"})]
    if kind == "psl-export":
        export = _damage_export(rng, _psl_rows(templates), folder)
        try:
            code, _, err = _cli(
                [
                    *("import", "polar-sensor-logger", str(export)),
                    *("-o", str(path.with_suffix("")), "--timezone", "UTC"),
                ]
            )
        except Exception as exc:
            tally.traceback("import/psl-export", exc)
            code = -1
        for f in export.iterdir():
            f.unlink()
        export.rmdir()
        if code != 0:
            if code > 0 and "error:" not in err:
                tally.traceback("import/psl-export", RuntimeError(f"exit {code} without a message"))
            tally.import_refused += 1
            tally.sessions += 1
            return path
        expect = None
    elif kind in PACKET_DAMAGE:
        packets = _damage_packets(rng, clean, kind)
        _write(path, devices, packets, events)
        tally.good_written += len(packets)
        expect = len(packets)
    elif kind == "corrupt-row":
        _write(path, devices, clean, events)
        _corrupt_rows(rng, path)
        expect = None
    else:
        committed = _killed_writer(path, devices, clean)
        if kind == "damaged-wal":
            wal = path.with_name(path.name + "-wal")
            size = wal.stat().st_size
            with wal.open("r+b") as f:
                f.seek(rng.randrange(32, size))
                byte = f.read(1)
                f.seek(-1, 1)
                f.write(bytes([byte[0] ^ (1 << rng.randrange(8))]))
            tally.wal_committed += committed
            expect = None
        else:
            tally.good_written += committed
            expect = committed

    # analyze --json, then the text report
    code = 0
    try:
        code, out, err = _cli(["analyze", str(path), "--json"])
        if code == 0:
            doc = json.loads(out)
            _check_numbers(doc, f"analyze/{kind}", tally)
            sess = doc.get("session", {})
            tally.set_aside += sum(int(x["frames"]) for x in sess.get("set_aside", []))
            if expect is not None:
                tally.good_kept += min(expect, int(sess.get("packets", 0)))
        elif "recordings repair" in err:  # refused, saying what is damaged and to repair
            tally.refused_to_repair[kind] += 1
        else:
            tally.aborted[kind] += 1
        if tally.sessions % TEXT_EVERY == 0:
            _cli(["analyze", str(path)])
    except Exception as exc:
        tally.traceback(f"analyze/{kind}", exc)
    # headless replay
    try:
        _replay(path, tally, kind)
    except Exception as exc:
        tally.traceback(f"replay/{kind}", exc)
    # repair, then what the repaired file holds
    try:
        from osteomonitor.errors import OsteomonitorError
        from osteomonitor.store.repair import repair_recording

        try:
            res = repair_recording(path)
            if kind == "damaged-wal":
                tally.wal_recovered += res.packets
            if code != 0:  # the user follows the refusal's advice: analyse the repaired file
                code2, out2, _ = _cli(["analyze", str(res.output), "--json"])
                if code2 == 0:
                    _check_numbers(json.loads(out2), f"analyze-repaired/{kind}", tally)
                else:
                    tally.aborted_after_repair[kind] += 1
        except OsteomonitorError:
            pass
    except Exception as exc:
        tally.traceback(f"repair/{kind}", exc)
    tally.sessions += 1
    return path


def _listing(folder: Path, tally: Tally) -> None:
    from osteomonitor.store.library import list_recordings

    try:
        rows = list_recordings(folder)
        files = list(folder.glob("*.omrec"))
        if len(rows) < len(files):
            tally.traceback("list", RuntimeError(f"{len(files) - len(rows)} files not listed"))
        _cli(["recordings", "list", str(folder)])
    except Exception as exc:
        tally.traceback("list", exc)


def run(smoke: bool = False) -> list[Row]:
    """Run the drill: SMOKE_SESSIONS (smoke) or FULL_SESSIONS damaged sessions."""
    n = SMOKE_SESSIONS if smoke else int(os.environ.get("DRILL_SESSIONS", FULL_SESSIONS))
    rng = random.Random(11)
    budget = os.environ.get("DRILL_BUDGET_S")  # wall-time budget, s (a loaded machine)
    budget_s = float(budget) if budget else None
    tally = Tally()
    templates = _templates()
    t0 = time.perf_counter()
    shm = Path("/dev/shm")
    where = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="drill-fuzz-", dir=where) as tmp:
        for b in range(0, n, BATCH):
            if budget_s is not None and time.perf_counter() - t0 > budget_s:
                break  # out of wall time: report the sessions actually run
            folder = Path(tmp) / f"batch{b // BATCH:04d}"
            folder.mkdir()
            for _ in range(min(BATCH, n - b)):
                try:
                    _session(rng, folder, templates, tally)
                except Exception as exc:  # the drill's own damage step, not the program
                    tally.drill_errors[f"{type(exc).__name__}: {exc}"[:120]] += 1
                    tally.sessions += 1
            _listing(folder, tally)
            if tally.sessions % PROGRESS_EVERY < BATCH:  # a long run shows where it is
                print(
                    f"{tally.sessions} sessions, {time.perf_counter() - t0:.0f} s: "
                    f"tracebacks {sum(tally.tracebacks.values())}, aborted "
                    f"{sum(tally.aborted.values())}, bad numbers "
                    f"{sum(tally.bad_numbers.values())}, kept {tally.good_kept}/"
                    f"{tally.good_written}, WAL {tally.wal_recovered}/{tally.wal_committed}",
                    file=sys.stderr,
                    flush=True,
                )
            for f in folder.iterdir():
                f.unlink()
            folder.rmdir()
    wall = time.perf_counter() - t0
    tb = sum(tally.tracebacks.values())
    ab = sum(tally.aborted.values())
    bad = sum(tally.bad_numbers.values())
    kept = 100.0 * tally.good_kept / tally.good_written if tally.good_written else 100.0
    wal = 100.0 * tally.wal_recovered / tally.wal_committed if tally.wal_committed else 0.0

    def top(c: Counter[str]) -> str:
        return "; ".join(f"{k} ×{v}" for k, v in c.most_common(4)) or "none"

    kinds = ", ".join(f"{k} {v}" for k, v in sorted(tally.kinds.items()))
    return [
        Row(
            "fuzz pipeline: damaged sessions run",
            tally.sessions,
            "sessions",
            "≥ 10000" if not smoke else "",
            (tally.sessions >= 10_000) if not smoke else None,
            f"{wall:.0f} s wall; {kinds}; damaged exports refused by import with a message "
            f"{tally.import_refused}"
            + (f"; drill errors: {top(tally.drill_errors)}" if tally.drill_errors else ""),
        ),
        Row("fuzz pipeline: tracebacks", tb, "count", "0", tb == 0, top(tally.tracebacks)),
        Row(
            "fuzz pipeline: aborted analyses",
            ab,
            "count",
            "0",
            ab == 0,
            f"{top(tally.aborted)}; refused with a clear 'damaged … run repair' message: "
            f"{sum(tally.refused_to_repair.values())} ({top(tally.refused_to_repair)})",
        ),
        Row(
            "fuzz pipeline: refused analyses still failing after repair",
            sum(tally.aborted_after_repair.values()),
            "count",
            "0",
            not tally.aborted_after_repair,
            top(tally.aborted_after_repair),
        ),
        Row(
            "fuzz pipeline: non-finite or out-of-range numbers",
            bad,
            "count",
            "0",
            bad == 0,
            top(tally.bad_numbers),
        ),
        Row(
            "fuzz pipeline: good packets kept",
            kept,
            "%",
            "100",
            kept >= 100.0,
            f"{tally.good_kept} of {tally.good_written}; {tally.set_aside} frames set aside",
        ),
        Row(
            "fuzz pipeline: packets recovered from damaged WALs",
            wal,
            "%",
            "",
            None,
            f"{tally.wal_recovered} of {tally.wal_committed} committed",
        ),
    ]


if __name__ == "__main__":
    from benchlib import format_table

    rows = run(smoke="--smoke" in sys.argv)
    print(format_table(rows))
