"""Safety alerts from the trunk sensor: a suspected fall and sustained forward bending.

A suspected fall is a STOP alert for everyone: the live screen asks "Possible fall: are
you all right?" and records the answer (`EventKind.FALL_RESPONSE`). Sustained bending
beyond the posture limit is a caution (WARNING), only for prescriptions that set
`avoid_spinal_flexion`, citing the prescription's source for the restriction. Both are
built here and raised through `SafetyMonitor` (live) and `check_safety` (review).
"""

from __future__ import annotations

from dataclasses import dataclass

from osteomonitor import timefmt
from osteomonitor.model import Event, EventKind, Fall, PostureSummary, SessionSummary

#: Where the fall rule comes from (the detector and its validation).
FALL_SOURCE = (
    "fall detector (analysis/falls.py): impact, change of posture and stillness after it; "
    "cross-validated on SisFall (Sucerquia et al., Sensors 2017) - see docs/metrics.md"
)
FALL_PATIENT_MESSAGE = "Possible fall: are you all right?"
FLEXION_PATIENT_MESSAGE = (
    "Your back has stayed bent forward beyond your plan's limit. Please come up slowly "
    "and, when you need to reach down, bend at your hips and knees with your back straight."
)
#: Answers the patient can give to a fall alert (`FALL_RESPONSE` data "response").
FALL_RESPONSES = ("fine", "help")


def fmt_t(t_s: float | None) -> str:
    """'at m:ss' for a session time, s."""
    return timefmt.at(t_s)


def fall_physio_message(fall: Fall, response: str | None = None) -> str:
    """What the physiotherapist reads about one suspected fall."""
    answer = {
        "fine": "the patient answered 'I'm fine'",
        "help": "the patient answered 'I need help'",
        None: "no answer recorded",
    }.get(response, f"answer '{response}'")
    return (
        f"Possible fall {fmt_t(fall.t_s)}: impact {fall.peak_g:.1f} g, posture changed "
        f"{fall.tilt_deg:.0f}°, model probability {fall.probability:.2f}; {answer}."
    )


def flexion_physio_message(start_s: float, limit_deg: float, held_s: float) -> str:
    """What the physiotherapist reads about one sustained bend."""
    return (
        f"Trunk inclined beyond {limit_deg:g}° from upright for ≥ {held_s:g} s, starting "
        f"{fmt_t(start_s)} (prescription: avoid spinal flexion)."
    )


def flexion_review_message(p: PostureSummary) -> str:
    """The review's count of bends beyond the limit."""
    return (
        f"{timefmt.plural(p.episodes, 'sustained bend')} beyond {p.limit_deg:g}° from upright "
        f"(longest {p.longest_episode_s:.0f} s), {p.beyond_s:.0f} s beyond the limit in all "
        "(prescription: avoid spinal flexion)."
    )


def fall_from_event(ev: Event, start_t_ns: int) -> Fall | None:
    """The `Fall` a `FALL_SUSPECTED` event recorded (None for other events)."""
    if ev.kind != EventKind.FALL_SUSPECTED:
        return None
    d = ev.data
    t_s = d.get("t_s")
    if not isinstance(t_s, int | float):
        t_s = (ev.t_ns - start_t_ns) / 1e9
    return Fall(
        float(t_s),
        (ev.t_ns - start_t_ns) / 1e9,
        float(d.get("probability", 0.0)),
        float(d.get("peak_g", 0.0)),
        float(d.get("tilt_deg", 0.0)),
    )


@dataclass(frozen=True, slots=True)
class FallRecord:
    """A suspected fall as review reports it.

    Attributes:
        fall: the fall (times in s from the session start).
        response: the patient's answer ("fine", "help"), None when none was recorded.
        live: it was raised live (a `FALL_SUSPECTED` event is in the recording).
        found: the analysis of the recording finds it.
    """

    fall: Fall
    response: str | None
    live: bool
    found: bool


#: A live-recorded fall and one the analysis finds within this of it are the same, s.
SAME_FALL_S = 1.0


def session_falls(summary: SessionSummary) -> list[FallRecord]:
    """Every suspected fall of a session: found by the analysis or raised live (the
    recording's `FALL_SUSPECTED` events), with the patient's answers, in time order."""
    answers: list[tuple[float, str]] = []
    live: list[Fall] = []
    for ev in summary.events:
        if ev.kind == EventKind.FALL_RESPONSE:
            t = ev.data.get("suspected_t_s")
            if isinstance(t, int | float):
                answers.append((float(t), str(ev.data.get("response", ""))))
        f = fall_from_event(ev, summary.start_t_ns)
        if f is not None:
            live.append(f)

    def near(a: Fall, b: Fall) -> bool:
        return abs(a.t_s - b.t_s) <= SAME_FALL_S

    out = [FallRecord(f, None, any(near(f, g) for g in live), True) for f in summary.falls]
    out += [
        FallRecord(g, None, True, False) for g in live if not any(near(g, f) for f in summary.falls)
    ]
    records = []
    for r in sorted(out, key=lambda r: r.fall.t_s):
        answer = next((a for t, a in answers if abs(t - r.fall.t_s) <= SAME_FALL_S), None)
        records.append(FallRecord(r.fall, answer, r.live, r.found))
    return records
