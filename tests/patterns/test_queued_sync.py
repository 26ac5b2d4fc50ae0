"""Queued real-time sync: callbacks only enqueue; leasing workers apply them; nothing is lost."""

from __future__ import annotations

from typing import Any

from patterns.architecture import build
from patterns.ports import Customer, Notification
from patterns.store import Store
from patterns.sync_queue import SyncQueue
from simulator.run import run
from tests.conftest import World, small_scenario


def row(key: int, version: int) -> Customer:
    return Customer(key, "n", "c", "x", "s", version, float(version))


# -- the queue table ----------------------------------------------------------------------------
def test_a_claim_leases_the_oldest_item_and_holds_its_key_apart():
    queue = SyncQueue(Store())
    for key, version in ((1, 2), (1, 3), (2, 5)):
        queue.put(key, version, 0.0)
    first = queue.claim("a", 1.0, lease=30.0)
    second = queue.claim("b", 1.0, lease=30.0)
    assert (first.key, first.version, second.key) == (1, 2, 2)  # key 1's second item waits for the first
    assert queue.claim("c", 1.0, lease=30.0) is None
    queue.complete(first, [row(1, 3)], only_newer=False)
    third = queue.claim("c", 1.0, lease=30.0)
    assert (third.key, third.version) == (1, 3)
    assert queue.length == queue.count() == 2


def test_an_item_whose_worker_died_is_delivered_again_after_its_lease_with_a_try_counted():
    queue = SyncQueue(Store())
    queue.put(4, 2, 0.0)
    held = queue.claim("w1", 0.0, lease=30.0)
    assert queue.claim("w2", 29.9, lease=30.0) is None
    again = queue.claim("w2", 30.0, lease=30.0)
    assert again.id == held.id and (held.tries, again.tries) == (0, 1)


def test_a_worker_that_outlived_its_lease_cannot_complete_the_item():
    store = Store()
    queue = SyncQueue(store)
    queue.put(4, 2, 0.0)
    slow = queue.claim("slow", 0.0, lease=30.0)
    fast = queue.claim("fast", 31.0, lease=30.0)  # the slow worker's lease ran out
    assert fast.id == slow.id
    assert queue.complete(slow, [row(4, 2)], only_newer=False) is False
    assert store.customer(4) is None and queue.length == 1  # nothing written, the item still owed
    assert queue.complete(fast, [row(4, 3)], only_newer=False) is True
    assert store.customer(4).version == 3 and queue.length == queue.count() == 0


def test_a_released_item_waits_until_its_time_and_counts_a_try_only_when_failed():
    queue = SyncQueue(Store())
    queue.put(4, 2, 0.0)
    item = queue.claim("w", 0.0, lease=30.0)
    queue.release(item, free_at=5.0, failed=False)
    assert queue.claim("w", 4.0, lease=30.0) is None and queue.next_free(4.0) == 5.0
    item = queue.claim("w", 5.0, lease=30.0)
    assert item.tries == 0
    queue.release(item, free_at=6.0, failed=True)
    assert queue.claim("w", 6.0, lease=30.0).tries == 1


def test_completing_writes_the_replica_and_removes_the_item_together_and_bury_moves_it():
    store = Store()
    queue = SyncQueue(store)
    queue.put(1, 2, 0.0)
    queue.put(2, 3, 0.0)
    queue.complete(queue.claim("w", 0.0, 30.0), [row(1, 2)], only_newer=True)
    assert store.customer(1).version == 2 and queue.count() == 1
    queue.bury(queue.claim("w", 0.0, 30.0), 9.0, "poison")
    assert queue.count() == 0 and queue.length == 0
    assert [(d["key"], d["version"], d["reason"], d["failed_at"]) for d in queue.dead()] == [(2, 3, "poison", 9.0)]


def test_an_item_carries_the_record_its_callback_carried_into_the_dead_letters_too():
    queue = SyncQueue(Store())
    queue.put(4, 3, 0.0, row(4, 3))
    queue.put(5, 1, 0.0)
    first, second = queue.claim("w", 1.0, 30.0), queue.claim("w", 1.0, 30.0)
    assert (first.record, second.record) == (row(4, 3), None)
    queue.bury(first, 2.0, "poison")
    assert queue.dead()[0]["record"] == row(4, 3)._asdict()


# -- the pattern --------------------------------------------------------------------------------
def queued_world(**params: Any) -> tuple[World, Any]:
    world = World(small_scenario(**{"erp.update_rate": 0.0}))
    arch = build(["queued_sync"], world.ctx, {"realtime_sync": {"handlers": 1},
                                              "queued_sync": {"workers": 2, "lease": 30.0, "max_tries": 3,
                                                              "poll_interval": 1.0, **params}})
    for step in arch.start():
        world.env.process(step)
    world.env.run(until=5.0)  # the initial load
    return world, arch.patterns[1]


def test_the_callback_only_enqueues_and_a_worker_applies_it():
    world, queued = queued_world()
    world.erp.apply(9, summary=True, detail=False)  # the ERP calls the endpoint back
    world.env.run(until=world.env.now + 5.0)
    assert queued.enqueued == 1 and queued.realtime.busy == 0  # no inline handling at all
    assert world.store.customer(9).version == 2 and queued.queue.length == 0 and queued.applied == 1


def test_one_change_wakes_one_idle_worker_and_a_burst_wakes_them_all(monkeypatch):
    world, queued = queued_world(workers=4)
    claims: list[str] = []
    claim = queued.queue.claim
    monkeypatch.setattr(queued.queue, "claim", lambda worker, *a, **k: claims.append(worker) or claim(worker, *a, **k))
    world.erp.apply(9, summary=True, detail=False)
    world.env.run(until=world.env.now + 5.0)
    # One worker claims the item and, once done, claims again and finds the queue empty: nobody else
    # was woken for one item (waking every idle worker would add three failed claims and their polls).
    assert len(claims) == 2 and len(set(claims)) == 1 and queued.applied == 1
    claims.clear()
    for key in (1, 2, 3, 4):
        world.erp.apply(key, summary=True, detail=False)
    world.env.run(until=world.env.now + 5.0)
    assert len({c.split(".")[0] for c in claims}) == 4 and queued.applied == 5 and queued.queue.length == 0


def test_a_poison_item_goes_to_the_dead_letters_after_max_tries():
    world, queued = queued_world()
    assert world.call(queued.realtime.endpoint(Notification(10_000, 2, world.env.now))) is True  # no such record
    world.env.run(until=world.env.now + 30.0)
    assert queued.queue.length == 0 and queued.dead == 1
    (dead,) = queued.queue.dead()
    assert dead["key"] == 10_000 and dead["tries"] == 3 and "NotFound" in dead["reason"]


def test_a_crashed_worker_leaves_the_item_to_come_back_after_the_lease():
    world, queued = queued_world(crash_rate=1.0, max_tries=2)
    world.erp.apply(9, summary=True, detail=False)
    world.env.run(until=world.env.now + 29.0)
    assert queued.crashes == 1 and queued.queue.length == 1  # leased by the dead worker
    world.env.run(until=world.env.now + 40.0)
    # Redelivered after the lease, crashed again, and delivered too often: buried, never applied.
    assert queued.crashes == 2 and queued.dead == 1 and world.store.customer(9).version == 1


# -- against the alternatives ---------------------------------------------------------------------
BURST = {"scenario.duration": 60.0, "erp.update_rate": 1.0, "erp.summary_change_fraction": 1.0,
         "erp.bursts": [{"start": 20.0, "duration": 10.0, "multiplier": 60.0}], "data.customers": 300,
         "erp.callback.concurrency": 8, "patterns.realtime_sync.handlers": 2, "patterns.queued_sync.workers": 4,
         "workload.update_fraction": 0.0, "workload.get_fraction": 0.4, "workload.list_fraction": 0.5,
         "erp.capacity": 16}


def test_a_burst_fails_inline_callbacks_but_the_queue_takes_them_all_and_loses_nothing():
    results = run(small_scenario(**BURST), "direct,realtime_sync,queued_sync")["architectures"]
    direct, inline, queued = results["direct"], results["realtime_sync"], results["queued_sync"]
    assert inline["erp"]["callbacks"]["failed"] > 0.3 * inline["erp"]["callbacks"]["sent"]
    assert inline["convergence"]["lost_changes"] > 0
    assert queued["erp"]["callbacks"]["failed"] == 0
    assert queued["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}
    # The queue holds the burst for a while: a long queue, and a lag the direct baseline never has.
    assert queued["sync"]["queue_max"] > 50 and queued["sync"]["queue_mean"] > 1.0
    assert direct["staleness"]["summary"]["max_s"] < 2.0 < queued["staleness"]["summary"]["max_s"]
    # The ERP sees one fetch per callback (give or take those straddling the window's ends).
    assert abs(queued["erp"]["by_operation"]["get"] - queued["erp"]["callbacks"]["sent"]) <= 8


def test_outages_and_crashes_delay_changes_but_lose_none():
    sc = small_scenario(**{**BURST, "erp.outages": [{"start": 22.0, "duration": 15.0}],
                           "patterns.queued_sync.crash_rate": 0.1})
    queued = run(sc, "queued_sync")["architectures"]["queued_sync"]
    stats = queued["pattern_stats"]["queued_sync"]
    assert stats["worker_crashes"] > 0 and stats["source_unavailable"] > 0 and stats["dead_letters"] == 0
    assert queued["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}


def test_the_queue_length_reported_matches_the_table():
    world, queued = queued_world()
    lengths: list[int] = []
    world.ctx.observer.sync_queue = lengths.append  # type: ignore[method-assign]
    for key in (1, 2, 3):
        world.call(queued.realtime.endpoint(Notification(key, 1, world.env.now)))
    assert lengths == [1, 2, 3] and queued.queue.count() == 3
    world.env.run(until=world.env.now + 5.0)
    assert lengths[-1] == 0 == queued.queue.count()
