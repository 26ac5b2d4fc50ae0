"""The comparison table marks a row's best value only when the paired comparison says so."""

from __future__ import annotations

import copy

from app.table import ROWS, best_of, comparison, render
from simulator.replications import combine


def rep(p95: float, calls: float, cycles: int | None = None) -> dict:
    sync = {"queue_mean": 0.0, "queue_max": 0, **({"cycles": cycles} if cycles is not None else {})}
    return {"patterns": ["x"], "requests": {"total": 10, "availability": 1.0, "failed": 0, "failures": {}},
            "latency_s": {op: {"mean": p95 / 2, "p50": p95 / 3, "p95": p95, "p99": p95, "max": p95}
                          for op in ("all", "list", "get", "detail", "update")},
            "erp": {"calls": calls, "calls_per_s": calls / 10, "utilization": 0.1, "queue": {"mean": 0.0, "max": 0},
                    "callbacks": {"sent": 0, "failed": 0}},
            "staleness": {g: {"reads": 100, "stale": 0, "stale_fraction": 0.0, "mean_s": 0.0, "p95_s": 0.0,
                              "max_s": 0.0} for g in ("summary", "detail")},
            "cache": {"hit_ratio": 0.0, "rows": 0}, "sync": sync,
            "convergence": {"divergent_records": 0, "lost_changes": 0, "drained": True}}


P95 = next(r for r in ROWS if r.label == "latency p95 (ms)")
CALLS = next(r for r in ROWS if r.label == "ERP calls")


def doc(**archs: list[dict]) -> dict:
    return {"seed": 1, "replications": len(next(iter(archs.values()))),
            "scenario": {"scenario": {"name": "t", "duration": 10.0, "warmup": 1.0}},
            "architectures": {name: combine(reps) for name, reps in archs.items()}}


def test_a_significant_leader_is_marked():
    noise = [0.0, 0.3, -0.2, 0.5]
    d = doc(a=[rep(1.0 + n, 10) for n in noise], b=[rep(1.5 + n, 20) for n in noise])
    assert best_of(P95, d["architectures"]) == {"a"}
    assert best_of(CALLS, d["architectures"]) == {"a"}


def test_noise_gets_no_mark():
    d = doc(a=[rep(x, 10) for x in (1.0, 1.6, 0.9, 1.4)], b=[rep(x, 10) for x in (1.3, 1.0, 1.5, 1.1)])
    assert best_of(P95, d["architectures"]) == set()
    assert all("*" not in cell for row in comparison(d) for cell in row)


def test_ties_at_the_shown_precision_are_marked_all_or_none():
    a = [rep(1.0 + n, 10) for n in (0.0, 0.1, 0.2)]
    tied = [rep(1.0 + n + 1e-9, 10) for n in (0.0, 0.1, 0.2)]  # shown identically, better by nothing visible
    worse = [rep(2.0 + n, 10) for n in (0.0, 0.1, 0.2)]
    assert best_of(P95, doc(a=a, b=tied, c=worse)["architectures"]) == {"a", "b"}
    assert best_of(P95, doc(a=a, b=tied)["architectures"]) == set()


def test_one_replication_or_one_architecture_marks_nothing():
    one = doc(a=[rep(1.0, 10)], b=[rep(9.0, 90)])
    assert all(best_of(row, one["architectures"]) == set() for row in ROWS)
    assert "one replication cannot tell" in render(one)
    alone = doc(a=[rep(1.0, 10), rep(1.2, 12)])
    assert all(best_of(row, alone["architectures"]) == set() for row in ROWS)


def test_a_sync_that_never_ran_cannot_win_erp_load():
    idle = [rep(1.0, 1, cycles=0) for _ in range(3)]
    busy = [rep(1.0, 50 + i, cycles=4) for i in range(3)]
    other = [rep(1.0, 90 + i) for i in range(3)]
    d = doc(idle=idle, busy=busy, other=other)
    assert best_of(CALLS, d["architectures"]) == {"busy"}


def test_cells_show_intervals_and_fractions_stay_in_range():
    d = doc(a=[rep(1.0 + n, 10 + n) for n in (0.0, 0.1, 0.2)])
    table = comparison(d)
    p95 = next(row for row in table if row[0] == "latency p95 (ms)")
    assert "±" in p95[1]
    block = copy.deepcopy(d["architectures"]["a"])
    low, high = block["ci95"]["requests"]["availability"]
    assert 0.0 <= low <= high <= 1.0
