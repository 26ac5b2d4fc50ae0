"""What a result cannot tell by its numbers alone: saturation, a sync that never ran, a short warm-up.

Each check reads a finished architecture block (one replication, or the mean of several) and
returns plain sentences for the block's ``warnings``:

- **saturation**: the ERP was busy at least ``SATURATED`` of its capacity, or its queue grew
  through the window (the last quarter's mean queue well above the first quarter's). Past
  capacity, waits grow with the run's length, so latency and queue figures describe the run, not a
  steady state.
- **unanswered requests**: requests of the window still without an answer when the drain limit ran
  out; they count as failed.
- **a periodic sync that never ran in the window** (an interval longer than the run): its ERP load
  and staleness say nothing about steady state, so it cannot win an ERP-load row.
- **warm-up**: MSER-5 (White, 1997) on the per-bucket mean latency and ERP queue. The series is cut
  into batches of five buckets; for each truncation d the statistic is the variance of what
  remains over its squared length, and the d that minimises it is where the initial transient
  ends. If that point lies more than ``WARMUP_SLACK`` of the window in, and the part it would cut
  stands out from the rest by more than noise (``NOISE_Z`` standard errors), the warm-up looks too
  short.
"""

from __future__ import annotations

import math
import statistics
from typing import Any

SATURATED = 0.95
QUEUE_GROWTH = 2.0  # last quarter's mean queue above this multiple of the first quarter's (plus capacity)
WARMUP_SLACK = 0.1
MSER_BATCH = 5
NOISE_Z = 3.0


def mser(series: list[float], batch: int = MSER_BATCH) -> int:
    """The MSER-``batch`` truncation point, in buckets (0: no transient to cut)."""
    batches = [statistics.fmean(series[i:i + batch]) for i in range(0, len(series) - batch + 1, batch)]
    if len(batches) < 4:
        return 0
    best, best_d = float("inf"), 0
    for d in range(len(batches) // 2 + 1):
        rest = batches[d:]
        mean = statistics.fmean(rest)
        value = sum((z - mean) ** 2 for z in rest) / len(rest) ** 2
        if value < best - 1e-15:
            best, best_d = value, d
    if best_d == 0:
        return 0
    # A cut that noise alone could explain is no transient: its mean must stand out from the rest's.
    # (Welch's standard error: one spike cut off is not a transient.)
    cut, rest = batches[:best_d], batches[best_d:]
    cut_var = statistics.variance(cut) if best_d > 1 else 0.0
    spread = math.sqrt(cut_var / best_d + statistics.variance(rest) / len(rest))
    return best_d * batch if abs(statistics.fmean(cut) - statistics.fmean(rest)) > NOISE_Z * spread else 0


def warmup_check(block: dict[str, Any]) -> dict[str, Any]:
    """MSER-5 on the latency and ERP-queue series: the extra truncation each suggests, in seconds."""
    ts = block["timeseries"]
    width = ts["bucket_s"]
    window = width * len(ts["erp_queue"])
    cuts = {"latency_mean_s": mser(ts.get("latency_mean_s", [])) * width, "erp_queue": mser(ts["erp_queue"]) * width}
    return {"method": "MSER-5", "suggested_extra_warmup_s": cuts,
            "looks_short": any(c > WARMUP_SLACK * window for c in cuts.values())}


def warnings(block: dict[str, Any]) -> list[str]:
    """Plain sentences for what the block's numbers alone do not say (see module docstring)."""
    out: list[str] = []
    erp = block["erp"]
    capacity = erp["capacity"]
    queue = block["timeseries"]["erp_queue"]
    quarter = max(1, len(queue) // 4)
    first, last = statistics.fmean(queue[:quarter]), statistics.fmean(queue[-quarter:])
    if erp["utilization"] >= SATURATED:
        out.append(f"The ERP was busy {erp['utilization']:.0%} of its capacity: it is saturated, so waits grow "
                   "with the length of the run and latency here describes this run, not a steady state.")
    elif last > QUEUE_GROWTH * first + capacity:
        out.append(f"The ERP's queue grew through the run (mean {first:.1f} in the first quarter, {last:.1f} in "
                   "the last): the offered load is at or above capacity.")
    unanswered = block["requests"].get("failures", {}).get("unanswered", 0)
    if unanswered:
        out.append(f"{unanswered:,.0f} requests were still unanswered when the drain limit ran out; "
                   "they count as failed.")
    if not block["convergence"].get("drained", True):
        out.append("The syncs had not drained when the drain limit ran out: divergent records and lost "
                   "changes include work still pending.")
    if block["sync"].get("cycles") == 0:
        out.append("The periodic sync never ran in the measured window (is its interval longer than the "
                   "run?): its ERP load and staleness say nothing about steady state.")
    check = block.get("warmup_check")
    if check and check["looks_short"]:
        cut = max(check["suggested_extra_warmup_s"].values())
        out.append(f"The warm-up looks too short: MSER-5 finds a transient lasting about {cut:,.0f} s into the "
                   "measured window.")
    return out
