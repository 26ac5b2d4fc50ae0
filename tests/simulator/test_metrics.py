"""Metrics: histogram accuracy, the measurement window, and the results block."""

from __future__ import annotations

import math
import random

import pytest

from simulator.metrics import Histogram, Metrics, TimeWeighted


def test_histogram_quantiles_within_half_a_percent_and_exact_mean_and_max():
    rng = random.Random(5)
    values = [rng.expovariate(1.0) for _ in range(50_000)]
    h = Histogram()
    for v in values:
        h.add(v)
    ordered = sorted(values)
    for q in (0.5, 0.95, 0.99):
        exact = ordered[int(q * len(ordered)) - 1]
        assert abs(h.quantile(q) - exact) / exact < 0.006
    assert abs(h.mean() - sum(values) / len(values)) < 1e-9
    assert h.max == max(values)


def test_zeros_count_in_quantiles():
    h = Histogram()
    for v in [0.0] * 96 + [5.0] * 4:
        h.add(v)
    assert h.quantile(0.95) == 0.0 and h.quantile(0.99) > 4.9 and h.mean() == 0.2


def test_requests_outside_the_window_are_not_counted():
    m = Metrics(warmup=100.0, duration=50.0)
    m.request("get", 99.0, 99.5, True)  # warm-up
    m.request("get", 120.0, 121.0, True)
    m.request("get", 149.0, 160.0, True)  # arrived inside: counted although it ended after
    m.request("get", 150.0, 151.0, True)  # after the window
    m.request("list", 130.0, 131.0, False)
    block = m.result(capacity=1)
    assert block["requests"] == {"total": 3, "failed": 1, "availability": 2 / 3, "failures": {"error": 1}}
    assert block["latency_s"]["get"]["max"] == 11.0
    assert sum(block["timeseries"]["requests"]) == 3


def test_erp_utilization_and_queue_are_time_averages_over_the_window():
    m = Metrics(warmup=0.0, duration=10.0)
    m.erp_queue(2.0, 3)
    m.erp_queue(6.0, 0)  # 3 waiting for 4 of 10 seconds: mean 1.2
    m.erp_call("get", 1.0, 4.0, 1)
    m.erp_call("get", 11.0, 4.0, 1)  # after the window
    block = m.result(capacity=2)
    assert block["erp"]["queue"] == {"mean": 1.2, "max": 3}
    assert block["erp"]["utilization"] == 4.0 / 20.0
    assert block["erp"]["by_operation"] == {"get": 1}


def test_hit_ratios_per_kind_of_read_count_every_read_of_the_kind():
    """Summary and detail reads apart, out of every read of the kind: batch_sync answers every summary
    read and no detail read (its 100% by-table ratio only counts the reads its table could answer);
    lazy_load the other way round; together, both. A read belongs to its request's arrival, as its
    latency does, so every architecture counts the same reads (they share the seed, hence arrivals)."""
    from simulator.run import run
    from tests.conftest import small_scenario

    sc = small_scenario(**{"workload.list_fraction": 0.3, "workload.get_fraction": 0.3,
                           "workload.detail_fraction": 0.35, "workload.update_fraction": 0.05})
    blocks = run(sc, "direct,batch_sync,lazy_load,batch_sync+lazy_load", workers=1)["architectures"]
    counted = [{kind: c["reads"] for kind, c in b["cache"]["by_kind"].items()} for b in blocks.values()]
    assert all(c == counted[0] for c in counted)
    reads = counted[0]["summary"] + counted[0]["detail"]
    assert 0.9 * blocks["direct"]["requests"]["total"] < reads < blocks["direct"]["requests"]["total"]
    direct, batch, lazy, both = (b["cache"] for b in blocks.values())
    assert direct["summary_hit_ratio"] == direct["detail_hit_ratio"] == 0.0
    assert batch["summary_hit_ratio"] == 1.0 and batch["detail_hit_ratio"] == 0.0 and batch["hit_ratio"] == 1.0
    assert lazy["summary_hit_ratio"] == 0.0 < lazy["detail_hit_ratio"]
    assert abs(lazy["detail_hit_ratio"] - lazy["by_table"]["customer_details"]["hit_ratio"]) < 0.01
    assert both["summary_hit_ratio"] == 1.0 and abs(both["detail_hit_ratio"] - lazy["detail_hit_ratio"]) < 0.02


def test_a_time_weighted_level_matches_a_brute_force_integral_over_the_window():
    """Area and maximum against sampling the step function densely (an independent reference)."""
    rng = random.Random(11)
    start, end = 10.0, 50.0
    events = sorted((rng.uniform(0.0, 60.0), rng.randrange(6)) for _ in range(40))  # before, in and after it
    level = TimeWeighted(start, end)
    for t, n in events:
        level.set(t, n)
    level.set(end, level.level)

    def at(t: float) -> int:  # the level set last at or before t
        return next((n for when, n in reversed(events) if when <= t), 0)

    step = 0.001
    samples = [at(start + (i + 0.5) * step) for i in range(int((end - start) / step))]
    assert level.area == pytest.approx(sum(samples) * step, abs=0.05)
    assert level.max == max(samples + [at(start)])


def test_a_page_of_reads_is_judged_record_by_record_against_the_source():
    """The C-level fast path (each key's newest version per group) agrees with judging each record alone."""
    import simpy

    from patterns.ports import Customer
    from simulator.erp import DETAIL_GROUP, SUMMARY_GROUP, Erp
    from tests.conftest import small_scenario

    erp = Erp(simpy.Environment(), small_scenario(), seed=3)
    erp.env.run(until=10)
    erp.apply(7, summary=True, detail=False)  # version 2: a reader of version 1 is 15 s behind at 25
    erp.apply(8, summary=False, detail=True)  # a detail change: summary readers of 8 are not behind
    erp.env.run(until=25)
    m = Metrics(0.0, 100.0, truth=erp)
    page = [Customer(k, "n", "c", "DE", "retail", 1, 0.0) for k in (6, 7, 8)]
    page.append(Customer(erp.count + 5, "n", "c", "DE", "retail", 1, 0.0))  # a key this source lacks: fresh
    m.reads(SUMMARY_GROUP, page, now=25.0)
    summary = m.staleness[SUMMARY_GROUP].summary()
    assert (summary["reads"], summary["stale"], summary["max_s"]) == (4, 1, 15.0)
    m.reads(DETAIL_GROUP, page[2:3], now=25.0)
    assert m.staleness[DETAIL_GROUP].summary()["stale"] == 1


def test_the_dense_histogram_answers_as_a_dict_of_buckets_would():
    """An independent reference: a dict of geometric buckets, as the histogram was before it went dense."""
    step = math.log1p(0.005)

    def reference_quantile(values: list[float], q: float) -> float:
        buckets: dict[int, int] = {}
        for x in values:
            if x > 1e-9:
                b = math.floor(math.log(x) / step)
                buckets[b] = buckets.get(b, 0) + 1
        rank, seen = q * len(values), sum(x <= 1e-9 for x in values)
        if rank >= len(values):
            return max(values)
        if seen >= rank:
            return 0.0
        for b in sorted(buckets):
            seen += buckets[b]
            if seen >= rank:
                return min(max(values), math.exp((b + 0.5) * step))
        return max(values)

    rng = random.Random(5)
    for _ in range(100):
        values = [rng.choice([0.0, rng.expovariate(1.0), rng.lognormvariate(-3, 2), rng.uniform(1e-9, 1e-6),
                              rng.expovariate(0.001)]) for _ in range(rng.randrange(1, 300))]
        h = Histogram()
        for x in values:
            h.add(x)
        for q in (0.0, 0.1, 0.5, 0.95, 0.999, 1.0):
            assert h.quantile(q) == reference_quantile(values, q)


def test_answered_is_reads_then_request():
    """The one call every answered request makes agrees with its two parts made one after the other."""
    import random

    from patterns.ports import Customer
    from simulator.erp import SUMMARY_GROUP

    class Truth:  # every key's newest summary change is version 2
        newest = {SUMMARY_GROUP: [2] * 50}

        def staleness(self, group: str, key: int, version: int, now: float) -> float:
            return now - key / 10

    rng = random.Random(5)
    one, two = (Metrics(10.0, 100.0, truth=Truth()) for _ in range(2))
    for _ in range(300):
        arrived = rng.uniform(0.0, 120.0)
        now = arrived + rng.expovariate(20.0)
        op = rng.choice(["list", "get", "update"])
        group = None if op == "update" else SUMMARY_GROUP
        page = [Customer(rng.randrange(50), "n", "c", "DE", "retail", rng.choice([1, 2, 3]), 0.0)
                for _ in range(3 if op == "list" else 1)]
        one.answered(op, group, page, arrived, now)
        if group is not None:
            two.reads(group, page, now, arrived)
        two.request(op, arrived, now, True)
    assert one.result(1) == two.result(1)
    assert one.staleness[SUMMARY_GROUP].stale > 0
