"""Candidate extraction and the subject-wise logistic fit behind the fall model.

Shared by `bench/accuracy_falls.py` (leave-one-subject-out scoring) and
`tools/train_fall_model.py` (fits the shipped `analysis/fall_model.json` on everyone).
Not a benchmark module itself.

Labels: every candidate in an activity-of-daily-living trial is a negative; in a fall
trial the candidate with the largest change of gravity direction (`tilt_deg`) is the
fall and the other candidates (steps before the slip, the settling after) are left out
of the fit, not counted as negatives. The upright reference of each person is the mean
acceleration of their first walking trial (SisFall D01, USC-HAD a1): in a session it is
the standing reference the posture module takes at the start.

The fit is an L2-regularised, class-balanced logistic regression solved by Newton's
method from zero: deterministic, no random state.
"""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass

import numpy as np

import trunk_datasets as td
from osteomonitor.analysis.falls import (
    DEFAULT_FALL_PARAMS,
    FEATURE_NAMES,
    FallDetector,
    FallFeatures,
    FallModel,
    FallParams,
)

#: Features fitted as log(x + 0.01): the post-impact spread spans three decades.
LOG_FEATURES = ("post_sd_g",)
#: Ridge penalty on the standardised weights (not on the intercept).
RIDGE = 1.0
#: Probability threshold of the shipped model: chosen on the leave-one-subject-out runs
#: of `bench/accuracy_falls.py` (0.5 / 0.9 / 0.98 compared): 0.9 removed the sit-down
#: false alarms that 0.5 let through and lost no fall that 0.5 found.
THRESHOLD = 0.9


@dataclass(frozen=True)
class TrialCandidates:
    """The candidates of one trial, with what the benchmark needs to score it."""

    dataset: str
    subject: str
    group: str
    code: str
    trial: int
    duration_s: float
    features: list[FallFeatures]  # candidates that did not start lying
    n_lying: int  # candidates dropped because the person was already lying

    @property
    def is_fall(self) -> bool:
        return self.code.startswith("F")


def uprights(trials: list[td.Trial]) -> dict[str, tuple[float, float, float]]:
    """Each person's upright gravity vector: the mean of their first walking trial."""
    out: dict[str, tuple[float, float, float]] = {}
    for t in trials:
        if t.code in ("D01", "A1") and t.trial == 1:
            m = t.acc_g.mean(axis=0)
            out[t.subject] = (float(m[0]), float(m[1]), float(m[2]))
    return out


def extract(
    trials: list[td.Trial], params: FallParams = DEFAULT_FALL_PARAMS, decimate: int = 1
) -> list[TrialCandidates]:
    """Run the detector's candidate stage over every trial (optionally at 1/`decimate`
    of the rate, by block means)."""
    ups = uprights(trials)
    out = []
    for t in trials:
        acc = td.decimate(t.acc_g, decimate) if decimate > 1 else t.acc_g
        det = FallDetector(
            t.fs_hz / decimate, params, _NEVER, upright_g=ups.get(t.subject), keep_candidates=True
        )
        det.feed(acc)
        det.flush()
        feats = [f for f, lying in det.candidates if not lying]
        n_lying = sum(1 for _, lying in det.candidates if lying)
        out.append(
            TrialCandidates(
                t.dataset, t.subject, t.group, t.code, t.trial, t.duration_s, feats, n_lying
            )
        )
    return out


def extract_cached(decimate: int = 1) -> list[TrialCandidates]:
    """`extract` over both datasets (SisFall only when decimated: USC-HAD's 100 Hz would
    fall below 25 Hz), cached in bench/out/ per rate and parameters."""
    key = _source_stamp(f"{DEFAULT_FALL_PARAMS!r}{decimate}")
    cache = td.OUT / f"fall_candidates_{decimate}_{key}.pkl"
    if cache.exists():
        rows: list[TrialCandidates] = pickle.loads(cache.read_bytes())
        return rows
    trials = [*td.sisfall_trials(), *(td.usc_trials() if decimate == 1 else ())]
    rows = extract(trials, decimate=decimate)
    td.OUT.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(rows))
    return rows


def _source_stamp(extra: str) -> str:
    """Changes with the detector's source and `extra` (so the cache is never stale)."""
    import hashlib
    from pathlib import Path

    from osteomonitor.analysis import falls

    text = Path(falls.__file__).read_text(encoding="utf-8") + extra
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def training_set(rows: list[TrialCandidates]) -> tuple[np.ndarray, np.ndarray]:
    """(X, y): feature rows and labels (1 fall, 0 not) of the labelled candidates."""
    xs: list[list[float]] = []
    ys: list[int] = []
    for r in rows:
        if not r.features:
            continue
        if r.is_fall:
            best = max(r.features, key=lambda f: f.tilt_deg)
            xs.append(best.vector())
            ys.append(1)
        else:
            xs += [f.vector() for f in r.features]
            ys += [0] * len(r.features)
    return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)


def fit(rows: list[TrialCandidates], source: str = "") -> FallModel:
    """Fit the logistic model on the labelled candidates of `rows`."""
    X, y = training_set(rows)
    T = X.copy()
    for i, name in enumerate(FEATURE_NAMES):
        if name in LOG_FEATURES:
            T[:, i] = np.log(np.maximum(T[:, i], 0.0) + 0.01)
    mu = T.mean(axis=0)
    sd = T.std(axis=0) + 1e-9
    Z = np.hstack([np.ones((T.shape[0], 1)), (T - mu) / sd])
    pos = float(y.sum())
    cw = np.where(y == 1, (y.size - pos) / pos, 1.0)  # class-balanced
    w = np.zeros(Z.shape[1])
    ridge = RIDGE * np.eye(w.size)
    ridge[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(Z @ w)))
        H = Z.T @ (Z * (cw * p * (1 - p))[:, None]) + ridge
        g = Z.T @ (cw * (p - y)) + ridge @ w
        step = np.linalg.solve(H, g)
        w -= step
        if float(np.abs(step).max()) < 1e-10:
            break
    return FallModel(
        FEATURE_NAMES,
        LOG_FEATURES,
        tuple(round(float(v), 6) for v in mu),
        tuple(round(float(v), 6) for v in sd),
        tuple(round(float(v), 6) for v in w[1:]),
        round(float(w[0]), 6),
        THRESHOLD,
        source,
    )


def alarms(model: FallModel, r: TrialCandidates, params: FallParams = DEFAULT_FALL_PARAMS) -> int:
    """Alarms the detector raises in trial `r` with `model` (same rule as `FallDetector`)."""
    n, last = 0, -math.inf
    for f in r.features:
        if model.probability(f.vector()) >= model.threshold and f.t_s - last >= (
            params.alarm_refractory_s
        ):
            n += 1
            last = f.t_s
    return n


#: A model that never alarms (candidate extraction only).
_NEVER = FallModel(FEATURE_NAMES, (), (0.0,) * 4, (1.0,) * 4, (0.0,) * 4, 0.0, 2.0, "extraction")
