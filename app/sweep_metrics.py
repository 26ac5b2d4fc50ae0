"""The metrics a sweep reports, by name, and how its numbers are written: rounded to what the interval supports.

One table for the terminal summary, the sweep charts and the report's sweep table. Which metrics
a sweep shows follows from the patterns swept: latency, ERP load and staleness always, and what
each pattern declares it trades (``Pattern.watch``; convergence for those keeping a replica).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from patterns.architecture import expand
from patterns.catalogue import PATTERNS


@dataclass(frozen=True)
class Metric:
    """A metric of a run's results: its dotted name, how to label it, and the factor to its display unit."""

    key: str
    label: str
    unit: str
    scale: float = 1.0
    short: str = ""  # a terminal column's header

    @property
    def column(self) -> str:
        return self.short or f"{self.label} ({self.unit})"


METRICS = {m.key: m for m in (
    Metric("latency_s.all.p95", "Latency p95", "ms", 1000.0, "p95 ms"),
    Metric("latency_s.all.mean", "Mean latency", "ms", 1000.0),
    Metric("erp.calls_per_s", "ERP load", "calls/s", 1.0, "ERP calls/s"),
    Metric("erp.utilization", "ERP utilization", "%", 100.0),
    Metric("staleness.summary.stale_fraction", "Stale summary reads", "% of summary reads", 100.0, "stale %"),
    Metric("staleness.summary.mean_s", "Summary staleness, mean age", "s"),
    Metric("staleness.detail.stale_fraction", "Stale detail reads", "% of detail reads", 100.0),
    Metric("requests.availability", "Availability", "% of requests", 100.0),
    Metric("convergence.lost_changes", "Lost changes", "changes", 1.0, "lost changes"),
    Metric("convergence.divergent_records", "Divergent records", "records", 1.0, "divergent"),
    Metric("cache.hit_ratio", "Cache hit ratio", "% of reads", 100.0, "hit %"),
    Metric("cache.detail_hit_ratio", "Detail hit ratio", "% of detail reads", 100.0, "detail hit %"),
    Metric("sync.queue_max", "Sync queue max", "items", 1.0, "queue max"),
)}
# Charted and tabled for every sweep; the terminal summary shows the first three and the patterns' own.
ALWAYS = ("latency_s.all.p95", "latency_s.all.mean", "erp.calls_per_s", "erp.utilization",
          "staleness.summary.stale_fraction", "staleness.summary.mean_s", "staleness.detail.stale_fraction",
          "requests.availability")
HEADLINE = ("latency_s.all.p95", "erp.calls_per_s", "staleness.summary.stale_fraction")
CONVERGENCE = ("convergence.lost_changes", "convergence.divergent_records")


def watched(architectures: list[str]) -> list[str]:
    """What the swept patterns declare they trade, in the order first met (architectures as "a+b")."""
    found: list[str] = []
    for name in architectures:
        found += [k for k in watched_by(name) if k not in found]
    return found


def watched_by(architecture: str) -> list[str]:
    """What the patterns of one architecture ("a+b") declare they trade."""
    found: list[str] = []
    for pid in expand(architecture.split("+")):
        cls = PATTERNS.get(pid)
        if cls is not None:
            found += [k for k in (CONVERGENCE if cls.exclusive else ()) + cls.watch if k not in found]
    return [k for k in found if k in METRICS]


def applies(metric: Metric, architecture: str) -> bool:
    """Does the metric say anything about ``architecture``? A pattern's own metric only where it is used."""
    return metric.key in ALWAYS or metric.key in watched_by(architecture)


def headline(architectures: list[str]) -> list[Metric]:
    """The terminal summary's columns for a sweep of ``architectures``."""
    return [METRICS[k] for k in (*HEADLINE, *(k for k in watched(architectures) if k not in HEADLINE))]


def charted(architectures: list[str]) -> list[Metric]:
    """The metrics a sweep report charts and tables: every common one, then the patterns' own."""
    return [METRICS[k] for k in (*ALWAYS, *(k for k in watched(architectures) if k not in ALWAYS))]


# -- numbers -------------------------------------------------------------------------------------------
def _decimals(half: float, digits: int = 2) -> int:
    """Decimal places that keep ``digits`` significant digits of ``half`` (negative: round to tens, ...)."""
    return digits - 1 - math.floor(math.log10(half))


def is_zero(half: float, mean: float) -> bool:
    """A half-width that is float noise (1.1e-13 from seeds giving equal numbers) is none."""
    return half <= 1e-9 * max(1.0, abs(mean))


def number(value: float, places: int | None = None) -> str:
    """``value`` with thousands separators, to ``places`` decimals (default: three significant digits)."""
    if places is None:
        whole = not math.isfinite(value) or float(value).is_integer()
        places = 0 if whole else max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{round(value, places) + 0.0:,.{max(0, places)}f}"  # + 0.0: no "-0"


def with_ci(stats: dict[str, Any], scale: float = 1.0) -> str:
    """A mean and its 95% interval in the display unit: "733 ± 46"; "1.5 [0, 3.7]" where the interval was
    clipped (a fraction's, at 0 or 100%), so it is not symmetric; "5.0 ± 0" where the seeds agree.

    The half-width keeps two significant digits and the mean is rounded to the same place.
    """
    mean = stats["mean"] * scale
    if stats.get("ci95_low") is None or stats.get("ci95_high") is None:
        return number(mean)
    low, high = stats["ci95_low"] * scale, stats["ci95_high"] * scale
    half = max(high - mean, mean - low)
    if is_zero(half, mean):
        return f"{number(mean)} ± 0"
    places = _decimals(half)
    if not math.isclose(high - mean, mean - low, rel_tol=1e-6, abs_tol=1e-12 * max(1.0, abs(mean))):
        return f"{number(mean, places)} [{number(low, places)}, {number(high, places)}]"
    return f"{number(mean, places)} ± {number(half, places)}"


def rounded_stats(stats: dict[str, Any]) -> dict[str, Any]:
    """A summary's mean and bounds rounded to the place the interval supports (for CSV; units unchanged)."""
    low, high, mean = stats.get("ci95_low"), stats.get("ci95_high"), stats["mean"]
    if low is None or high is None:
        return {**stats, "mean": significant(mean)}
    half = max(high - mean, mean - low)
    if is_zero(half, mean):
        return {**stats, "mean": significant(mean), "ci95_low": significant(mean), "ci95_high": significant(mean)}
    places = _decimals(half)
    return {**stats, **{k: _round(stats[k], places) for k in ("mean", "ci95_low", "ci95_high")}}


def _round(value: float, places: int) -> float | int:
    return round(value, places) + 0.0 if places > 0 else int(round(value, places))  # + 0.0: no -0.0


def significant(value: Any, digits: int = 4) -> Any:
    """A float to ``digits`` significant digits (0.001995280786342348 -> 0.001995); other values as they are."""
    if not isinstance(value, float) or value == 0 or not math.isfinite(value):
        return value
    return _round(value, digits - 1 - math.floor(math.log10(abs(value))))
