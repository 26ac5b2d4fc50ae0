"""isolated_sync: customers before contracts means no orphans; two independent timers leave some."""

from __future__ import annotations

import pytest

from patterns.isolated_sync import IsolatedSync
from simulator.run import run
from tests.conftest import small_scenario


def contracts_scenario(**overrides: object) -> dict:
    """New customers (with two contracts each) every five seconds; customer and contract timers of 30 s
    whose phases differ by 15 s, so a naive sync copies some contracts before their customer."""
    return small_scenario(**{
        "scenario.duration": 300.0, "scenario.warmup": 30.0,
        "data.contracts_per_customer": 2, "erp.insert_rate": 0.2, "erp.contract_update_rate": 0.2,
        "patterns.batch_sync.interval": 30.0, "patterns.isolated_sync.contract_interval": 30.0,
        "patterns.isolated_sync.contract_offset": 15.0, **overrides})


def both(sc: dict, architecture: str = "batch_sync+isolated_sync") -> tuple[dict, dict]:
    orchestrated = run(sc, architecture)["architectures"][architecture]
    sc = {**sc, "patterns": {**sc["patterns"], "isolated_sync": {**sc["patterns"]["isolated_sync"],
                                                                  "orchestrate": False}}}
    naive = run(sc, architecture)["architectures"][architecture]
    return orchestrated, naive


def test_orchestrated_sync_never_shows_an_orphan_and_the_naive_one_does() -> None:
    """The seed's reason for a Sync module: contracts refer to customers, so customers go first.

    Same scenario, same seed: orchestrated, zero orphans at every check (after each contract commit
    and every second while any exist); naive, new customers' contracts show up alone until the
    customer timer runs. With 0.2 inserts/s and a 15 s phase gap, about 3 new customers (6 contracts)
    fall in each gap, so the naive maximum is at least 2 and the time-weighted mean above 0.5.
    """
    orchestrated, naive = both(contracts_scenario())
    assert orchestrated["orphans"] == {"mean": 0.0, "max": 0}
    assert orchestrated["pattern_stats"]["isolated_sync"]["orphans_max"] == 0
    assert naive["orphans"]["max"] >= 2
    assert naive["orphans"]["mean"] > 0.5
    # Both end with every contract (the same count), and the replica converged.
    for block in (orchestrated, naive):
        assert block["convergence"]["divergent_records"] == 0
        assert block["pattern_stats"]["isolated_sync"]["orphans_at_end"] == 0
    assert (orchestrated["pattern_stats"]["isolated_sync"]["contracts_held"]
            == naive["pattern_stats"]["isolated_sync"]["contracts_held"])


def test_the_order_costs_little_against_direct() -> None:
    """What the orchestration costs: a few customer reads for customers inserted between the two
    steps of a cycle; the ERP load stays a small fraction of what direct puts on it."""
    sc = contracts_scenario()
    result = run(sc, "direct,batch_sync+isolated_sync")["architectures"]
    direct, isolated = result["direct"], result["batch_sync+isolated_sync"]
    stats = isolated["pattern_stats"]["isolated_sync"]
    assert stats["dependency_fetches"] <= stats["cycles"] * 3
    ops = isolated["erp"]["by_operation"]
    assert ops["contract_changes"] <= ops["changes"] + 1  # one contract step per customer step
    assert isolated["erp"]["calls"] < 0.5 * direct["erp"]["calls"]


def test_with_realtime_customers_the_dependency_check_alone_prevents_orphans() -> None:
    """Customers by callback, contracts by timer: without the check a contract can still beat its
    customer's callback; with it, never."""
    orchestrated, naive = both(contracts_scenario(**{"erp.callback.delay": {"dist": "constant", "mean_ms": 2000.0}}),
                               "realtime_sync+isolated_sync")
    assert orchestrated["orphans"]["max"] == 0
    assert naive["orphans"]["max"] >= 1


def test_contracts_match_the_erp_after_quiescence(world) -> None:
    """Every contract the ERP holds is held locally, with its customer and version."""
    from patterns.architecture import build

    sc = contracts_scenario()
    world.__init__(sc)
    arch = build(["batch_sync", "isolated_sync"], world.ctx,
                 {"batch_sync": {"interval": 30.0}, "isolated_sync": {"contract_interval": 30.0}})
    for step in arch.start():
        world.env.process(step)
    world.env.process(world.erp.change_process(200.0))
    world.env.run(until=200.0)
    world.call(arch.quiesce())
    book = world.erp.contracts
    held = {row.id: row for row in world.store.conn.execute(__import__("patterns.store").store.contracts.select())}
    assert len(held) == book.count > 1000
    for c in range(book.count):
        assert (held[c].customer_id, held[c].product, held[c].version) == book.row(c)[1:4]
    assert world.store.orphan_contracts() == 0


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="contract_interval"):
        IsolatedSync({"contract_interval": 0})
