"""Step count and cadence on USC-HAD walking, against the hip gyroscope's stride rhythm.

USC-HAD has no step labels. Its hip MotionNode also carries a gyroscope, which the
step counter never reads: the pelvis rotates once per stride (two steps), so the
autocorrelation of the band-passed angular rate peaks at the stride period. Cadence
from it (2 × 60 / stride period) is an independent reference for each trial, and
cadence × trial duration the steps a walker at that rhythm takes. Trials start and
end mid-walk (the recordings are cut from continuous walking), so the whole duration
is walking.

Published range for a check of the reference itself: free-living adult walking
cadence ≈ 100-120 steps/min, 100 steps/min marking moderate intensity (Tudor-Locke
et al. 2018, BJSM 52:776).

Run: `.venv/bin/python bench/bench_gait.py` (`--trials` for the per-trial table).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table
from osteomonitor.analysis.steps import detect_steps

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OSTEOMONITOR_SHARED", REPO.parent / "shared"))
USC = SHARED / "datasets" / "usc-had"
FS_HZ = 100.0
#: Stride periods searched, s (36-96 strides/min = 72-192 steps/min).
STRIDE_S = (0.625, 1.667)
#: Angular-rate band kept before the autocorrelation, Hz.
GYRO_BAND_HZ = (0.3, 5.0)
ACTIVITIES = {1: "walking", 4: "upstairs"}


def gyro_stride_cadence_spm(gyro_dps: np.ndarray, fs_hz: float) -> float:
    """Cadence (steps/min) from the stride periodicity of a hip gyroscope.

    Args:
        gyro_dps: (n, 3) angular rate, deg/s (units cancel out).
        fs_hz: sample rate, Hz.
    """
    from scipy import signal

    b, a = signal.butter(2, GYRO_BAND_HZ, btype="band", fs=fs_hz)
    g = signal.filtfilt(b, a, gyro_dps - gyro_dps.mean(axis=0), axis=0)
    n = len(g)
    spec = np.fft.rfft(g, 2 * n, axis=0)
    ac = np.fft.irfft((spec * spec.conj()).real, axis=0)[:n].sum(axis=1)
    lo, hi = int(STRIDE_S[0] * fs_hz), int(STRIDE_S[1] * fs_hz)
    lag = lo + int(np.argmax(ac[lo:hi]))
    return 2 * 60.0 * fs_hz / lag


@dataclass
class GaitTrial:
    file: str
    activity: int
    duration_s: float
    steps: int
    walking_s: float
    cadence_spm: float | None
    reference_spm: float

    @property
    def expected_steps(self) -> float:
        return self.reference_spm * self.duration_s / 60.0


def evaluate(smoke: bool = False) -> tuple[list[GaitTrial], float]:
    """Every walking and upstairs trial: ours and the gyro reference; CPU s of ours."""
    from scipy.io import loadmat

    out: list[GaitTrial] = []
    cpu = 0.0
    for subj in [1, 2] if smoke else range(1, 11):
        for act in ACTIVITIES:
            for path in sorted((USC / f"Subject{subj}").glob(f"a{act}t*.mat")):
                d = np.asarray(loadmat(path)["sensor_readings"], dtype=np.float64)
                t0 = time.process_time()
                r = detect_steps(d[:, :3], FS_HZ)
                cpu += time.process_time() - t0
                out.append(
                    GaitTrial(
                        f"Subject{subj}/{path.name}",
                        act,
                        len(d) / FS_HZ,
                        int(r.step_times_s.size),
                        r.walking_s,
                        r.cadence_spm,
                        gyro_stride_cadence_spm(d[:, 3:6], FS_HZ),
                    )
                )
    return out, cpu


def run(smoke: bool = False) -> list[Row]:
    if not USC.is_dir():
        return [Row("USC-HAD gait", 0, "", note=f"skipped: {USC} not found")]
    trials, cpu = evaluate(smoke)
    scope = "subjects 1-2" if smoke else "all 10 subjects"
    rows: list[Row] = []
    for act, name in ACTIVITIES.items():
        sel = [t for t in trials if t.activity == act]
        steps = sum(t.steps for t in sel)
        expected = sum(t.expected_steps for t in sel)
        cad_err = [abs(t.cadence_spm - t.reference_spm) for t in sel if t.cadence_spm]
        walking = sum(t.walking_s for t in sel) / max(1e-9, sum(t.duration_s for t in sel))
        ref = [t.reference_spm for t in sel]
        flat = act == 1  # the targets are set on level walking; stairs are informational
        rows += [
            Row(
                f"USC-HAD {name}: steps counted / expected from the gyro stride rhythm",
                100 * steps / expected if expected else 0.0,
                "%",
                "≥ 90" if flat else "",
                steps >= 0.9 * expected if flat else None,
                f"{steps} of {expected:.0f} in {len(sel)} trials ({scope}); reference cadence "
                f"{min(ref):.0f}-{max(ref):.0f} steps/min",
            ),
            Row(
                f"USC-HAD {name}: cadence error vs gyro reference, median",
                float(np.median(cad_err)) if cad_err else 0.0,
                "steps/min",
                "≤ 3" if flat else "",
                (bool(cad_err) and float(np.median(cad_err)) <= 3.0) if flat else None,
                f"worst {max(cad_err, default=0):.1f}; {len(cad_err)} of {len(sel)} trials "
                "with a cadence",
            ),
            Row(
                f"USC-HAD {name}: share of the trial credited as walking",
                100 * walking,
                "%",
                note="trials are cut from continuous walking",
            ),
        ]
    total = sum(t.duration_s for t in trials)
    rows.append(
        Row(
            "step counter speed",
            total / cpu if cpu else 0.0,
            "× real time",
            note=f"{cpu:.2f} s CPU",
        )
    )
    return rows


if __name__ == "__main__":
    if "--trials" in sys.argv:
        trials, _ = evaluate("--smoke" in sys.argv)
        for t in trials:
            cad = f"{t.cadence_spm:.0f}" if t.cadence_spm else "-"
            print(
                f"{t.file:20} steps {t.steps:4d} / {t.expected_steps:5.0f}  cadence {cad:>4} "
                f"/ {t.reference_spm:5.1f}  walking {t.walking_s:5.1f} of {t.duration_s:5.1f} s"
            )
    print(format_table(run(smoke="--smoke" in sys.argv)))
