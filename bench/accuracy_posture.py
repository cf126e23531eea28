"""Trunk inclination by activity on SisFall (waist) and USC-HAD (hip), checked against
the gyroscope.

What is measured (see `trunk_datasets.py` for the data):

- Angle distributions by activity: the inclination from upright of every posture
  sample (median and 95th percentile) and each trial's maximum, for SisFall's bending
  without bending the knees (D16), bending at the knees (D15), standing-start
  activities (sitting down, getting into a car), walking and jogging, and USC-HAD's
  standing, walking, sitting and lying. No person contributes to a tuned number here:
  the only parameter judged by these data is the limit, and the row "trials beyond the
  limit" shows what it separates.
- The upright reference: each trial that starts standing takes its own automatic
  reference (its first 2 s still), as a session takes one at its start. SisFall's belt was refastened between trials
  (references of one person differ by up to 20-50° across trials), so a trial that
  starts otherwise (walking, jogging, stairs, sitting, lying) borrows the person's reference from their
  first D15 trial (SisFall; it starts standing) or first a9 standing trial (USC-HAD);
  the borrowed references carry that refastening error.
- An independent channel: in D15 and D16 the gyroscope (never read by the inclination)
  is integrated from the standing start (bias from the first 0.5 s) to the angle the
  vertical has turned through; its per-trial maximum is compared with the
  accelerometer's. Gyro drift over a 12 s trial is small beside the angles.

Run: `nice -n 10 .venv/bin/python bench/accuracy_posture.py [--smoke]`.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import Row, format_table

#: SisFall codes reported, in the order of the table.
SISFALL_SHOWN = ("D16", "D15", "D07", "D09", "D17", "D01", "D02", "D03", "D05")
#: USC-HAD activities reported (numbers).
USC_SHOWN = (9, 1, 5, 8, 10)
SHOWN = frozenset((*SISFALL_SHOWN, *(f"A{a}" for a in USC_SHOWN)))
#: Trials that begin standing still (SisFall's "Standing, …" and sit-down activities):
#: they take their own reference; the others (walking, sitting, lying from the start)
#: borrow the person's, as a session that starts standing would have it.
STANDING_START = frozenset({"D07", "D09", "D15", "D16", "D17"})
SMOKE_SISFALL = ("SA01", "SE01")
SMOKE_USC = (1,)


def _reference(trials, code: str) -> tuple[float, float, float] | None:  # type: ignore[no-untyped-def]
    from osteomonitor.analysis.posture import PostureTracker

    for t in trials:
        if t.code == code:
            tr = PostureTracker(t.fs_hz)
            tr.feed(t.acc_g)
            if tr.reference_g is not None:
                return tr.reference_g
    return None


def _label(td, t) -> str:  # type: ignore[no-untyped-def]
    if t.dataset == "usc-had":
        return f"USC-HAD a{t.code[1:]} {t.activity}"
    return f"SisFall {t.code} {td.SISFALL_CODES[t.code]}"


def gyro_tilt_max_deg(acc_g: np.ndarray, gyro_dps: np.ndarray, fs_hz: float) -> float:
    """Largest angle the standing vertical turns through, from the integrated gyroscope.

    The body-frame vertical at the start is the mean acceleration over the first 0.5 s;
    gyroscope bias is the mean rate over the same 0.5 s; rotations are composed sample
    by sample (scipy Rotation), and the vertical seen from the body at time t is
    R(t)ᵀ·v0.
    """
    from scipy.spatial.transform import Rotation

    n0 = max(1, int(0.5 * fs_hz))
    v0 = acc_g[:n0].mean(axis=0)
    v0 = v0 / np.linalg.norm(v0)
    w = np.radians(gyro_dps - gyro_dps[:n0].mean(axis=0)) / fs_hz
    r = Rotation.identity()
    best = 0.0
    # compose in blocks of 10 samples for speed (the angles per sample are tiny)
    for k in range(0, w.shape[0], 10):
        r = r * Rotation.from_rotvec(w[k : k + 10].sum(axis=0))
        v = r.inv().apply(v0)
        best = max(best, float(np.degrees(np.arccos(np.clip(v @ v0, -1.0, 1.0)))))
    return best


def run(smoke: bool = False) -> list[Row]:
    """Inclination distributions by activity and the gyroscope check (module docstring)."""
    import trunk_datasets as td
    from osteomonitor.analysis.posture import DEFAULT_POSTURE_PARAMS, analyse_posture

    if not td.available():
        return [Row("trunk posture", 0, "", note=f"skipped: no datasets under {td.SHARED}")]
    limit = DEFAULT_POSTURE_PARAMS.limit_deg
    samples: dict[str, list[np.ndarray]] = defaultdict(list)
    maxima: dict[str, list[float]] = defaultdict(list)
    gyro_diff: list[float] = []
    no_ref = 0
    borrowed = 0
    people = [
        (list(td.sisfall_trials([s])), "D15")
        for s in (SMOKE_SISFALL if smoke else td.sisfall_subjects())
    ] + [(list(td.usc_trials([s])), "A9") for s in (SMOKE_USC if smoke else range(1, 11))]
    for trials, ref_code in people:
        ref = _reference(trials, ref_code)
        if ref is None:
            no_ref += 1
            continue
        for t in trials:
            if t.code not in SHOWN:
                continue
            own = False
            if t.code in STANDING_START:
                a = analyse_posture(t.acc_g, t.fs_hz, t.gyro_dps)  # the trial's own start
                own = a.summary.reference_known
            if not own:
                borrowed += 1
                a = analyse_posture(t.acc_g, t.fs_hz, t.gyro_dps, ref)
            key = _label(td, t)
            samples[key].append(a.inclination_deg)
            maxima[key].append(float(a.inclination_deg.max()))
            if own and t.code in ("D15", "D16") and not (smoke and t.trial > 2):
                g = gyro_tilt_max_deg(t.acc_g, t.gyro_dps, t.fs_hz)
                gyro_diff.append(float(a.inclination_deg.max()) - g)
    rows: list[Row] = []
    for key in samples:
        allv = np.concatenate(samples[key])
        mx = np.asarray(maxima[key])
        beyond = float((mx > limit).mean())
        rows.append(
            Row(
                f"inclination, {key}",
                float(np.median(allv)),
                "° median",
                note=(
                    f"95th pct {np.percentile(allv, 95):.0f}°; per-trial max median "
                    f"{np.median(mx):.0f}° (5-95 %: {np.percentile(mx, 5):.0f}-"
                    f"{np.percentile(mx, 95):.0f}°); {100 * beyond:.0f} % of {mx.size} "
                    f"trials beyond {limit:g}°"
                ),
            )
        )
    d16 = np.asarray(maxima.get("SisFall D16 bend without bending the knees", []))
    upright = np.concatenate(
        [np.asarray(maxima[k]) for k in maxima if any(c in k for c in ("D01", "D02", "a1 ", "a9 "))]
        or [np.empty(0)]
    )
    if d16.size:
        rows.append(
            Row(
                f"D16 stoop bends beyond the {limit:g}° limit",
                100 * float((d16 > limit).mean()),
                "% of trials",
                note="bending at the waist without bending the knees; informational",
            )
        )
    if upright.size:
        rows.append(
            Row(
                f"walking/standing trials beyond the {limit:g}° limit",
                100 * float((upright > limit).mean()),
                "% of trials",
                note=f"{upright.size} trials (SisFall D01, D02; USC-HAD a1, a9), on the person's "
                "reference from another trial (SisFall's belt was refastened between trials)",
            )
        )
    if gyro_diff:
        d = np.abs(np.asarray(gyro_diff))
        med = float(np.median(d))
        rows.append(
            Row(
                "accelerometer vs integrated gyroscope, per-trial max inclination (D15, D16)",
                med,
                "° median |diff|",
                note=f"{d.size} trials; 90th pct {np.percentile(d, 90):.1f}°; mean signed "
                f"{np.mean(gyro_diff):+.1f}° (accelerometer − gyroscope)",
            )
        )
    rows.append(
        Row(
            "trials without a still standing start (reference borrowed)",
            borrowed,
            "trials",
            note="walking, jogging, stairs, sitting and lying trials do not start standing "
            "still: they use the person's reference from their first D15 (SisFall) or a9 "
            "(USC-HAD) trial",
        )
    )
    if no_ref:
        rows.append(Row("people without an automatic standing reference", no_ref, "people"))
    return rows


if __name__ == "__main__":
    print(format_table(run(smoke="--smoke" in sys.argv)))
