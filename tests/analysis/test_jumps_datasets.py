"""Jump detector on real recordings it must not count: SisFall jogs, quick sits and
chair collapses (waist, 200 Hz, young and older adults), USC-HAD stair descent (hip,
100 Hz). The full person-by-person figures are in bench/bench_jump_cv.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from osteomonitor.analysis.jumps import analyse_jumps

#: SisFall ADXL345: g = counts · 32 / 8192 (its Readme), 200 Hz, ±16 g.
G_PER_COUNT = 32 / 8192
FS = 200.0


@pytest.fixture(scope="module")
def sisfall(datasets_dir: Path) -> Path:
    d = datasets_dir / "sisfall"
    if not d.is_dir():
        pytest.skip(f"SisFall not found at {d}")
    return d


def _trials(sisfall: Path, codes: tuple[str, ...]) -> list[tuple[str, np.ndarray]]:
    out = []
    for path in sorted(sisfall.glob("S*.npz")):
        with np.load(path) as z:
            for key in sorted(z.files):
                if key.split("_")[0] in codes:
                    out.append((key, z[key][:, :3].astype(np.float64) * G_PER_COUNT))
    return out


@pytest.mark.datasets
def test_older_adults_slow_jog_is_running(sisfall: Path) -> None:
    # SE04's slow jog gave 253 "jumps" in 100 s before the alternation rule
    with np.load(sisfall / "SE04.npz") as z:
        acc = z["D03_SE04_R01"][:, :3].astype(np.float64) * G_PER_COUNT
    res = analyse_jumps(acc, FS, 16.0)
    assert res.jumps == []
    assert res.running_strides > 150


@pytest.mark.datasets
def test_slow_jogs_of_everyone_give_no_jumps(sisfall: Path) -> None:
    trials = _trials(sisfall, ("D03",))
    assert len(trials) >= 19
    found = {k: len(analyse_jumps(a, FS, 16.0).jumps) for k, a in trials}
    assert sum(found.values()) == 0, {k: n for k, n in found.items() if n}


@pytest.mark.datasets
def test_sitting_down_quickly_and_collapsing_into_a_chair_give_no_jumps(sisfall: Path) -> None:
    trials = _trials(sisfall, ("D08", "D10", "D11"))
    assert len(trials) >= 250
    found = {k: len(analyse_jumps(a, FS, 16.0).jumps) for k, a in trials}
    assert sum(found.values()) == 0, {k: n for k, n in found.items() if n}


@pytest.mark.datasets
def test_gentle_jumps_are_found(sisfall: Path) -> None:
    # D19: jumping to reach a high object; no per-jump labels, the trials show two each
    trials = _trials(sisfall, ("D19",))
    counts = [len(analyse_jumps(a, FS, 16.0).jumps) for _, a in trials]
    assert sum(c >= 1 for c in counts) >= 0.95 * len(counts)
    assert sum(c == 2 for c in counts) >= 0.85 * len(counts)


@pytest.mark.datasets
def test_usc_had_stairs_down_and_sideways_walking_give_no_jumps(datasets_dir: Path) -> None:
    from scipy.io import loadmat

    usc = datasets_dir / "usc-had"
    if not usc.is_dir():
        pytest.skip(f"USC-HAD not found at {usc}")
    found = {}
    for subj in range(1, 11):
        for act in (2, 3, 5):  # walking left, walking right, downstairs
            for trial in (1, 3):
                rel = f"Subject{subj}/a{act}t{trial}.mat"
                acc = loadmat(usc / rel)["sensor_readings"][:, :3].astype(np.float64)
                found[rel] = len(analyse_jumps(acc, 100.0, 6.0).jumps)
    # one known stair-descent flight (Subject4/a5t1, 0.11 s, in place, rhythm with little
    # alternation) is still counted: see docs/metrics.md
    assert sum(found.values()) <= 1, {k: n for k, n in found.items() if n}
