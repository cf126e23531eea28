"""One trunk sensor's falls and posture over a session made of contiguous stretches.

`TrunkTracker` runs a `FallDetector` and a `PostureTracker` side by side on the same
samples. A session's accelerometer stream breaks into stretches at gaps and rate
changes: each stretch gets a fresh fall detector, while the posture tracker carries its
upright reference, distribution and counts across (`PostureTracker.restart`). Times are
seconds from the session start (`t0_s` of each stretch added).

The posture tracker's standing reference is handed to the fall detector for its
"already lying" test from the sample where it became known, so the result does not
depend on how the samples are chunked (the posture tracker is always fed first).
"""

from __future__ import annotations

from dataclasses import replace

from osteomonitor.model import Fall, PostureSummary

from .falls import DEFAULT_FALL_PARAMS, FallDetector, FallParams
from .posture import DEFAULT_POSTURE_PARAMS, PostureParams, PostureTracker
from .signal import FloatArray

#: Placements where the sensor moves with the trunk (falls and posture are valid there;
#: an arm or wrist sensor swings on its own).
TRUNK_PLACEMENTS = frozenset({"chest", "hip", "waist", "lower-back", "trunk"})


class TrunkTracker:
    """Falls and trunk posture of one sensor, stretch by stretch.

    Args:
        fall_params / posture_params: detector parameters.

    Attributes:
        falls: every fall so far (session seconds).
        inclination_deg: the latest inclination from upright, degrees (None until the
            reference is known).
        new_episode_starts_s: starts of the bends beyond the limit that the last `feed`
            made sustained (session seconds).
    """

    def __init__(
        self,
        fall_params: FallParams = DEFAULT_FALL_PARAMS,
        posture_params: PostureParams = DEFAULT_POSTURE_PARAMS,
    ) -> None:
        self._fp = fall_params
        self._pp = posture_params
        self._falls: FallDetector | None = None
        self._posture: PostureTracker | None = None
        self._t0 = 0.0
        self._upright_set = False
        self.falls: list[Fall] = []
        self.inclination_deg: float | None = None
        self.new_episode_starts_s: list[float] = []

    @property
    def limit_deg(self) -> float:
        """The posture limit judged, degrees."""
        return self._pp.limit_deg

    @property
    def episode_min_s(self) -> float:
        """How long a bend beyond the limit lasts before it is an episode, s."""
        return self._pp.episode_min_s

    def start(self, fs_hz: float, t0_s: float) -> list[Fall]:
        """Begin a stretch at `fs_hz` starting `t0_s` after the session start; ends the
        previous stretch first and returns the falls that confirmed."""
        out = self.end()
        self._falls = FallDetector(fs_hz, self._fp)
        if self._posture is None:
            self._posture = PostureTracker(fs_hz, params=self._pp)
            self._posture.restart(fs_hz, t0_s)
        else:
            self._posture.restart(fs_hz, t0_s)
        self._t0 = t0_s
        self._upright_set = False
        return out

    @property
    def aligned_block(self) -> int | None:
        """`PostureTracker.aligned_block` of the current stretch (None before `start`)."""
        return None if self._posture is None else self._posture.aligned_block

    def feed(
        self,
        acc_g: FloatArray,
        mag: FloatArray | None = None,
        *,
        checked: bool = False,
        sums: FloatArray | None = None,
    ) -> list[Fall]:
        """Samples of the current stretch, g (and their ‖a‖ when the caller has it);
        returns falls confirmed by them. `checked`: `acc_g` and `mag` come from
        `screen.checked_with_magnitude`, so neither detector scans them again; `sums`:
        the posture tracker's block sums of `acc_g` (`PostureTracker.feed_latest`)."""
        if self._falls is None or self._posture is None:
            raise RuntimeError("TrunkTracker.feed before start()")
        deg = self._posture.feed_latest(acc_g, mag, checked=checked and mag is not None, sums=sums)
        if deg is not None:
            self.inclination_deg = deg
        self.new_episode_starts_s = list(self._posture.new_episodes)
        ref, at = self._posture.reference_g, self._posture.reference_sample
        if not self._upright_set and ref is not None and at is not None:
            self._falls.set_upright(ref, at)
            self._upright_set = True
        return self._take(self._falls.feed(acc_g, mag, checked=checked and mag is not None))

    def end(self) -> list[Fall]:
        """End the current stretch (a gap): judge what can be judged."""
        if self._falls is None:
            return []
        out = self._take(self._falls.flush())
        self._falls = None
        return out

    def _take(self, falls: list[Fall]) -> list[Fall]:
        out = [
            replace(f, t_s=f.t_s + self._t0, confirmed_s=f.confirmed_s + self._t0) for f in falls
        ]
        self.falls.extend(out)
        return out

    def posture(self) -> PostureSummary | None:
        """The posture summary so far (None before any sample)."""
        return None if self._posture is None else self._posture.summary()
