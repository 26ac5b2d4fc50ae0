"""ERP faults from scenario files, and how the Integration Service and the patterns live with them."""

from __future__ import annotations

import pytest

from simulator.run import run
from tests.conftest import small_scenario

GETS_ONLY = {"workload.list_fraction": 0.0, "workload.get_fraction": 1.0, "workload.detail_fraction": 0.0,
             "workload.update_fraction": 0.0}


def block(arch: str, **overrides):
    return run(small_scenario(**overrides), arch)["architectures"][arch]


@pytest.mark.parametrize("retries", [0, 2])
def test_retries_hide_transient_errors_from_readers(retries):
    """With error rate e and r retries a read fails with probability e^(r+1): 30% -> 2.7%."""
    b = block("direct", **GETS_ONLY, **{"erp.error_rate": 0.3, "integration.retries": retries,
                                        "scenario.duration": 600.0})
    expected = 0.3 ** (retries + 1)
    failed = b["requests"]["failed"] / b["requests"]["total"]
    assert abs(failed - expected) < 0.03, (failed, expected)


def test_a_hanging_erp_costs_readers_the_timeout_and_a_replica_does_not_care():
    outage = [{"start": 40.0, "duration": 60.0, "mode": "hang"}]
    overrides = {**GETS_ONLY, "erp.outages": outage, "integration.timeout": 2.0, "integration.retries": 1}
    results = run(small_scenario(**overrides), "direct,batch_sync")["architectures"]
    direct, batch = results["direct"], results["batch_sync"]
    # Every read that starts in the outage waits two timeouts (plus a backoff) and then fails.
    assert direct["latency_s"]["all"]["max"] < 2 * 2.0 + 1.0
    assert 0.3 < 1 - direct["requests"]["availability"] < 0.6  # 60 of 120 measured seconds were down
    assert batch["requests"]["availability"] == 1.0
    assert batch["convergence"]["lost_changes"] == 0


def test_a_fail_fast_outage_fails_direct_reads_quickly():
    overrides = {**GETS_ONLY, "erp.outages": [{"start": 40.0, "duration": 60.0}], "integration.retries": 0}
    direct = block("direct", **overrides)
    assert 0.3 < 1 - direct["requests"]["availability"] < 0.6
    assert direct["latency_s"]["all"]["max"] < 1.0  # successes are quick; failures were not slow either


def test_latency_spike_slows_direct_reads_only_inside_the_window():
    quiet = block("direct", **GETS_ONLY)
    spiky = block("direct", **GETS_ONLY, **{"erp.latency_spikes": [{"start": 10.0, "duration": 60.0,
                                                                     "multiplier": 10.0}]})
    assert spiky["latency_s"]["get"]["mean"] > 3 * quiet["latency_s"]["get"]["mean"]
    series = spiky["timeseries"]["latency_p50_s"]
    assert max(series[:50]) > 5 * max(series[70:])  # buckets are 1 s: the spike is in the first 60


def test_slowdown_under_load_makes_latency_grow_faster_than_load():
    """Service time grows with the queue: the same load step hurts a slowing ERP much more."""
    light = {"workload.rate": 10.0, **GETS_ONLY, "erp.capacity": 2}
    heavy = {"workload.rate": 20.0, **GETS_ONLY, "erp.capacity": 2}

    def growth(**fault):
        low, high = (block("direct", **load, **fault)["latency_s"]["get"]["mean"] for load in (light, heavy))
        return high / low

    plain, slowed = growth(), growth(**{"erp.slowdown": 0.1})
    assert slowed > plain > 1.0
    assert slowed > 1.3 * plain
