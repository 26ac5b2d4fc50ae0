"""The simulator checked against queueing and renewal theory, on runs long enough to be stable."""

from __future__ import annotations

import math

from simulator.run import run
from tests.conftest import small_scenario

CONSTANT_ZERO = {"dist": "constant", "mean_ms": 0.0}


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load ``a`` = lambda/mu (Erlang C)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def test_direct_matches_mm_c_mean_response_time():
    """``direct`` with exponential service, no network and every request sent to the ERP is M/M/c.

    Mean response time W = 1/mu + C(c, a) / (c*mu - lambda). With c = 4, mean service 100 ms and
    lambda = 24/s (rho = 0.6) that is about 0.119 s. About 100,000 requests: the estimate's standard
    error is well under 1%, so 5% is a real tolerance, not a loose one.
    """
    c, mean_s, lam = 4, 0.1, 24.0
    sc = small_scenario(**{
        "scenario.duration": 4000.0, "scenario.warmup": 200.0, "data.customers": 1000,
        "erp.capacity": c, "erp.network_latency": CONSTANT_ZERO, "erp.update_rate": 0.0,
        "erp.token_ttl": 1e6, "erp.service.auth": CONSTANT_ZERO,
        "erp.service.get": {"dist": "exponential", "mean_ms": mean_s * 1000},
        "workload.rate": lam, "workload.list_fraction": 0.0, "workload.get_fraction": 1.0,
        "workload.detail_fraction": 0.0, "workload.update_fraction": 0.0,
        "workload.request_distribution": "uniform",
    })
    block = run(sc, "direct")["architectures"]["direct"]
    a = lam * mean_s
    expected = mean_s + erlang_c(c, a) / (c / mean_s - lam)
    measured = block["latency_s"]["get"]["mean"]
    assert block["requests"]["total"] > 90_000
    assert abs(measured - expected) / expected < 0.05, (measured, expected)
    # Utilization is rho = a / c: the ERP's own bookkeeping agrees with the offered load.
    assert abs(block["erp"]["utilization"] - a / c) < 0.03


def test_batch_sync_staleness_matches_closed_form():
    """Stale fraction and mean staleness of summary reads from a replica synced every I seconds.

    Each key's summary fields change as a Poisson process of rate mu = update_rate * fraction / N
    (uniform popularity). The sync is instantaneous here (no network, zero service and local-db
    time), so right after each sync the replica is exact. A read arrives at a uniform phase u in
    [0, I) of the cycle (Poisson arrivals see time averages). It is stale iff the key changed in
    (sync, sync + u], with probability 1 - exp(-mu u); its age is u - s for the first change at s:

        stale fraction  = 1/I * integral_0^I (1 - e^{-mu u}) du = 1 - (1 - e^{-mu I}) / (mu I)
        mean age        = 1/I * integral_0^I [u - (1 - e^{-mu u}) / mu] du
                        = I/2 - 1/mu + (1 - e^{-mu I}) / (mu^2 I)      (fresh reads count as 0)

    With N = 200, 2 changes/s, all of them summary changes, mu = 0.01/s; with I = 100 s, mu*I = 1:
    stale fraction 0.368 and mean age 13.2 s. 100,000 reads over 100 cycles: 5% is comfortable.
    """
    n, rate, interval = 200, 2.0, 100.0
    sc = small_scenario(**{
        "scenario.duration": 10000.0, "scenario.warmup": 100.0, "data.customers": n,
        "erp.network_latency": CONSTANT_ZERO, "erp.update_rate": rate, "erp.summary_change_fraction": 1.0,
        "erp.service.changes": CONSTANT_ZERO, "erp.service.auth": CONSTANT_ZERO, "erp.token_ttl": 1e6,
        "local_db.latency": CONSTANT_ZERO, "patterns.batch_sync.interval": interval,
        "workload.rate": 10.0, "workload.list_fraction": 0.0, "workload.get_fraction": 1.0,
        "workload.detail_fraction": 0.0, "workload.update_fraction": 0.0,
        "workload.request_distribution": "uniform",
    })
    block = run(sc, "batch_sync")["architectures"]["batch_sync"]
    mu = rate / n
    x = mu * interval
    fraction = 1 - (1 - math.exp(-x)) / x
    mean_age = interval / 2 - 1 / mu + (1 - math.exp(-x)) / (mu * mu * interval)
    summary = block["staleness"]["summary"]
    assert summary["reads"] > 90_000
    assert abs(summary["stale_fraction"] - fraction) / fraction < 0.05, (summary["stale_fraction"], fraction)
    assert abs(summary["mean_s"] - mean_age) / mean_age < 0.05, (summary["mean_s"], mean_age)
    # No read can have missed more than one interval: the sync itself takes no time here.
    assert summary["max_s"] <= interval


def test_replications_interval_covers_mm_c_theory():
    """``run --replications 6``: the M/M/c mean response time lies inside the reported 95% interval.

    Same M/M/4 queue as above (rho = 0.6), six independent replications of 1,000 s each. The
    interval is Student's t over the six replication means, so it is honest only if the
    replications are independent and unbiased: theory outside it would show either fault.
    """
    c, mean_s, lam = 4, 0.1, 24.0
    sc = small_scenario(**{
        "scenario.duration": 1000.0, "scenario.warmup": 100.0, "data.customers": 1000,
        "erp.capacity": c, "erp.network_latency": CONSTANT_ZERO, "erp.update_rate": 0.0,
        "erp.token_ttl": 1e6, "erp.service.auth": CONSTANT_ZERO,
        "erp.service.get": {"dist": "exponential", "mean_ms": mean_s * 1000},
        "workload.rate": lam, "workload.list_fraction": 0.0, "workload.get_fraction": 1.0,
        "workload.detail_fraction": 0.0, "workload.update_fraction": 0.0,
        "workload.request_distribution": "uniform",
    })
    doc = run(sc, "direct", replications=6, workers=2)
    block = doc["architectures"]["direct"]
    expected = mean_s + erlang_c(c, lam * mean_s) / (c / mean_s - lam)
    mean, half = block["latency_s"]["get"]["mean"], block["ci95"]["latency_s"]["get"]["mean"]
    assert doc["replications"] == block["replications"] == 6
    assert 0 < half < 0.05 * expected  # an interval, and a useful one
    assert mean - half <= expected <= mean + half, (mean, half, expected)
    low, high = block["ci95"]["erp"]["utilization"]
    assert low <= lam * mean_s / c <= high
