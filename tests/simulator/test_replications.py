"""Replications: seeds, means, intervals (Student t; Wilson for fractions) and paired comparisons."""

from __future__ import annotations

import math
import random
import statistics

import pytest

from simulator.aggregate import t95
from simulator.precision import check_precision
from simulator.replications import combine, fraction_interval, replication_seed, significantly_better, wilson
from simulator.run import run
from tests.conftest import small_scenario


def test_replication_zero_is_the_scenarios_seed_and_the_rest_are_distinct():
    seeds = [replication_seed(42, r) for r in range(50)]
    assert seeds[0] == 42
    assert len(set(seeds)) == 50
    assert not set(seeds[1:]) & {replication_seed(43, r) for r in range(50)}  # seed 43's replications differ


def test_wilson_matches_the_textbook_interval():
    """p = 0.5 over 100 trials at z = 1.96: [0.4038, 0.5962] (Wilson, 1927)."""
    low, high = wilson(0.5, 100, 1.96)
    assert (round(low, 4), round(high, 4)) == (0.4038, 0.5962)
    assert wilson(0.0, 1000, 1.96)[0] == 0.0 and 0 < wilson(0.0, 1000, 1.96)[1] < 0.004


def test_fraction_interval_never_leaves_zero_one():
    rng = random.Random(3)
    for _ in range(200):
        values = [min(1.0, max(0.0, rng.gauss(rng.choice([0.001, 0.5, 0.999]), 0.01))) for _ in range(4)]
        low, high = fraction_interval(values, rng.choice([None, 50.0, 1e5]))
        assert 0.0 <= low <= statistics.fmean(values) + 1e-12 and statistics.fmean(values) - 1e-12 <= high <= 1.0


def block(latency: float, stale: float, reads: int, failures: dict[str, int]) -> dict:
    return {"patterns": ["x"], "latency_s": {"all": {"mean": latency}},
            "requests": {"total": 100, "availability": 1 - sum(failures.values()) / 100, "failures": failures},
            "staleness": {"summary": {"reads": reads, "stale_fraction": stale}},
            "convergence": {"drained": True}, "timeseries": {"bucket_s": 1.0, "erp_queue": [latency, 0.0]}}


def test_combine_means_intervals_and_missing_counts():
    blocks = [block(0.1, 0.02, 1000, {}), block(0.2, 0.03, 1000, {"CallTimeout": 4}), block(0.3, 0.01, 1000, {})]
    out = combine(blocks)
    assert out["replications"] == 3 and len(out["replicates"]) == 3
    assert out["latency_s"]["all"]["mean"] == pytest.approx(0.2)
    assert out["ci95"]["latency_s"]["all"]["mean"] == pytest.approx(t95(2) * 0.1 / math.sqrt(3))
    assert out["requests"]["failures"] == {"CallTimeout": pytest.approx(4 / 3)}  # absent means none
    low, high = out["ci95"]["staleness"]["summary"]["stale_fraction"]
    assert low < 0.02 < high
    assert out["timeseries"]["erp_queue"] == [pytest.approx(0.2), 0.0]  # series: element by element
    assert "timeseries" not in out["replicates"][0]


def test_one_replication_is_the_plain_run():
    sc = small_scenario()
    plain = run(sc, "batch_sync", workers=1)["architectures"]["batch_sync"]
    assert plain["replications"] == 1 and "ci95" not in plain


def test_paired_differences_see_what_separate_intervals_miss():
    """Two architectures under common random numbers: each replication's noise is shared.

    Their own intervals overlap widely, but every paired difference is -1, so the comparison is sure.
    """
    rng = random.Random(5)
    shared = [rng.gauss(100, 20) for _ in range(5)]
    a, b = [x - 1 for x in shared], shared
    assert significantly_better(a, b, lower=True)
    assert not significantly_better(b, a, lower=True)
    assert not significantly_better(shared, shared, lower=True)  # identical: no winner
    noise = [rng.gauss(0, 1) for _ in range(5)]
    assert not significantly_better([x + n for x, n in zip(shared, noise, strict=True)], shared, lower=True) or \
        statistics.fmean(noise) < -t95(4) * statistics.stdev(noise) / math.sqrt(5)
    assert not significantly_better([1.0], [2.0], lower=True)  # one replication decides nothing


def test_precision_is_reached_by_pairing_before_either_interval_is_that_narrow():
    rng = random.Random(8)
    shared = [rng.gauss(1.0, 0.3) for _ in range(4)]

    def reps(offset: float) -> list[dict]:
        return [{"latency_s": {"all": {"mean": x + offset, "p95": x + offset}}, "erp": {"calls_per_s": 1.0},
                 "staleness": {"summary": {"stale_fraction": 0.0}}} for x in shared]

    alone = check_precision({"a": reps(0.0)}, 0.05)
    paired = check_precision({"a": reps(0.0), "b": reps(2.0)}, 0.05)
    assert not alone["reached"]  # 30% noise over 4 replications: far from 5%
    assert paired["reached"]  # the difference (exactly 2.0 each time) is known exactly
