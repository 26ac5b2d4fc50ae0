"""Every architecture gives the same numbers on SQLite (in memory, the default) and on a real PostgreSQL.

A SQLite file is the same engine as SQLite in memory (tests/simulator/test_run_parallel.py runs on
one); PostgreSQL is the other dialect, with its own SQL for upserts and its own types.
"""

from __future__ import annotations

import json

import pytest

from patterns.architecture import check
from patterns.catalogue import PATTERNS
from simulator.run import run
from tests.conftest import small_scenario


def every_architecture() -> list[str]:
    """Each pattern on its own, or with the first pattern it needs."""
    names = []
    for pid, pattern in PATTERNS.items():
        ids = [pid] if not pattern.needs else [pattern.needs[0], pid]
        check(ids)
        names.append("+".join(ids))
    return names


def tiny() -> dict:
    return small_scenario(**{"scenario.duration": 60.0, "scenario.warmup": 5.0, "data.customers": 200,
                             "workload.rate": 5.0, "erp.update_rate": 1.0})


def numbers(doc: dict) -> str:
    doc = json.loads(json.dumps(doc))
    del doc["scenario"]["local_db"]["url"]
    return json.dumps(doc, sort_keys=True)


@pytest.mark.parametrize("architecture", every_architecture())
def test_the_same_json_on_postgresql(architecture, pg_url):
    reference = run(tiny(), architecture, workers=1)
    on_db = run(tiny(), architecture, workers=1, db_url=pg_url)
    assert numbers(on_db) == numbers(reference)
    assert on_db["architectures"][architecture]["requests"]["total"] > 0
