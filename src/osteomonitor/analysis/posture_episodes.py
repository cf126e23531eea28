"""Bends beyond the posture limit, counted as the posture samples arrive.

A stretch of samples beyond `limit` (continuing within `hyst` below it once it is
sustained) is an episode when it lasts `min_steps` samples, unless it lasts longer
than `bend_max_s` (lying or reclining: its time goes to `reclined_s`). See
`posture.PostureParams` for the values and their sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Episodes:
    """Bends beyond the limit, decided when each stretch beyond it ends."""

    limit: float
    min_steps: int
    hyst: float
    step_s: float
    bend_max_s: float
    beyond_s: float = 0.0  # closed stretches shorter than bend_max_s
    reclined_s: float = 0.0  # closed stretches longer than bend_max_s
    count: int = 0
    longest_s: float = 0.0
    starts_s: list[float] = field(default_factory=list)
    run: int = 0  # samples in the current stretch (beyond, or within hysteresis once open)
    run_beyond: int = 0  # of which beyond the limit
    run_start_s: float = 0.0
    open: bool = False  # the current stretch lasted min_steps

    def add(self, t_s: float, deg: float) -> bool:
        """Account one sample; True when it makes the current stretch sustained."""
        if deg > self.limit or (self.open and deg > self.limit - self.hyst):
            if self.run == 0:
                self.run_start_s = t_s
            self.run += 1
            self.run_beyond += deg > self.limit
            if not self.open and self.run >= self.min_steps:
                self.open = True
                return True
            return False
        self.close()
        return False

    def close(self) -> None:
        """End the current stretch: a bend, a reclined stretch, or a brief reach."""
        held = self.run * self.step_s
        beyond = self.run_beyond * self.step_s
        if self.open and held > self.bend_max_s:
            self.reclined_s += beyond
        else:
            self.beyond_s += beyond
            if self.open:
                self.count += 1
                self.starts_s.append(self.run_start_s)
                self.longest_s = max(self.longest_s, held)
        self.run = self.run_beyond = 0
        self.open = False
