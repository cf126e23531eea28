"""Heart-rate analysis on real RR data, with NeuroKit2's Kubios correction as the peer.

Data: ../shared/datasets/mmash (24 h of beat intervals, 10 subjects, ages in
subject_info.txt) and wearablehrv (48 min chest ECG IBIs with condition windows).
Per subject: artifact rate found by `correct_rr` (first classification pass) and by
NeuroKit2 `signal_fixpeaks(method="Kubios", iterative=False)` with the difference and
the agreement of flagged beats; resting HR (wearablehrv: `estimate_resting_hr` on the
sitting window; MMASH has no rest marks, so the lowest 5-min median HR stands in);
minutes per %HRR zone (HRmax by Tanaka from age). The peer row is skipped cleanly when
neurokit2 is not installed (`pip install neurokit2==0.2.13`, the `bench` extra).
"""

from __future__ import annotations

import csv
import os
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table
from osteomonitor.analysis.heart_rate import estimate_resting_hr
from osteomonitor.analysis.intensity import hrmax_predicted, time_in_zones
from osteomonitor.analysis.rr import correct_rr

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("OSTEOMONITOR_SHARED", REPO.parent / "shared")) / "datasets"


def nk_artifacts(rr_ms: np.ndarray) -> set[int] | None:
    """Indices (into rr_ms) NeuroKit2's Kubios pass flags, or None without neurokit2."""
    try:
        import neurokit2 as nk  # type: ignore[import-not-found]
    except ImportError:
        return None
    peaks = np.concatenate(([0], np.cumsum(rr_ms))).astype(np.int64)
    info, _ = nk.signal_fixpeaks(peaks, sampling_rate=1000, method="Kubios", iterative=False)
    idx = set()
    for k in ("ectopic", "missed", "extra", "longshort"):
        idx.update(int(i) - 1 for i in info[k] if i >= 1)
    return idx


def zones_minutes(rr_ms: np.ndarray, ok: np.ndarray, rest: float, hrmax: float) -> str:
    t = np.cumsum(rr_ms) / 1000.0
    s = time_in_zones(
        t[ok], 60000.0 / rr_ms[ok], None, rest, hrmax, max_hold_s=5.0, session_s=float(t[-1])
    )
    z = " ".join(f"{zt.name}:{zt.seconds / 60:.0f}" for zt in s.zones)
    return f"{z} (cov {100 * s.coverage:.0f}%)"


def one(name: str, rr_ms: np.ndarray, age: float, rest: float | None) -> tuple[list[Row], float]:
    t0 = time.process_time()
    ours = correct_rr(rr_ms)
    cpu = time.process_time() - t0
    flagged = set(np.flatnonzero(ours.artifact_mask).tolist())
    n = rr_ms.size
    hr = 60000.0 / np.clip(rr_ms, 300, 2000)
    if rest is None:  # lowest 5-min median of beat HR (≈ 300 beats) as the resting proxy
        w = 300
        meds = [float(np.median(hr[i : i + w])) for i in range(0, max(1, n - w), w // 2)]
        rest = min(meds)
        how = "lowest 5-min median"
    else:
        how = "sitting window"
    hrmax = hrmax_predicted(age)
    ok = ~ours.artifact_mask & (rr_ms >= 300) & (rr_ms <= 2000)
    rows = [
        Row(
            f"{name}: artifacts (ours)",
            100 * len(flagged) / n,
            "% of beats",
            note=f"{len(flagged)} of {n}; {cpu:.2f} s CPU",
        ),
        Row(f"{name}: resting HR", rest, "bpm", note=how),
        Row(
            f"{name}: minutes per %HRR zone",
            float(ok.sum()) / n,
            "valid share",
            note=zones_minutes(rr_ms, ok, rest, hrmax) + f"; HRmax {hrmax:.0f} Tanaka",
        ),
    ]
    t1 = time.process_time()
    peer = nk_artifacts(rr_ms)
    nk_cpu = time.process_time() - t1
    if peer is None:
        rows.append(
            Row(f"{name}: NeuroKit2 Kubios peer", 0, "", note="skipped: neurokit2 not installed")
        )
    else:
        both = len(flagged & peer)
        union = len(flagged | peer) or 1
        rows.append(
            Row(
                f"{name}: artifacts (NeuroKit2 Kubios)",
                100 * len(peer) / n,
                "% of beats",
                note=f"diff {100 * (len(flagged) - len(peer)) / n:+.2f} pp; agreement "
                f"{both}/{union} (Jaccard {both / union:.2f}); {nk_cpu:.2f} s CPU",
            )
        )
    return rows, cpu


def load_mmash(subject: int, limit: int | None) -> tuple[np.ndarray, float]:
    info = {}
    with open(DATA / "mmash" / "subject_info.txt") as fh:
        for r in csv.DictReader(fh):
            info[int(r["Subject"])] = float(r["Age"])
    rr = []
    with open(DATA / "mmash" / f"subject_{subject}" / "heartbeats.txt") as fh:
        for r in csv.reader(fh):
            if r and r[0] != "":
                rr.append(1000.0 * float(r[2]))
            if limit and len(rr) >= limit:
                break
    return np.asarray(rr[1:]), info[subject]  # the first value spans the recording start


def load_wearablehrv() -> tuple[np.ndarray, np.ndarray, dict[str, tuple[float, float]]]:
    d = DATA / "wearablehrv"
    times, ibi = [], []
    with open(d / "test_vu.txt") as fh:
        next(fh)
        next(fh)
        for line in fh:
            p = line.split("\t")
            if len(p) < 3:
                continue
            times.append(datetime.strptime(p[0], "%d-%m-%y/%H:%M:%S.%f"))
            ibi.append(float(p[2]))
    t0 = times[0]
    t = np.asarray([(x - t0).total_seconds() for x in times])
    ev: dict[str, list[float]] = {}
    with open(d / "test_events.csv") as fh:
        for r in csv.DictReader(fh):
            hh, mm, ss = (int(v) for v in r["timestamp"].split(":"))
            sec = hh * 3600 + mm * 60 + ss - (t0.hour * 3600 + t0.minute * 60 + t0.second)
            ev.setdefault(r["conditions"], []).append(float(sec))
    return t[1:], np.asarray(ibi[1:]), {k: (v[0], v[1]) for k, v in ev.items()}


def run(smoke: bool = False) -> list[Row]:
    if not (DATA / "mmash").is_dir():
        return [Row("heart-rate datasets", 0, "", note=f"skipped: {DATA} not found")]
    rows: list[Row] = []
    subjects = [1] if smoke else list(range(1, 11))
    for s in subjects:
        rr, age = load_mmash(s, 3000 if smoke else None)
        rows += one(f"MMASH s{s}", rr, age, None)[0]
    t, ibi, ev = load_wearablehrv()
    sit = ev["sitting"]
    rest = estimate_resting_hr(t, 60000.0 / ibi, sit[0], sit[1])
    rows += one("wearablehrv", ibi, 30.0, rest)[0]
    for cond in ("sitting", "walking", "biking"):
        a, b = ev[cond]
        sel = (t >= a) & (t < b)
        rows.append(
            Row(
                f"wearablehrv: mean HR {cond}",
                float(np.mean(60000.0 / ibi[sel])),
                "bpm",
                note="dataset README: sitting ≈ 56, walking ≈ 73, biking ≈ 100",
            )
        )
    return rows


if __name__ == "__main__":
    print(format_table(run("--smoke" in sys.argv)))
