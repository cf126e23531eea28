"""METs from walking cadence reproduce the published CADENCE-Adults points (61-85 y)."""

from __future__ import annotations

import pytest

from osteomonitor.analysis.mets import below_moderate, mets_from_cadence


@pytest.mark.parametrize(("spm", "mets"), [(103.1, 3.0), (116.4, 4.0), (129.6, 5.0), (142.9, 6.0)])
def test_published_points(spm: float, mets: float) -> None:
    # Tudor-Locke et al., IJBNPA 2021;18:129, segmented regression (Results)
    assert mets_from_cadence(spm) == pytest.approx(mets)


def test_validity_range() -> None:
    assert mets_from_cadence(99.0) is None and below_moderate(99.0)
    assert mets_from_cadence(150.0) is None  # beyond the fitted walking range
    assert mets_from_cadence(100.0) == pytest.approx(3.0 - 3.1 / 13.3, abs=1e-3)
    lo, hi = mets_from_cadence(110.0), mets_from_cadence(120.0)
    assert lo is not None and hi is not None and lo < hi
