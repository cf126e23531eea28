"""Which safety alerts the banner shows right now.

The processor keeps every alert it ever raised (for the physio); the patient needs the
ones that matter now. An alert shows from the session time it was (last) raised for
`ALERT_HOLD_S` seconds of session time (a repeat extends it, and brings an acknowledged
alert back) or until acknowledged;
a pain alert stays until acknowledged, because only the person can say it is over.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# How long an alert stays on the banner after it was (last) raised, s of session time:
# long enough to be seen between two repetitions, short enough not to nag.
ALERT_HOLD_S = 20.0
# Rules whose alert stays until the person acknowledges it.
STICKY_RULE_WORDS: tuple[str, ...] = ("pain",)
# The rule whose alert also stays while the heart rate shown is above the ceiling (the
# safety monitor raises it once per excursion; the excursion can outlast the hold).
HR_CEILING_RULE = "hr-ceiling"


@dataclass(frozen=True, slots=True)
class LocalAlert:
    """An alert raised by the UI itself (a feed that stopped on an error)."""

    rule: str
    patient_message: str
    severity: str
    t_s: float = 0.0


def alert_key(alert: Any) -> str:
    """What makes two alerts "the same" for the banner: their rule."""
    return str(getattr(alert, "rule", None) or getattr(alert, "kind", None) or alert)


def alert_time(alert: Any) -> float:
    """Session time an alert was last raised, s: its latest folded repeat, else its own."""
    for name in ("last_t_s", "t_s"):
        t = getattr(alert, name, None)
        if isinstance(t, int | float):
            return float(t)
    return 0.0


class AlertBoard:
    """The alerts to show at a given session time."""

    def __init__(self) -> None:
        self._latest: dict[str, Any] = {}
        self._acknowledged: dict[str, float] = {}
        self._local: dict[str, LocalAlert] = {}
        self.now_s = 0.0
        self.hr_above_ceiling = False

    def update(self, alerts: Sequence[Any], now_s: float, hr_above_ceiling: bool = False) -> None:
        """Take the processor's full alert list.

        The whole list is read (it holds a few entries per rule): the safety monitor
        folds a repeat within its repeat window into the earlier entry (count and
        `last_t_s` go up), and that repeat must bring the alert back on the banner.

        Args:
            alerts: every alert so far. now_s: session time, s.
            hr_above_ceiling: the current heart rate is above the safety ceiling.
        """
        self.now_s = now_s
        self.hr_above_ceiling = hr_above_ceiling
        for alert in alerts:
            self._latest[alert_key(alert)] = alert

    def add_local(self, rule: str, text: str, severity: str) -> None:
        """Show a UI-side alert until acknowledged."""
        self._local[rule] = LocalAlert(rule, text, severity, self.now_s)

    def acknowledge_all(self) -> None:
        """The person has seen every alert showing now."""
        for key, alert in self._latest.items():
            self._acknowledged[key] = alert_time(alert)
        self._local.clear()

    def _sticky(self, key: str) -> bool:
        return any(w in key.lower() for w in STICKY_RULE_WORDS)

    def active(self) -> list[Any]:
        """Alerts to show now, in the order they were raised."""
        out: list[Any] = []
        for key, alert in self._latest.items():
            t = alert_time(alert)
            if key in self._acknowledged and self._acknowledged[key] >= t:
                continue
            if (
                self._sticky(key)
                or self.now_s - t <= ALERT_HOLD_S
                or (key == HR_CEILING_RULE and self.hr_above_ceiling)
            ):
                out.append(alert)
        out.extend(self._local.values())
        return out
