"""Shared fixtures: small, fast scenarios built from the defaults."""

from __future__ import annotations

from typing import Any

import pytest

from simulator import scenario as scenarios


def small_scenario(**overrides: Any) -> dict[str, Any]:
    """The defaults shrunk to run in well under a second; ``overrides`` are dotted keys."""
    sc = scenarios.defaults()
    sc["scenario"].update(duration=120.0, warmup=10.0)
    sc["data"]["customers"] = 500
    sc["workload"]["rate"] = 10.0
    for key, value in overrides.items():
        node = sc
        *path, last = key.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    scenarios.validate(sc, "test")
    return sc


@pytest.fixture
def small() -> dict[str, Any]:
    return small_scenario()
