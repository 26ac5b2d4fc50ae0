"""The per-bucket series the report charts draw agree with the run's totals, and the latency CDF points."""

from __future__ import annotations

import pytest

from simulator.metrics import MAX_BUCKETS, Metrics
from simulator.run import run_one
from tests.conftest import small_scenario


@pytest.fixture(scope="module")
def busy() -> dict:
    # One ERP server at high load, so calls queue and service spans bucket edges.
    sc = small_scenario(**{"scenario.duration": 60.0, "data.customers": 300, "erp.capacity": 1,
                           "workload.rate": 8.0})
    return run_one(sc, ["direct"], 3)


def test_bucket_series_add_up_to_the_totals(busy) -> None:
    ts, erp = busy["timeseries"], busy["erp"]
    n = len(ts["requests"])
    assert n == len(ts["erp_busy_s"]) == len(ts["erp_queue"]) == len(ts["sync_queue"])
    duration = ts["bucket_s"] * n
    assert sum(ts["erp_busy_s"]) == pytest.approx(erp["utilization"] * 1 * duration)
    assert sum(ts["erp_queue"]) / n == pytest.approx(erp["queue"]["mean"])
    assert erp["queue"]["mean"] > 0.5  # the scenario really queues
    assert max(ts["erp_queue"]) <= erp["queue"]["max"]
    assert sum(ts["erp_calls"]) == erp["calls"]


def test_latency_cdf_points_are_the_percentiles(busy) -> None:
    cdf, lat = busy["latency_cdf_s"], busy["latency_s"]
    values = cdf["all"]
    assert len(values) == len(cdf["q"]) and values == sorted(values)
    for q, name in ((0.5, "p50"), (0.95, "p95"), (0.99, "p99"), (1.0, "max")):
        assert values[cdf["q"].index(q)] == pytest.approx(lat["all"][name])
    assert cdf["detail"][cdf["q"].index(0.5)] == pytest.approx(lat["detail"]["p50"])


def test_queue_time_is_spread_over_the_buckets_it_spans() -> None:
    m = Metrics(warmup=0.0, duration=10.0)
    assert m.buckets == 10 <= MAX_BUCKETS
    m.erp_queue(0.5, 2)  # two waiting from t=0.5 ...
    m.erp_queue(3.5, 0)  # ... to t=3.5
    ts = m.result(capacity=1)["timeseries"]
    assert ts["erp_queue"][:5] == pytest.approx([1.0, 2.0, 2.0, 1.0, 0.0])
