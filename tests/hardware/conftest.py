"""Opt-in tests against a real wearable: `pytest tests/hardware --ble-address AA:BB:…`."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every hardware test unless --ble-address was given."""
    if config.getoption("--ble-address"):
        return
    skip = pytest.mark.skip(reason="needs a real wearable: pass --ble-address ADDRESS")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def ble_address(request: pytest.FixtureRequest) -> str:
    """The address given with --ble-address."""
    address = request.config.getoption("--ble-address")
    if not address:
        pytest.skip("needs a real wearable: pass --ble-address ADDRESS")
    return str(address)
