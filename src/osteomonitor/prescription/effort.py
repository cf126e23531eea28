"""Rating scales of perceived effort: Borg RPE 6-20 and CR-10 (0-10).

A prescription states effort on one of them (KSBMR: RPE 11-14 on Borg 6-20; ACSM:
"CR-10 rating 3-4"), so the patient is asked on that scale, and every RPE event names
the scale it was given on: `{"rpe": value, "scale": "borg6-20" | "cr10"}`. Events
recorded before scales were named carry only `rpe` and are Borg 6-20 (the only scale
offered then).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BORG_6_20 = "borg6-20"
CR10 = "cr10"
#: The scale of an RPE event that names none (every event before scales were named).
DEFAULT_SCALE = BORG_6_20


@dataclass(frozen=True, slots=True)
class EffortScale:
    """One rating scale.

    Attributes:
        key: the value stored in events ("borg6-20", "cr10").
        label: name shown to people.
        lo / hi: lowest and highest rating.
        anchors: (rating, verbal anchor) pairs shown with the question.
        target_key: the prescription target that uses this scale.
        source: where the numbers and words come from.
    """

    key: str
    label: str
    lo: int
    hi: int
    anchors: tuple[tuple[int, str], ...]
    target_key: str
    source: str


SCALES: dict[str, EffortScale] = {
    BORG_6_20: EffortScale(
        BORG_6_20,
        "Borg RPE 6-20",
        6,
        20,
        (
            (6, "no exertion at all"),
            (7, "extremely light"),
            (9, "very light"),
            (11, "light"),
            (13, "somewhat hard"),
            (15, "hard (heavy)"),
            (17, "very hard"),
            (19, "extremely hard"),
            (20, "maximal exertion"),
        ),
        "rpe_borg",
        "Borg 1982, Med Sci Sports Exerc 14:377",
    ),
    CR10: EffortScale(
        CR10,
        "CR-10 (0-10)",
        0,
        10,
        (
            (0, "rest"),
            (1, "very, very easy"),
            (2, "easy"),
            (3, "moderate"),
            (4, "somewhat hard"),
            (5, "hard"),
            (7, "very hard"),
            (10, "maximal"),
        ),
        "cr10",
        "Foster et al. 2001, J Strength Cond Res 15:109 (session RPE, modified CR-10); "
        "ACSM Guidelines 11th ed.: moderate = CR-10 3-4",
    ),
}

#: Session kinds and the modality whose effort target sets their scale.
_KIND_MODALITY: dict[str, str] = {"mixed": "aerobic", "impact": "aerobic"}


def effort_scale(rx: Any, kind: str | None = None) -> EffortScale:
    """The scale the patient rates effort on in a `kind` session under `rx`.

    The one place that reads it: the prescription's own scale field when it has one;
    otherwise the scale of the effort target the session's modality (else any
    modality) prescribes; otherwise Borg 6-20.

    Args:
        rx: a `Prescription`, or None.
        kind: the session kind ("aerobic", "resistance" …), or None.
    """
    if rx is None:
        return SCALES[DEFAULT_SCALE]
    for name in ("effort_scale", "rpe_scale"):  # the rules engine's field, when present
        named = getattr(rx, name, None)
        key = getattr(named, "key", named)
        if isinstance(key, str) and key in SCALES:
            return SCALES[key]
    modalities: Mapping[str, Any] = getattr(rx, "modalities", {}) or {}
    wanted = _KIND_MODALITY.get(kind or "", kind or "")
    order = [m for m in (wanted, *modalities) if m in modalities]
    for modality in order:
        targets = getattr(modalities[modality], "targets", {}) or {}
        for scale in SCALES.values():
            if scale.target_key in targets and not any(
                other.target_key in targets for other in SCALES.values() if other is not scale
            ):
                return scale
    return SCALES[DEFAULT_SCALE]


def rpe_rating(data: Mapping[str, Any]) -> tuple[float, EffortScale] | None:
    """The rating and its scale from an RPE event's data (no scale: Borg 6-20).

    Returns None when the rating is missing, not a number, or outside its scale.
    """
    value = data.get("rpe")
    scale = SCALES.get(str(data.get("scale", DEFAULT_SCALE)))
    if scale is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not scale.lo <= value <= scale.hi:
        return None
    return float(value), scale
