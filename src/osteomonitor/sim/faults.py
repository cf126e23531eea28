"""Faults a virtual wearable can be asked to show, and their one-line text form.

The text form is what `--sim-faults` takes on the command line and what drills pass:
comma-separated items, times in simulated seconds::

    drop@30            drop the link at 30 s (repeatable: drop@30,drop@95)
    gap=4              stay silent 4 s after a drop before advertising again (default 3)
    drops-per-hour=20  add drops at jittered regular times (seeded)
    malformed=50       every 50th data notification is malformed
    cp-error=8         answer PMD start requests with status 8 (INVALID_SAMPLE_RATE)
    cp-error-count=1   how many start requests get that error (default: all)
    late=25            PMD streams start 25 s after the start request
    drift=150          device clock runs 150 ppm fast (negative: slow)
    stopped@40         the device announces "measurement stopped" at 40 s
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from osteomonitor.errors import UsageError

#: Seconds a dropped wearable stays silent before advertising again, by default.
DEFAULT_LINK_GAP_S = 3.0


@dataclass(frozen=True)
class Faults:
    """Faults on demand for one virtual wearable (all times in simulated seconds).

    Attributes:
        link_drops_s: times at which the device drops the link (supervision timeout).
        link_gap_s: silence after each drop before it advertises again, s.
        drops_per_hour: extra drops at jittered regular times, per simulated hour.
        malformed_every: every Nth data notification is malformed (0 = never).
        cp_error: PMD status code answered to start requests (None = success).
        cp_error_count: how many start requests get `cp_error` (None = all).
        late_start_s: delay between a PMD start request and the first data frame, s.
        clock_drift_ppm: device clock rate error, parts per million (+ = fast).
        stopped_at_s: times at which the device announces "measurement stopped".
        seed: seed of the jitter of `drops_per_hour`.
    """

    link_drops_s: tuple[float, ...] = ()
    link_gap_s: float = DEFAULT_LINK_GAP_S
    drops_per_hour: float = 0.0
    malformed_every: int = 0
    cp_error: int | None = None
    cp_error_count: int | None = None
    late_start_s: float = 0.0
    clock_drift_ppm: float = 0.0
    stopped_at_s: tuple[float, ...] = ()
    seed: int = 0

    def drop_times(self, duration_s: float) -> tuple[float, ...]:
        """Every drop time up to `duration_s`, sorted: explicit ones plus the periodic ones.

        Periodic drops fall in the middle of consecutive slots of 3600/`drops_per_hour`
        s, each jittered by up to ±30 % of a slot (seeded): exactly `drops_per_hour`
        drops in every simulated hour.
        """
        times = [t for t in self.link_drops_s if t <= duration_s]
        if self.drops_per_hour > 0:
            slot = 3600.0 / self.drops_per_hour
            rng = random.Random(self.seed)
            for k in range(int(duration_s // slot)):
                times.append((k + 0.5) * slot + rng.uniform(-0.3, 0.3) * slot)
        return tuple(sorted(times))


def parse_faults(text: str) -> Faults:
    """Faults from their text form (see the module docstring).

    Raises:
        UsageError: an item is unknown or its value is not a number.
    """
    faults = Faults()
    drops: list[float] = []
    stops: list[float] = []
    for raw in text.split(","):
        item = raw.strip().lower()
        if not item:
            continue
        try:
            if item.startswith("drop@"):
                drops.append(float(item[5:]))
            elif item.startswith("stopped@"):
                stops.append(float(item[8:]))
            elif "=" in item:
                key, value = (s.strip() for s in item.split("=", 1))
                faults = _apply(faults, key, value, item)
            else:
                raise UsageError(_unknown(item))
        except ValueError:
            raise UsageError(f"simulated fault {item!r}: the value is not a number") from None
    return replace(
        faults,
        link_drops_s=tuple(sorted(drops)),
        stopped_at_s=tuple(sorted(stops)),
    )


def _apply(faults: Faults, key: str, value: str, item: str) -> Faults:
    match key:
        case "gap":
            return replace(faults, link_gap_s=float(value))
        case "drops-per-hour":
            return replace(faults, drops_per_hour=float(value))
        case "malformed":
            return replace(faults, malformed_every=int(value))
        case "cp-error":
            return replace(faults, cp_error=int(value, 0))
        case "cp-error-count":
            return replace(faults, cp_error_count=int(value))
        case "late":
            return replace(faults, late_start_s=float(value))
        case "drift":
            return replace(faults, clock_drift_ppm=float(value))
        case "seed":
            return replace(faults, seed=int(value))
    raise UsageError(_unknown(item))


def _unknown(item: str) -> str:
    return (
        f"unknown simulated fault {item!r}: use drop@S, gap=S, drops-per-hour=N, "
        "malformed=N, cp-error=CODE, cp-error-count=N, late=S, drift=PPM, stopped@S, seed=N"
    )
