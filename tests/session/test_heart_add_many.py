"""`HeartSource.add_many` (the batch path's block of a device's HR notifications, as
`HrColumns`) equals handing the notifications to `HeartSource.add` one at a time, for
any split into blocks and any mix of devices (the first to report is kept)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osteomonitor.analysis.params import AnalysisParams
from osteomonitor.devices.hrs_batch import HrColumns
from osteomonitor.model import NS_PER_S, HrSample
from osteomonitor.session.heart_zones import HeartSource


def _notifications(seed: int, n: int) -> list[tuple[str, HrSample]]:
    rng = np.random.default_rng(seed)
    t0 = 1_700_000_000 * NS_PER_S
    out = []
    for i in range(n):
        supported = bool(rng.integers(0, 4))
        rr = tuple(int(v) for v in rng.integers(300, 1400, int(rng.integers(0, 4))))
        out.append(
            (
                "strap" if rng.random() < 0.8 else "watch",
                HrSample(
                    t_ns=t0 + i * NS_PER_S + int(rng.integers(-NS_PER_S // 3, NS_PER_S // 3)),
                    hr_bpm=int(rng.integers(0, 230)),
                    rr_1024=rr,
                    contact_supported=supported,
                    contact=bool(rng.integers(0, 5)) if supported else None,
                ),
            )
        )
    return out


def _state(src: HeartSource) -> tuple[object, ...]:
    tr = src.track
    return (src.device, tr.t_s.tobytes(), tr.bpm.tobytes(), tr.contact.tobytes(), tr.rr)


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cuts=st.lists(st.integers(1, 200), min_size=1, max_size=5),
    start=st.sampled_from([None, 0, 1_700_000_000 * NS_PER_S - 5]),
)
def test_block_equals_one_at_a_time(seed: int, cuts: list[int], start: int | None) -> None:
    samples = _notifications(seed, 300)
    one, block = HeartSource(AnalysisParams()), HeartSource(AnalysisParams())
    for device, s in samples:  # as `SessionProcessor._rel_s` computes the time
        one.add(device, s, (s.t_ns - (start or s.t_ns)) / NS_PER_S, fold=False)
    i = 0
    for c in cuts * 300:
        by_device: dict[str, HrColumns] = {}  # (in the order each first reports)
        for k, (device, s) in enumerate(samples[i : i + c]):
            by_device.setdefault(device, HrColumns()).append(i + k, s)
        for device, cols in by_device.items():
            block.add_many(device, cols, start)
        i += c
        if i >= len(samples):
            break
    assert _state(block) == _state(one)
    a, b = one.track.batch(), block.track.batch()
    for x, y in zip(
        (a.t_s, a.hr_bpm, a.valid, a.from_rr), (b.t_s, b.hr_bpm, b.valid, b.from_rr), strict=True
    ):
        assert x.tobytes() == y.tobytes()
    # and the incremental (live) series folded later from the block is the same
    assert block.track.series().t_s.tobytes() == one.track.series().t_s.tobytes()


def test_an_empty_block_changes_nothing() -> None:
    src = HeartSource(AnalysisParams())
    src.add_many("strap", HrColumns(), None)
    assert src.device is None and not src.track.t_s


def test_extend_rejects_unequal_columns() -> None:
    src = HeartSource(AnalysisParams())
    with pytest.raises(ValueError, match="unequal length"):
        src.track.extend([1.0, 2.0], [60.0], [0], [()])


@settings(max_examples=80, deadline=None)
@given(
    ts=st.lists(st.integers(-(2**63), 2**63 - 1), min_size=0, max_size=40),
    start=st.one_of(st.none(), st.just(0), st.integers(-(2**63), 2**63 - 1)),
    near=st.booleans(),
)
def test_seconds_as_arrays_equal_int_division_one_by_one(
    ts: list[int], start: int | None, near: bool
) -> None:
    """`add_many`'s arrival seconds (int64 arrays, float64 division) are the values
    `(t - (start or t)) / NS_PER_S` gives one by one, also for differences past 2**53
    (divided one by one) and without a start."""
    from osteomonitor.session.heart_zones import _seconds_from

    if near and start:  # a session's arrivals: within hours of the start
        ts = [start + v % (10**14) for v in ts]
    want = [(t - (start or t)) / NS_PER_S for t in ts]
    got = _seconds_from(ts, start)
    assert got.dtype == np.float64
    assert got.tobytes() == np.asarray(want, dtype=np.float64).tobytes()


def test_arrays_append_as_values_do() -> None:
    """`HeartTrack.extend` takes float64 / int8 arrays as their bytes: the same columns
    as the values one by one; other dtypes go value by value."""
    from osteomonitor.session.heart import HeartTrack

    a, b = HeartTrack(0.0), HeartTrack(0.0)
    t = np.array([0.5, 1.25, -0.0, 3.0])
    a.extend(t.tolist(), [60.0, 61.0, 0.0, 250.0], [1, 0, -1, 1], [(), (800,), (), (700, 9)])
    b.extend(
        t,
        np.array([60, 61, 0, 250]).astype(np.float64),
        np.array([1, 0, -1, 1], np.int8),
        [(), (800,), (), (700, 9)],
    )
    assert _state_of(a) == _state_of(b)
    c = HeartTrack(0.0)
    c.extend(t[::2], np.array([60.0, 0.0]), np.array([1, -1], np.int64), [(), ()])
    assert c.t_s.tolist() == [0.5, -0.0] and c.contact.tolist() == [1, -1]


def _state_of(tr: object) -> tuple[object, ...]:
    return (tr.t_s.tobytes(), tr.bpm.tobytes(), tr.contact.tobytes(), tr.rr)  # type: ignore[attr-defined]


def test_a_sessions_arrivals_take_the_array_form() -> None:
    """Epoch-ns arrivals hours from an epoch-ns start (every real session) are exact as
    int64 differences and float64 values: the array form, not the one-by-one fallback."""
    from osteomonitor.session.heart_zones import _exact_differences

    start = 1_700_000_000 * NS_PER_S
    ts = [start + i * NS_PER_S + 123 for i in range(0, 10 * 3600, 7)]
    d = _exact_differences(ts, start)
    assert d is not None and d.tolist() == [t - start for t in ts]
    assert _exact_differences([start + 2**53], start) is None  # past exact floats
    assert _exact_differences([2**62], 1) is None  # could overflow int64
    assert _exact_differences([5], -(2**62)) is None
