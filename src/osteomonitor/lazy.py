"""Package attributes imported on first use (PEP 562), so a command loads only the
modules it runs (issue 15: `analyze FILE` never builds the report pages or the
prescription reader it does not need).

A package lists where each public name lives and installs the pair this returns:

    __getattr__, __dir__ = lazy_attributes(__name__, {"Name": "module", ...})

Type checkers see the names through the package's `TYPE_CHECKING` imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(
    package: str, home: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for `package`: a public name is imported from
    `package.home[name]` on first use, then kept in the package's namespace."""

    def getattr_(name: str) -> Any:
        where = home.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def dir_() -> list[str]:
        return sorted({*vars(sys.modules[package]), *home})

    return getattr_, dir_
