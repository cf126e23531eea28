"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: `../shared` beside the checkout (CI clones main with shared/ beside it);
#: OSTEOMONITOR_SHARED overrides it.
SHARED = Path(os.environ.get("OSTEOMONITOR_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared folder (reference, datasets); skips the test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found at {SHARED}: dataset/reference tests need it")
    return SHARED


@pytest.fixture(scope="session")
def datasets_dir(shared_dir: Path) -> Path:
    """`../shared/datasets`; skips with a clear reason when absent."""
    d = shared_dir / "datasets"
    if not d.is_dir():
        pytest.skip(f"real datasets not found at {d}: validation tests need ../shared/datasets")
    return d
