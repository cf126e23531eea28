"""Shared fixtures of the prescription tests: the scenario recordings, written once."""

from __future__ import annotations

import pytest
from scenario_sim import ScenarioLab


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> ScenarioLab:
    """Virtual-wearable recordings of the clinical scenarios, analysed once per session."""
    return ScenarioLab(tmp_path_factory.mktemp("scenarios"))
