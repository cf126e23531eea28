"""Effort scales: the prescription's scale is offered; events name it; old events are Borg."""

from __future__ import annotations

import pytest
from rx_builders import make_rx

from osteomonitor.prescription.effort import BORG_6_20, CR10, SCALES, effort_scale, rpe_rating


def test_acsm_aerobic_effort_is_rated_on_cr10_and_ksbmr_on_borg() -> None:
    assert effort_scale(make_rx("acsm-osteoporosis"), "aerobic").key == CR10
    assert effort_scale(make_rx("ksbmr-2023"), "aerobic").key == BORG_6_20
    assert effort_scale(make_rx("acsm-osteoporosis"), "mixed").key == CR10


def test_without_a_prescription_or_an_effort_target_the_scale_is_borg() -> None:
    assert effort_scale(None, "aerobic").key == BORG_6_20
    assert effort_scale(make_rx("ksbmr-2023"), "resistance").key == BORG_6_20


def test_an_explicit_scale_field_wins() -> None:
    class Rx:
        effort_scale = CR10
        modalities = None

    assert effort_scale(Rx(), "aerobic").key == CR10


@pytest.mark.parametrize(
    ("data", "want"),
    [
        ({"rpe": 13}, (13.0, BORG_6_20)),  # recorded before scales were named
        ({"rpe": 3, "scale": "cr10"}, (3.0, CR10)),
        ({"rpe": 14, "scale": "borg6-20"}, (14.0, BORG_6_20)),
    ],
)
def test_rpe_events_read_with_their_scale(data: dict[str, object], want: tuple[float, str]) -> None:
    got = rpe_rating(data)
    assert got is not None
    assert (got[0], got[1].key) == want


@pytest.mark.parametrize(
    "data",
    [{"rpe": 3}, {"rpe": 11, "scale": "cr10"}, {"rpe": "x"}, {"rpe": 5, "scale": "?"}, {}],
)
def test_impossible_ratings_are_refused(data: dict[str, object]) -> None:
    assert rpe_rating(data) is None


def test_every_scale_has_anchors_inside_its_range() -> None:
    for scale in SCALES.values():
        assert all(scale.lo <= n <= scale.hi for n, _ in scale.anchors)
        assert scale.anchors[0][0] == scale.lo and scale.anchors[-1][0] == scale.hi


def test_session_record_judges_each_rating_on_its_own_scale() -> None:
    from rx_builders import START, ev, summary

    from osteomonitor.prescription.session_record import session_records

    s = summary(
        "aerobic",
        START,
        events=(
            ev(60, "rpe", rpe=3, scale="cr10"),
            ev(120, "rpe", rpe=13),
            ev(180, "rpe", rpe=25),  # impossible on Borg: kept in the file, not judged
        ),
    )
    rpe = session_records(s, make_rx("acsm-osteoporosis")).rpe
    assert [(r.value, r.scale) for r in rpe] == [(3.0, "cr10"), (13.0, "borg")]
