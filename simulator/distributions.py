"""Samplers for the scenario's distribution tables, in simulated seconds."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Any


def sampler(spec: dict[str, Any], rng: random.Random) -> Callable[[], float]:
    """A zero-argument function drawing one value (seconds) from ``spec`` (given in ms)."""
    kind = spec["dist"]
    if kind == "uniform":
        low, high = spec["low_ms"] / 1000.0, spec["high_ms"] / 1000.0
        return lambda: rng.uniform(low, high)
    mean = spec["mean_ms"] / 1000.0
    if kind == "constant" or mean == 0.0:
        return lambda: mean
    if kind == "exponential":
        rate = 1.0 / mean
        return lambda: rng.expovariate(rate)
    if kind == "lognormal":
        sigma = spec["sigma"]
        mu = math.log(mean) - sigma * sigma / 2.0  # so that the mean is ``mean``
        return lambda: rng.lognormvariate(mu, sigma)
    raise ValueError(f"unknown distribution {kind!r}")


def mean_of(spec: dict[str, Any]) -> float:
    """The distribution's mean in seconds (for theory checks and the UI)."""
    if spec["dist"] == "uniform":
        return (spec["low_ms"] + spec["high_ms"]) / 2000.0
    return spec["mean_ms"] / 1000.0


def streams(seed: int, *names: str) -> dict[str, random.Random]:
    """Independent, reproducible random streams: the same (seed, name) gives the same numbers anywhere."""
    return {name: random.Random(f"{seed}:{name}") for name in names}
