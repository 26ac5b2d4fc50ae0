"""The contract every pattern keeps, built-in or from a plugin, in the style of cachetools' shared tests.

Parametrised over the whole catalogue (so an installed plugin is checked too): a pattern builds with
its own defaults; refuses bad parameters with a message naming the pattern and the key, from the
constructor and from a scenario alike; drains when told to quiesce; reports stats that JSON can
carry; and an architecture with it converges on a quiet system of record. The last two run twice:
against the in-memory ``FakeSource`` (tests/patterns/fake_source.py) and against the simulated ERP.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
import simpy

from patterns.architecture import Architecture, build, expand
from patterns.catalogue import PATTERNS
from patterns.drivers import ErpDriver, driver_for
from patterns.integration import Credentials, IntegrationService, Route
from patterns.params import ParamError
from patterns.pattern import Context, Pattern
from patterns.ports import Caller
from patterns.store import AuditTrail, Store
from simulator import scenario as scenarios
from simulator import schema
from simulator.run import run_one
from simulator.runtime import SimRuntime
from tests.conftest import small_scenario
from tests.patterns.fake_source import FakeSource

IDS = list(PATTERNS)
WRITER = Caller("contract", frozenset({"customers.read", "customers.write"}))
DRAIN_LIMIT_S = 600.0
WRONG = {bool: "yes", int: "many", float: "soon", str: 7, list: "a, b"}  # a value of the wrong type per type


def architecture_for(pid: str) -> list[str]:
    """The smallest architecture with ``pid``: the pattern and, when it needs one, the first it names."""
    ids = [pid]
    needs = PATTERNS[pid].needs
    if needs and not set(expand(ids)) & set(needs):
        ids.insert(0, needs[0])
    return ids


# -- construction and parameters ----------------------------------------------------------------------
@pytest.mark.parametrize("pid", IDS)
def test_builds_with_its_own_defaults(pid: str) -> None:
    cls = PATTERNS[pid]
    pattern = cls()
    assert isinstance(pattern, Pattern) and pattern.id == pid
    assert pattern.params == dict(cls.defaults)
    assert pid in scenarios.pattern_defaults() or not cls.defaults  # what scenarios and the TUI form offer


@pytest.mark.parametrize("pid", IDS)
def test_refuses_an_unknown_parameter_naming_it(pid: str) -> None:
    with pytest.raises(ParamError, match=f"^{pid}.colour: unknown parameter"):
        PATTERNS[pid]({"colour": "blue"})


@pytest.mark.parametrize(("pid", "key"), [(pid, key) for pid in IDS for key in PATTERNS[pid].defaults])
def test_refuses_a_value_of_the_wrong_type_from_a_constructor_and_a_scenario(pid: str, key: str) -> None:
    wrong = WRONG[type(PATTERNS[pid].defaults[key])]
    with pytest.raises(ParamError, match=f"^{pid}.{key}: must be "):
        PATTERNS[pid]({key: wrong})
    with pytest.raises(scenarios.ScenarioError) as caught:
        scenarios.load(None, [f"patterns.{pid}.{key}={json.dumps(wrong)}"])
    assert caught.value.key == f"patterns.{pid}.{key}" and "must be" in caught.value.reason


@pytest.mark.parametrize(("pid", "key"), [(pid, key) for pid in IDS for key, v in PATTERNS[pid].defaults.items()
                                          if isinstance(v, int | float) and not isinstance(v, bool)])
def test_a_scenario_applies_the_pattern_s_own_rules_in_its_words(pid: str, key: str) -> None:
    """Zero is what a pattern's rules most often refuse: a constructor and a scenario agree on it."""
    try:
        PATTERNS[pid]({key: 0})
        refused = None
    except ParamError as exc:
        refused = exc.reason
    if refused is None:
        scenarios.load(None, [f"patterns.{pid}.{key}=0"])
        return
    with pytest.raises(scenarios.ScenarioError) as caught:
        scenarios.load(None, [f"patterns.{pid}.{key}=0"])
    assert (caught.value.key, caught.value.reason) == (f"patterns.{pid}.{key}", refused)


@pytest.mark.parametrize(("pid", "key"), [(pid, key) for pid in IDS for key in PATTERNS[pid].choices])
def test_a_word_off_the_list_is_refused_in_the_same_words_everywhere(pid: str, key: str) -> None:
    with pytest.raises(ParamError) as built:
        PATTERNS[pid]({key: "sometimes"})
    with pytest.raises(scenarios.ScenarioError) as loaded:
        scenarios.load(None, [f"patterns.{pid}.{key}=sometimes"])
    assert built.value.reason == loaded.value.reason and built.value.reason.startswith("must be one of ")


# -- running against the in-memory source --------------------------------------------------------------
class Rig:
    """One architecture over ``FakeSource`` systems (several with a transparency service), driven by SimPy."""

    def __init__(self, ids: list[str]):
        params = scenarios.pattern_defaults()
        self.env = simpy.Environment()
        runtime = SimRuntime(self.env)
        names = params["transparency"]["sources"] if "transparency" in expand(ids) else ["erp"]
        self.sources = [FakeSource(runtime, name) for name in names]
        n = len(self.sources)
        routes = [Route(s, ErpDriver() if n == 1 else driver_for("sap", i, n), Credentials(s, "contract", "secret"))
                  for i, s in enumerate(self.sources)]
        self.store = Store("sqlite://")
        integration = IntegrationService(runtime, routes, AuditTrail(self.store))
        self.ctx = Context(runtime, self.store, integration, random.Random(1))
        self.architecture: Architecture = build(ids, self.ctx, params)

    def record(self, key: int) -> dict[str, Any]:
        """Customer ``key`` (normalized) as the system that owns it holds it."""
        n = len(self.sources)
        return self.sources[key % n].records[key // n]

    def truth(self, key: int) -> tuple[Any, ...]:
        """What a replica must hold of customer ``key``: id, summary fields, version."""
        n = len(self.sources)
        return (key, *self.sources[key % n].summary(key // n)[1:6])

    def keys(self) -> list[int]:
        n = len(self.sources)
        return [local * n + i for i, s in enumerate(self.sources) for local in s.records]

    def activity(self) -> Any:
        """A little life, then quiet: consumers update through the Core Service, others change the source."""
        core = self.architecture.core
        for i, key in enumerate((3, 10, 11, 27)):
            yield self.env.timeout(5.0)
            yield from core.update_customer(WRITER, key, {"segment": "partner"} if i % 2 else {"credit_limit": 9e3})
            yield self.env.timeout(2.0)
            self.sources[0].change(i + 1)

    def run(self, quiet_until: float = 60.0) -> simpy.Process:
        for step in self.architecture.start():
            self.env.process(step)
        self.env.process(self.activity())
        self.env.run(until=quiet_until)
        drained = self.env.process(self.architecture.quiesce())
        self.env.run(until=simpy.AnyOf(self.env, [drained, self.env.timeout(DRAIN_LIMIT_S)]))
        return drained


@pytest.mark.parametrize("pid", IDS)
def test_against_the_fake_source_it_drains_reports_json_and_converges(pid: str) -> None:
    rig = Rig(architecture_for(pid))
    drained = rig.run()
    assert drained.triggered, f"{pid} did not drain within {DRAIN_LIMIT_S:g} s"
    for pattern in rig.architecture.patterns:
        json.dumps(pattern.stats(), allow_nan=False)
    assert rig.record(3)["KLIMK"] == 9e3 and rig.record(10)["KDGRP"] == "partner"  # every update arrived
    if rig.architecture.keeps_replica:
        held = {c.id: (c.id, c.name, c.city, c.country, c.segment, c.version) for c in
                rig.store.all_customers().values()}
        assert held == {key: rig.truth(key) for key in rig.keys()}


# -- running against the simulated ERP -------------------------------------------------------------------
@pytest.mark.parametrize("pid", IDS)
def test_against_the_simulated_erp_it_drains_reports_json_and_converges(pid: str) -> None:
    quiet = small_scenario(**{"scenario.duration": 30.0, "scenario.warmup": 5.0, "data.customers": 200,
                              "data.contracts_per_customer": 1, "erp.update_rate": 0.0, "workload.rate": 5.0})
    block = run_one(quiet, architecture_for(pid), seed=3)
    assert block["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}
    assert block["requests"]["failed"] == 0
    json.dumps(block["pattern_stats"], allow_nan=False)
    schema.check(block, "block")  # what report and sweep --resume accept when they read results back
