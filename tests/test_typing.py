"""`mypy src tests` (strict, pyproject's [tool.mypy]) reports no error, nor does `mypy src
tests/<folder>/conftest.py` for each folder's conftest (one module name "conftest" per run).

Runs mypy through its API from the repository root, with its incremental cache
(.mypy_cache): about 25 s from cold on one core, a few seconds after. Skips where mypy is
not installed (the README's `.[test]` install); .ci/run installs `.[dev]` and runs the same
check after the test command, so CI always checks it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install -e '.[dev]')")


@pytest.mark.slow
def test_mypy_strict_on_src_and_tests_reports_no_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # pyproject's mypy_path and files are relative to the repository
    out, err, status = api.run(["src", "tests"])
    assert status == 0, f"`mypy src tests` (run in {ROOT}) found errors:\n{out}{err}"
    assert "Success" in out


FOLDER_CONFTESTS = sorted(ROOT.glob("tests/*/conftest.py"))


# The path as id: a bare "hardware" would be a keyword that tests/hardware's conftest skips.
@pytest.mark.parametrize("conftest", FOLDER_CONFTESTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_mypy_strict_on_each_folders_conftest(
    conftest: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    target = str(conftest.relative_to(ROOT))
    out, err, status = api.run(["src", target])
    assert status == 0, f"`mypy src {target}` (run in {ROOT}) found errors:\n{out}{err}"
    assert "Success" in out
