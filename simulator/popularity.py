"""Key popularity laws, in YCSB's vocabulary: uniform, zipfian and latest.

The zipfian generator is YCSB's (Gray et al., "Quickly generating billion-record synthetic
databases"): O(1) per draw after an O(n) zeta sum, done once with numpy.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np


def zeta(n: int, theta: float) -> float:
    return float(np.sum(1.0 / np.power(np.arange(1, n + 1, dtype=np.float64), theta)))


class Zipfian:
    """Ranks 0..n-1, rank 0 the most popular, P(rank i) proportional to 1/(i+1)^theta."""

    def __init__(self, n: int, theta: float, rng: random.Random):
        self.n, self.theta, self.rng = n, theta, rng
        self.zetan = zeta(n, theta)
        zeta2 = 1.0 + 0.5 ** theta
        self.alpha = 1.0 / (1.0 - theta)
        # With n <= 2 every draw is answered by the first two branches of __call__; eta is unused.
        self.eta = (1.0 - (2.0 / n) ** (1.0 - theta)) / (1.0 - zeta2 / self.zetan) if n > 2 else 0.0
        self.half_pow = 1.0 + 0.5 ** theta

    def __call__(self) -> int:
        u = self.rng.random()
        uz = u * self.zetan
        if uz < 1.0 or self.n == 1:
            return 0
        if uz < self.half_pow:
            return 1
        return min(self.n - 1, int(self.n * (self.eta * u - self.eta + 1.0) ** self.alpha))


def picker(law: str, count: Callable[[], int], initial: int, theta: float,
           rng: random.Random) -> Callable[[], int]:
    """A function drawing a key among ``count()`` keys (the count grows with inserts)."""
    if law == "uniform":
        return lambda: int(rng.random() * count())
    zipf = Zipfian(initial, theta, rng)
    if law == "zipfian":
        return zipf
    if law == "latest":
        return lambda: max(0, count() - 1 - zipf())
    raise ValueError(f"unknown request distribution {law!r}")
