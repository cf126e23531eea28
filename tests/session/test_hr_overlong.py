"""An over-long heart-rate notification never makes HR time longer than the session.

Extra bytes after a Heart Rate Measurement are read as more RR intervals (the format
allows any count). Laid back in time from the notification's arrival they reached
long before the recording started, and "seconds with valid HR" became longer than the
session (found by the whole-pipeline fuzz drill, issue 11).
"""

from __future__ import annotations

import random

from osteomonitor.devices.hrs import encode_hr
from osteomonitor.model import DeviceInfo, Packet
from osteomonitor.session import SessionProcessor
from osteomonitor.sim.session_model import SessionModel

NS = 1_000_000_000
T0_NS = 1_790_000_000_000_000_000
STRAP = DeviceInfo("strap", "C0:00:00:00:00:40", "HR strap 1", "hr-strap")


def _packets(seconds: int = 12) -> list[Packet]:
    model = SessionModel(seed=5, duration_s=300.0)
    return [
        Packet(
            T0_NS + round((s - 100) * NS),
            "strap",
            "hr",
            encode_hr(round(model.hr_bpm(s)), model.rr_1024_between(s - 1, s), contact=True),
        )
        for s in range(101, 101 + seconds)
    ]


def test_overlong_notification_keeps_hr_time_within_the_session() -> None:
    packets = _packets()
    rng = random.Random(4)
    for seed in range(20):
        rng.seed(seed)
        damaged = list(packets)
        i = rng.randrange(len(damaged))
        # plausible RR values (0.6-1.2 s) appended: they pass the artifact filter
        extra = b"".join(
            rng.randrange(615, 1229).to_bytes(2, "little") for _ in range(rng.randint(20, 150))
        )
        p = damaged[i]
        damaged[i] = Packet(p.t_ns, p.device, p.stream, p.payload + extra)
        proc = SessionProcessor([STRAP])
        proc.feed_many(damaged)
        s = proc.summary()
        h = s.heart
        assert h is not None
        assert h.valid_s <= s.duration_s + 1e-9, (seed, h.valid_s, s.duration_s)
        assert h.valid_s + h.unknown_s <= s.duration_s + 1e-9
        assert sum(z.seconds for z in h.zones) <= s.duration_s + 1e-9
        assert 0.0 <= h.coverage <= 1.0


def test_clean_hr_time_unchanged() -> None:
    proc = SessionProcessor([STRAP])
    proc.feed_many(_packets())
    s = proc.summary()
    assert s.heart is not None
    assert 0 < s.heart.valid_s <= s.duration_s
