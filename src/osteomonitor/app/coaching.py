"""The live screen's use case: what to tell the patient now, the timed blocks, the
effort scale (re-exported for the dashboard, which reaches the domain only through app).

The logic lives in `session.coaching` (the message hierarchy), `session.blocks`
(stretch holds, balance minutes, target loads) and `prescription.effort` (scales).
"""

from __future__ import annotations

from osteomonitor.prescription.effort import (
    CR10,
    DEFAULT_SCALE,
    SCALES,
    EffortScale,
    effort_scale,
)
from osteomonitor.session.blocks import (
    DEFAULT_HOLD_PLAN,
    HoldPlan,
    StretchHolds,
    balance_seconds,
    balance_target_min,
    hold_plan,
    load_text,
    target_loads,
)
from osteomonitor.session.coaching import (
    HR_WORDS,
    SEVERITY_ORDER,
    Coaching,
    band_under_ceiling,
    banner_severity,
    coach,
    live_facts,
    order_alerts,
)

__all__ = [
    "CR10",
    "DEFAULT_HOLD_PLAN",
    "DEFAULT_SCALE",
    "HR_WORDS",
    "SCALES",
    "SEVERITY_ORDER",
    "Coaching",
    "EffortScale",
    "HoldPlan",
    "StretchHolds",
    "balance_seconds",
    "balance_target_min",
    "band_under_ceiling",
    "banner_severity",
    "coach",
    "effort_scale",
    "hold_plan",
    "live_facts",
    "load_text",
    "order_alerts",
    "target_loads",
]
