"""Trials of the two trunk-IMU datasets the fall and posture benchmarks read.

SisFall (Sucerquia, López, Vargas-Bonilla, Sensors 2017;17:198): waist belt, 200 Hz,
ADXL345 (counts·32/8192 = g, ±16 g) and ITG3200 (counts·2000/32768 = deg/s); 12 young
(SA01-SA12) and 7 older adults (SE01-SE07; SE06 also fell). USC-HAD (Zhang & Sawchuk,
UbiComp 2012): front-right hip, 100 Hz, ±6 g, deg/s; subjects 1-10, 12 activities.

Not a benchmark module itself (no `run`); `accuracy_falls.py`, `accuracy_posture.py` and
`tools/train_fall_model.py` import it. Parsed USC-HAD `.mat` files are cached under
`bench/out/` (gitignored); the SisFall `.npz` files load fast as they are.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OSTEOMONITOR_SHARED", REPO.parent / "shared"))
SISFALL = SHARED / "datasets" / "sisfall"
USC = SHARED / "datasets" / "usc-had"
OUT = REPO / "bench" / "out"
SISFALL_FS_HZ = 200.0
USC_FS_HZ = 100.0
SISFALL_ACC_G_PER_COUNT = 32.0 / 8192.0
SISFALL_GYRO_DPS_PER_COUNT = 2000.0 / 32768.0

#: USC-HAD activity numbers (its Readme).
USC_ACTIVITIES = {
    1: "walking forward",
    2: "walking left",
    3: "walking right",
    4: "upstairs",
    5: "downstairs",
    6: "running forward",
    7: "jumping up",
    8: "sitting",
    9: "standing",
    10: "lying",
    11: "elevator up",
    12: "elevator down",
}
#: SisFall activity codes (its Readme.txt).
SISFALL_CODES = {
    "D01": "walking slowly",
    "D02": "walking quickly",
    "D03": "jogging slowly",
    "D04": "jogging quickly",
    "D05": "stairs slowly",
    "D06": "stairs quickly",
    "D07": "sit half-height chair slowly",
    "D08": "sit half-height chair quickly",
    "D09": "sit low chair slowly",
    "D10": "sit low chair quickly",
    "D11": "collapse into a chair",
    "D12": "sit, lie down slowly, sit",
    "D13": "sit, lie down quickly, sit",
    "D14": "roll back to side lying",
    "D15": "bend at the knees",
    "D16": "bend without bending the knees",
    "D17": "into and out of a car",
    "D18": "stumble while walking",
    "D19": "gentle jump",
    "F01": "forward, slip walking",
    "F02": "backward, slip walking",
    "F03": "lateral, slip walking",
    "F04": "forward, trip walking",
    "F05": "forward, trip jogging",
    "F06": "vertical, faint walking",
    "F07": "faint, hands on a table",
    "F08": "forward, getting up",
    "F09": "lateral, getting up",
    "F10": "forward, sitting down",
    "F11": "backward, sitting down",
    "F12": "lateral, sitting down",
    "F13": "forward from sitting, faint",
    "F14": "backward from sitting, faint",
    "F15": "lateral from sitting, faint",
}


@dataclass(frozen=True)
class Trial:
    """One recorded trial.

    Attributes:
        dataset: "sisfall" or "usc-had".
        subject: "SA01" … "SE07", or "U1" … "U10".
        group: "young" or "older".
        code: SisFall code ("F01", "D16") or "A7" for USC-HAD activity 7.
        trial: trial number.
        fs_hz: sample rate, Hz.
        acc_g: (n, 3) acceleration, g.
        gyro_dps: (n, 3) angular rate, deg/s.
    """

    dataset: str
    subject: str
    group: str
    code: str
    trial: int
    fs_hz: float
    acc_g: np.ndarray
    gyro_dps: np.ndarray

    @property
    def is_fall(self) -> bool:
        return self.code.startswith("F")

    @property
    def activity(self) -> str:
        if self.dataset == "usc-had":
            return USC_ACTIVITIES[int(self.code[1:])]
        return SISFALL_CODES[self.code]

    @property
    def duration_s(self) -> float:
        return self.acc_g.shape[0] / self.fs_hz


def available() -> bool:
    """Both datasets are present."""
    return SISFALL.is_dir() and USC.is_dir()


def sisfall_subjects() -> list[str]:
    return sorted(p.stem for p in SISFALL.glob("S*.npz"))


def sisfall_trials(subjects: list[str] | None = None) -> Iterator[Trial]:
    """SisFall trials in a stable order."""
    for subj in subjects or sisfall_subjects():
        data = np.load(SISFALL / f"{subj}.npz")
        for key in sorted(data.files):
            code, _, rep = key.split("_")
            raw = np.asarray(data[key], dtype=np.float64)
            yield Trial(
                "sisfall",
                subj,
                "older" if subj.startswith("SE") else "young",
                code,
                int(rep[1:]),
                SISFALL_FS_HZ,
                raw[:, :3] * SISFALL_ACC_G_PER_COUNT,
                raw[:, 3:6] * SISFALL_GYRO_DPS_PER_COUNT,
            )


def usc_trials(subjects: list[int] | None = None) -> Iterator[Trial]:
    """USC-HAD trials (all 12 activities) in a stable order; parsed once into bench/out/."""
    cache = OUT / "usc_had_trials.pkl"
    if cache.exists():
        rows = pickle.loads(cache.read_bytes())
    else:
        from scipy.io import loadmat

        rows = []
        for s in range(1, 11):
            for a in range(1, 13):
                for t in range(1, 6):
                    path = USC / f"Subject{s}" / f"a{a}t{t}.mat"
                    if path.exists():
                        r = np.asarray(loadmat(path)["sensor_readings"], dtype=np.float64)
                        rows.append((s, a, t, r))
        OUT.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(rows))
    for s, a, t, r in rows:
        if subjects is None or s in subjects:
            yield Trial("usc-had", f"U{s}", "young", f"A{a}", t, USC_FS_HZ, r[:, :3], r[:, 3:6])


def decimate(acc_g: np.ndarray, factor: int) -> np.ndarray:
    """Block means of `factor` samples: a crude anti-aliased lower rate (sensor-like)."""
    n = acc_g.shape[0] // factor * factor
    return acc_g[:n].reshape(-1, factor, acc_g.shape[1]).mean(axis=1)
