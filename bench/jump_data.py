"""The shared datasets as labelled trials for the jump benches, parsed once and cached.

USC-HAD (hip MotionNode, 100 Hz, ±6 g; Zhang & Sawchuk, UbiComp 2012): all 12 activities
of subjects 1-10, jump labels from `usc-had/labels.json` for a7 (jumping up).
SisFall (waist ADXL345, 200 Hz, ±16 g; Sucerquia et al., Sensors 2017;17:198): activities
of daily living D01-D19 and falls F01-F15 of 12 young adults (SA) and 7 adults aged
60-75 (SE). SisFall has no per-jump labels: D19 ("gently jump … to reach a high object")
is reported as jumps found per trial, every other code must have none.

The parsed trials are cached in `bench/out/jump_trials.pkl` (gitignored), keyed by the
source files' sizes and times, so the cross-validation does not re-read 4 000 files.
"""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OSTEOMONITOR_SHARED", REPO.parent / "shared"))
USC = SHARED / "datasets" / "usc-had"
SISFALL = SHARED / "datasets" / "sisfall"
CACHE = REPO / "bench" / "out" / "jump_trials.pkl"

#: USC-HAD activity numbers → (name, class): "jump" trials are labelled, "none" must
#: give 0 jumps.
USC_ACTIVITIES: dict[int, str] = {
    1: "walking forward",
    2: "walking left",
    3: "walking right",
    4: "upstairs",
    5: "downstairs",
    6: "running",
    7: "jumping",
    8: "sitting",
    9: "standing",
    10: "lying",
    11: "elevator up",
    12: "elevator down",
}
#: SisFall codes → activity (Readme.txt).
SISFALL_CODES: dict[str, str] = {
    "D01": "walking slowly",
    "D02": "walking quickly",
    "D03": "jogging slowly",
    "D04": "jogging quickly",
    "D05": "stairs up/down slowly",
    "D06": "stairs up/down quickly",
    "D07": "sit half-height chair slowly",
    "D08": "sit half-height chair quickly",
    "D09": "sit low chair slowly",
    "D10": "sit low chair quickly",
    "D11": "collapse into a chair",
    "D12": "sit-lie-sit slowly",
    "D13": "sit-lie-sit quickly",
    "D14": "lying, turn to side",
    "D15": "bend at knees",
    "D16": "bend without knees",
    "D17": "car in/out",
    "D18": "stumble while walking",
    "D19": "gentle jumps",
}
#: SisFall ADXL345 scale: ±16 g over 13 bits (Readme: g = counts · 32 / 8192).
SISFALL_G_PER_COUNT = 32 / 8192
SISFALL_FS_HZ = 200.0
USC_FS_HZ = 100.0


@dataclass(frozen=True)
class Trial:
    """One recording of one activity by one person.

    Attributes:
        dataset: "usc-had" or "sisfall".
        subject: person id within the dataset ("usc01", "SA03", "SE05").
        age_group: "young" (USC-HAD 21-49 y, SisFall SA 19-30 y) or "older" (SE 60-75 y).
        activity: activity name (`USC_ACTIVITIES` / `SISFALL_CODES`, "fall Fnn" for falls).
        kind: "jump" (labelled jumps), "gentle jumps" (SisFall D19, no labels), "fall",
            or "none" (no jump may be found).
        name: file or key.
        fs_hz: sample rate, Hz.
        range_g: full-scale range, ±g.
        acc_g: (n, 3) acceleration, g (float32 to keep the cache small).
        touchdowns: labelled touchdown sample indices (USC-HAD a7), else None.
        n_jumps: labelled jump count, or None.
    """

    dataset: str
    subject: str
    age_group: str
    activity: str
    kind: str
    name: str
    fs_hz: float
    range_g: float
    acc_g: np.ndarray
    touchdowns: tuple[int, ...] | None = None
    n_jumps: int | None = None

    @property
    def duration_s(self) -> float:
        return self.acc_g.shape[0] / self.fs_hz


def _stamp() -> list[tuple[str, int, int]]:
    files = sorted(USC.glob("Subject*/a*.mat")) + sorted(SISFALL.glob("S*.npz"))
    files.append(USC / "labels.json")
    return [(str(p), p.stat().st_size, int(p.stat().st_mtime)) for p in files]


def _usc() -> list[Trial]:
    from scipy.io import loadmat

    labels = {t["file"]: t for t in json.loads((USC / "labels.json").read_text())["trials"]}
    out = []
    for subj in range(1, 11):
        for path in sorted((USC / f"Subject{subj}").glob("a*t*.mat")):
            act = int(path.stem[1:].split("t")[0])
            rel = f"Subject{subj}/{path.name}"
            acc = np.asarray(loadmat(path)["sensor_readings"][:, :3], dtype=np.float32)
            lab = labels.get(rel)
            jump = act == 7 and lab is not None
            out.append(
                Trial(
                    "usc-had",
                    f"usc{subj:02d}",
                    "young",
                    USC_ACTIVITIES[act],
                    "jump" if jump else "none",
                    rel,
                    USC_FS_HZ,
                    6.0,
                    acc,
                    tuple(int(i) for i in lab["touchdown_indices"]) if jump else None,
                    int(lab["jumps"]) if jump else None,
                )
            )
    return out


def _sisfall() -> list[Trial]:
    out = []
    for path in sorted(SISFALL.glob("S*.npz")):
        subj = path.stem
        with np.load(path) as z:
            for key in sorted(z.files):
                code = key.split("_")[0]
                acc = (z[key][:, :3].astype(np.float64) * SISFALL_G_PER_COUNT).astype(np.float32)
                if code.startswith("F"):
                    activity, kind = f"fall {code}", "fall"
                else:
                    activity = SISFALL_CODES[code]
                    kind = "gentle jumps" if code == "D19" else "none"
                    activity = f"{code} {activity}"
                out.append(
                    Trial(
                        "sisfall",
                        subj,
                        "older" if subj.startswith("SE") else "young",
                        activity,
                        kind,
                        key,
                        SISFALL_FS_HZ,
                        16.0,
                        acc,
                    )
                )
    return out


def load_trials() -> list[Trial]:
    """Every trial of both datasets (empty when ../shared/datasets is absent)."""
    if not (USC / "labels.json").is_file() or not SISFALL.is_dir():
        return []
    stamp = _stamp()
    if CACHE.is_file():
        try:
            with CACHE.open("rb") as f:
                cached_stamp, trials = pickle.load(f)
            if cached_stamp == stamp:
                return trials  # type: ignore[no-any-return]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    trials = _usc() + _sisfall()
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with CACHE.open("wb") as f:
        pickle.dump((stamp, trials), f, protocol=pickle.HIGHEST_PROTOCOL)
    return trials
