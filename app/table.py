"""The comparison table printed by ``patternsim run``: one column per architecture."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def latency(op: str, stat: str) -> Callable[[dict[str, Any]], float | None]:
    """A latency statistic in ms, or None when no request of that kind was answered (nothing to compare)."""
    def read(block: dict[str, Any]) -> float | None:
        summary = block["latency_s"][op]
        return None if summary["max"] == 0 else summary[stat] * 1000
    return read


# (label, how to read it from an architecture's block, format, lower is better?)
ROWS: list[tuple[str, Callable[[dict[str, Any]], Any], str | Callable[[Any], str], bool | None]] = [
    ("requests", lambda b: b["requests"]["total"], "{:,.0f}", None),
    ("availability", lambda b: b["requests"]["availability"], "{:.2%}", False),
    ("latency p50 (ms)", latency("all", "p50"), "{:,.1f}", True),
    ("latency p95 (ms)", latency("all", "p95"), "{:,.1f}", True),
    ("latency p99 (ms)", latency("all", "p99"), "{:,.1f}", True),
    ("list latency mean (ms)", latency("list", "mean"), "{:,.1f}", True),
    ("get latency mean (ms)", latency("get", "mean"), "{:,.1f}", True),
    ("detail latency mean (ms)", latency("detail", "mean"), "{:,.1f}", True),
    ("ERP calls", lambda b: b["erp"]["calls"], "{:,.0f}", True),
    ("ERP calls/s", lambda b: b["erp"]["calls_per_s"], "{:,.2f}", True),
    ("ERP utilization", lambda b: b["erp"]["utilization"], "{:.1%}", True),
    ("ERP queue mean", lambda b: b["erp"]["queue"]["mean"], "{:,.2f}", True),
    ("summary stale fraction", lambda b: b["staleness"]["summary"]["stale_fraction"], "{:.3%}", True),
    ("summary staleness mean (s)", lambda b: b["staleness"]["summary"]["mean_s"], "{:,.3f}", True),
    ("summary staleness max (s)", lambda b: b["staleness"]["summary"]["max_s"], "{:,.1f}", True),
    ("detail stale fraction", lambda b: b["staleness"]["detail"]["stale_fraction"], "{:.3%}", True),
    ("detail staleness max (s)", lambda b: b["staleness"]["detail"]["max_s"], "{:,.1f}", True),
    ("cache hit ratio", lambda b: b["cache"]["hit_ratio"], "{:.1%}", False),
    ("rows held locally", lambda b: b["cache"]["rows"], "{:,.0f}", None),
    ("callbacks sent / failed", lambda b: (b["erp"]["callbacks"]["sent"], b["erp"]["callbacks"]["failed"]),
     lambda v: f"{v[0]:,} / {v[1]:,}", None),
    ("sync queue max", lambda b: b["sync"]["queue_max"], "{:,.0f}", None),
    ("divergent records", lambda b: b["convergence"]["divergent_records"], "{:,.0f}", True),
    ("lost changes", lambda b: b["convergence"]["lost_changes"], "{:,.0f}", True),
    ("older copy over newer", lambda b: b.get("pattern_stats", {}).get("realtime_sync", {}).get("older_overwrites", 0),
     "{:,.0f}", True),
]


def _cell(fmt: str | Callable[[Any], str], value: Any) -> str:
    if value is None:
        return "-"
    return fmt(value) if callable(fmt) else fmt.format(value)


def comparison(results: dict[str, Any]) -> list[list[str]]:
    """Rows of text cells: a header, then one row per metric; the best value marked with ``*``."""
    blocks = results["architectures"]
    names = list(blocks)
    table = [["metric", *names]]
    for label, read, fmt, lower in ROWS:
        values = [read(blocks[n]) for n in names]
        cells = [_cell(fmt, v) for v in values]
        known = [v for v in values if v is not None]
        if lower is not None and len(known) > 1 and len(set(known)) > 1:
            best = min(known) if lower else max(known)
            cells = [c + (" *" if v == best else "  ") for c, v in zip(cells, values, strict=True)]
        table.append([label, *cells])
    return table


def render(results: dict[str, Any]) -> str:
    table = comparison(results)
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = []
    for j, row in enumerate(table):
        lines.append("  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    s = results["scenario"]["scenario"]
    head = (f"{s['name']} - {s['duration']:g} s measured after {s['warmup']:g} s warm-up, seed {results['seed']}")
    return head + "\n\n" + "\n".join(lines) + "\n\n* best value in the row\n"
