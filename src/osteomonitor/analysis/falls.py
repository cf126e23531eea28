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

import numpy as np

from osteomonitor.model import Fall

from .fall_model import DEFAULT_FALL_PARAMS as DEFAULT_FALL_PARAMS
from .fall_model import FEATURE_NAMES as FEATURE_NAMES
from .fall_model import FallFeatures as FallFeatures
from .fall_model import FallModel as FallModel
from .fall_model import FallParams as FallParams
from .fall_model import default_model as default_model
from .fall_model import model_from_json as model_from_json
from .fall_rows import angle3, angle_deg, rowwise, window_means
from .fall_scan import RUNS_FROM, FallScan
from .screen import (
    checked_acc_mag,
    moving_mean_runs,
    moving_mean_span,
    screened_moving_mean,
)
from .signal import FloatArray, check_fs, moving_mean_valid


class FallDetector(FallScan):
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

    #: Smooth ‖a‖ exactly only where a candidate can be (`screen.screened_moving_mean`)
    #: and on demand for a candidate's features; False: everywhere (the reference form).
    _screen = True
    #: Judge the candidates that became ready together (`_mean_acc_many`, `fall_rows.angle3`);
    #: False: one at a time by `_judge` (the reference form).
    _many = True

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
        self._sm = np.empty(0, dtype=np.float64)  # smoothed ‖a‖ for global [_sm0, _sm_end)
        self._sm0 = self._h  # _b0 + h, or later after `_search_runs`
        self._sm_end = self._h  # smoothed ‖a‖ exists for global [h, _sm_end)
        self._scan = self._h  # next global index that may be a candidate
        self._pending: list[int] = []
        self._windows: dict[tuple[int, int], FloatArray] = {}  # see `_exact_windows`
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

    def feed(
        self, acc_g: FloatArray, mag: FloatArray | None = None, *, checked: bool = False
    ) -> list[Fall]:
        """Add samples; return the falls confirmed by them.

        Args:
            acc_g: (k, 3) float64 acceleration, g, continuing the previous chunk.
            mag: (k,) ‖acc_g‖ when the caller has it already.
            checked: `acc_g` and `mag` come from `screen.checked_with_magnitude`.
        """
        if self._flushed:
            raise RuntimeError("FallDetector.feed after flush(); make a new detector")
        a, mag = checked_acc_mag(acc_g, mag, "FallDetector.feed", checked)
        if a.shape[0]:
            self._buf = np.concatenate((self._buf, a)) if self._buf.shape[0] else a
            self._mag = np.concatenate((self._mag, mag)) if self._mag.shape[0] else mag
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
        if upto > self._sm_end and self._screen and upto - self._sm_end >= RUNS_FROM:
            self._search_runs(upto, final)
        elif upto > self._sm_end:
            if self._screen:  # exact only where a candidate can be (≥ candidate_min_g);
                # the kept ‖a‖ is never NaN (`checked_acc_mag`)
                new = screened_moving_mean(
                    self._mag, self._sm_end - b0, upto - b0, h, 0, self._mag.shape[0],
                    keep_above=self._p.candidate_min_g, fill=-np.inf, nan_free=True,
                )  # fmt: skip
            else:
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
        k = 0  # (pending is in sample order)
        while k < len(self._pending) and self._pending[k] + need <= self._n:
            k += 1
        ready, self._pending = self._pending[:k], self._pending[k:]
        if self._screen:
            self._exact_windows(ready)
        if self._many and ready:  # every ready candidate's gravity windows as arrays
            g_pre = self._mean_acc_many(ready, -self._pre[0], -self._pre[1])
            g_post = self._mean_acc_many(ready, self._post[0], self._post[1])
            feats = self._features_many(ready, g_pre, g_post)
            for p, f, pre in zip(ready, feats, g_pre, strict=True):
                fall = self._judge_with(p, f, pre)
                if fall is not None:
                    out.append(fall)
        else:
            for p in ready:
                fall = self._judge(p)
                if fall is not None:
                    out.append(fall)
        if final:
            self._pending.clear()
        self._windows.clear()
        self._trim()
        return out

    def _exact_windows(self, ps: list[int]) -> None:
        """The smoothed ‖a‖ over the free-fall window and the post window of each
        candidate in `ps`, computed together (`screen.moving_mean_runs`) for `_smv`."""
        if not ps:
            return
        s0, b0 = self._b0 + self._h, self._b0
        spans = []
        for p in ps:
            for lo, hi in ((p - self._ff, p), (p, p + 1), (p + self._post[0], p + self._post[1])):
                lo, hi = max(lo, s0), min(hi, self._sm_end)
                spans.append((lo, max(lo, hi)))
        se = np.asarray(spans, dtype=np.intp)
        vals = moving_mean_runs(self._mag, se[:, 0] - b0, se[:, 1] - b0, self._h, 0, self._n - b0)
        ends = np.cumsum(se[:, 1] - se[:, 0]).tolist()
        for (lo, hi), a, b in zip(spans, [0, *ends[:-1]], ends, strict=True):
            self._windows[(lo, hi)] = vals[a:b]

    def _smv(self, lo: int, hi: int) -> FloatArray:
        """Smoothed ‖a‖ for global [lo, hi), clipped to what exists."""
        s0 = self._b0 + self._h  # the first smoothed sample
        lo, hi = max(lo, s0), min(hi, self._sm_end)
        if not self._screen:
            return self._sm[lo - self._sm0 : max(lo, hi) - self._sm0]
        # `_sm` is exact only near candidates: these values computed (the same sums)
        # with the other candidates' (`_exact_windows`) or now
        hi = max(lo, hi)
        part = self._windows.get((lo, hi))
        if part is not None:
            return part
        b0 = self._b0
        return moving_mean_span(self._mag, lo - b0, hi - b0, self._h, 0, self._n - b0)

    def _mean_acc(self, lo: int, hi: int) -> FloatArray:
        lo, hi = max(0, lo), min(self._n, hi)
        if hi <= lo:
            return np.zeros(3)
        w = np.array(self._buf[lo - self._b0 : hi - self._b0])
        mean: FloatArray = w.sum(axis=0) / w.shape[0]
        return mean

    def _mean_acc_many(self, ps: list[int], a: int, b: int) -> list[list[float]]:
        """`_mean_acc(p + a, p + b)` of every candidate in `ps`, as [x, y, z] floats:
        the windows inside the buffer stacked and summed together (each window's samples
        added in order, as `_mean_acc` adds them), the clipped ones one at a time."""
        out: list[list[float]] = [[]] * len(ps)
        n = b - a
        whole = [i for i, p in enumerate(ps) if p + a >= 0 and p + b <= self._n and n > 0]
        if whole:
            starts = np.asarray([ps[i] + a for i in whole], dtype=np.intp) - self._b0
            for i, m in zip(whole, window_means(self._buf, starts, n), strict=True):
                out[i] = m
        for i, p in enumerate(ps):
            if not out[i]:
                out[i] = self._mean_acc(p + a, p + b).tolist()
        return out

    def features(self, p: int) -> FallFeatures:
        """Features of the candidate at global sample `p` (its windows must be buffered)."""
        fs = self._fs
        sm_p = float(self._smv(p, p + 1)[0])
        ff = self._smv(p - self._ff, p)
        freefall = float(ff.min()) if ff.shape[0] else sm_p
        g_pre = self._mean_acc(p - self._pre[0], p - self._pre[1])
        g_post = self._mean_acc(p + self._post[0], p + self._post[1])
        tilt = angle_deg(g_pre, g_post)
        post = np.array(self._smv(p + self._post[0], p + self._post[1]))
        post_sd = float(post.std()) if post.shape[0] else 0.0
        return FallFeatures(p / fs, sm_p, freefall, tilt, post_sd)

    def _features_many(
        self, ps: list[int], g_pre: list[list[float]], g_post: list[list[float]]
    ) -> list[FallFeatures]:
        """`features(p)` of every candidate in `ps` given their mean gravity before and
        after the impact: the free-fall minima and post-impact spreads of the windows
        of one length taken as rows of one array (each row reduced as the window alone)."""
        sm_p = [float(self._smv(p, p + 1)[0]) for p in ps]
        ffs = [self._smv(p - self._ff, p) for p in ps]
        posts = [self._smv(p + self._post[0], p + self._post[1]) for p in ps]
        freefall = rowwise(ffs, lambda m: m.min(axis=1), np.min, sm_p)
        post_sd = rowwise(posts, lambda m: m.std(axis=1), np.std, [0.0] * len(ps))
        fs = self._fs
        return [
            FallFeatures(p / fs, sm_p[i], freefall[i], angle3(g_pre[i], g_post[i]), post_sd[i])
            for i, p in enumerate(ps)
        ]

    def _judge(self, p: int) -> Fall | None:
        """The candidate at `p` alone (the reference form of `_process`'s block)."""
        f = self.features(p)
        lying = False
        if self._up is not None and p >= self._up_from:
            g_pre = self._mean_acc(p - self._pre[0], p - self._pre[1])
            lying = angle_deg(self._up, g_pre) > self._p.lying_before_deg
        return self._decide(p, f, lying)

    def _judge_with(self, p: int, f: FallFeatures, g_pre: list[float]) -> Fall | None:
        """`_judge(p)` given its features and the mean gravity before the impact."""
        lying = False
        if self._up is not None and p >= self._up_from:
            lying = angle3(self._up.tolist(), g_pre) > self._p.lying_before_deg
        return self._decide(p, f, lying)

    def _decide(self, p: int, f: FallFeatures, lying: bool) -> Fall | None:
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
            sm_cut = max(0, keep + self._h - self._sm0)  # (_sm may start later: `_search_runs`)
            self._sm = self._sm[sm_cut:].copy()
            self._sm0 += sm_cut
            self._b0 = keep


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
