"""The comparison table printed by ``patternsim run``: one column per architecture.

Each cell is the value, with its 95% interval when the run had replications (``± half-width``,
or ``(low–high)`` for a fraction). A row's best value is marked only when it is significantly
best: the leader beats every other architecture on the paired differences of their replications
(``simulator.replications.significantly_better``). Values tied at the shown precision are marked
all or none; a single replication or a single architecture marks nothing, and an architecture
whose periodic sync never ran in the window cannot win an ERP-load row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from simulator.replications import significantly_better


@dataclass(frozen=True)
class Row:
    """One metric: where it sits in a block, how it is shown, and which way is better."""

    label: str
    path: tuple[str, ...]
    fmt: str
    lower: bool | None  # lower is better? None: not compared
    scale: float = 1.0
    erp_load: bool = False  # an ERP-load row: an architecture whose sync never ran cannot win it
    default: float | None = None  # the value when the block has no such key (a pattern not in the architecture)
    answered: str | None = None  # latency of this operation: None when no such request was answered

    def value(self, block: dict[str, Any]) -> float | None:
        if self.answered is not None and block["latency_s"][self.answered]["max"] == 0:
            return None
        node: Any = block
        for key in self.path:
            if not isinstance(node, dict) or key not in node:
                return self.default
            node = node[key]
        return node * self.scale

    def interval(self, block: dict[str, Any]) -> float | list[float] | None:
        """The 95% half-width, or [low, high] for a fraction; None without replications."""
        node: Any = block.get("ci95")
        for key in self.path:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return [x * self.scale for x in node] if isinstance(node, list) else node * self.scale

    def text(self, value: float | None) -> str:
        return "-" if value is None else self.fmt.format(value)


def latency(label: str, op: str, stat: str) -> Row:
    return Row(label, ("latency_s", op, stat), "{:,.1f}", True, scale=1000.0, answered=op)


ROWS: list[Row] = [
    Row("requests", ("requests", "total"), "{:,.0f}", None),
    Row("availability", ("requests", "availability"), "{:.2%}", False),
    latency("latency p50 (ms)", "all", "p50"),
    latency("latency p95 (ms)", "all", "p95"),
    latency("latency p99 (ms)", "all", "p99"),
    latency("list latency mean (ms)", "list", "mean"),
    latency("get latency mean (ms)", "get", "mean"),
    latency("detail latency mean (ms)", "detail", "mean"),
    Row("ERP calls", ("erp", "calls"), "{:,.0f}", True, erp_load=True),
    Row("ERP calls/s", ("erp", "calls_per_s"), "{:,.2f}", True, erp_load=True),
    Row("ERP utilization", ("erp", "utilization"), "{:.1%}", True, erp_load=True),
    Row("ERP queue mean", ("erp", "queue", "mean"), "{:,.2f}", True, erp_load=True),
    Row("summary stale fraction", ("staleness", "summary", "stale_fraction"), "{:.3%}", True),
    Row("summary staleness mean (s)", ("staleness", "summary", "mean_s"), "{:,.3f}", True),
    Row("summary staleness max (s)", ("staleness", "summary", "max_s"), "{:,.1f}", True),
    Row("detail stale fraction", ("staleness", "detail", "stale_fraction"), "{:.3%}", True),
    Row("detail staleness max (s)", ("staleness", "detail", "max_s"), "{:,.1f}", True),
    # Out of every read of the kind, those no local table could answer included (None: results from
    # before these were reported).
    Row("summary hit ratio", ("cache", "summary_hit_ratio"), "{:.1%}", False),
    Row("detail hit ratio", ("cache", "detail_hit_ratio"), "{:.1%}", False),
    Row("rows held locally", ("cache", "rows"), "{:,.0f}", None),
    Row("callbacks sent", ("erp", "callbacks", "sent"), "{:,.0f}", None),
    Row("callbacks failed", ("erp", "callbacks", "failed"), "{:,.0f}", True),
    Row("sync queue max", ("sync", "queue_max"), "{:,.0f}", None),
    Row("divergent records", ("convergence", "divergent_records"), "{:,.0f}", True),
    Row("lost changes", ("convergence", "lost_changes"), "{:,.0f}", True),
    Row("older copy over newer", ("pattern_stats", "realtime_sync", "older_overwrites"), "{:,.0f}", True, default=0),
]


class Cell(NamedTuple):
    text: str
    best: bool


def _with_interval(row: Row, value: float | None, ci: float | list[float] | None) -> str:
    text = row.text(value)
    if value is None or ci is None:
        return text
    if isinstance(ci, list):
        low, high = (row.text(x) for x in ci)
        return f"{text} ({low.rstrip('%')}–{high})"
    half = row.text(ci)
    return f"{text} ± {half if half.strip('0.,') else '0'}"


def cell_text(row: Row, block: dict[str, Any]) -> str:
    """One architecture's cell of a row, as the table shows it (with its interval, without the best mark)."""
    return _with_interval(row, row.value(block), row.interval(block))


def sync_idle(block: dict[str, Any]) -> bool:
    """A periodic sync that never ran in the window: its ERP load is no result."""
    return block.get("sync", {}).get("cycles") == 0


def best_of(row: Row, blocks: dict[str, dict[str, Any]]) -> set[str]:
    """The architectures marked best in ``row`` (see module docstring)."""
    if row.lower is None:
        return set()
    samples: dict[str, list[float]] = {}
    for name, block in blocks.items():
        reps = block.get("replicates")
        if not reps or len(reps) < 2 or (row.erp_load and sync_idle(block)):
            continue
        values = [row.value(rep) for rep in reps]
        if row.value(block) is not None and all(v is not None for v in values):
            samples[name] = values  # type: ignore[assignment]
    if len(samples) < 2:
        return set()
    means = {name: row.value(blocks[name]) for name in samples}
    pick: Callable[..., str] = min if row.lower else max
    leader = pick(means, key=lambda n: means[n])
    group = {n for n in samples if row.text(means[n]) == row.text(means[leader])}
    others = set(samples) - group
    if not others or not all(significantly_better(samples[g], samples[o], row.lower) for g in group for o in others):
        return set()
    return group


def comparison_cells(results: dict[str, Any]) -> tuple[list[str], list[tuple[str, list[Cell]]]]:
    """The architecture names, then per metric its label and one cell per architecture."""
    blocks = results["architectures"]
    names = list(blocks)
    rows = []
    for row in ROWS:
        best = best_of(row, blocks)
        rows.append((row.label, [Cell(_with_interval(row, row.value(blocks[n]), row.interval(blocks[n])), n in best)
                                 for n in names]))
    return names, rows


def comparison(results: dict[str, Any]) -> list[list[str]]:
    """Rows of text cells: a header, then one row per metric; a significantly best value marked ``*``."""
    names, rows = comparison_cells(results)
    marked = any(c.best for _, cells in rows for c in cells)
    return [["metric", *names]] + [[label, *(c.text + (" *" if c.best else "  " if marked else "") for c in cells)]
                                   for label, cells in rows]


def footnote(results: dict[str, Any]) -> str:
    """What the marks and intervals mean for this run."""
    replications = results.get("replications", 1)
    if len(results["architectures"]) < 2:
        return ""
    if replications < 2:
        return ("No value is marked best: one replication cannot tell a difference from noise "
                "(--replications 5 gives intervals and marks significant winners).")
    return (f"* significantly best in the row (paired differences over {replications} replications, 95%); "
            "± and (low–high): 95% confidence intervals.")


def warning_lines(results: dict[str, Any]) -> list[str]:
    return [f"! {name}: {w}" for name, block in results["architectures"].items() for w in block.get("warnings", [])]


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
    replications = results.get("replications", 1)
    if replications > 1:
        head += f", {replications} replications"
    tail = [t for t in (footnote(results), *warning_lines(results)) if t]
    precision = results.get("precision")
    if precision:
        tail.append(precision_line(precision))
    return head + "\n\n" + "\n".join(lines) + "\n\n" + "\n".join(tail) + ("\n" if tail else "")


def precision_line(precision: dict[str, Any]) -> str:
    unsettled = [m["metric"] for m in precision["metrics"] if not m["settled"]]
    if precision["reached"]:
        return (f"Precision {precision['target']:.0%} reached after {precision['replications']} replications "
                "on latency mean and p95, ERP calls/s and summary stale fraction.")
    return (f"Precision {precision['target']:.0%} not reached after {precision['replications']} replications "
            f"(the cap): still wider are {', '.join(unsettled)}.")
