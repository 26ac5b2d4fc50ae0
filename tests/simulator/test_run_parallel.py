"""``run`` with the architectures in worker processes: the same document as in one process, byte for byte."""

from __future__ import annotations

import json
import pickle

import pytest

from simulator import run as runs
from simulator.run import Cancelled, run
from simulator.scenario import ScenarioError
from tests.conftest import small_scenario

ARCHS = "direct,batch_sync"


def tiny() -> dict:
    return small_scenario(**{"scenario.duration": 60.0, "data.customers": 200})


def test_processes_give_the_same_document_as_one_process() -> None:
    reported: list[tuple[str, float]] = []
    parallel = run(tiny(), ARCHS, workers=2, progress=lambda name, f: reported.append((name, f)))
    inline = run(tiny(), ARCHS, workers=1)
    assert json.dumps(parallel) == json.dumps(inline)  # same numbers and same key order
    assert list(parallel["architectures"]) == ["direct", "batch_sync"]
    # Each architecture is reported done exactly once, and nothing of it after that.
    for name in ("direct", "batch_sync"):
        fractions = [f for n, f in reported if n == name]
        assert fractions.count(1.0) == 1 and fractions[-1] == 1.0, name
        assert all(0.0 < f <= 1.0 for f in fractions), name


def test_the_given_order_is_kept_whichever_finishes_first() -> None:
    results = run(tiny(), "batch_sync,direct")
    assert list(results["architectures"]) == ["batch_sync", "direct"]


def test_a_shared_database_runs_one_after_the_other(tmp_path, monkeypatch) -> None:
    def no_pool(*args, **kwargs):
        raise AssertionError("runs sharing a database file must not run at the same time")

    expected = run(tiny(), ARCHS, workers=2)["architectures"]
    monkeypatch.setattr(runs, "run_parallel", no_pool)
    shared = run(tiny(), ARCHS, workers=2, db_url=f"sqlite:///{tmp_path / 'local.db'}")
    assert shared["architectures"] == expected


def test_a_failure_in_a_worker_is_the_error_of_one_process() -> None:
    broken = [["direct"], ["teleport"]]
    with pytest.raises(Exception) as inline:
        run(tiny(), broken, workers=1)
    with pytest.raises(Exception) as pooled:
        run(tiny(), broken, workers=2)
    assert type(pooled.value) is type(inline.value)
    assert str(pooled.value) == str(inline.value)


def test_scenario_errors_survive_the_trip_back_from_a_worker() -> None:
    error = pickle.loads(pickle.dumps(ScenarioError("local database", "local_db.url", "cannot open")))
    assert (error.source, error.key, error.reason) == ("local database", "local_db.url", "cannot open")
    assert str(error) == "local database: local_db.url: cannot open"


def test_a_progress_callback_can_cancel_the_workers() -> None:
    def cancel(name: str, fraction: float) -> None:
        raise Cancelled

    with pytest.raises(Cancelled):
        run(small_scenario(**{"scenario.duration": 5000.0}), ARCHS, workers=2, progress=cancel)


def test_workers_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="workers"):
        run(tiny(), ARCHS, workers=0)
