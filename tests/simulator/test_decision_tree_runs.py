"""Every architecture the decision tree can recommend actually runs, on a tiny scenario."""

from __future__ import annotations

from patterns import decision_tree as tree
from patterns.catalogue import PATTERNS
from simulator.run import run
from tests.conftest import small_scenario


def test_every_leaf_of_the_tree_runs_and_converges() -> None:
    leaves = sorted({"+".join(tree.walk(answers)) for answers in tree.all_paths()})
    runnable = [name for name in leaves if all(pid in PATTERNS for pid in name.split("+"))]
    assert "batch_sync" in runnable and "direct" in runnable
    scenario = small_scenario(**{"scenario.duration": 30.0, "scenario.warmup": 5.0, "data.customers": 100,
                                 "workload.rate": 5.0})
    results = run(scenario, ",".join(runnable))
    assert list(results["architectures"]) == runnable
    for name, block in results["architectures"].items():
        assert block["requests"]["total"] > 0, name
        assert block["requests"]["availability"] == 1.0, name  # no faults in this scenario
        assert block["convergence"]["divergent_records"] == 0, name
