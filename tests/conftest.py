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


# --- hardware tests (tests/hardware, owned by the collect layer) -------------------------
# pytest only reads command-line options from conftests at or above the rootdir's test
# paths, so the option lives here; the fixtures and the skip logic live in
# tests/hardware/conftest.py.
def pytest_addoption(parser: pytest.Parser) -> None:
    """--ble-address: run tests/hardware against a real strap at this address."""
    parser.addoption(
        "--ble-address",
        action="store",
        default=None,
        metavar="ADDRESS",
        help="Bluetooth address (or macOS UUID) of a real wearable for tests/hardware; "
        "without it those tests are skipped",
    )


# --- end hardware tests --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _private_patient_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real user's config file or patients folder (`live` and
    `record --patient P07` look the patient up there)."""
    base = tmp_path_factory.mktemp("osteomonitor-home")
    monkeypatch.setenv("OSTEOMONITOR_CONFIG", str(base / "config.toml"))
    monkeypatch.setenv("OSTEOMONITOR_PATIENTS", str(base / "patients"))
