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

from patterns.architecture import expand
from simulator import scenario as scenarios

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
# One sentence per fault: why each pattern ends as it does (docs/fault-matrix.md prints them under the table).
WHY: dict[str, str] = {
    "none": "The reference row: with no fault every sync converges and every read is answered.",
    "outage": "Reads that need the ERP fail while it is down; batch_sync catches up by its cursor and the queued "
              "syncs retry their items, but realtime_sync and ordered_sync fetch inside the callback, with no "
              "queue and no retry, so a change notified during the outage is lost.",
    "hang": "As for the outage, with calls that hang until the 2 s timeout: fewer callbacks get through during "
            "the hang, so the inline syncs lose fewer changes, but still lose them.",
    "errors": "A failed read is retried by the Integration Service and a failed sync step is tried again, so "
              "every sync converges; availability drops by the requests whose retries all failed.",
    "spike": "A slow ERP makes every call slower but loses nothing, so every sync converges.",
    "slow_under_load": "The ERP slows as its queue grows; at this load that costs time, not changes.",
    "change_burst": "At this scale (300 customers) every sync absorbs a tenfold burst; the flash_sale scenario "
                    "shows a burst that inline handlers cannot take.",
    "callback_loss": "A callback the ERP never sends cannot be queued or retried, so every callback-driven sync "
                     "loses those changes; only batch_sync, which reads changes by cursor, converges (a periodic "
                     "reconciliation is the cure).",
    "callback_duplicates": "A duplicate notification only fetches the current record again: harmless to all.",
    "callback_reorder": "Eight callbacks in flight meet two inline handlers: the callbacks refused for want of a "
                        "handler are lost by realtime_sync and ordered_sync alike (capacity, not order, is the "
                        "problem here), while the queued syncs take every one.",
    "callback_delay": "Callbacks 5 s late arrive in bunches at two inline handlers, and those refused are lost; the "
                      "queued syncs take them all and converge.",
    "local_db_errors": "A local write that fails inside a callback (an inline store, or the queue insert) fails the "
                       "callback, which the ERP does not send again, so every callback-driven sync loses changes; "
                       "batch_sync retries its whole cycle.",
    "local_db_errors_retried": "When the ERP sends a failed callback again (up to 5 times), every sync converges.",
    "worker_crash": "Only queued_sync has workers: an item whose worker crashed comes back when its lease runs out, "
                    "so nothing is lost. n/a: a pattern with no workers has nothing to crash.",
}


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
        scenarios.apply_override(sc, f"{key}={scenarios.toml_literal(value)}")
    scenarios.validate(sc, f"fault {fault}")
    from simulator.run import run_one  # noqa: PLC0415 - the CLI reads FAULTS for its help; runs load the simulator

    block = run_one(sc, architecture.split("+"), sc["scenario"]["seed"])
    conv = block["convergence"]
    return {"fault": fault, "architecture": architecture, "divergent": conv["divergent_records"],
            "lost": conv["lost_changes"], "drained": conv["drained"],
            "availability": block["requests"]["availability"],
            "callbacks_failed": block["erp"]["callbacks"]["failed"],
            "dead_letters": block["pattern_stats"].get("queued_sync", {}).get("dead_letters", 0),
            "converged": conv["divergent_records"] == 0 and conv["lost_changes"] == 0}


def applies(fault: str, architecture: str) -> bool:
    """Can ``fault`` touch ``architecture``? A fault set only in one pattern's keys (``patterns.queued_sync.
    crash_rate``) cannot touch an architecture without that pattern; the matrix shows it as n/a."""
    keys = list(FAULTS[fault][1])
    owners = {k.split(".")[1] for k in keys if k.startswith("patterns.")}
    if not keys or len(owners) != 1 or not all(k.startswith("patterns.") for k in keys):
        return True
    return owners <= set(expand(architecture.split("+")))


def matrix(faults: list[str] | None = None, architectures: list[str] | None = None,
           progress: Callable[[str, float], None] | None = None) -> list[dict[str, Any]]:
    """One row per (fault, architecture); a fault that cannot touch the architecture is not run (``applies``)."""
    base = base_scenario()
    faults = faults or list(FAULTS)
    architectures = architectures or SYNC_ARCHITECTURES
    rows, total = [], len(faults) * len(architectures)
    for fault in faults:
        for architecture in architectures:
            if applies(fault, architecture):
                rows.append(cell(base, fault, architecture))
            else:
                rows.append({"fault": fault, "architecture": architecture, "applies": False})
            if progress:
                progress("fault matrix", len(rows) / total)
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """Faults down, architectures across; each cell: converged or what was lost, and availability (n/a where
    the fault cannot touch the pattern). Under the table, one sentence per fault says why."""
    architectures = list(dict.fromkeys(r["architecture"] for r in rows))
    faults = list(dict.fromkeys(r["fault"] for r in rows))
    lines = ["| fault | " + " | ".join(architectures) + " |", "|---|" + "---|" * len(architectures)]
    for fault in faults:
        cells = []
        for arch in architectures:
            r = next(x for x in rows if x["fault"] == fault and x["architecture"] == arch)
            if not r.get("applies", True):
                cells.append("n/a")
                continue
            verdict = "converged" if r["converged"] else f"**{r['divergent']} divergent, {r['lost']} lost**"
            cells.append(f"{verdict}; avail. {r['availability']:.1%}")
        lines.append(f"| {fault}: {FAULTS[fault][0]} | " + " | ".join(cells) + " |")
    lines += ["", "Why each row ends as it does:", ""]
    lines += [f"- **{fault}**: {WHY[fault]}" for fault in faults]
    return "\n".join(lines) + "\n"
