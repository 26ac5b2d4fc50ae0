"""Key popularity laws: the zipfian generator against its own definition, and tiny key counts."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from simulator.popularity import Zipfian, picker


def test_zipfian_frequencies_follow_one_over_rank_to_the_theta():
    n, theta, draws = 50, 0.99, 200_000
    zipf = Zipfian(n, theta, random.Random(1))
    counts = Counter(zipf() for _ in range(draws))
    norm = sum(1 / (i + 1) ** theta for i in range(n))
    for rank in (0, 1):  # the ranks YCSB's generator draws exactly; beyond, it approximates
        expected = draws / (rank + 1) ** theta / norm
        assert abs(counts[rank] - expected) / expected < 0.03
    head = sum(counts[k] for k in range(10)) / draws
    expected_head = sum(1 / (i + 1) ** theta for i in range(10)) / norm
    assert abs(head - expected_head) < 0.03
    assert all(0 <= k < n for k in counts)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("law", ["uniform", "zipfian", "latest"])
def test_tiny_key_counts_draw_valid_keys(n, law):
    draw = picker(law, lambda: n, n, 0.99, random.Random(2))
    assert {draw() for _ in range(500)} <= set(range(n))
