"""Fixtures for the app tests: a fixed results document for the results screen."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def results_file() -> Path:
    """Results of direct,batch_sync on the small scenario, stored so screens do not move with the engine."""
    return FIXTURES / "tui_results.json"
