"""lazy_load: the TTL-cache hit ratio, the trade-off against direct, cleanup and write-through."""

from __future__ import annotations

import pytest

from patterns.lazy_load import LazyLoad
from simulator.run import run
from tests.conftest import World, small_scenario

ZERO = {"dist": "constant", "mean_ms": 0.0}


def detail_heavy(**overrides: object) -> dict:
    """A small scenario where half of the requests read details, on a zipfian key law."""
    return small_scenario(**{
        "scenario.duration": 300.0, "scenario.warmup": 60.0,
        "workload.list_fraction": 0.2, "workload.get_fraction": 0.25, "workload.detail_fraction": 0.5,
        "workload.update_fraction": 0.05, "erp.update_rate": 1.0, "erp.summary_change_fraction": 0.0,
        **overrides})


@pytest.mark.parametrize("ttl", [10.0, 40.0])
def test_ttl_hit_ratio_matches_the_ttl_cache_formula(ttl: float) -> None:
    """Hit ratio of a TTL cache under Poisson requests: h = lambda*T / (1 + lambda*T).

    Each key is requested as a Poisson process of rate lambda (uniform popularity over N keys and a
    Poisson total rate R give lambda = R/N). Follow one key: a miss fetches the entry and starts
    its clock; every request in the next T seconds is a hit (lambda*T of them on average); the
    first request after expiry is the next miss. By memorylessness that request comes 1/lambda
    after expiry on average, so the cycles are independent (a renewal process) with one miss and
    lambda*T hits each: h = lambda*T / (1 + lambda*T). This is the cache that re-fetches on the
    first request after expiry (no background refresh), which is what lazy_load does.

    To match the formula's assumptions the fetch takes no time (no network, zero service time),
    nothing else changes the cache (no updates, cleanup only removes expired rows) and the warm-up
    (several T) is left out. R = 20/s over N = 200 keys: lambda = 0.1/s, so lambda*T is 1 and 4
    (h = 0.5 and 0.8). About 24,000 measured reads: the estimate's noise is under 1 point; the
    tolerance is the 3 points the issue asks for.
    """
    n, rate = 200, 20.0
    sc = small_scenario(**{
        "scenario.duration": 1200.0, "scenario.warmup": 5 * ttl, "data.customers": n,
        "erp.network_latency": ZERO, "erp.service.detail": ZERO, "erp.service.auth": ZERO,
        "erp.update_rate": 0.0, "erp.token_ttl": 1e6, "local_db.latency": ZERO,
        "workload.rate": rate, "workload.request_distribution": "uniform",
        "workload.list_fraction": 0.0, "workload.get_fraction": 0.0, "workload.detail_fraction": 1.0,
        "workload.update_fraction": 0.0,
        "patterns.lazy_load.validation": "ttl", "patterns.lazy_load.ttl": ttl,
        "patterns.lazy_load.cleanup_interval": 60.0,
    })
    block = run(sc, "lazy_load")["architectures"]["lazy_load"]
    lam_t = rate / n * ttl
    expected = lam_t / (1 + lam_t)
    details = block["cache"]["by_table"]["customer_details"]
    assert details["hits"] + details["misses"] > 20_000
    assert details["hit_ratio"] == pytest.approx(expected, abs=0.03)


def test_ttl_saves_detail_calls_and_latency_but_serves_older_details() -> None:
    """Against direct on the same scenario: fewer ERP detail calls (one per miss), faster detail reads,
    and in exchange stale details, never older than the ttl plus one fetch."""
    sc = detail_heavy(**{"patterns.lazy_load.ttl": 60.0})
    result = run(sc, "direct,lazy_load")["architectures"]
    direct, lazy = result["direct"], result["lazy_load"]
    cache = lazy["cache"]["by_table"]["customer_details"]
    # Every miss is one ERP detail call; every hit is one saved (the same reads in both runs).
    assert lazy["erp"]["by_operation"]["detail"] == pytest.approx(cache["misses"], abs=5)
    assert direct["erp"]["by_operation"]["detail"] - lazy["erp"]["by_operation"]["detail"] == pytest.approx(
        cache["hits"], abs=10)
    assert cache["hit_ratio"] > 0.5
    assert lazy["latency_s"]["detail"]["mean"] < 0.6 * direct["latency_s"]["detail"]["mean"]
    assert lazy["staleness"]["detail"]["stale_fraction"] > direct["staleness"]["detail"]["stale_fraction"] + 0.05
    assert lazy["staleness"]["detail"]["max_s"] <= 60.0 + 1.0
    assert lazy["pattern_stats"]["lazy_load"]["detail_calls_saved"] >= cache["hits"]


def test_timestamp_validation_is_as_current_as_direct_but_asks_the_source_every_time() -> None:
    """Timestamp validation trades the stale reads for a cheap call per cached read: detail staleness
    stays close to direct's (only changes during the round trip slip through), and the ERP sees one
    timestamp call per hit instead of a detail call."""
    sc = detail_heavy(**{"patterns.lazy_load.validation": "timestamp", "patterns.lazy_load.ttl": 60.0})
    result = run(sc, "direct,lazy_load")["architectures"]
    direct, lazy = result["direct"], result["lazy_load"]
    cache = lazy["cache"]["by_table"]["customer_details"]
    ops = lazy["erp"]["by_operation"]
    # One timestamp call per cached read: every hit, plus the misses that found an outdated copy.
    assert cache["hits"] - 5 <= ops["timestamp"] <= cache["hits"] + cache["misses"] + 5
    assert ops["detail"] < 0.6 * direct["erp"]["by_operation"]["detail"]
    assert lazy["staleness"]["detail"]["stale_fraction"] <= direct["staleness"]["detail"]["stale_fraction"] + 0.01
    ttl_run = run(detail_heavy(**{"patterns.lazy_load.ttl": 60.0}), "lazy_load")["architectures"]["lazy_load"]
    assert lazy["staleness"]["detail"]["stale_fraction"] < ttl_run["staleness"]["detail"]["stale_fraction"]


def test_cleanup_deletes_rows_older_than_the_ttl(world: World) -> None:
    pattern = LazyLoad({"validation": "ttl", "ttl": 50.0, "cleanup_interval": 100.0})
    from simulator.workload import CONSUMER

    pattern.install(world.ctx)
    world.env.process(pattern.start()[0])
    for key in (1, 2, 3):
        world.call(world.ctx.core.get_customer_detail(CONSUMER, key))
    world.env.run(until=70.0)
    world.call(world.ctx.core.get_customer_detail(CONSUMER, 4))  # fetched at 70: younger than ttl at 100
    assert world.store.detail_count() == 4
    world.env.run(until=101.0)
    assert world.store.detail_count() == 1
    assert world.store.detail(4) is not None
    assert pattern.stats()["rows_deleted"] == 3


def test_write_through_keeps_the_cached_detail_current(world: World) -> None:
    from simulator.workload import CONSUMER

    pattern = LazyLoad({"validation": "ttl", "ttl": 1000.0})
    pattern.install(world.ctx)
    before = world.call(world.ctx.core.get_customer_detail(CONSUMER, 7))
    world.call(world.ctx.core.update_customer(CONSUMER, 7, {"credit_limit": 123000.0}))
    after = world.call(world.ctx.core.get_customer_detail(CONSUMER, 7))
    assert after.credit_limit == 123000.0 and after.version == before.version + 1
    assert pattern.stats()["hits"] == 1  # the read after the write came from the cache


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="lazy_load.validation: must be one of ttl, timestamp"):
        LazyLoad({"validation": "sometimes"})
    with pytest.raises(ValueError, match="lazy_load.ttl: must be greater than 0"):
        LazyLoad({"ttl": 0})
    with pytest.raises(ValueError, match="coalesce"):
        LazyLoad({"coalesce": "yes"})


def slow_fetch_scenario(coalesce: bool) -> dict:
    """20 keys read at 1/s each (uniform), ttl 2 s, and a fetch that takes 0.8 s (0.4 s of network each
    way, nothing else takes time): about one reader in two arrives while its key's fetch is in flight."""
    return small_scenario(**{
        "scenario.duration": 600.0, "scenario.warmup": 30.0, "data.customers": 20,
        "erp.network_latency": {"dist": "constant", "mean_ms": 400.0}, "erp.service.detail": ZERO,
        "erp.service.auth": ZERO, "erp.update_rate": 0.0, "erp.token_ttl": 1e6, "local_db.latency": ZERO,
        "workload.rate": 20.0, "workload.request_distribution": "uniform",
        "workload.list_fraction": 0.0, "workload.get_fraction": 0.0, "workload.detail_fraction": 1.0,
        "workload.update_fraction": 0.0, "patterns.lazy_load.ttl": 2.0, "patterns.lazy_load.cleanup_interval": 60.0,
        "patterns.lazy_load.coalesce": coalesce,
    })


def test_coalesced_readers_wait_for_the_fetch_in_flight_and_match_the_ttl_formula_with_the_fetch_time() -> None:
    """Single flight: hit ratio h = lambda*(T + F) / (1 + lambda*(T + F)) for a fetch taking F.

    The renewal argument of the TTL test, with a fetch that takes F: a miss starts a fetch; readers
    arriving in the next F seconds wait for it (lambda*F of them, no call of their own: hits); the
    copy is stored at F and reused for T more seconds (lambda*T hits); the first reader after that
    is the next miss. lambda = 1/s, T = 2 s, F = 0.8 s: h = 2.8/3.8 = 0.737. 12,000 reads: 3 points
    is about four standard errors.
    """
    block = run(slow_fetch_scenario(coalesce=True), "lazy_load")["architectures"]["lazy_load"]
    x = 1.0 * (2.0 + 0.8)
    details = block["cache"]["by_table"]["customer_details"]
    assert details["hit_ratio"] == pytest.approx(x / (1 + x), abs=0.03)
    # One fetch per miss, none per waiter (give or take fetches straddling the window's edges).
    assert block["erp"]["by_operation"]["detail"] == pytest.approx(details["misses"], abs=10)
    assert block["pattern_stats"]["lazy_load"]["coalesced"] > 0.15 * (details["hits"] + details["misses"])


def test_by_default_readers_that_miss_together_all_fetch_a_stampede() -> None:
    """Without coalescing, each reader that arrives during a fetch misses and fetches too: every one
    is an ERP call, and the hit ratio falls well below the single-flight cache's (0.56 against 0.74)."""
    block = run(slow_fetch_scenario(coalesce=False), "lazy_load")["architectures"]["lazy_load"]
    details = block["cache"]["by_table"]["customer_details"]
    assert block["pattern_stats"]["lazy_load"]["coalesced"] == 0
    assert block["erp"]["by_operation"]["detail"] == pytest.approx(details["misses"], abs=10)  # window edges
    assert details["hit_ratio"] < 2.8 / 3.8 - 0.10


def test_a_failed_fetch_fails_its_waiters_too_and_the_next_reader_fetches_again(world: World) -> None:
    """Waiters share the fetch's outcome, an error included; nothing stays stuck in flight."""
    from patterns.integration import SourceUnavailable
    from patterns.lazy_load import LazyDetail
    from simulator.workload import CONSUMER

    cache = LazyDetail(world.runtime, world.store, world.integration, "ttl", 60.0, coalesce=True)
    world.erp.outages = [(0.0, 1.0, "fail")]
    first, second = (world.env.process(cache.get(CONSUMER, 3)) for _ in range(2))
    first.defused = second.defused = True
    world.env.run(until=0.5)
    assert isinstance(first.value, SourceUnavailable) and isinstance(second.value, SourceUnavailable)
    assert cache.coalesced == 1 and cache.misses == 1 and not cache._in_flight
    world.env.run(until=1.5)
    assert world.call(cache.get(CONSUMER, 3)).id == 3 and cache.misses == 2
