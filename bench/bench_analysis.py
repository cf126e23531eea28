"""Speed and memory of the analysis layer (issue 5 targets).

One hour of 200 Hz ACC (jumps, walking, standing) + 1 Hz HR notifications with RR
intervals (artifact correction, HR series, zones) analysed in batch on one core;
incremental update for 100 ms of new data; traced memory of every streaming form
(jump detector, impact counter, step counter, RR corrector) over a 3-hour stream.
Figures are CPU time on a shared 2-core machine: expect noise.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table, median_time
from osteomonitor.analysis.heart_rate import build_hr_series
from osteomonitor.analysis.impacts import ImpactCounter, find_impact_peaks, impact_summary
from osteomonitor.analysis.intensity import ZoneAccumulator, time_in_zones
from osteomonitor.analysis.jumps import JumpDetector, analyse_jumps
from osteomonitor.analysis.rr import RrCorrector
from osteomonitor.analysis.steps import StepCounter, detect_steps

FS = 200.0


def session_acc(seconds: float, seed: int = 0) -> np.ndarray:
    """Synthetic session: alternating minutes of hopping, walking and standing, g."""
    rng = np.random.default_rng(seed)
    n = int(seconds * FS)
    t = np.arange(n) / FS
    mag = np.ones(n)
    minute = (t // 60).astype(int) % 3
    hop = minute == 0
    phase = (t % 0.55) / 0.55
    mag[hop] = np.where(phase[hop] < 0.45, 0.05, np.where(phase[hop] < 0.55, 4.0, 1.2))
    walk = minute == 1
    mag[walk] += 0.5 * np.exp(-0.5 * (((t[walk] % 0.55) - 0.1) / 0.03) ** 2)
    acc = rng.normal(0, 0.03, (n, 3))
    acc[:, 2] += mag
    return acc


def session_hr(seconds: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    """1 Hz HR notifications with the RR intervals (1/1024 s) of the beats since the
    last one; HR drifts 70-130 bpm, RR jitter 20 ms, 1 % missed and 1 % extra beats."""
    rng = np.random.default_rng(seed)
    n_beats = int(seconds * 130 / 60) + 10
    hr_true = 100 + 30 * np.sin(np.arange(n_beats) / 400)
    rr_ms = 60000 / hr_true + rng.normal(0, 20, n_beats)
    t_beat = np.cumsum(rr_ms) / 1000
    rr_list = rr_ms.copy()
    k = rng.choice(n_beats - 1, n_beats // 50, replace=False)
    rr_list[k[: k.size // 2]] *= 2  # missed beat: two intervals merge
    rr_list[k[k.size // 2 :]] *= 0.45  # extra beat
    t_hr = np.arange(1.0, seconds + 1)
    which = np.searchsorted(t_hr, t_beat)  # notification each beat arrives with
    rr_1024: list[list[int]] = [[] for _ in t_hr]
    for w, v in zip(which.tolist(), rr_list.tolist(), strict=True):
        if w < t_hr.size:
            rr_1024[w].append(round(v * 1.024))
    hr = np.interp(t_hr, t_beat, hr_true).round()
    return t_hr, hr, rr_1024


def batch_all(acc: np.ndarray, t_hr: np.ndarray, hr: np.ndarray, rr_1024: list[list[int]]) -> None:
    analyse_jumps(acc, FS, 8.0)
    impact_summary(find_impact_peaks(acc, FS, 8.0))
    detect_steps(acc, FS)
    series = build_hr_series(t_hr, hr, rr_1024)
    time_in_zones(series.t_s, series.hr_bpm, series.valid, 60, 170)


def run(smoke: bool = False) -> list[Row]:
    secs = 120.0 if smoke else 3600.0
    acc = session_acc(secs)
    t_hr, hr, rr_1024 = session_hr(secs)
    cpu = median_time(lambda: batch_all(acc, t_hr, hr, rr_1024), repeats=3)
    scale = 3600.0 / secs
    rows = [
        Row(
            "1 h of 200 Hz ACC + HR, batch (jumps, impacts, steps, RR correction, zones)",
            cpu * scale,
            "s CPU",
            "≤ 1",
            # a 2-min run carries fixed costs (filter design, first calls) 30× over:
            # informational in smoke, judged on the full hour
            None if smoke else cpu * scale <= 1.0,
            "extrapolated from 2 min; judged only by the full run" if smoke else "",
        )
    ]
    # incremental: 100 ms chunks (20 samples) into every streaming form
    jd, ic, sc = JumpDetector(FS, 8.0), ImpactCounter(FS, 8.0), StepCounter(FS)
    za = ZoneAccumulator(60, 170)
    chunk = int(0.1 * FS)
    times = []
    n_chunks = min(len(acc) // chunk, 1200 if smoke else 6000)
    for k in range(n_chunks):
        c = acc[k * chunk : (k + 1) * chunk]
        t0 = time.process_time()
        jd.feed(c)
        ic.feed(c)
        sc.feed(c)
        if k % 10 == 0:
            za.feed(t_hr[k // 10 : k // 10 + 1], hr[k // 10 : k // 10 + 1])
        times.append(time.process_time() - t0)
    ms = 1000 * float(np.median(times))
    p99 = 1000 * float(np.percentile(times, 99))
    rows.append(
        Row(
            "incremental update, 100 ms of data",
            ms,
            "ms CPU (median)",
            "≤ 2",
            ms <= 2,
            f"p99 {p99:.2f} ms",
        )
    )
    # memory over a long stream: traced allocations stay flat once the buffers fill
    rows.append(memory_row(0.05 if smoke else 3.0))
    return rows


def memory_row(hours: float) -> Row:
    """Traced memory of the streaming forms fed 10-s chunks for `hours`, MB growth
    between the end of the first 10-min block and the end of the stream."""
    jd, ic, sc, rc = JumpDetector(FS, 8.0), ImpactCounter(FS, 8.0), StepCounter(FS), RrCorrector()
    block = session_acc(600.0, seed=1)
    _, _, rr_block = session_hr(600.0, seed=1)
    step = 2000  # 10 s at 200 Hz
    tracemalloc.start()
    traced = []
    fed = 0.0
    while fed < hours * 3600:
        for k in range(0, len(block), step):
            c = block[k : k + step]
            jd.feed(c)
            ic.feed(c)
            sc.feed(c)
            rc.feed([v / 1.024 for rr in rr_block[k // 200 : (k + step) // 200] for v in rr])
        fed += len(block) / FS
        gc.collect()  # count live state, not cyclic garbage awaiting collection
        traced.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    growth = (traced[-1] - traced[0]) / 1e6 if len(traced) > 1 else 0.0
    return Row(
        f"memory growth over {hours:g} h stream (jumps, impacts, steps, RR)",
        growth,
        "MB",
        "≈ 0",
        abs(growth) < 1.0,
        f"traced {traced[0] / 1e6:.2f} → {traced[-1] / 1e6:.2f} MB; buffers at the end: "
        f"jumps {jd._buf.shape[0]}, impacts {ic._mag.shape[0]} samples, "
        f"RR {len(rc._t)} beats; {len(sc.result().segments_s)} walking segments kept",
    )


if __name__ == "__main__":
    print(format_table(run("--smoke" in sys.argv)))
