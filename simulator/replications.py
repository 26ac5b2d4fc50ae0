"""Independent replications of one architecture, and how sure their mean is.

A replication is the same scenario under another seed. Replication 0 uses the scenario's seed, so
one replication gives exactly the numbers of a plain run; replication r > 0 uses a seed derived
from (seed, r), which keeps the replications of seed 42 apart from those of seed 43. Every
architecture of a run gets the same seeds: they see the same arrivals and changes (common random
numbers), so differences between them are judged pair by pair, replication by replication, which
cancels most of the noise both share.

The combined block holds each number as the mean over replications, ``ci95`` (a tree shaped like
the metrics) with each number's 95% half-width from Student's t, and ``replicates`` (each
replication's scalar metrics, for paired comparisons). A fraction gets ``[low, high]`` instead of a
half-width: a Wilson score interval that never leaves [0, 1], on the effective number of trials
that the spread between replications implies (so correlated reads within a run are not counted as
independent), and on the pooled trials when every replication agrees.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from simulator.aggregate import is_fraction, t95

# Parts of a block that are not metrics: kept from the first replication, or combined apart.
NOT_METRICS = ("patterns", "warnings", "warmup_check", "replicates", "ci95", "replications")
SERIES = ("timeseries", "latency_cdf_s")
# The sibling counts that are a fraction's trials (which names are fractions: ``aggregate.is_fraction``).
TRIALS = {"availability": ("total",), "stale_fraction": ("reads",), "hit_ratio": ("hits", "misses")}


def replication_seed(seed: int, r: int) -> int:
    """The seed of replication ``r``: the scenario's own for r = 0, then derived from (seed, r)."""
    if r == 0:
        return seed
    import numpy as np  # noqa: PLC0415 - here, so the CLI's --help (which reads precision's limits) starts without it

    return int(np.random.SeedSequence([seed & 0xFFFFFFFF, seed >> 32, r]).generate_state(1)[0] & 0x7FFFFFFF)


def half_width(values: Sequence[float]) -> float:
    """95% half-width of the mean of ``values`` (Student t, n - 1 degrees of freedom)."""
    n = len(values)
    if n < 2:
        return 0.0
    return t95(n - 1) * statistics.stdev(values) / math.sqrt(n)


def wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval of a proportion ``p`` seen over ``n`` trials, at quantile ``z``."""
    if n <= 0:
        return 0.0, 1.0
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(max(p * (1 - p), 0.0) / n + z2n / (4 * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def fraction_interval(values: Sequence[float], trials: float | None) -> list[float]:
    """[low, high] for the mean of per-replication fractions (see module docstring)."""
    n, p = len(values), statistics.fmean(values)
    z = t95(n - 1)
    variance_of_mean = statistics.variance(values) / n
    if variance_of_mean > 0:
        n_eff = p * (1 - p) / variance_of_mean if 0 < p < 1 else 1.0
        if trials:
            n_eff = min(n_eff, trials)
        return list(wilson(p, max(n_eff, 1.0), z))
    if trials:  # every replication agrees: as sure as the pooled trials allow, no surer
        return list(wilson(p, trials, z))
    return [p, p]


def _trials(name: str, levels: list[dict[str, Any]]) -> float | None:
    keys = TRIALS.get(name) or TRIALS.get(next((k for k in TRIALS if name.endswith(k)), ""), ())
    if not keys or not all(all(k in level for k in keys) for level in levels):
        return None
    return float(sum(level[k] for level in levels for k in keys))


def _mean_tree(values: list[Any]) -> Any:
    """Means over replications, leaf by leaf; a count missing from a replication (a failure reason
    that did not occur, an operation never called) counts as 0 there."""
    present = [v for v in values if v is not None]
    first = present[0]
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for v in present for k in v))
        return {k: _mean_tree([v.get(k) if v is not None else None for v in values]) for k in keys}
    if isinstance(first, bool):
        return all(present)
    if isinstance(first, int | float):
        return statistics.fmean(v if v is not None else 0.0 for v in values)
    if isinstance(first, list) and first and all(isinstance(x, int | float) for x in first) \
            and all(isinstance(v, list) and len(v) == len(first) for v in present):
        return [statistics.fmean(column) for column in zip(*present, strict=True)]
    return first


def _ci_tree(levels: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    keys = list(dict.fromkeys(k for level in levels for k in level))
    for key in keys:
        values = [level[key] for level in levels if key in level]
        if len(values) < len(levels):
            continue  # not in every replication: no interval
        first = values[0]
        if isinstance(first, dict):
            sub = _ci_tree(values)
            if sub:
                out[key] = sub
        elif isinstance(first, int | float) and not isinstance(first, bool):
            floats = [float(v) for v in values]
            out[key] = fraction_interval(floats, _trials(key, levels)) if is_fraction(key) else half_width(floats)
    return out


def scalars(block: dict[str, Any]) -> dict[str, Any]:
    """A block without its series and bookkeeping: what one replication contributes to comparisons."""
    return {k: v for k, v in block.items() if k not in SERIES and k not in NOT_METRICS}


def combine(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """One architecture's block over its replications (see module docstring); one block stays as it is."""
    if len(blocks) == 1:
        return {**blocks[0], "replications": 1}
    combined = _mean_tree(blocks)
    combined["patterns"] = blocks[0]["patterns"]
    metrics = [scalars(b) for b in blocks]
    combined["replications"] = len(blocks)
    combined["ci95"] = _ci_tree(metrics)
    combined["replicates"] = metrics
    return combined


def significantly_better(a: Sequence[float], b: Sequence[float], lower: bool) -> bool:
    """Is ``a`` better than ``b`` at 95%, judged on the paired differences of their replications?"""
    if len(a) != len(b) or len(a) < 2:
        return False
    d = [x - y for x, y in zip(a, b, strict=True)]
    mean, half = statistics.fmean(d), half_width(d)
    return mean + half < 0 if lower else mean - half > 0
