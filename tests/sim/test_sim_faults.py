"""The text form of simulated faults (what --sim-faults and the drills pass)."""

from __future__ import annotations

import itertools

import pytest

from osteomonitor.errors import UsageError
from osteomonitor.sim.faults import DEFAULT_LINK_GAP_S, Faults, parse_faults


def test_parse_every_item() -> None:
    f = parse_faults(
        "drop@95, drop@30,gap=4,malformed=50,cp-error=0x08,cp-error-count=1,late=25,"
        "drift=-150,stopped@40,drops-per-hour=20,seed=7"
    )
    assert f == Faults(
        link_drops_s=(30.0, 95.0),
        link_gap_s=4.0,
        drops_per_hour=20.0,
        malformed_every=50,
        cp_error=8,
        cp_error_count=1,
        late_start_s=25.0,
        clock_drift_ppm=-150.0,
        stopped_at_s=(40.0,),
        seed=7,
    )
    assert parse_faults("") == Faults()
    assert Faults().link_gap_s == DEFAULT_LINK_GAP_S


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("explode=1", "unknown simulated fault 'explode=1'"),
        ("late=soon", "not a number"),
        ("drop", "unknown"),
    ],
)
def test_bad_items_name_the_item(text: str, match: str) -> None:
    with pytest.raises(UsageError, match=match):
        parse_faults(text)


def test_periodic_drops_are_seeded_jittered_and_counted() -> None:
    f = Faults(drops_per_hour=20, seed=3)
    times = f.drop_times(3600.0)
    assert len(times) == 20
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) > 0.39 * 180 and max(gaps) < 1.61 * 180
    assert times == Faults(drops_per_hour=20, seed=3).drop_times(3600.0)
    assert times != Faults(drops_per_hour=20, seed=4).drop_times(3600.0)
    assert Faults(link_drops_s=(10.0, 7000.0)).drop_times(3600.0) == (10.0,)
