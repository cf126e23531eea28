"""`AccTrack` computes ‖a‖ once per analysis and hands it to every detector: the same
jumps, impact peaks, steps and falls as each detector computing its own, also when
samples are not finite (each detector reads such a row as 1 g at rest)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.synth import jumps_signal, walking_signal
from osteomonitor.analysis.falls import FallDetector
from osteomonitor.analysis.impacts import ImpactCounter
from osteomonitor.analysis.jumps import JumpDetector
from osteomonitor.analysis.steps import StepCounter
from osteomonitor.model import NS_PER_S, AccBlock
from osteomonitor.session.acc_track import AccTrack

FS = 200.0


@pytest.mark.parametrize("bad", [False, True])
def test_mag_once_equals_each_detector_alone(bad: bool) -> None:
    hops, _ = jumps_signal(FS, [0.3, 0.35, 0.4, 0.3])
    acc = np.concatenate((walking_signal(FS, 110.0, 30.0, seed=2), hops))
    if bad:
        acc[[100, 2500, 2501, len(acc) - 300]] = (np.nan, np.inf, 0.0)
    track = AccTrack("dev", "chest", origin_ns=0)
    t = np.full(len(acc), 0, dtype=np.int64)
    t[-1] = int((len(acc) - 1) / FS * NS_PER_S)
    track.feed(AccBlock("dev", t, acc, FS, 16.0))
    track.finish()

    jd, ic, sc = JumpDetector(FS, 16.0), ImpactCounter(FS, 16.0), StepCounter(FS)
    fd = FallDetector(FS)
    jumps = jd.feed(acc) + jd.flush()
    peaks = ic.feed(acc) + ic.flush()
    steps = sc.feed(acc) + sc.flush()
    assert track.jumps == jumps
    assert track.peaks == peaks
    assert list(track.step_times_s) == steps
    assert track.trunk is not None
    falls = fd.feed(acc) + fd.flush()
    assert [f.t_s for f in track.trunk.falls] == [f.t_s for f in falls]
    assert len(jumps) >= 3 and len(steps) > 20
