"""Sweeps: the plan, determinism across executors (in-process, process pool, Dask), resume, the CI maths."""

from __future__ import annotations

import statistics
from concurrent.futures import ProcessPoolExecutor

import pytest

from simulator import aggregate
from simulator import sweep as sweeps
from simulator.scenario import ScenarioError
from tests.conftest import small_scenario

ARCHS = [["direct"], ["batch_sync"]]


def tiny() -> dict:
    return small_scenario(**{"scenario.duration": 30.0, "scenario.warmup": 5.0, "data.customers": 300})


def results(records: list[dict]) -> dict[str, dict]:
    return {r["id"]: r["result"] for r in records}


def test_plan_is_the_cross_product_with_consecutive_seeds() -> None:
    plan = sweeps.plan(tiny(), ["erp.update_rate=1,2,5", "workload.page_size=10,50"], ARCHS, seeds=2, base_seed=7)
    assert len(plan.cells) == 3 * 2 * 2 * 2
    assert plan.seeds == [7, 8]
    assert {c.seed for c in plan.cells} == {7, 8}
    assert all(c.scenario["scenario"]["seed"] == c.seed for c in plan.cells)
    assert plan.vary == {"erp.update_rate": [1.0, 2.0, 5.0], "workload.page_size": [10, 50]}
    assert len({c.id for c in plan.cells}) == len(plan.cells)
    assert {(c.vary["erp.update_rate"], c.scenario["erp"]["update_rate"]) for c in plan.cells} == {
        (1.0, 1.0), (2.0, 2.0), (5.0, 5.0)}


@pytest.mark.parametrize("vary", ["erp.nope=1,2", "erp.update_rate=1,-2", "erp.update_rate=", "erp.update_rate=1,1",
                                  "workload.list_fraction=0.5,0.7", "scenario.seed=1,2"])
def test_bad_vary_is_a_scenario_error(vary: str) -> None:
    with pytest.raises(ScenarioError, match="--vary"):
        sweeps.plan(tiny(), [vary], ARCHS)


def test_a_shared_database_is_refused_since_cells_run_at_once(tmp_path) -> None:
    sc = tiny()
    sc["local_db"]["url"] = f"sqlite:///{tmp_path / 'shared.db'}"
    with pytest.raises(ScenarioError, match="local_db.url"):
        sweeps.plan(sc, ["erp.update_rate=1,2"], ARCHS)


def test_values_split_on_top_level_commas_only() -> None:
    assert sweeps.split_values('1, {dist = "constant", mean_ms = 5},[1,2]') == [
        "1", '{dist = "constant", mean_ms = 5}', "[1,2]"]


def test_same_numbers_in_process_on_a_process_pool_and_on_dask() -> None:
    distributed = pytest.importorskip("distributed")
    plan = sweeps.plan(tiny(), ["erp.update_rate=1,4"], ARCHS, seeds=1)
    inline = {c.id: sweeps.run_cell(c)["result"] for c in plan.cells}
    with ProcessPoolExecutor(2) as pool:
        pooled = results(sweeps.execute(plan, pool))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with sweeps.make_executor(scheduler=cluster.scheduler_address) as executor:
            dasked = results(sweeps.execute(plan, executor))
    assert inline == pooled == dasked
    assert len({str(r["erp"]) for r in inline.values()}) > 1  # the cells really differ


class Stop(KeyboardInterrupt):
    """Stands in for Ctrl-C after some cells have finished."""


def test_interrupted_sweep_resumes_without_rerunning_finished_cells(tmp_path) -> None:
    plan = sweeps.plan(tiny(), ["erp.update_rate=1,2,3"], ARCHS, seeds=1)
    store = sweeps.CellStore(tmp_path / "cells")

    def interrupt(done: int, total: int, record: dict, cached: bool) -> None:
        if done == 2:
            raise Stop

    with pytest.raises(Stop), sweeps.make_executor(workers=0) as executor:
        sweeps.execute(plan, executor, store, on_cell=interrupt)
    kept = {p.name: p.stat().st_mtime_ns for p in store.dir.glob("*.json")}
    assert len(kept) == 2
    seen: list[tuple[str, bool]] = []
    with sweeps.make_executor(workers=0) as executor:
        records = sweeps.execute(plan, executor, store, resume=True,
                                 on_cell=lambda d, t, r, cached: seen.append((r["id"], cached)))
    assert sorted(cid + ".json" for cid, cached in seen if cached) == sorted(kept)
    assert sum(1 for _, cached in seen if not cached) == len(plan.cells) - 2
    assert {p.name: p.stat().st_mtime_ns for p in store.dir.glob("*.json") if p.name in kept} == kept
    assert [r["id"] for r in records] == [c.id for c in plan.cells]
    fresh = {c.id: sweeps.run_cell(c)["result"] for c in plan.cells}
    assert results(records) == fresh


def test_interval_is_student_t() -> None:
    values = [1.0, 2.0, 4.0, 7.0]
    got = aggregate.interval(values)
    half = 3.182 * statistics.stdev(values) / 2
    assert got["mean"] == pytest.approx(3.5)
    assert got["ci95_high"] - got["mean"] == pytest.approx(half)
    assert got["mean"] - got["ci95_low"] == pytest.approx(half)
    assert aggregate.interval([3.0]) == {"mean": 3.0, "ci95_low": None, "ci95_high": None}
    assert aggregate.t95(35) == aggregate.T95[30] and aggregate.t95(1000) == aggregate.Z95


def test_summary_groups_seeds_per_value_and_architecture() -> None:
    plan = sweeps.plan(tiny(), ["erp.update_rate=1,4"], [["direct"]], seeds=3)
    records = [sweeps.run_cell(c) for c in plan.cells]
    rows = aggregate.summarize(records)
    assert [(r["vary"]["erp.update_rate"], r["seeds"]) for r in rows] == [(1.0, 3), (4.0, 3)]
    calls = [r["result"]["erp"]["calls"] for r in records if r["vary"]["erp.update_rate"] == 1.0]
    assert rows[0]["metrics"]["erp.calls"]["mean"] == pytest.approx(statistics.fmean(calls))
    assert "timeseries.erp_calls" not in rows[0]["metrics"]
