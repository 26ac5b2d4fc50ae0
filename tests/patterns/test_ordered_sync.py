"""Ordered real-time sync: concurrent, late and duplicated callbacks never roll the replica back."""

from __future__ import annotations

import pytest

from patterns.architecture import ArchitectureError, build, check, expand
from patterns.ordered_sync import OrderedSync
from patterns.queued_sync import QueuedSync
from patterns.realtime_sync import RealtimeSync
from simulator.run import run
from tests.conftest import World, small_scenario

# Hot records (10 trucks, 10 changes a second each), an ERP calling back from 64 threads, and
# long-tailed latencies after the read (network back, local database): two handlers of the same
# record can write in the opposite order to the one they read in.
RACY = {"scenario.duration": 20.0, "scenario.warmup": 5.0, "data.customers": 10, "erp.update_rate": 100.0,
        "erp.summary_change_fraction": 1.0, "erp.capacity": 32,
        "erp.network_latency": {"dist": "lognormal", "mean_ms": 40.0, "sigma": 1.2},
        "local_db.latency": {"dist": "lognormal", "mean_ms": 50.0, "sigma": 1.5},
        "erp.callback.delay": {"dist": "exponential", "mean_ms": 20.0}, "erp.callback.concurrency": 64,
        "patterns.realtime_sync.handlers": 64, "workload.rate": 5.0, "workload.update_fraction": 0.0,
        "workload.get_fraction": 0.4, "workload.list_fraction": 0.5, "workload.request_distribution": "uniform"}


def test_side_by_side_plain_realtime_sync_diverges_and_ordered_sync_does_not():
    results = run(small_scenario(**RACY), "direct,realtime_sync,ordered_sync")["architectures"]
    direct, plain, ordered = results["direct"], results["realtime_sync"], results["ordered_sync"]
    plain_stats, ordered_stats = plain["pattern_stats"]["realtime_sync"], ordered["pattern_stats"]["realtime_sync"]
    assert plain["erp"]["callbacks"]["failed"] == ordered["erp"]["callbacks"]["failed"] == 0  # nothing refused
    # Plain: hundreds of older copies written over newer ones, and records left wrong at the end.
    assert plain_stats["older_overwrites"] > 50
    assert plain["convergence"]["divergent_records"] > 0
    # Ordered: the same races happen, and the version guard refuses every one of those writes.
    assert ordered_stats["older_overwrites"] == 0 and ordered_stats["older_writes_refused"] > 50
    assert ordered["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}
    # Notifications the replica already covers cost no fetch: fewer ERP calls than plain (and than
    # direct, which pays for every read).
    assert ordered["erp"]["calls"] < 0.95 * plain["erp"]["calls"]
    assert ordered["pattern_stats"]["ordered_sync"]["notifications_already_held"] > 0
    assert direct["convergence"]["divergent_records"] == 0


def test_duplicated_callbacks_cost_plain_realtime_sync_a_fetch_each_and_ordered_sync_nothing():
    dup = {"erp.update_rate": 1.0, "erp.callback.duplication": 1.0, "workload.update_fraction": 0.0,
           "workload.get_fraction": 0.4, "workload.list_fraction": 0.5}
    results = run(small_scenario(**dup), "realtime_sync,ordered_sync")["architectures"]
    plain, ordered = results["realtime_sync"], results["ordered_sync"]
    sent = plain["erp"]["callbacks"]["sent"]
    assert abs(plain["erp"]["by_operation"]["get"] - sent) <= 4  # one fetch per callback
    # Ordered fetches once per change; the second copy finds the version already held.
    assert abs(ordered["erp"]["by_operation"]["get"] - sent / 2) <= 4
    assert ordered["convergence"]["divergent_records"] == 0


def test_composition_ordered_alone_implies_realtime_sync_and_combines_with_queued_sync():
    assert expand(["ordered_sync"]) == ["realtime_sync", "ordered_sync"]
    assert expand(["ordered_sync", "queued_sync"]) == ["realtime_sync", "ordered_sync", "queued_sync"]
    assert expand(["ordered_sync", "realtime_sync"]) == ["realtime_sync", "ordered_sync"]
    check(["queued_sync", "ordered_sync"])
    with pytest.raises(ArchitectureError, match="batch_sync"):
        check(["batch_sync", "ordered_sync"])

    world = World(small_scenario(**{"erp.update_rate": 0.0}))
    arch = build(["ordered_sync", "queued_sync"], world.ctx, world.scenario["patterns"])
    realtime, ordered, queued = arch.patterns
    assert (type(realtime), type(ordered), type(queued)) == (RealtimeSync, OrderedSync, QueuedSync)
    assert realtime.only_newer and realtime.guard is ordered and realtime.intake is queued
    plain = build(["realtime_sync"], World(small_scenario()).ctx, world.scenario["patterns"]).patterns[0]
    assert not plain.only_newer and plain.intake is plain and plain.guard is None


def test_queued_and_ordered_together_converge_on_the_racy_scenario():
    racy = small_scenario(**{**RACY, "patterns.queued_sync.workers": 16})
    block = run(racy, "queued_sync+ordered_sync")["architectures"]["queued_sync+ordered_sync"]
    assert block["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}
    assert block["pattern_stats"]["realtime_sync"]["older_overwrites"] == 0


# Callbacks that carry the record, sent from 64 threads with random delays (mean 200 ms) while ten
# records change ten times a second each: callbacks of one record overtake each other all the time.
# Latencies are otherwise the defaults' constants, so nothing else reorders.
JITTERED = {"scenario.duration": 20.0, "scenario.warmup": 5.0, "data.customers": 10, "erp.update_rate": 100.0,
            "erp.summary_change_fraction": 1.0, "erp.capacity": 32,
            "erp.callback.delay": {"dist": "exponential", "mean_ms": 200.0}, "erp.callback.concurrency": 64,
            "patterns.realtime_sync.handlers": 64, "workload.rate": 5.0, "workload.update_fraction": 0.0,
            "workload.get_fraction": 0.4, "workload.list_fraction": 0.5, "workload.request_distribution": "uniform"}


def test_carried_records_from_jittered_senders_leave_plain_sync_divergent_and_ordered_sync_none():
    """Event-carried state: no fetch at all, but a late callback carries an old record. Plain real-time
    sync (inline or queued) writes it over the newer one and ends with records older than the ERP;
    the version guard refuses every such write and ends with none."""
    sc = small_scenario(**JITTERED, **{"erp.callback.payload": "record"})
    results = run(sc, "realtime_sync,ordered_sync,queued_sync,queued_sync+ordered_sync")["architectures"]
    for name, block in results.items():
        stats = block["pattern_stats"]["realtime_sync"]
        assert "get" not in block["erp"]["by_operation"], name  # the callbacks carried every record
        assert stats["records_carried"] > 1000 and stats["fetches"] == 0, name
        if "ordered_sync" in name:
            assert stats["older_overwrites"] == 0 and stats["older_writes_refused"] > 100, name
            assert block["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}, name
        else:
            assert stats["older_overwrites"] > 100, name
            assert block["convergence"]["divergent_records"] > 0, name


def test_notifications_from_the_same_senders_fetch_the_newest_record_however_late():
    """The same senders with plain notifications: each handler fetches the record as it is when it
    asks, and with constant network and local database times it writes in the order it read, so
    plain real-time sync never goes back a version, at the price of one ERP call per callback."""
    block = run(small_scenario(**JITTERED), "realtime_sync")["architectures"]["realtime_sync"]
    stats = block["pattern_stats"]["realtime_sync"]
    assert stats["older_overwrites"] == 0 and stats["records_carried"] == 0
    assert block["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}
    assert abs(block["erp"]["by_operation"]["get"] - block["erp"]["callbacks"]["sent"]) <= 10
