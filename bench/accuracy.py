"""Jump-detection accuracy on USC-HAD against its per-trial labels, with a plain peer.

Data: ../shared/datasets/usc-had (hip MotionNode, 100 Hz, ±6 g; Zhang & Sawchuk 2012)
and its labels.json (touchdown and landing-peak indices per jump, annotated by
inspection). Activities: a7 jumping (labelled), a1 walking, a4 upstairs, a9 standing
(0 jumps), a6 running (flight phases; must be reported as running strides).

Landings are matched one-to-one to the labelled touchdowns within ±100 ms (the
detector's `landing_s` is the touchdown); matching to the landing peaks is shown too.
The peer is a plain peak-threshold counter (‖a‖ peaks ≥ 2.5 g at least 0.3 s apart),
the approach Jarning et al. 2015 found unable to separate jumps from other moves.

Run: `.venv/bin/python bench/accuracy.py` (add `--trials` for the per-trial table,
`--loso` for the leave-one-subject-out check of the candidate-finding parameters).
The rule thresholds and every activity of USC-HAD and SisFall, person by person, in
both age groups: `bench/bench_jump_cv.py`.

Leave-one-subject-out: the parameters tuned on these labels (`LOSO_GRID`) are chosen
for each subject from the other nine (most matched landings minus false jumps in every
activity; ties go to the grid's first, i.e. the most conservative, value), and that
subject is scored with them; the held-out scores add up to the LOSO row.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table
from osteomonitor.analysis.impacts import find_impact_peaks
from osteomonitor.analysis.jumps import analyse_jumps
from osteomonitor.analysis.thresholds import DEFAULT_JUMP_PARAMS, JumpParams

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OSTEOMONITOR_SHARED", REPO.parent / "shared"))
USC = SHARED / "datasets" / "usc-had"
FS_HZ = 100.0
RANGE_G = 6.0
TOL_S = 0.1
#: Plain counter: a peak of ‖a‖ ≥ 2.5 g (the Vainionpää 2.5-3.9 g band edge) with peaks
#: merged within 0.3 s (shorter than a hop cycle, longer than heel-toe double peaks).
PEER_MIN_G = 2.5
PEER_MERGE_S = 0.3
ACTIVITIES = {1: "walking", 4: "upstairs", 6: "running", 7: "jumping", 9: "standing"}
#: JumpParams fields tuned on these labels, with the values tried (conservative first).
LOSO_GRID: dict[str, tuple[float, ...]] = {
    "flight_gap_max_s": (0.0, 0.03, 0.05, 0.07, 0.1),
    "run_cadence_r_min": (0.4, 0.3, 0.15, 0.0, -0.2),
    "flight_min_s": (0.12, 0.11, 0.1),
}


@dataclass
class TrialResult:
    file: str
    activity: int
    duration_s: float
    labelled: int | None
    detected: int
    peer: int
    matched_td: int = 0
    matched_peak: int = 0
    peer_matched: int = 0
    strides: int = 0
    lo: int | None = None
    hi: int | None = None


def load_acc(path: Path) -> np.ndarray:
    from scipy.io import loadmat

    return np.asarray(loadmat(path)["sensor_readings"][:, :3], dtype=np.float64)


def match(times_s: list[float], labels_idx: list[int]) -> int:
    """Greedy one-to-one matches of detections to labels within ±TOL_S."""
    lab = np.asarray(labels_idx, dtype=float) / FS_HZ
    used: set[int] = set()
    n = 0
    for t in times_s:
        if lab.size == 0:
            break
        d = np.abs(lab - t)
        d[list(used)] = np.inf
        k = int(np.argmin(d))
        if d[k] <= TOL_S:
            used.add(k)
            n += 1
    return n


def peer_count(acc: np.ndarray) -> list[float]:
    """Peak times of the plain threshold counter, s."""
    return [i.t_s for i in find_impact_peaks(acc, FS_HZ, RANGE_G, PEER_MIN_G, PEER_MERGE_S)]


def evaluate(smoke: bool = False) -> tuple[list[TrialResult], float, float]:
    """Run both counters on every trial; return results and CPU seconds of each."""
    labels = {t["file"]: t for t in json.loads((USC / "labels.json").read_text())["trials"]}
    subjects = [1, 2] if smoke else list(range(1, 11))
    out: list[TrialResult] = []
    t_ours = t_peer = 0.0
    for subj in subjects:
        for path in sorted((USC / f"Subject{subj}").glob("a*.mat")):
            act = int(path.stem[1:].split("t")[0])  # a1t1 … a12t5
            if act not in ACTIVITIES:
                continue
            rel = f"Subject{subj}/{path.name}"
            acc = load_acc(path)
            c0 = time.process_time()
            res = analyse_jumps(acc, FS_HZ, RANGE_G)
            c1 = time.process_time()
            peer = peer_count(acc)
            c2 = time.process_time()
            t_ours += c1 - c0
            t_peer += c2 - c1
            lab = labels.get(rel)
            r = TrialResult(rel, act, acc.shape[0] / FS_HZ, None, len(res.jumps), len(peer))
            r.strides = res.running_strides
            if lab is not None:
                r.labelled = int(lab["jumps"])
                if act == 7:
                    r.lo, r.hi = int(lab["jumps_min"]), int(lab["jumps_max"])
                    landings = [j.landing_s for j in res.jumps]
                    r.matched_td = match(landings, lab["touchdown_indices"])
                    r.matched_peak = match(landings, lab["landing_indices"])
                    r.peer_matched = match(peer, lab["landing_indices"])
            out.append(r)
    return out, t_ours, t_peer


def _prf(tp: int, n_det: int, n_lab: int) -> tuple[float, float, float]:
    p = tp / n_det if n_det else 0.0
    r = tp / n_lab if n_lab else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def run(smoke: bool = False) -> list[Row]:
    """Accuracy rows (see module docstring); smoke = subjects 1-2 only."""
    if not (USC / "labels.json").is_file():
        return [Row("USC-HAD jump accuracy", 0, "", note=f"skipped: {USC} not found")]
    trials, t_ours, t_peer = evaluate(smoke)
    jump = [t for t in trials if t.activity == 7]
    n_lab = sum(t.labelled or 0 for t in jump)
    n_det = sum(t.detected for t in jump)
    n_peer = sum(t.peer for t in jump)
    tp = sum(t.matched_td for t in jump)
    tp_pk = sum(t.matched_peak for t in jump)
    p, r, f1 = _prf(tp, n_det, n_lab)
    pp, rp, fp_ = _prf(tp_pk, n_det, n_lab)
    ppeer, rpeer, fpeer = _prf(sum(t.peer_matched for t in jump), n_peer, n_lab)
    err = (n_det - n_lab) / n_lab if n_lab else 0.0
    in_range = sum(1 for t in jump if t.lo is not None and t.lo <= t.detected <= (t.hi or 0))
    exact = sum(1 for t in jump if t.detected == t.labelled)
    total_s = sum(t.duration_s for t in trials)
    scope = "subjects 1-2" if smoke else "all 10 subjects"
    rows = [
        Row("jump trials", len(jump), "trials", note=scope),
        Row("labelled jumps", n_lab, "jumps"),
        Row("detected jumps", n_det, "jumps", note=f"peer counter: {n_peer}"),
        Row(
            "total count error",
            100 * err,
            "%",
            "|e| ≤ 2",
            abs(err) <= 0.02,
            note=f"peer {100 * (n_peer - n_lab) / max(1, n_lab):+.1f}%",
        ),
        Row("trials with exact count", exact, "trials", note=f"{in_range} within labelled min-max"),
        Row("landing precision (touchdown ±100 ms)", p, "", note=f"peer {ppeer:.3f} (peaks)"),
        Row("landing recall (touchdown ±100 ms)", r, "", note=f"peer {rpeer:.3f} (peaks)"),
        Row(
            "landing F1 (touchdown ±100 ms)", f1, "", "≥ 0.98", f1 >= 0.98, note=f"peer {fpeer:.3f}"
        ),
        Row("landing F1 (landing peak ±100 ms)", fp_, "", note=f"P {pp:.3f} R {rp:.3f}"),
    ]
    for act, name in ACTIVITIES.items():
        if act == 7:
            continue
        ts = [t for t in trials if t.activity == act]
        minutes = sum(t.duration_s for t in ts) / 60
        false = sum(t.detected for t in ts)
        peer = sum(t.peer for t in ts)
        target, ok = ("0", false == 0) if act in (1, 9) else ("", None)
        note = f"{false} jumps in {minutes:.1f} min; peer {peer / max(minutes, 1e-9):.1f}/min"
        if act == 6:
            strides = sum(t.strides for t in ts)
            note += f"; {strides} running strides reported"
        rows.append(
            Row(f"false jumps/min, {name}", false / max(minutes, 1e-9), "1/min", target, ok, note)
        )
    rows.append(
        Row(
            "jump detector speed",
            total_s / max(t_ours, 1e-9),
            "× real time",
            note=f"{t_ours:.2f} s CPU for {total_s / 60:.0f} min of 100 Hz",
        )
    )
    rows.append(
        Row(
            "peer counter speed",
            total_s / max(t_peer, 1e-9),
            "× real time",
            note=f"{t_peer:.2f} s CPU",
        )
    )
    return rows


def _load_all() -> list[tuple[int, int, str, np.ndarray, dict[str, object] | None]]:
    labels = {t["file"]: t for t in json.loads((USC / "labels.json").read_text())["trials"]}
    out = []
    for subj in range(1, 11):
        for path in sorted((USC / f"Subject{subj}").glob("a*.mat")):
            act = int(path.stem[1:].split("t")[0])  # a1t1 … a12t5
            if act in ACTIVITIES:
                rel = f"Subject{subj}/{path.name}"
                out.append((subj, act, rel, load_acc(path), labels.get(rel)))
    return out


def _score(trials: list, params: JumpParams) -> dict[int, tuple[int, int, int, int]]:
    """Per subject: (matched landings, false jumps in jump trials, false jumps in other
    activities, labelled jumps)."""
    res: dict[int, list[int]] = {}
    for subj, act, _rel, acc, lab in trials:
        jumps = analyse_jumps(acc, FS_HZ, RANGE_G, params).jumps
        r = res.setdefault(subj, [0, 0, 0, 0])
        if act == 7 and lab is not None:
            tp = match([j.landing_s for j in jumps], lab["touchdown_indices"])  # type: ignore[arg-type]
            r[0] += tp
            r[1] += len(jumps) - tp
            r[3] += int(lab["jumps"])  # type: ignore[call-overload]
        else:
            r[2] += len(jumps)
    return {k: (v[0], v[1], v[2], v[3]) for k, v in res.items()}


def loso() -> str:
    """Leave-one-subject-out table of the tuned parameters (see module docstring)."""
    trials = _load_all()
    names = list(LOSO_GRID)
    grid = list(itertools.product(*LOSO_GRID.values()))
    scores = [
        _score(trials, replace(DEFAULT_JUMP_PARAMS, **dict(zip(names, g, strict=True))))
        for g in grid
    ]
    subjects = sorted(scores[0])
    lines = [
        "| held-out subject | chosen "
        + ", ".join(names)
        + " | labelled | detected | matched | false jumps (other activities) |",
        "|---|---|---|---|---|---|",
    ]
    tot = [0, 0, 0, 0]
    for s in subjects:

        def train(k: int, s: int = s) -> int:
            return sum(tp - fj - fo for subj, (tp, fj, fo, _) in scores[k].items() if subj != s)

        best = max(range(len(grid)), key=lambda k: (train(k), -k))
        tp, fj, fo, lab = scores[best][s]
        tot = [tot[0] + tp, tot[1] + fj, tot[2] + fo, tot[3] + lab]
        chosen = ", ".join(f"{v:g}" for v in grid[best])
        lines.append(f"| {s} | {chosen} | {lab} | {tp + fj} | {tp} | {fo} |")
    tp, fj, fo, lab = tot
    det = tp + fj
    p, r, f1 = _prf(tp, det, lab)
    lines.append(f"| all (held out) | | {lab} | {det} | {tp} | {fo} |")
    lines.append("")
    lines.append(
        f"LOSO: count error {100 * (det - lab) / lab:+.2f} %, precision {p:.4f}, recall {r:.4f}, "
        f"F1 {f1:.4f}, false jumps in walking/stairs/running/standing {fo}"
    )
    d = _score(trials, DEFAULT_JUMP_PARAMS)
    tp, fj, fo, lab = (sum(v[i] for v in d.values()) for i in range(4))
    p, r, f1 = _prf(tp, tp + fj, lab)
    lines.append(
        f"Defaults on all subjects: count error {100 * (tp + fj - lab) / lab:+.2f} %, "
        f"F1 {f1:.4f}, false jumps in other activities {fo}"
    )
    return "\n".join(lines)


def trial_table(trials: list[TrialResult]) -> str:
    lines = ["| trial | labelled (min-max) | detected | matched | peer |", "|---|---|---|---|---|"]
    for t in trials:
        if t.activity != 7:
            continue
        lines.append(
            f"| {t.file} | {t.labelled} ({t.lo}-{t.hi}) | {t.detected} | "
            f"{t.matched_td} | {t.peer} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    smoke = "--smoke" in sys.argv
    if "--loso" in sys.argv and (USC / "labels.json").is_file():
        print(loso())
        print()
    if "--trials" in sys.argv and (USC / "labels.json").is_file():
        print(trial_table(evaluate(smoke)[0]))
        print()
    print(format_table(run(smoke)))
