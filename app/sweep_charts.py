"""Sweep charts: each metric that matters for the patterns swept against the first varied parameter, one
line per architecture with its 95% confidence band, so crossovers between architectures stand out;
other varied keys get a panel each. Plus the trade-off chart walked as the parameter changes.
"""

from __future__ import annotations

import json
from typing import Any

from matplotlib.figure import Figure

from app.charts import legend_below, new_figure, style, tradeoff
from app.sweep_metrics import Metric, applies, charted

MAX_PANELS = 4


def _key(v: Any) -> str:
    return json.dumps(v, sort_keys=True)


def _panels(doc: dict[str, Any]) -> tuple[str, list[Any], list[dict[str, Any]]]:
    """The x key, its values, and one dict of fixed other-key values per panel (at most MAX_PANELS)."""
    vary = doc["sweep"]["vary"]
    keys = list(vary)
    x_key, others = keys[0], keys[1:]
    combos: list[dict[str, Any]] = [{}]
    for k in others:
        combos = [{**c, k: v} for c in combos for v in vary[k]]
    return x_key, vary[x_key], combos[:MAX_PANELS]


def _numeric(values: list[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def metric_chart(doc: dict[str, Any], m: Metric) -> Figure:
    """``m`` against the first varied key; architectures the metric says nothing about are left out."""
    metric, label, unit, scale = m.key, m.label, m.unit, m.scale
    x_key, x_values, panels = _panels(doc)
    numeric = _numeric(x_values)
    archs = doc["sweep"]["architectures"]
    fig, axes = new_figure(1, len(panels))
    for ax, fixed in zip(axes, panels, strict=True):
        for i, arch in enumerate(archs):
            if not applies(m, arch):
                continue
            xs, mean, lo, hi = [], [], [], []
            for row in doc["summary"]:
                if row["architecture"] != arch or any(_key(row["vary"][k]) != _key(v) for k, v in fixed.items()):
                    continue
                stats = row["metrics"].get(metric)
                if stats is None:
                    continue
                x = row["vary"][x_key]
                xs.append(x if numeric else [_key(v) for v in x_values].index(_key(x)))
                mean.append(stats["mean"] * scale)
                lo.append((stats["ci95_low"] if stats["ci95_low"] is not None else stats["mean"]) * scale)
                hi.append((stats["ci95_high"] if stats["ci95_high"] is not None else stats["mean"]) * scale)
            order = sorted(range(len(xs)), key=lambda j: xs[j])
            xs, mean, lo, hi = ([seq[j] for j in order] for seq in (xs, mean, lo, hi))
            st = style(i, len(archs))
            ax.plot(xs, mean, label=arch, markersize=5, **st)
            ax.fill_between(xs, lo, hi, color=st["color"], alpha=0.18, linewidth=0)
        if not numeric:
            ax.set_xticks(range(len(x_values)), [str(v) for v in x_values])
        elif len(x_values) > 2 and min(x_values) > 0 and max(x_values) / min(x_values) >= 20:
            ax.set_xscale("log")
        ax.set_xlabel(x_key)
        ax.set_ylabel(f"{label} ({unit})")
        ax.set_ylim(bottom=0)
        if fixed:
            ax.set_title(", ".join(f"{k}={v}" for k, v in fixed.items()), fontsize=9)
    seeds = len(doc["sweep"]["seeds"])
    fig.suptitle(f"{label} vs {x_key} (mean of {seeds} seed{'s' if seeds > 1 else ''}, band: 95% CI)")
    legend_below(fig, axes)
    return fig


def sweep_tradeoff(doc: dict[str, Any]) -> Figure:
    """Each architecture's (latency, ERP load, staleness) means, walked along the first varied key."""
    x_key, _, panels = _panels(doc)
    fixed = panels[0]
    points: dict[str, list[tuple[float, float, float, str]]] = {}
    for row in doc["summary"]:
        if any(_key(row["vary"][k]) != _key(v) for k, v in fixed.items()):
            continue
        m = row["metrics"]
        st = m["staleness.summary.stale"]["mean"] + m["staleness.detail.stale"]["mean"]
        reads = m["staleness.summary.reads"]["mean"] + m["staleness.detail.reads"]["mean"]
        points.setdefault(row["architecture"], []).append(
            (m["latency_s.all.p95"]["mean"], m["erp.calls_per_s"]["mean"], st / reads if reads else 0.0,
             f"{row['vary'][x_key]:g}" if isinstance(row["vary"][x_key], float) else str(row["vary"][x_key])))
    title = f"Trade-off as {x_key} varies (labels: its value)"
    return tradeoff(points, title)


def chart_name(metric: str) -> str:
    return "sweep_" + metric.replace(".", "_") + ".png"


def sweep_charts(doc: dict[str, Any]) -> dict[str, Figure]:
    charts = {chart_name(m.key): metric_chart(doc, m) for m in charted(doc["sweep"]["architectures"])}
    charts["sweep_tradeoff.png"] = sweep_tradeoff(doc)
    return charts
