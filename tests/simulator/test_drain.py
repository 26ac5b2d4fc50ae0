"""The end of the window: every request that arrived in it counts, answered or not."""

from __future__ import annotations

from simulator.run import run
from tests.conftest import small_scenario


def test_overload_counts_the_same_arrivals_for_every_architecture():
    """At 300 requests/s the ERP is far past capacity: direct's answers come late or never.

    Before, requests still in flight at the end of the window vanished, so direct counted fewer
    requests than batch_sync for the same arrivals and its latency looked better than it was.
    """
    sc = small_scenario(**{"workload.rate": 300.0, "scenario.duration": 30.0})
    doc = run(sc, "direct,batch_sync", workers=1)
    direct, batch = doc["architectures"]["direct"], doc["architectures"]["batch_sync"]
    assert direct["requests"]["total"] == batch["requests"]["total"] > 8000
    assert direct["requests"]["failed"] > 0 and direct["requests"]["failed"] == sum(
        direct["requests"]["failures"].values())
    assert any("saturated" in w for w in direct["warnings"])
    assert not any("saturated" in w for w in batch["warnings"])


def test_requests_unanswered_at_the_drain_limit_fail_with_a_reason():
    """An ERP that hangs past the end and a drain limit too short to wait for the callers' timeouts."""
    sc = small_scenario(**{"scenario.duration": 20.0, "scenario.drain_limit": 0.5,
                           "erp.outages": [{"start": 25.0, "duration": 100.0, "mode": "hang"}]})
    block = run(sc, "direct", workers=1)["architectures"]["direct"]
    unanswered = block["requests"]["failures"].get("unanswered", 0)
    assert unanswered > 0
    assert any("unanswered" in w for w in block["warnings"])
    generous = small_scenario(**{"scenario.duration": 20.0, "scenario.drain_limit": 600.0,
                                 "erp.outages": [{"start": 25.0, "duration": 100.0, "mode": "hang"}]})
    again = run(generous, "direct", workers=1)["architectures"]["direct"]
    assert again["requests"]["total"] == block["requests"]["total"]  # the same arrivals, whatever the limit
    assert "unanswered" not in again["requests"]["failures"]  # time enough: each got an answer or a timeout


def test_warm_up_arrivals_never_count():
    sc = small_scenario(**{"scenario.warmup": 50.0, "scenario.duration": 10.0, "workload.rate": 20.0})
    total = run(sc, "direct", workers=1)["architectures"]["direct"]["requests"]["total"]
    assert 100 < total < 330  # about 200 in the 10 s window, not the 1,200 since time 0


def test_a_sync_that_never_ran_in_the_window_is_flagged():
    sc = small_scenario(**{"patterns.batch_sync.interval": 10_000.0})
    block = run(sc, "batch_sync", workers=1)["architectures"]["batch_sync"]
    assert block["sync"]["cycles"] == 0
    assert any("never ran" in w for w in block["warnings"])
    sc = small_scenario(**{"patterns.batch_sync.interval": 30.0})
    ok = run(sc, "batch_sync", workers=1)["architectures"]["batch_sync"]
    assert ok["sync"]["cycles"] > 0 and not any("never ran" in w for w in ok["warnings"])
