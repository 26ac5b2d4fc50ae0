"""The example plugin (examples/write_behind): it joins through its entry point and behaves as it says.

Skipped when the plugin is not installed (``pip install ./examples/write_behind``), except in CI, where
``PATTERNSIM_REQUIRE_PLUGINS`` names it and a missing plugin is an error.
"""

from __future__ import annotations

import os

import pytest

from app.cli import main
from patterns.architecture import build, parse
from patterns.catalogue import PATTERNS
from patterns.ports import Caller
from simulator import scenario as scenarios
from simulator.run import run
from tests.conftest import World, small_scenario

if "write_behind" not in PATTERNS:
    if "write_behind" in os.environ.get("PATTERNSIM_REQUIRE_PLUGINS", "").split(","):
        raise RuntimeError("the example plugin write_behind is required here but not installed")
    pytest.skip("the example plugin is not installed (pip install ./examples/write_behind)", allow_module_level=True)

WRITER = Caller("w", frozenset({"customers.read", "customers.write"}))


def test_listed_configurable_and_composable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["patterns"]) == 0
    assert "write_behind   Updates are queued locally" in capsys.readouterr().out
    assert scenarios.pattern_defaults()["write_behind"] == {"flush_interval": 5.0, "batch_size": 100, "coalesce": True}
    with pytest.raises(scenarios.ScenarioError, match="patterns.write_behind.flush_interval: must be greater than 0"):
        scenarios.load(None, ["patterns.write_behind.flush_interval=0"])
    assert parse("batch_sync+write_behind+lazy_load,write_behind") == [
        ["batch_sync", "write_behind", "lazy_load"], ["write_behind"]]


def test_an_update_answers_after_one_local_write_and_reaches_the_erp_later() -> None:
    sc = small_scenario(**{"scenario.duration": 60.0, "erp.update_rate": 0.0, "workload.update_fraction": 0.2,
                           "workload.detail_fraction": 0.0, "workload.get_fraction": 0.3})
    blocks = run(sc, "batch_sync,batch_sync+write_behind", workers=1)["architectures"]
    behind, through = blocks["batch_sync+write_behind"], blocks["batch_sync"]
    local_ms = sc["local_db"]["latency"]["mean_ms"] / 1000  # constant: every update costs exactly one local write
    assert behind["latency_s"]["update"]["max"] == pytest.approx(local_ms)
    assert through["latency_s"]["update"]["mean"] > 10 * local_ms
    stats = behind["pattern_stats"]["write_behind"]
    assert stats["sent"] + stats["coalesced"] + stats["lost"] == stats["accepted"] and stats["pending_at_end"] == 0
    interval = sc["patterns"]["write_behind"]["flush_interval"]  # half a period on average, plus the flush itself
    assert interval / 4 < stats["lag_mean_s"] < 1.5 * interval and stats["lag_max_s"] < 2 * interval
    assert behind["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}


def write_behind(world: World, **params: object):
    arch = build(["batch_sync", "write_behind"], world.ctx, {"batch_sync": {"interval": 600.0},
                                                            "write_behind": {"flush_interval": 10.0, **params}})
    world.call(arch.patterns[0].cycle())
    world.env.process(arch.patterns[1].start()[0])
    return arch, arch.patterns[1]


def test_updates_of_one_record_waiting_together_become_one_call() -> None:
    world = World(small_scenario(**{"erp.update_rate": 0.0}))
    arch, pattern = write_behind(world)
    world.call(arch.core.update_customer(WRITER, 7, {"segment": "partner"}))
    world.call(arch.core.update_customer(WRITER, 7, {"credit_limit": 42000.0}))
    assert world.erp.state(7)[-2] == 1  # nothing reached the ERP yet
    calls = world.erp.calls
    world.env.run(until=world.env.now + 11.0)
    assert world.erp.calls - calls == 1 and world.erp.state(7)[-2] == 2
    assert world.store.customer(7).segment == "partner"  # the replica took the version the ERP returned
    assert (pattern.accepted, pattern.coalesced, pattern.sent) == (2, 1, 1)


def test_while_the_erp_is_down_updates_wait_in_order_and_a_refused_one_is_lost() -> None:
    world = World(small_scenario(**{"erp.update_rate": 0.0}))
    arch, pattern = write_behind(world, coalesce=False)
    world.erp.outages = [(world.env.now, world.env.now + 25.0, "fail")]
    for key, segment in ((3, "partner"), (3, "public"), (99_999, "retail")):  # no customer 99999: refused later
        world.call(arch.core.update_customer(WRITER, key, {"segment": segment}))
    world.env.run(until=world.env.now + 21.0)  # two flushes, both into the outage
    assert pattern.retries == 2 and len(pattern.pending) == 3 and world.erp.state(3)[-2] == 1
    world.call(pattern.quiesce())
    assert world.store.customer(3).segment == "public" and world.erp.state(3)[-2] == 3  # in the order given
    assert (pattern.sent, pattern.lost, len(pattern.pending)) == (2, 1, 0)


def test_its_settings_appear_in_the_tui_form() -> None:
    from app.tui import form

    every = form.fields(scenarios.defaults(), [["batch_sync", "write_behind"]])
    specs = [f for f in every if f.section == "write_behind"]
    assert [(f.key, f.choices) for f in specs] == [("patterns.write_behind.flush_interval", ()),
                                                    ("patterns.write_behind.batch_size", ()),
                                                    ("patterns.write_behind.coalesce", ("true", "false"))]
