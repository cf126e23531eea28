"""`osteomonitor analyze` at realistic sizes (issue 15, target 1 "Batch").

Files: Polar H10 sessions of 1 h and 3 h written like the collector writes them
(`recording_files.h10_recording`: ACC 200 Hz in 36-sample delta frames, device clock
drifting 20 ppm, BLE latency, 1 Hz HR with RR). Measured in the same run, process CPU
time, medians of 9 rounds in which the floor and ours alternate (after a warm-up run each):

- floor: what any analysis of that hour must do, with numpy/scipy on the decoded
  samples already in memory: ‖a‖, a threshold, `scipy.signal.find_peaks` and a
  4th-order `sosfiltfilt` over the hour;
- ours: the file read and analysed (`session.process_recording_batch` + summary,
  the call `analyze` makes), and the ratio to the floor;
- the whole `osteomonitor analyze FILE --json` process (CPU of the child: start-up,
  imports, reading, analysis, JSON), as this environment runs it and with compiled
  bytecode kept (as installed), beside the start-up floor `python -c "import numpy"`;
- the packets read (one query) and decoded as analyze does, ms per file;
- decoding through the path analyze uses (`devices.batch.decode_packets`: frames,
  SDK timestamps, clock fit, gates), raw int16 and delta frames, samples per second.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table, median_time
from recording_files import h10_recording

_SCRIPT = Path(sys.executable).with_name("osteomonitor")
#: The installed command when there is one, else the same entry point through Python.
CLI = (
    [str(_SCRIPT)]
    if _SCRIPT.exists()
    else [sys.executable, "-c", "import sys; from osteomonitor.cli import main; sys.exit(main())"]
)


def floor_work(acc_g: np.ndarray, fs: float) -> Callable[[], None]:
    """numpy/scipy floor over the same samples: ‖a‖, threshold, peaks, 4th-order filter."""
    from scipy.signal import butter, find_peaks, sosfiltfilt

    sos = butter(4, 20.0, fs=fs, output="sos")

    def work() -> None:
        mag = np.sqrt((acc_g * acc_g).sum(axis=1))
        _ = mag > 1.1
        find_peaks(mag, height=1.1, distance=int(0.1 * fs))
        sosfiltfilt(sos, mag)

    return work


def analyse_work(path: Path) -> Callable[[], None]:
    """The call `analyze` makes: the file read and analysed, and its summary."""
    from osteomonitor.session.batch import process_recording_batch

    def work() -> None:
        process_recording_batch(path)[1].summary()

    return work


def alternated_cpu(works: dict[str, Callable[[], None]], rounds: int) -> dict[str, float]:
    """Median CPU seconds of each work, run in turn `rounds` times after one warm-up run
    each (the first call of ours imports the analysis modules: the whole-process rows
    count that), so a slow spell of the machine falls on all of them alike."""
    for work in works.values():
        work()
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(rounds):
        for name, work in works.items():
            t0 = time.process_time()
            work()
            times[name].append(time.process_time() - t0)
    return {name: float(np.median(t)) for name, t in times.items()}


def decoded_acc(path: Path) -> np.ndarray:
    """The file's samples, g (the floor works on the samples `analyze` decodes)."""
    from osteomonitor.devices.pmd_batch import decode_acc_frames_at
    from osteomonitor.store import RecordingReader
    from osteomonitor.store.columns import packet_columns

    with RecordingReader(path) as r:
        cols = packet_columns(r)
    assert cols is not None
    acc = next(c for c in cols if c.stream == "pmd_data")
    frames = decode_acc_frames_at(acc.data, acc.offsets, acc.lengths)
    assert frames is not None
    return frames.samples / 1000.0


def decode_rate(path: Path, repeats: int) -> float:
    """Samples/s of `decode_packets` over the file's H10 ACC packets, given as `analyze`
    gives them (the recording's byte buffer and offsets; a fresh decoder each time, its
    profile parsed once outside the timing)."""
    from osteomonitor.devices.batch import Packets, decode_packets
    from osteomonitor.devices.decoder import DeviceDecoder
    from osteomonitor.devices.profiles import get_profile
    from osteomonitor.store import RecordingReader
    from osteomonitor.store.columns import packet_columns

    with RecordingReader(path) as r:
        cols = packet_columns(r)
        dev = r.devices[0]
    assert cols is not None
    acc = next(c for c in cols if c.stream == "pmd_data")
    n_packets = acc.seq.size
    packets = Packets(
        np.arange(n_packets, dtype=np.int64), acc.t_ns, np.zeros(n_packets, dtype=np.int64),
        (acc.stream,), acc.data, acc.offsets, acc.lengths,
    )  # fmt: skip
    n = [0]
    profile = get_profile(dev.profile)  # read once, as analyze's processor does

    def work() -> None:
        dec = DeviceDecoder(profile, dict(dev.settings))
        out = decode_packets(dec, dev.key, packets)
        n[0] = int(sum(c.sum() for c in out.acc.counts))

    cpu = median_time(work, repeats=repeats)
    return n[0] / cpu


def read_decode_cpu(path: Path, repeats: int) -> tuple[float, float]:
    """CPU seconds to read the file's packets as columns (`store.columns.packet_columns`)
    and to decode them as `analyze` does (`devices.batch.decode_packets` per device, on
    the recording's one byte buffer, packets in arrival order)."""
    from osteomonitor.devices.batch import Packets, decode_packets
    from osteomonitor.devices.decoder import DeviceDecoder
    from osteomonitor.devices.profiles import get_profile
    from osteomonitor.store import RecordingReader
    from osteomonitor.store.columns import packet_columns

    reader = RecordingReader(path)
    devices = reader.devices
    profiles = {d.key: get_profile(d.profile) for d in devices}  # read once, as analyze does
    got = [packet_columns(reader)]

    def read() -> None:
        got[0] = packet_columns(reader)

    def decode() -> None:
        cols = got[0]
        assert cols is not None
        seq = np.concatenate([c.seq for c in cols])
        by = np.argsort(seq, kind="stable")
        col = np.repeat(np.arange(len(cols)), [c.seq.size for c in cols])[by]
        t_ns = np.concatenate([c.t_ns for c in cols])[by]
        offs = np.concatenate([c.offsets for c in cols])[by]
        lens = np.concatenate([c.lengths for c in cols])[by]
        names = tuple(c.stream for c in cols)
        for dev in devices:
            sel = np.flatnonzero(
                np.isin(col, [i for i, c in enumerate(cols) if c.device == dev.key])
            )
            dec = DeviceDecoder(profiles[dev.key], dict(dev.settings))
            packets = Packets(sel, t_ns[sel], col[sel], names, cols[0].data, offs[sel], lens[sel])
            decode_packets(dec, dev.key, packets)

    try:
        return median_time(read, repeats=repeats), median_time(decode, repeats=repeats)
    finally:
        reader.close()


def _child_cpu(argv: list[str], env: dict[str, str] | None) -> float:
    """CPU seconds (user + system) of one child running `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, check=True, capture_output=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def process_cpus(path: Path, repeats: int, pycache: Path) -> dict[str, float]:
    """Median CPU seconds (user + system) of three children, run in turn `repeats` times
    so that the machine's load falls on all three alike:

    - "floor": `python -c "import numpy"`, start-up and numpy with numpy's compiled
      bytecode (as every installed package has it), numpy's BLAS threads as they come;
    - "floor, 1 BLAS thread": the same with `OPENBLAS_NUM_THREADS=1`, as the
      `osteomonitor` command runs numpy (`cli.BLAS_THREADS`);
    - "as is": `osteomonitor analyze FILE --json` in this environment as it is (an
      editable install where PYTHONDONTWRITEBYTECODE is set compiles every module it
      imports on every run);
    - "kept": the same with compiled bytecode kept in `pycache` (one warm-up run first),
      as an installed program has it (`pip install .` byte-compiles every module at
      install, even with PYTHONDONTWRITEBYTECODE set).
    """
    analyze = [*CLI, "analyze", str(path), "--json"]
    kept_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    kept_env["PYTHONPYCACHEPREFIX"] = str(pycache)
    one_thread = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    runs: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "floor": ([sys.executable, "-c", "import numpy"], None),
        "floor, 1 BLAS thread": ([sys.executable, "-c", "import numpy"], one_thread),
        "as is": (analyze, None),
        "kept": (analyze, kept_env),
    }
    subprocess.run(analyze, check=True, capture_output=True, env=kept_env)  # warm-up
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, (argv, env) in runs.items():
            times[name].append(_child_cpu(argv, env))
    return {name: float(np.median(t)) for name, t in times.items()}


def run(smoke: bool = False) -> list[Row]:
    hours = (0.05,) if smoke else (1.0, 3.0)
    repeats = 1 if smoke else 5
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as d:
        for h in hours:
            path = Path(d) / f"h10-{h:g}h.omrec"
            t0 = time.perf_counter()
            n = h10_recording(path, h, seed=1)
            made = time.perf_counter() - t0
            acc = decoded_acc(path)
            cpu = alternated_cpu(
                {"floor": floor_work(acc, 200.0), "ours": analyse_work(path)},
                1 if smoke else 9,
            )
            floor, ours = cpu["floor"], cpu["ours"]
            label = f"{h:g} h" if not smoke else f"{h * 60:g} min (smoke)"
            target_ms = 100.0 * h
            ratio = ours / floor
            rows.append(
                Row(
                    f"analyze {label} H10 ACC 200 Hz + HR: read + analysis",
                    1000 * ours,
                    "ms CPU",
                    f"≤ {target_ms:g} and ≤ 4× floor",
                    None if smoke else (1000 * ours <= target_ms and ratio <= 4.0),
                    f"floor (‖a‖, threshold, find_peaks, 4th-order sosfiltfilt) "
                    f"{1000 * floor:.1f} ms; ratio {ratio:.1f}×; {n} samples, "
                    f"{path.stat().st_size / 1e6:.1f} MB, written in {made:.1f} s",
                )
            )
            read_s, decode_s = read_decode_cpu(path, repeats)
            both_ms = 1000 * (read_s + decode_s)
            rows.append(
                Row(
                    f"analyze {label}: packets read and decoded",
                    both_ms,
                    "ms CPU",
                    f"≤ {30 * h:g}",
                    None if smoke else both_ms <= 30 * h,
                    f"read (one query: store.columns.packet_columns) {1000 * read_s:.1f} ms, "
                    f"decode (devices.batch.decode_packets: frames, timestamps, clock fit, "
                    f"gates, HR) {1000 * decode_s:.1f} ms; part of the row above",
                )
            )
            if h == hours[0]:
                # the floor of any Python program that analyses with numpy: start-up and
                # `import numpy` (compiled bytecode, as every installed package has it)
                n_proc = 1 if smoke else 9
                cpu = process_cpus(path, n_proc, Path(d) / "pycache")
                start, start1 = cpu["floor"], cpu["floor, 1 BLAS thread"]
                how = f"median of {n_proc} runs alternated with the floor's"
                alone = (
                    f"start-up + `import numpy` alone {start:.3f} s ({start1:.3f} s on one "
                    "BLAS thread, as `osteomonitor` runs numpy: cli.BLAS_THREADS)"
                )
                rows.append(
                    Row(
                        f"`osteomonitor analyze` {label} --json, whole process",
                        cpu["as is"],
                        "s CPU",
                        "≤ 0.4",
                        None if smoke else cpu["as is"] <= 0.4,
                        "child user + system time: start-up, imports, read, analysis, JSON; "
                        "this environment as it is (PYTHONDONTWRITEBYTECODE="
                        f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '')!r}: an editable "
                        "install then compiles every module it imports, every run); "
                        f"{alone}; {how}",
                    )
                )
                rows.append(
                    Row(
                        f"`osteomonitor analyze` {label} --json, whole process, bytecode kept",
                        cpu["kept"],
                        "s CPU",
                        "≤ 0.4",
                        None if smoke else cpu["kept"] <= 0.4,
                        "as an installed program runs (`pip install .` byte-compiles "
                        "every module): compiled modules kept (PYTHONPYCACHEPREFIX, after "
                        f"one warm-up run); {alone}, so {cpu['kept'] - start1:.3f} s "
                        f"above the one-thread floor; {how}",
                    )
                )
        for compressed, target in ((False, 20e6), (True, 10e6)):
            path = Path(d) / f"decode-{compressed}.omrec"
            h10_recording(path, 0.05 if smoke else 1.0, seed=2, compressed=compressed)
            rate = decode_rate(path, repeats)
            rows.append(
                Row(
                    f"decode as analyze does, H10 ACC {'delta' if compressed else 'raw int16'}"
                    " (36-sample frames: timestamps, clock fit, gates)",
                    rate,
                    "samples/s",
                    f"≥ {target:.0e}",
                    None if smoke else rate >= target,
                    "devices.batch.decode_packets over every frame of the file",
                )
            )
    return rows


if __name__ == "__main__":
    print(format_table(run("--smoke" in sys.argv)))
