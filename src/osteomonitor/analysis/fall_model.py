"""The fall detector's parameters, features and classifier (`falls.FallDetector` uses them).

`FallParams`: windows and thresholds with their sources; `FallFeatures`: the explainable
features of one candidate; `FallModel`: the small logistic model over them, shipped as
`fall_model.json` (trained by `bench/fall_training.py`, scored leave-one-subject-out by
`bench/accuracy_falls.py`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .signal import SignalError


@dataclass(frozen=True, slots=True)
class FallParams:
    """Windows and thresholds of the fall detector (times in s, accelerations in g).

    Attributes:
        smooth_s: moving mean of ‖a‖, s. Sucerquia et al. 2017 (Sensors 17:198) low-pass
            SisFall at 5 Hz before their threshold features; 0.08 s keeps impacts
            comparable at 25 and 200 Hz.
        candidate_min_g: smallest smoothed peak judged. Bourke et al. 2007 (Gait Posture
            26:194) put the trunk's impact threshold at 3.52 g (raw); soft falls from a
            chair peak lower after smoothing, so candidates start well below and the
            model decides. Tuning note: 970 of the 975 SisFall falls have a smoothed peak
            ≥ 1.6 g; 1.4 g found no more of them and added sit-to-lie false alarms.
        separation_s: a candidate is the highest smoothed peak within ± this (one
            candidate per fall: impact, bounce and settling within 1 s).
        freefall_s: window before the impact for the free-fall dip, s (the
            vertical-velocity profiles of Bourke et al. 2008, Med Eng Phys 30:937, reach
            their fall thresholds within the last second before impact).
        pre_s / post_s: (start, end) of the gravity windows before / after the impact,
            s from the impact; kept clear of the impact itself.
        alarm_refractory_s: one alarm per fall: candidates within this after an alarm
            are not reported, s.
        lying_before_deg: when the upright direction is known (`upright_g`), a
            candidate whose pre-impact gravity lies more than this from upright started
            lying down, and a person already lying does not fall (rolling over in bed,
            floor exercises). Lying is a trunk more than 60° from vertical in the
            posture tests of Kangas et al. 2008 (Gait Posture 28:285). Tuning note:
            SisFall waist, against each person's walking: sitting 1-36°, lying 69-105°.
    """

    smooth_s: float = 0.08
    candidate_min_g: float = 1.6
    separation_s: float = 1.0
    freefall_s: float = 1.0
    pre_s: tuple[float, float] = (3.0, 1.5)
    post_s: tuple[float, float] = (1.0, 2.5)
    alarm_refractory_s: float = 10.0
    lying_before_deg: float = 60.0


DEFAULT_FALL_PARAMS = FallParams()

#: Feature names, in the order of `FallFeatures.vector()` and of the model's weights.
FEATURE_NAMES = (
    "peak_g",
    "freefall_g",
    "tilt_deg",
    "post_sd_g",
)


@dataclass(frozen=True, slots=True)
class FallFeatures:
    """The features of one candidate impact (see the module docstring).

    Attributes:
        t_s: time of the impact peak, s from the first sample.
        peak_g: smoothed ‖a‖ at the impact, g.
        freefall_g: lowest smoothed ‖a‖ in the second before, g.
        tilt_deg: angle between gravity before and after, degrees.
        post_sd_g: standard deviation of the smoothed ‖a‖ after the impact, g.
    """

    t_s: float
    peak_g: float
    freefall_g: float
    tilt_deg: float
    post_sd_g: float

    def vector(self) -> list[float]:
        """The features in `FEATURE_NAMES` order."""
        return [self.peak_g, self.freefall_g, self.tilt_deg, self.post_sd_g]


@dataclass(frozen=True, slots=True)
class FallModel:
    """A logistic model over `FEATURE_NAMES`: p = σ(b + Σ wᵢ·(tᵢ(xᵢ) − μᵢ)/σᵢ).

    tᵢ is log(x + 0.01) for the features in `log_features`, else x. Stored as data in
    `fall_model.json` and fitted by `tools/train_fall_model.py`.

    Attributes:
        features: feature names (must equal `FEATURE_NAMES`).
        log_features: features taken as logarithms.
        mean / scale: standardisation of the (transformed) features.
        weights / intercept: logistic coefficients on the standardised features.
        threshold: probability at or above which a candidate is a fall.
        source: how the model was trained (data, subjects, date).
    """

    features: tuple[str, ...]
    log_features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float
    source: str = ""

    def transform(self, x: list[float]) -> list[float]:
        """Standardised (and log-transformed) feature vector."""
        out = []
        for name, v, mu, sd in zip(self.features, x, self.mean, self.scale, strict=True):
            t = math.log(max(v, 0.0) + 0.01) if name in self.log_features else v
            out.append((t - mu) / sd)
        return out

    def probability(self, x: list[float]) -> float:
        """Probability that the candidate with features `x` is a fall."""
        z = self.intercept + math.fsum(
            w * t for w, t in zip(self.weights, self.transform(x), strict=True)
        )
        if z < -700:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def to_json(self) -> str:
        """The model as the JSON `load_model` reads."""
        d = {
            "features": list(self.features),
            "log_features": list(self.log_features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "source": self.source,
        }
        return json.dumps(d, indent=2) + "\n"


def model_from_json(text: str) -> FallModel:
    """Parse a fall model; raises `SignalError` when it does not fit `FEATURE_NAMES`."""
    d = json.loads(text)
    m = FallModel(
        tuple(d["features"]),
        tuple(d["log_features"]),
        tuple(float(v) for v in d["mean"]),
        tuple(float(v) for v in d["scale"]),
        tuple(float(v) for v in d["weights"]),
        float(d["intercept"]),
        float(d["threshold"]),
        str(d.get("source", "")),
    )
    n = len(FEATURE_NAMES)
    if m.features != FEATURE_NAMES or not len(m.mean) == len(m.scale) == len(m.weights) == n:
        raise SignalError(f"fall model features {m.features} do not match {FEATURE_NAMES}")
    return m


@lru_cache(maxsize=1)
def default_model() -> FallModel:
    """The shipped model (`analysis/fall_model.json`, read beside this module: not through
    `importlib.resources`, whose import costs every `analyze` ~8 ms)."""
    text = Path(__file__).with_name("fall_model.json").read_text(encoding="utf-8")
    return model_from_json(text)
