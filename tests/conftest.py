"""Shared fixtures: small, fast scenarios built from the defaults."""

from __future__ import annotations

from typing import Any

import pytest

from simulator import scenario as scenarios


def small_scenario(**overrides: Any) -> dict[str, Any]:
    """The defaults shrunk to run in well under a second; ``overrides`` are dotted keys."""
    sc = scenarios.defaults()
    sc["scenario"].update(duration=120.0, warmup=10.0)
    sc["data"]["customers"] = 500
    sc["workload"]["rate"] = 10.0
    for key, value in overrides.items():
        node = sc
        *path, last = key.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    scenarios.validate(sc, "test")
    return sc


@pytest.fixture
def small() -> dict[str, Any]:
    return small_scenario()


class World:
    """One run's parts wired by hand, for tests that drive patterns step by step."""

    def __init__(self, scenario: dict[str, Any] | None = None, seed: int = 1):
        import simpy

        from patterns.drivers import ErpDriver
        from patterns.integration import Credentials, IntegrationService, Route
        from patterns.pattern import Context
        from patterns.store import AuditTrail, Store
        from simulator.distributions import streams
        from simulator.erp import Erp
        from simulator.metrics import Metrics
        from simulator.run import CLIENT_SECRET
        from simulator.runtime import SimRuntime

        self.scenario = scenario or small_scenario()
        self.env = simpy.Environment()
        self.runtime = SimRuntime(self.env)
        s = self.scenario["scenario"]
        self.metrics = Metrics(s["warmup"], s["duration"])
        self.erp = Erp(self.env, self.scenario, seed, self.metrics)
        self.metrics.truth = self.erp
        self.store = Store("sqlite://")
        self.audit = AuditTrail(self.store, batch=1)
        self.credentials = Credentials(self.erp, "patternsim", CLIENT_SECRET)
        self.integration = IntegrationService(self.runtime, [Route(self.erp, ErpDriver(), self.credentials)],
                                              self.audit)
        self.ctx = Context(self.runtime, self.store, self.integration, None, streams(seed, "p")["p"], self.metrics,
                           sources={self.erp.name: self.erp})

    def call(self, step: Any) -> Any:
        """Run one pattern step to completion and return its value (or raise its exception)."""
        proc = self.env.process(step)
        self.env.run(until=proc)
        return proc.value


@pytest.fixture
def world() -> World:
    return World()
