"""Falls from a trunk accelerometer (waist, hip or chest), any orientation, 25-416 Hz.

A fall is an impact followed by a changed, quieter body: the classic three-phase
pattern of the threshold detectors (Bourke et al. 2007; Sucerquia et al. 2017), judged
here by a small logistic model over explainable features that
`tools/train_fall_model.py` fits subject-wise on SisFall and USC-HAD (stored as data
in `fall_model.json`; `bench/accuracy_falls.py` scores it leave-one-subject-out).

Algorithm (parameters in `FallParams`, sources beside each):

1. ‖a‖ per sample, smoothed by a centred moving mean of `smooth_s` (a low-pass in the
   spirit of SisFall's 5 Hz filter, and what makes 25 Hz and 200 Hz peaks comparable).
2. Candidates: peaks of the smoothed ‖a‖ of at least `candidate_min_g` that are the
   highest within ± `separation_s` (one candidate per impact).
3. Features of a candidate at sample p (all rotation-invariant, so the sensor may sit
   in any orientation): the impact `peak_g`; the lowest smoothed ‖a‖ in the
   `freefall_s` before it (`freefall_g`, the free-fall dip); the angle between the mean
   acceleration (gravity) in `pre_s` before and `post_s` after it (`tilt_deg`, the
   change of posture); and the spread of the smoothed ‖a‖ after it (`post_sd_g`, lying
   still or not). Two more candidates, the downward speed before the impact (Bourke
   et al. 2008, Med Eng Phys 30:937) and the turn of the trunk's axis across it, added
   nothing leave-one-subject-out (same detections, same false alarms) and were dropped.
4. Score: logistic model over those features; a probability ≥ the model's threshold
   raises a fall, and further alarms are held off for `alarm_refractory_s`.

A fall is reported `post_s[1]` (2.5 s) after its impact peak, when the post-impact
window is complete. `FallDetector` is the one implementation; `detect_falls` feeds it
everything at once, so streaming and batch agree exactly. The gyroscope is not needed
(a Polar H10 has none); accelerometer-only keeps one model for every device.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from osteomonitor.model import Fall

from .signal import FloatArray, SignalError, check_acc, check_fs, magnitude, moving_mean_valid


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
    """The shipped model (`analysis/fall_model.json`)."""
    text = resources.files("osteomonitor.analysis").joinpath("fall_model.json").read_text()
    return model_from_json(text)


class FallDetector:
    """Incremental fall detector; feed chunks of any size, then `flush()` at the end.

    Args:
        fs_hz: sample rate, Hz (25-416).
        params: windows and thresholds.
        model: the classifier (default: the shipped model).
        upright_g: the gravity vector (any length) of this sensor while the person
            stands upright, e.g. the posture reference taken at the start; None when
            unknown (then the "already lying" test is skipped).
        keep_candidates: keep every judged candidate in `candidates`.

    Attributes:
        candidates: features of every candidate judged so far and whether it started
            lying (for training and benchmarks), kept only when `keep_candidates`.
    """

    def __init__(
        self,
        fs_hz: float,
        params: FallParams = DEFAULT_FALL_PARAMS,
        model: FallModel | None = None,
        upright_g: tuple[float, float, float] | None = None,
        keep_candidates: bool = False,
    ) -> None:
        self._fs = fs = check_fs(fs_hz, "FallDetector")
        self._up = None if upright_g is None else np.asarray(upright_g, dtype=np.float64)
        self._up_from = 0  # the upright reference applies to candidates from this sample
        self._p = params
        self._model = model if model is not None else default_model()
        self._keep = keep_candidates
        self.candidates: list[tuple[FallFeatures, bool]] = []
        w = max(1, round(params.smooth_s * fs))
        self._w = w if w % 2 else w + 1
        self._h = self._w // 2
        self._r = max(1, round(params.separation_s * fs))
        self._ff = max(1, round(params.freefall_s * fs))
        self._pre = (round(params.pre_s[0] * fs), max(1, round(params.pre_s[1] * fs)))
        self._post = (round(params.post_s[0] * fs), round(params.post_s[1] * fs))
        self._refr = round(params.alarm_refractory_s * fs)
        self._buf = np.empty((0, 3), dtype=np.float64)
        self._mag = np.empty(0, dtype=np.float64)
        self._b0 = 0  # global index of _buf[0]
        self._n = 0  # samples fed
        self._sm = np.empty(0, dtype=np.float64)  # smoothed ‖a‖ for global [_b0 + h, …)
        self._sm_end = self._h  # smoothed ‖a‖ exists for global [h, _sm_end)
        self._scan = self._h  # next global index that may be a candidate
        self._pending: list[int] = []
        self._last_alarm: int | None = None
        self._flushed = False

    @property
    def fs_hz(self) -> float:
        """Sample rate, Hz."""
        return self._fs

    def set_upright(self, upright_g: tuple[float, float, float], from_sample: int) -> None:
        """Use `upright_g` for the "already lying" test of candidates at or after sample
        `from_sample` (e.g. where the posture tracker found its standing reference).

        Tying the reference to a sample, not to the moment it is set, keeps the result
        independent of the chunking: the reference must be set before the detector is
        fed past `from_sample` + the post-impact window (feed the posture tracker first).
        """
        self._up = np.asarray(upright_g, dtype=np.float64)
        self._up_from = from_sample

    def feed(self, acc_g: FloatArray, mag: FloatArray | None = None) -> list[Fall]:
        """Add samples; return the falls confirmed by them.

        Args:
            acc_g: (k, 3) float64 acceleration, g, continuing the previous chunk.
            mag: (k,) ‖acc_g‖ when the caller has it already.
        """
        if self._flushed:
            raise RuntimeError("FallDetector.feed after flush(); make a new detector")
        a = check_acc(acc_g, "FallDetector.feed")
        if a.shape[0]:
            self._buf = np.concatenate((self._buf, a)) if self._buf.shape[0] else a
            m = magnitude(a) if mag is None else mag
            self._mag = np.concatenate((self._mag, m)) if self._mag.shape[0] else m
            self._n += a.shape[0]
        return self._process(final=False)

    def flush(self) -> list[Fall]:
        """End of signal: candidates whose post-impact window is complete are judged;
        an impact in the last `post_s[1]` seconds is not."""
        if self._flushed:
            return []
        out = self._process(final=True)
        self._flushed = True
        return out

    # ------------------------------------------------------------------ internals

    def _process(self, final: bool) -> list[Fall]:
        h, b0 = self._h, self._b0
        # smoothed ‖a‖ where its whole window is present: sm[i] = mean(mag[i-h : i+h+1])
        upto = self._n - h
        if upto > self._sm_end:
            src = self._mag[self._sm_end - h - b0 : upto + h - b0]
            new = moving_mean_valid(src, self._w)
            self._sm = np.concatenate((self._sm, new)) if self._sm.shape[0] else new
            self._sm_end = upto
        # candidates: highest smoothed peak within ± r, decided once r samples follow
        r = self._r
        hi = self._sm_end if final else self._sm_end - r
        if hi > self._scan:
            self._find_candidates(self._scan, hi)
            self._scan = hi
        out: list[Fall] = []
        need = self._post[1] + self._h  # the smoothed ‖a‖ of the whole post window
        while self._pending and self._pending[0] + need <= self._n:
            p = self._pending.pop(0)
            fall = self._judge(p)
            if fall is not None:
                out.append(fall)
        if final:
            self._pending.clear()
        self._trim()
        return out

    def _smv(self, lo: int, hi: int) -> FloatArray:
        """Smoothed ‖a‖ for global [lo, hi), clipped to what exists."""
        s0 = self._b0 + self._h  # global index of _sm[0]
        lo, hi = max(lo, s0), min(hi, self._sm_end)
        return self._sm[lo - s0 : max(lo, hi) - s0]

    def _find_candidates(self, lo: int, hi: int) -> None:
        r, s0 = self._r, self._b0 + self._h
        thr = self._p.candidate_min_g
        x = self._sm
        cand = np.flatnonzero(x[lo - s0 : hi - s0] >= thr) + lo
        for i in cand.tolist():
            v = x[i - s0]
            before = x[max(0, i - r - s0) : i - s0]
            after = x[i + 1 - s0 : min(self._sm_end, i + r + 1) - s0]
            if (before.shape[0] and v <= before.max()) or (after.shape[0] and v < after.max()):
                continue
            self._pending.append(i)

    def _mean_acc(self, lo: int, hi: int) -> FloatArray:
        lo, hi = max(0, lo), min(self._n, hi)
        if hi <= lo:
            return np.zeros(3)
        w = np.array(self._buf[lo - self._b0 : hi - self._b0])
        mean: FloatArray = w.sum(axis=0) / w.shape[0]
        return mean

    def features(self, p: int) -> FallFeatures:
        """Features of the candidate at global sample `p` (its windows must be buffered)."""
        fs = self._fs
        sm_p = float(self._smv(p, p + 1)[0])
        ff = self._smv(p - self._ff, p)
        freefall = float(ff.min()) if ff.shape[0] else sm_p
        g_pre = self._mean_acc(p - self._pre[0], p - self._pre[1])
        g_post = self._mean_acc(p + self._post[0], p + self._post[1])
        tilt = _angle_deg(g_pre, g_post)
        post = np.array(self._smv(p + self._post[0], p + self._post[1]))
        post_sd = float(post.std()) if post.shape[0] else 0.0
        return FallFeatures(p / fs, sm_p, freefall, tilt, post_sd)

    def _judge(self, p: int) -> Fall | None:
        f = self.features(p)
        lying = False
        if self._up is not None and p >= self._up_from:
            g_pre = self._mean_acc(p - self._pre[0], p - self._pre[1])
            lying = _angle_deg(self._up, g_pre) > self._p.lying_before_deg
        if self._keep:
            self.candidates.append((f, lying))
        prob = self._model.probability(f.vector())
        if lying or prob < self._model.threshold:
            return None
        if self._last_alarm is not None and p - self._last_alarm < self._refr:
            return None
        self._last_alarm = p
        return Fall(
            t_s=f.t_s,
            confirmed_s=(p + self._post[1] + self._h) / self._fs,
            probability=prob,
            peak_g=f.peak_g,
            tilt_deg=f.tilt_deg,
        )

    def _trim(self) -> None:
        # a future candidate (≥ _scan) looks back over its gravity and free-fall windows
        back = max(self._r, self._pre[0], self._ff) + self._h
        keep = min([self._scan - back, *(p - back for p in self._pending)])
        keep = max(0, keep)
        if keep > self._b0:
            cut = keep - self._b0
            self._buf = self._buf[cut:].copy()
            self._mag = self._mag[cut:].copy()
            self._sm = self._sm[cut:].copy()
            self._b0 = keep


def _angle_deg(a: FloatArray, b: FloatArray) -> float:
    na = math.sqrt(float((a * a).sum()))
    nb = math.sqrt(float((b * b).sum()))
    if na == 0 or nb == 0:
        return 0.0
    c = float((a * b).sum()) / (na * nb)
    return math.degrees(math.acos(max(-1.0, min(1.0, c))))


def detect_falls(
    acc_g: FloatArray,
    fs_hz: float,
    params: FallParams = DEFAULT_FALL_PARAMS,
    model: FallModel | None = None,
    upright_g: tuple[float, float, float] | None = None,
) -> list[Fall]:
    """Falls in a whole signal; times in s from the first sample.

    Args:
        acc_g: (n, 3) float64 acceleration, g, any orientation.
        fs_hz: sample rate, Hz (25-416).
        params: detector windows and thresholds.
        model: classifier (default: the shipped model).
        upright_g: the sensor's gravity vector while standing upright, if known.
    """
    det = FallDetector(fs_hz, params, model, upright_g)
    return det.feed(acc_g) + det.flush()
