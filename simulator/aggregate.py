"""Aggregating a sweep's cells: per metric, the mean and 95% confidence interval across seeds.

The interval is Student's t (the seeds are few, and each cell's metric is one independent sample);
the t quantiles come from a small table, so scipy is not needed. Every metric is non-negative and
a fraction (availability, utilization, a hit ratio, a stale fraction) is at most 1, so intervals
are clipped to [0, inf) or [0, 1]: the true mean lies there, so clipping never drops it from an
interval (coverage is unchanged) and no interval says "-3% stale". A binomial interval (Wilson)
would be wrong here: the sample is the seeds' means, not independent reads, and reads within a
run are correlated.
"""

from __future__ import annotations

import json
import math
import statistics
from typing import Any

# Two-sided 95% Student t quantiles by degrees of freedom; between rows the smaller df is used
# (a slightly wider, conservative interval); beyond the table the normal quantile.
T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
       10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101,
       19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052,
       28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}
Z95 = 1.960
# Parts of a run's block that are not scalar metrics (they stay in the cell files, not in the summary).
NOT_METRICS = ("timeseries", "latency_cdf_s", "patterns")
# Leaf names of fractions (bounded by [0, 1]); shared with simulator/replications.py.
FRACTION_SUFFIXES = ("availability", "utilization", "_fraction", "hit_ratio")


def metrics_of(block: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """The scalar metrics of a run's block as dotted names (``erp.calls``), series and lists left out."""
    out: dict[str, float] = {}
    for key, value in block.items():
        if key in NOT_METRICS and not prefix:
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(metrics_of(value, name + "."))
        elif isinstance(value, int | float):
            out[name] = float(value)
    return out


def t95(df: int) -> float:
    if df >= max(T95):
        return Z95
    return T95[max(d for d in T95 if d <= df)]


def is_fraction(name: str) -> bool:
    """Is the metric (a leaf name, or a dotted one) a fraction?"""
    return name.endswith(FRACTION_SUFFIXES)


def interval(values: list[float], bounds: tuple[float, float] | None = None) -> dict[str, float | None]:
    """Mean and 95% confidence interval (Student t), clipped to ``bounds``; no interval from a single value."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return {"mean": mean, "ci95_low": None, "ci95_high": None}
    half = t95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    low, high = mean - half, mean + half
    if bounds:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return {"mean": mean, "ci95_low": low, "ci95_high": high}


def summarize(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (varied values, architecture): every metric's mean and CI across the seeds."""
    groups: dict[str, tuple[dict[str, Any], str, list[dict[str, float]]]] = {}
    for record in records:
        key = json.dumps([record["vary"], record["architecture"]], sort_keys=True)
        groups.setdefault(key, (record["vary"], record["architecture"], []))[2].append(metrics_of(record["result"]))
    rows = []
    for vary, name, samples in groups.values():
        names = [m for m in samples[0] if all(m in s for s in samples)]
        rows.append({"architecture": name, "vary": vary, "seeds": len(samples),
                     "metrics": {m: interval([s[m] for s in samples], (0.0, 1.0 if is_fraction(m) else math.inf))
                                 for m in names}})
    return rows
