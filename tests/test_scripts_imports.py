"""Every `from osteomonitor… import …` in bench/ and tools/ names something that exists.

The benchmarks and helper scripts import lazily inside functions, so a renamed or moved
symbol only fails when that function runs, which CI does after the test suite. This
test walks their syntax trees and resolves each name, so a refactor fails here first.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p for folder in ("bench", "tools") for p in (ROOT / folder).rglob("*.py"))


def _osteomonitor_imports(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, module, name or None for a plain `import module`) for each osteomonitor import."""
    found: list[tuple[int, str, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "osteomonitor":
                found += [(node.lineno, node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [
                (node.lineno, alias.name, None)
                for alias in node.names
                if alias.name.split(".")[0] == "osteomonitor"
            ]
    return found


def test_there_are_scripts_to_check() -> None:
    assert len(SCRIPTS) >= 5, SCRIPTS


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_imports_resolve(path: Path) -> None:
    missing = []
    for line, module, name in _osteomonitor_imports(path):
        mod = importlib.import_module(module)
        if name is not None and name != "*" and not hasattr(mod, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ModuleNotFoundError:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {module} has no {name}")
    assert not missing, "\n".join(missing)
