"""Real-time sync: current within a callback, but no queue, so a busy endpoint loses changes."""

from __future__ import annotations

from typing import Any

from patterns.architecture import build
from patterns.ports import Notification
from simulator.run import run
from tests.conftest import World, small_scenario


def blocks(spec: str, **overrides: Any) -> dict[str, Any]:
    return run(small_scenario(**overrides), spec)["architectures"]


# A quiet ERP (1 change/s, half of them to summary fields) and enough handlers for it.
QUIET = {"erp.update_rate": 1.0, "erp.summary_change_fraction": 0.5, "workload.update_fraction": 0.0,
         "workload.get_fraction": 0.4, "workload.list_fraction": 0.5}


def test_against_direct_reads_are_local_and_nearly_current_and_the_erp_sees_one_fetch_per_change():
    results = blocks("direct,realtime_sync", **QUIET)
    direct, realtime = results["direct"], results["realtime_sync"]
    # Reads never reach the ERP: a list is a local query (2 ms) instead of an ERP search (~0.5 s).
    assert realtime["latency_s"]["list"]["p95"] < 0.01 < direct["latency_s"]["list"]["mean"]
    # The ERP serves the initial load (in the warm-up) and then one fetch per callback, nothing per read.
    by_op = realtime["erp"]["by_operation"]
    sent = realtime["erp"]["callbacks"]["sent"]
    assert realtime["erp"]["callbacks"]["failed"] == 0
    assert set(by_op) <= {"get", "detail", "auth"}  # details stay direct in this architecture
    assert abs(by_op["get"] - sent) <= 2  # callbacks straddling the window's ends
    assert realtime["erp"]["calls"] < direct["erp"]["calls"] / 3
    # Current within a callback's delay plus one fetch: well under a second on average.
    summary = realtime["staleness"]["summary"]
    assert summary["stale_fraction"] < 0.02 and summary["mean_s"] < 0.01 and summary["max_s"] < 2.0
    assert realtime["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}


def test_callbacks_are_counted_apart_from_erp_calls():
    realtime = blocks("realtime_sync", **QUIET)["realtime_sync"]
    callbacks = realtime["erp"]["callbacks"]["sent"]
    # About one callback per change in the 120 s window (Poisson, 1/s): 4 standard deviations.
    assert abs(callbacks - 120) < 4 * 120 ** 0.5
    assert "callback" not in realtime["erp"]["by_operation"]


# Changes ten times faster than two inline handlers can fetch them, from an ERP calling back on
# 8 threads: most callbacks find both handlers busy.
BUSY = {"scenario.duration": 40.0, "erp.update_rate": 40.0, "erp.summary_change_fraction": 1.0, "data.customers": 200,
        "erp.callback.concurrency": 8, "patterns.realtime_sync.handlers": 2, "workload.update_fraction": 0.0,
        "workload.get_fraction": 0.4, "workload.list_fraction": 0.5}


def test_a_high_change_rate_fails_callbacks_and_leaves_staleness_and_lost_changes():
    busy = blocks("realtime_sync", **BUSY)["realtime_sync"]
    enough = blocks("realtime_sync", **{**BUSY, "patterns.realtime_sync.handlers": 16})["realtime_sync"]
    failed, sent = busy["erp"]["callbacks"]["failed"], busy["erp"]["callbacks"]["sent"]
    assert failed > 0.3 * sent
    assert busy["pattern_stats"]["realtime_sync"]["refused"] >= failed  # refused: no free handler
    assert enough["erp"]["callbacks"]["failed"] == 0
    # The refused changes stay missing until the record changes again (and some never do).
    assert busy["staleness"]["summary"]["mean_s"] > 5 * enough["staleness"]["summary"]["mean_s"]
    assert busy["convergence"]["lost_changes"] > 0 and busy["convergence"]["divergent_records"] > 0
    assert enough["convergence"]["divergent_records"] == 0


def test_the_erp_retries_refused_callbacks_only_when_configured():
    results = blocks("realtime_sync,ordered_sync", **{**BUSY, "erp.callback.retries": 8})
    plain, ordered = results["realtime_sync"], results["ordered_sync"]
    assert plain["erp"]["callbacks"]["failed"] > 0 and ordered["erp"]["callbacks"]["failed"] > 0
    # Every refused change comes again; what plain real-time sync may still get wrong is the race
    # of two concurrent handlers on one record (test_ordered_sync.py), which ordered_sync removes.
    assert plain["convergence"]["divergent_records"] <= 2
    assert ordered["convergence"]["divergent_records"] == 0 and ordered["convergence"]["lost_changes"] == 0


def test_initial_load_fills_the_replica_during_the_warm_up():
    world = World(small_scenario(**{"erp.update_rate": 0.0}))
    arch = build(["realtime_sync"], world.ctx, {"realtime_sync": {"handlers": 2}})
    for step in arch.start():
        world.env.process(step)
    world.env.run(until=5.0)
    assert world.store.customer_count() == 500 and arch.patterns[0].loaded


def test_one_handler_takes_a_callback_and_a_second_at_once_is_refused():
    world = World(small_scenario(**{"erp.update_rate": 0.0}))
    sync = build(["realtime_sync"], world.ctx, {"realtime_sync": {"handlers": 1}}).patterns[0]
    world.erp.apply(7, summary=True, detail=False)
    first = world.env.process(sync.endpoint(Notification(7, 2, 0.0)))
    second = world.env.process(sync.endpoint(Notification(7, 2, 0.0)))
    world.env.run(until=first)
    assert first.value is True and second.value is False
    assert world.store.customer(7).version == 2


def test_a_callback_during_an_outage_is_refused_and_the_change_waits_for_the_next_one():
    sc = small_scenario(**{"erp.update_rate": 0.0, "erp.outages": [{"start": 10.0, "duration": 30.0}]})
    world = World(sc)
    sync = build(["realtime_sync"], world.ctx, {"realtime_sync": {"handlers": 2}}).patterns[0]
    world.env.run(until=20.0)
    world.erp.apply(3, summary=True, detail=False)
    assert world.call(sync.endpoint(Notification(3, 2, 20.0))) is False
    assert world.store.customer(3) is None and sync.errors == 1


def test_one_callback_at_a_time_never_writes_an_older_copy_over_a_newer_one():
    # Serial handling: each fetch starts after the previous write, so writes follow reads in order.
    plain = blocks("realtime_sync", **{**BUSY, "erp.callback.concurrency": 1,
                                       "local_db.latency": {"dist": "exponential", "mean_ms": 30.0}})["realtime_sync"]
    assert plain["pattern_stats"]["realtime_sync"]["older_overwrites"] == 0
    assert plain["erp"]["callbacks"]["failed"] == 0  # one in flight never finds both handlers busy
