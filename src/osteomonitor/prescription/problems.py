"""Problems found in a prescription file, collected and reported together.

`Checker` walks parsed TOML and records a `Problem` (file, key path, reason) for every
wrong value instead of stopping at the first; `PrescriptionFileError` lists them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from osteomonitor import timefmt
from osteomonitor.errors import PrescriptionError
from osteomonitor.prescription import limits


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a prescription file."""

    file: str
    key: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.reason}"


class PrescriptionFileError(PrescriptionError):
    """A prescription file has one or more problems (all listed in `problems`)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        head = (
            f"{problems[0].file}: invalid prescription ({timefmt.plural(len(problems), 'problem')})"
        )
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{head}; fix them and run 'osteomonitor prescription check':\n{lines}")


class Missing:
    """Marker for a value that could not be read (a problem was already recorded)."""


BAD = Missing()


class Checker:
    """Collects problems while walking the parsed TOML."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.problems: list[Problem] = []

    def fail(self, key: str, reason: str) -> Missing:
        self.problems.append(Problem(self.origin, key, reason))
        return BAD

    def table(
        self, value: Any, path: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, Any] | Missing:
        if not isinstance(value, dict):
            return self.fail(path, f"expected a table, got {kind_of(value)}")
        for k in value:
            if k not in allowed:
                self.fail(join_key(path, k), f"unknown key (known here: {', '.join(allowed)})")
        for k in required:
            if k not in value:
                self.fail(join_key(path, k), "required key missing")
        return value

    def number(self, value: Any, path: str, bound: limits.Bound | None = None) -> float | Missing:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.fail(path, f"expected a number, got {kind_of(value)}")
        v = float(value)
        if bound is not None and not bound.lo <= v <= bound.hi:
            return self.fail(
                path, f"{value:g} is outside {bound.lo:g}–{bound.hi:g} {bound.unit} ({bound.why})"
            )
        return v

    def integer(self, value: Any, path: str, lo: int, hi: int, unit: str) -> int | Missing:
        if isinstance(value, bool) or not isinstance(value, int):
            return self.fail(path, f"expected a whole number, got {kind_of(value)}")
        if not lo <= value <= hi:
            return self.fail(path, f"{value} is outside {lo}–{hi} {unit}")
        return value

    def string(self, value: Any, path: str) -> str | Missing:
        if not isinstance(value, str):
            return self.fail(path, f"expected a string, got {kind_of(value)}")
        return value

    def boolean(self, value: Any, path: str) -> bool | Missing:
        if not isinstance(value, bool):
            return self.fail(path, f"expected true or false, got {kind_of(value)}")
        return value

    def date(self, value: Any, path: str) -> dt.date | Missing:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            return self.fail(path, f"expected a date like 2025-03-03, got {kind_of(value)}")
        return value

    def choice(self, value: Any, path: str, choices: tuple[str, ...]) -> str | Missing:
        s = self.string(value, path)
        if isinstance(s, str) and s not in choices:
            return self.fail(path, f"{s!r} is not one of {', '.join(choices)}")
        return s

    def strings(self, value: Any, path: str) -> tuple[str, ...] | Missing:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return self.fail(path, f"expected a list of strings, got {kind_of(value)}")
        return tuple(value)


def join_key(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def kind_of(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    for t, name in names.items():
        if type(value) is t:
            return f"{name} ({value!r})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return f"a date/time ({value})"
    return type(value).__name__
