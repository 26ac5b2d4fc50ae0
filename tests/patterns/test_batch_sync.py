"""Cold cache with batch sync: what it saves, how stale it gets, and that it loses nothing."""

from __future__ import annotations

import pytest

from patterns.architecture import build
from patterns.integration import SourceUnavailable
from patterns.ports import Caller
from simulator.run import run
from tests.conftest import World, small_scenario

WRITER = Caller("w", frozenset({"customers.read", "customers.write"}))


def test_full_load_in_pages_then_only_changes():
    world = World(small_scenario(**{"data.customers": 1234, "erp.update_rate": 0.0}))
    sync = build(["batch_sync"], world.ctx, {"batch_sync": {"interval": 60, "page_size": 100}}).patterns[0]
    assert world.call(sync.cycle()) is True
    assert world.store.customer_count() == 1234
    assert world.erp.calls - 1 == 13  # 13 pages of changes (+ one authentication)
    world.erp.apply(5, summary=True, detail=False)
    world.erp.apply(900, summary=True, detail=False)
    before = world.erp.calls
    assert world.call(sync.cycle()) is True
    assert world.erp.calls - before == 1  # one page holds both changes
    assert world.store.customer(5).version == 2 and world.store.customer(900).version == 2
    assert world.store.customer(6).version == 1


def test_staleness_never_exceeds_interval_plus_sync_duration():
    interval = 120.0
    sc = small_scenario(**{"scenario.duration": 1800.0, "data.customers": 2000, "erp.update_rate": 5.0,
                           "erp.summary_change_fraction": 0.5, "patterns.batch_sync.interval": interval,
                           "workload.rate": 20.0})
    block = run(sc, "batch_sync")["architectures"]["batch_sync"]
    summary = block["staleness"]["summary"]
    cycle = block["pattern_stats"]["batch_sync"]["max_cycle_s"]
    assert summary["stale"] > 0
    assert 0.5 * interval < summary["max_s"] <= interval + cycle
    assert block["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}


def test_a_failed_cycle_keeps_the_cursor_and_nothing_is_lost():
    sc = small_scenario(**{"scenario.duration": 600.0, "erp.update_rate": 3.0, "erp.summary_change_fraction": 1.0,
                           "erp.outages": [{"start": 100.0, "duration": 200.0}],
                           "patterns.batch_sync.interval": 60.0})
    results = run(sc, "direct,batch_sync")["architectures"]
    batch, direct = results["batch_sync"], results["direct"]
    assert batch["pattern_stats"]["batch_sync"]["failed_cycles"] >= 3
    assert batch["convergence"]["lost_changes"] == 0 and batch["convergence"]["divergent_records"] == 0
    # Reads from the replica keep working through the outage; direct reads fail.
    assert direct["requests"]["availability"] < 0.8
    assert batch["latency_s"]["list"]["max"] < 0.1
    assert batch["requests"]["failed"] < direct["requests"]["failed"] / 5


def test_a_replica_never_loaded_sends_lists_to_the_source_instead_of_answering_empty_pages():
    # The ERP is down from the start: the first full load never finishes. An empty replica must not
    # tell consumers "no customers in this city"; lists go to the source and fail with it.
    sc = small_scenario(**{"scenario.duration": 300.0, "erp.outages": [{"start": 0.0, "duration": 1e6}],
                           "scenario.drain_limit": 10.0})
    block = run(sc, "batch_sync")["architectures"]["batch_sync"]
    assert block["pattern_stats"]["batch_sync"]["cycles"] == 0
    assert block["requests"]["availability"] == 0.0
    assert block["cache"]["by_table"]["customers"]["hits"] == 0


def test_lists_go_to_the_source_until_the_first_full_load_has_finished():
    world = World(small_scenario(**{"data.customers": 1234, "erp.update_rate": 0.0}))
    arch = build(["batch_sync"], world.ctx, {"batch_sync": {"interval": 600, "page_size": 100}})
    sync, reader = arch.patterns[0], Caller("r", frozenset({"customers.read"}))
    city = world.erp.city_of(0)
    world.env.process(sync.cycle())
    world.env.run(until=world.env.now + 0.5)  # a few pages in: the replica holds part of the city
    assert 0 < world.store.customer_count() < 1234 and not sync.replica.loaded()

    def searches() -> int:  # the source's search calls, from the audit trail (one row per call)
        return sum(1 for row in world.store.audit_rows() if row["operation"] == "search")

    partial = world.call(arch.core.list_customers(reader, {"city": city}, 0, 50))
    assert searches() == 1  # asked the source
    world.env.run(until=world.env.now + 60.0)
    assert sync.replica.loaded() and world.store.customer_count() == 1234
    assert world.call(arch.core.list_customers(reader, {"city": city}, 0, 50)) == partial
    assert searches() == 1  # answered by the replica, with the same page


def test_write_through_reaches_the_erp_first_and_the_replica_after():
    world = World(small_scenario(**{"erp.update_rate": 0.0}))
    arch = build(["batch_sync"], world.ctx, {"batch_sync": {"interval": 600}})
    world.call(arch.patterns[0].cycle())
    updated = world.call(arch.core.update_customer(WRITER, 7, {"segment": "partner"}))
    assert updated.segment == "partner" and updated.version == 2
    assert world.store.customer(7).segment == "partner"
    world.erp.outages = [(world.env.now, world.env.now + 100, "fail")]
    with pytest.raises(SourceUnavailable):
        world.call(arch.core.update_customer(WRITER, 7, {"segment": "public"}))
    assert world.store.customer(7).segment == "partner"  # the ERP refused: the replica did not move
