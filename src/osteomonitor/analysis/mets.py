"""METs estimated from walking cadence (older adults).

Tudor-Locke et al., "Walking cadence (steps/min) and intensity in 61-85-year-old adults:
the CADENCE-Adults study", IJBNPA 2021;18:129. 98 community-dwelling adults aged 61-85
walked 5-min treadmill bouts from 0.5 mph in 0.5 mph steps; METs were measured by
indirect calorimetry (1 MET = 3.5 mL/kg/min). The segmented mixed-model regression put
3, 4, 5 and 6 METs at 103.1, 116.4, 129.6 and 142.9 steps/min: above its breakpoint the
relation is linear, ≈ 13.3 steps/min per MET. `mets_from_cadence` interpolates those
published points (and their straight-line extension) and refuses what lies outside:

- validity: walking (not running), adults 61-85 y (the 41-60 y cohort of the same
  study gives 3 METs at 101.7 and 6 at 132.1 steps/min, within 2 steps/min), cadence
  between `VALID_SPM` (below ~100 steps/min the study found METs flatten under 3, so the
  line would overstate them: `below_moderate` says "< 3 METs" instead of a number).
- the prediction intervals are wide (3 METs: 70.0-114.2 steps/min), so one session's
  estimate is a group-level figure, not a measurement of this patient.
"""

from __future__ import annotations

#: (cadence steps/min, METs) of the segmented regression, Tudor-Locke et al. 2021 Table 3.
CADENCE_METS: tuple[tuple[float, float], ...] = (
    (103.1, 3.0),
    (116.4, 4.0),
    (129.6, 5.0),
    (142.9, 6.0),
)

#: Cadences the relation is used for, steps/min: from the heuristic 3-MET threshold
#: (100 steps/min) to the highest fitted point (≈ 143 steps/min, 6 METs).
VALID_SPM: tuple[float, float] = (100.0, 143.0)

#: Ages the relation was fitted on, years.
VALID_AGE_Y: tuple[int, int] = (61, 85)

SOURCE = (
    "Tudor-Locke et al., IJBNPA 2021;18:129 (CADENCE-Adults, 61-85 y): 3/4/5/6 METs at "
    "103.1/116.4/129.6/142.9 steps/min"
)


def mets_from_cadence(cadence_spm: float) -> float | None:
    """METs of walking at this cadence, or None outside `VALID_SPM`.

    Args:
        cadence_spm: walking cadence, steps/min.

    Returns:
        METs (linear between the published points, extended to the ends of
        `VALID_SPM`), or None when the cadence is outside the valid range.
    """
    lo, hi = VALID_SPM
    if not lo <= cadence_spm <= hi:
        return None
    pts = CADENCE_METS
    if cadence_spm <= pts[0][0]:
        (c0, m0), (c1, m1) = pts[0], pts[1]
    elif cadence_spm >= pts[-1][0]:
        (c0, m0), (c1, m1) = pts[-2], pts[-1]
    else:
        i = next(k for k in range(1, len(pts)) if cadence_spm <= pts[k][0])
        (c0, m0), (c1, m1) = pts[i - 1], pts[i]
    return m0 + (cadence_spm - c0) * (m1 - m0) / (c1 - c0)


def below_moderate(cadence_spm: float) -> bool:
    """True when the cadence is under the 3-MET heuristic threshold (100 steps/min)."""
    return cadence_spm < VALID_SPM[0]
