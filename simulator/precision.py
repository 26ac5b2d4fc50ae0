"""Replications until the headline numbers are sure enough (``run --precision``).

Like JMT's simulator, a run keeps adding replications until each headline metric's 95% interval
is narrow enough: a relative half-width at most ``precision``, or for a fraction an absolute
half-width at most ``precision / 10`` (a stale fraction of 0.02% will never be known to 5% of
itself, and need not be). Unlike it, a run that compares architectures can also stop on the
comparison: the architectures share their seeds, so for each pair the paired differences are
tighter than either interval alone, and a pair is settled once the difference itself is known to
``precision`` of its size. A metric is settled when every pair is, by either route.
"""

from __future__ import annotations

import itertools
import statistics
from typing import Any

from simulator.replications import half_width, is_fraction

MIN_PRECISION_REPLICATIONS = 3
MAX_REPLICATIONS = 30
HEADLINE = (("latency_s", "all", "mean"), ("latency_s", "all", "p95"), ("erp", "calls_per_s"),
            ("staleness", "summary", "stale_fraction"))


def _value(block: dict[str, Any], path: tuple[str, ...]) -> float:
    for key in path:
        block = block[key]
    return float(block)  # type: ignore[arg-type]


def _sure(values: list[float], precision: float, fraction: bool) -> bool:
    mean, half = statistics.fmean(values), half_width(values)
    return half <= precision * abs(mean) or (fraction and half <= precision / 10) or half == 0


def check_precision(done: dict[str, list[dict[str, Any]]], precision: float) -> dict[str, Any]:
    """Whether every headline metric is settled (see module docstring), and each one's widest half-width."""
    metrics = []
    for path in HEADLINE:
        name = ".".join(path)
        samples = {arch: [_value(b, path) for b in blocks] for arch, blocks in done.items()}
        own = {arch: _sure(v, precision, is_fraction(path[-1])) for arch, v in samples.items()}
        if len(samples) == 1:
            settled = all(own.values())
        else:
            settled = all((own[a] and own[b]) or _sure([x - y for x, y in zip(samples[a], samples[b], strict=True)],
                                                        precision, False)
                          for a, b in itertools.combinations(samples, 2))
        widest = max((half_width(v) / abs(statistics.fmean(v)) if statistics.fmean(v) else 0.0)
                     for v in samples.values())
        metrics.append({"metric": name, "settled": settled, "widest_relative_half_width": widest})
    return {"reached": all(m["settled"] for m in metrics), "replications": len(next(iter(done.values()))),
            "metrics": metrics}
