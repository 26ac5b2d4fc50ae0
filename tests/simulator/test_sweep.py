"""Sweeps: the plan, determinism across executors (in-process, process pool, Dask), resume, the CI maths."""

from __future__ import annotations

import json
import statistics
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

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


def test_a_varied_pattern_key_reaches_only_architectures_with_that_pattern() -> None:
    assert not sweeps.affects("patterns.batch_sync.interval", ["direct"])
    assert sweeps.affects("patterns.batch_sync.interval", ["batch_sync", "lazy_load"])
    assert sweeps.affects("patterns.realtime_sync.handlers", ["queued_sync"])  # a variant installs realtime_sync
    assert sweeps.affects("erp.update_rate", ["direct"]) and sweeps.affects("workload.rate", ["lazy_load"])


@pytest.mark.parametrize("key", ["patterns.batch_sync.interval=7", "patterns.lazy_load.ttl=5",
                                 "patterns.queued_sync.workers=1", "patterns.realtime_sync.handlers=1",
                                 "patterns.isolated_sync.contract_interval=7"])
def test_an_architecture_without_the_pattern_gives_the_same_numbers_whatever_its_key(key) -> None:
    """The rule ``affects`` relies on, checked by running: direct ignores every pattern's settings."""
    base = tiny()
    changed = sweeps.plan(base, [key.replace("=", "=9,")], [["direct"]]).cells  # two values of the key
    assert changed[0].id == changed[1].id  # so the sweep plans one run for both values
    other = tiny()
    sweeps._override(other, *key.split("="))
    assert sweeps.run_one(base, ["direct"], 1) == sweeps.run_one(other, ["direct"], 1)


def test_a_cell_the_varied_key_cannot_affect_runs_once_per_seed() -> None:
    plan = sweeps.plan(tiny(), ["patterns.batch_sync.interval=10,30,60"], ARCHS, seeds=2)
    assert len(plan.cells) == 3 * 2 * 2 and len(plan.unique()) == 2 * 1 + 2 * 3
    submitted: list[str] = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn, cell):
            submitted.append(cell.id)
            return super().submit(fn, cell)

    with Counting(1) as pool:
        records = sweeps.execute(plan, pool)
    assert sorted(submitted) == sorted(c.id for c in plan.unique())
    assert [r["vary"] for r in records] == [c.vary for c in plan.cells]  # every value still has its row
    direct = [r for r in records if r["architecture"] == "direct" and r["seed"] == plan.seeds[0]]
    assert len(direct) == 3 and all(r["result"] == direct[0]["result"] for r in direct)
    rows = aggregate.summarize(records)
    assert len(rows) == 3 * 2 and plan.describe()["runs"] == 8


def test_resume_runs_a_tampered_cell_again(tmp_path) -> None:
    plan = sweeps.plan(tiny(), ["erp.update_rate=1,2"], [["direct"]], seeds=1)
    store = sweeps.CellStore(tmp_path / "cells")
    with sweeps.make_executor(workers=0) as executor:
        first = sweeps.execute(plan, executor, store)
    bad, odd = (store.path(c.id) for c in plan.cells)
    record = json.loads(bad.read_text())
    record["result"]["latency_s"]["all"]["p95"] = -5.0
    bad.write_text(json.dumps(record))
    record = json.loads(odd.read_text())
    record["seed"] = "<script>alert(1)</script>"
    odd.write_text(json.dumps(record))
    cached: list[bool] = []
    with sweeps.make_executor(workers=0) as executor:
        again = sweeps.execute(plan, executor, store, resume=True, on_cell=lambda d, t, r, c: cached.append(c))
    assert cached == [False, False]
    assert again == first


def test_intervals_stay_within_what_the_metric_can_be() -> None:
    values = [0.0, 0.0, 0.03]
    plain = aggregate.interval(values)
    assert plain["ci95_low"] < 0  # Student t alone would say "-3% stale"
    clipped = aggregate.interval(values, (0.0, 1.0))
    assert clipped["ci95_low"] == 0.0 and clipped["ci95_high"] == plain["ci95_high"]
    assert aggregate.interval([0.99, 1.0, 1.0], (0.0, 1.0))["ci95_high"] == 1.0
    records = [{"vary": {}, "architecture": "a", "result": {"staleness": {"summary": {"stale_fraction": v}},
                                                            "sync": {"queue_mean": v * 100}}} for v in values]
    metrics = aggregate.summarize(records)[0]["metrics"]
    assert metrics["staleness.summary.stale_fraction"]["ci95_low"] == 0.0
    assert metrics["sync.queue_mean"]["ci95_low"] == 0.0  # a count, a length: never below zero either
