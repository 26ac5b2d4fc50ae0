"""The throughput benchmark's bare SimPy model is a floor: it never handles more events than the run it stands for.

If it did, an architecture's ratio would read better than its work deserves. The run's own server
pool spares the two events a ``simpy.Resource`` spends per call (``simulator/servers.py``), which is
why the floor may leave out the network crossings and still come close to the run's count.
"""

from __future__ import annotations

import pytest
import simpy

from benchmarks.sqlreplay import capture
from benchmarks.throughput import bare_simpy
from simulator.run import run_one
from tests.conftest import small_scenario


@pytest.mark.parametrize("arch", ["direct", "batch_sync", "queued_sync"])
def test_the_bare_model_handles_fewer_events_than_the_run(arch, monkeypatch):
    steps = [0]
    step = simpy.Environment.step

    def counted(env: simpy.Environment) -> None:
        steps[0] += 1
        step(env)

    monkeypatch.setattr(simpy.Environment, "step", counted)
    sc = small_scenario(**{"scenario.duration": 120.0, "scenario.warmup": 0.0})
    with capture() as captured:
        block = run_one(sc, [arch], 3)
    run, steps[0] = steps[0], 0
    calls, capacity = block["erp"]["calls"], sc["erp"]["capacity"]
    service_s = block["erp"]["utilization"] * capacity * 120.0 / calls
    bare_simpy(block["requests"]["total"], calls, captured.queries(), sc["workload"]["rate"], capacity, service_s,
               sc["local_db"]["latency"]["mean_ms"] / 1000, 3)
    assert 0.8 * run < steps[0] <= run  # 88-94% in this scenario: the floor is close, and below
