"""Speed and memory of the analysis layer (issue 5 targets).

One hour of 200 Hz ACC (jumps, walking, standing) + 1 Hz HR analysed in batch on one
core; incremental update for 100 ms of new data; buffer size over a 3-hour stream.
Figures are CPU time on a shared 2-core machine: expect noise.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table, median_time
from osteomonitor.analysis.impacts import ImpactCounter, find_impact_peaks, impact_summary
from osteomonitor.analysis.intensity import ZoneAccumulator, time_in_zones
from osteomonitor.analysis.jumps import JumpDetector, analyse_jumps
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


def batch_all(acc: np.ndarray, t_hr: np.ndarray, hr: np.ndarray) -> None:
    analyse_jumps(acc, FS, 8.0)
    impact_summary(find_impact_peaks(acc, FS, 8.0))
    detect_steps(acc, FS)
    time_in_zones(t_hr, hr, None, 60, 170)


def run(smoke: bool = False) -> list[Row]:
    secs = 120.0 if smoke else 3600.0
    acc = session_acc(secs)
    t_hr = np.arange(secs)
    hr = 100 + 30 * np.sin(t_hr / 300)
    cpu = median_time(lambda: batch_all(acc, t_hr, hr), repeats=1 if smoke else 3)
    scale = 3600.0 / secs
    rows = [
        Row(
            "1 h of 200 Hz ACC + HR, batch (jumps, impacts, steps, zones)",
            cpu * scale,
            "s CPU",
            "≤ 1",
            cpu * scale <= 1.0,
            "extrapolated from 2 min" if smoke else "",
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
    # memory over a long stream: buffer sizes and traced allocations stay flat
    hours = 0.05 if smoke else 3.0
    jd = JumpDetector(FS, 8.0)
    block = session_acc(600.0, seed=1)
    tracemalloc.start()
    peaks = []
    fed = 0.0
    while fed < hours * 3600:
        for k in range(0, len(block), 2000):
            jd.feed(block[k : k + 2000])
        fed += len(block) / FS
        peaks.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    growth = (peaks[-1] - peaks[0]) / 1e6 if len(peaks) > 1 else 0.0
    rows.append(
        Row(
            f"memory growth over {hours:g} h stream (jump detector)",
            growth,
            "MB",
            "≈ 0",
            abs(growth) < 1.0,
            f"buffer {jd._buf.shape[0]} samples at the end",
        )
    )
    return rows


if __name__ == "__main__":
    print(format_table(run("--smoke" in sys.argv)))
