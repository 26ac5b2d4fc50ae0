"""The fault matrix: every fault the simulator can inject, against every sync pattern.

Each fault is a set of scenario overrides. ``matrix`` runs each (fault, architecture) cell to
quiescence and reports whether the replica converged to the ERP (no divergent record, no lost
change) and what readers saw (availability). The point is to show, not hide, which faults a
pattern survives and which it cannot by design: plain ``realtime_sync`` has no queue and no retry,
so a callback it misses is a change it never sees.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from simulator import scenario as scenarios
from simulator.run import run_one

EXP = "exponential"
FAULTS: dict[str, tuple[str, dict[str, Any]]] = {
    "none": ("no fault", {}),
    "outage": ("ERP down 60 s, calls fail fast", {"erp.outages": [{"start": 40.0, "duration": 60.0}]}),
    "hang": ("ERP hangs 60 s, callers time out",
             {"erp.outages": [{"start": 40.0, "duration": 60.0, "mode": "hang"}], "integration.timeout": 2.0}),
    "errors": ("20% of ERP calls fail", {"erp.error_rate": 0.2}),
    "spike": ("ERP 10x slower for 60 s", {"erp.latency_spikes": [{"start": 40.0, "duration": 60.0,
                                                                    "multiplier": 10.0}]}),
    "slow_under_load": ("service time grows with the ERP queue", {"erp.slowdown": 0.2}),
    "change_burst": ("10x change rate for 30 s", {"erp.bursts": [{"start": 40.0, "duration": 30.0,
                                                                  "multiplier": 10.0}]}),
    "callback_loss": ("20% of callbacks lost", {"erp.callback.loss": 0.2}),
    "callback_duplicates": ("30% of callbacks sent twice", {"erp.callback.duplication": 0.3}),
    "callback_reorder": ("8 callbacks in flight, random delays",
                         {"erp.callback.concurrency": 8, "erp.callback.delay": {"dist": EXP, "mean_ms": 2000.0}}),
    # 32 in flight, so that a 5 s delay slows callbacks without throttling them to one per 5 s.
    "callback_delay": ("every callback 5 s late", {"erp.callback.delay": {"dist": "constant", "mean_ms": 5000.0},
                                                    "erp.callback.concurrency": 32}),
    "local_db_errors": ("5% of local SQL statements fail", {"local_db.error_rate": 0.05}),
    "local_db_errors_retried": ("the same, and the ERP retries a failed callback up to 5 times",
                                {"local_db.error_rate": 0.05, "erp.callback.retries": 5}),
    "worker_crash": ("sync workers crash on 20% of items", {"patterns.queued_sync.crash_rate": 0.2}),
}
SYNC_ARCHITECTURES = ["batch_sync", "realtime_sync", "queued_sync", "ordered_sync", "queued_sync+ordered_sync"]


def base_scenario() -> dict[str, Any]:
    """Small and busy: 300 customers changing 3 times a second, two measured minutes."""
    sc = scenarios.defaults()
    sc["scenario"].update(duration=120.0, warmup=10.0, seed=11, drain_limit=600.0)
    sc["data"]["customers"] = 300
    sc["erp"].update(update_rate=3.0, summary_change_fraction=0.5)
    sc["workload"]["rate"] = 5.0
    sc["patterns"]["batch_sync"]["interval"] = 30.0
    return sc


def cell(base: dict[str, Any], fault: str, architecture: str) -> dict[str, Any]:
    """Run one architecture under one fault; returns a flat row for the matrix."""
    sc = copy.deepcopy(base)
    for key, value in FAULTS[fault][1].items():
        scenarios.apply_override(sc, f"{key}={_toml(value)}")
    scenarios.validate(sc, f"fault {fault}")
    block = run_one(sc, architecture.split("+"), sc["scenario"]["seed"])
    conv = block["convergence"]
    return {"fault": fault, "architecture": architecture, "divergent": conv["divergent_records"],
            "lost": conv["lost_changes"], "drained": conv["drained"],
            "availability": block["requests"]["availability"],
            "callbacks_failed": block["erp"]["callbacks"]["failed"],
            "dead_letters": block["pattern_stats"].get("queued_sync", {}).get("dead_letters", 0),
            "converged": conv["divergent_records"] == 0 and conv["lost_changes"] == 0}


def matrix(faults: list[str] | None = None, architectures: list[str] | None = None,
           progress: Callable[[str, float], None] | None = None) -> list[dict[str, Any]]:
    base = base_scenario()
    faults = faults or list(FAULTS)
    architectures = architectures or SYNC_ARCHITECTURES
    rows, total = [], len(faults) * len(architectures)
    for fault in faults:
        for architecture in architectures:
            rows.append(cell(base, fault, architecture))
            if progress:
                progress("fault matrix", len(rows) / total)
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """Faults down, architectures across; each cell: converged or what was lost, and availability."""
    architectures = list(dict.fromkeys(r["architecture"] for r in rows))
    lines = ["| fault | " + " | ".join(architectures) + " |", "|---|" + "---|" * len(architectures)]
    for fault in dict.fromkeys(r["fault"] for r in rows):
        cells = []
        for arch in architectures:
            r = next(x for x in rows if x["fault"] == fault and x["architecture"] == arch)
            verdict = "converged" if r["converged"] else f"**{r['divergent']} divergent, {r['lost']} lost**"
            cells.append(f"{verdict}; avail. {r['availability']:.1%}")
        lines.append(f"| {fault}: {FAULTS[fault][0]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    """A Python value as a TOML literal, for ``apply_override``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return repr(value)
