"""The three numbers the user asked for, defined once (docs/results.md): latency, ERP load, staleness.

Everything is measured inside the window ``[warmup, warmup + duration)``: requests by arrival time,
ERP calls by the time service started, reads by response time. Distributions are kept in
log-bucketed histograms (0.5% relative resolution), so memory stays bounded however long the run;
means and maxima are exact.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable
from functools import partial
from math import floor, log
from typing import Any

from patterns.ports import Customer, CustomerDetail, Observer
from simulator.erp import DETAIL_GROUP, SUMMARY_GROUP, ErpObserver

OPERATIONS = ("list", "get", "detail", "update")
KIND_OF = {"list": "summary", "get": "summary", "detail": "detail"}  # the reads, by the fields they return
MAX_BUCKETS = 200
# Probabilities at which the latency distribution is reported, so charts can draw its CDF.
CDF_POINTS = tuple(i / 100 for i in range(100)) + (0.995, 0.999, 1.0)
_LOG_STEP = math.log1p(0.005)
# Where a returned record keeps its key and version, for Customer and CustomerDetail alike (``reads``).
assert Customer._fields.index("id") == CustomerDetail._fields.index("id") == 0
assert Customer._fields.index("version") == CustomerDetail._fields.index("version") == 5


class Histogram:
    """Counts of non-negative values in geometric buckets; zeros counted apart.

    The counts are a dense array of machine integers over the buckets seen so far (``lo`` is the
    first one's index), not a dict: a run keeps one histogram per time bucket of the series, and
    as those fill up over a long run a dict entry (about 100 bytes) per latency bucket made memory
    grow with simulated time; eight bytes a bucket, over the span of the latencies seen, does not.
    """

    __slots__ = ("counts", "lo", "hi", "zeros", "n", "total", "max")

    def __init__(self) -> None:
        self.counts = array("q")
        self.lo = self.hi = 0  # the bucket indexes of counts[0] and of just past its end
        self.zeros = 0
        self.n = 0
        self.total = 0.0
        self.max = 0.0

    def add(self, x: float) -> None:
        Histogram.add_to((self,), x)

    @staticmethod
    def add_to(histograms: tuple[Histogram, ...], x: float) -> None:
        """``add(x)`` to each of ``histograms``, with the logarithm of ``x`` taken once for all.

        Called once per request: comparisons instead of builtins (``len``), which cost more here.
        """
        if x <= 1e-9:
            for h in histograms:
                h.n += 1
                h.zeros += 1
            return
        b = floor(log(x) / _LOG_STEP)
        for h in histograms:
            h.n += 1
            h.total += x
            if x > h.max:
                h.max = x
            if not h.lo <= b < h.hi:
                h._span(b)
            h.counts[b - h.lo] += 1

    def _span(self, b: int) -> None:
        """Widen the array to cover bucket ``b``."""
        if not self.counts:
            self.lo = b
            self.counts.append(0)
        elif b < self.lo:
            self.counts[:0] = array("q", bytes(8 * (self.lo - b)))
            self.lo = b
        else:
            self.counts.extend(array("q", bytes(8 * (b - self.lo - len(self.counts) + 1))))
        self.hi = self.lo + len(self.counts)

    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    def quantile(self, q: float) -> float:
        if not self.n:
            return 0.0
        rank = q * self.n
        if rank >= self.n:
            return self.max  # the top of the distribution is known exactly, not just its bucket
        seen = self.zeros
        if seen >= rank:
            return 0.0
        for i, count in enumerate(self.counts):
            seen += count
            if count and seen >= rank:
                return min(self.max, math.exp((self.lo + i + 0.5) * _LOG_STEP))
        return self.max

    def summary(self) -> dict[str, float]:
        return {"mean": self.mean(), "p50": self.quantile(0.5), "p95": self.quantile(0.95),
                "p99": self.quantile(0.99), "max": self.max}


class TimeWeighted:
    """A level that changes at instants (a queue's length): its time-weighted area and its maximum over the
    window ``[start, end)``. The level held when the window opens counts; changes outside it do not.

    ``spread(t0, t1, level)``, when given, also receives each stretch of time the level was held inside the
    window (for per-bucket series).
    """

    __slots__ = ("start", "end", "spread", "area", "last_t", "level", "max")

    def __init__(self, start: float, end: float, spread: Callable[[float, float, int], None] | None = None):
        self.start, self.end, self.spread = start, end, spread
        self.area, self.last_t, self.level, self.max = 0.0, start, 0, 0

    def set(self, now: float, level: int) -> None:
        # Comparisons rather than min() and max(): this runs at every change of a queue's length.
        if now > self.start:
            t = now if now < self.end else self.end
            if t > self.last_t:
                self.area += self.level * (t - self.last_t)
                if self.level and self.spread is not None:
                    self.spread(self.last_t, t, self.level)
                if self.level > self.max:  # the level held during [last_t, t)
                    self.max = self.level
                self.last_t = t
        if self.start <= now < self.end and level > self.max:
            self.max = level
        self.level = level


class Staleness:
    """Reads of one field group: how many were stale and by how much (fresh reads count as 0)."""

    __slots__ = ("ages", "stale")

    def __init__(self) -> None:
        self.ages = Histogram()
        self.stale = 0

    def summary(self) -> dict[str, Any]:
        n = self.ages.n
        return {"reads": n, "stale": self.stale, "stale_fraction": self.stale / n if n else 0.0,
                "mean_s": self.ages.mean(), "p95_s": self.ages.quantile(0.95), "max_s": self.ages.max}


class Metrics(Observer, ErpObserver):
    """Collects one run's measurements; patterns and the ERP report to it through their observer hooks."""

    def __init__(self, warmup: float, duration: float, truth: Any = None,
                 clock: Callable[[], float] | None = None, current: Callable[[], Any] | None = None):
        self.start, self.end = warmup, warmup + duration
        self.duration = duration
        self.truth = truth  # the ERP, to judge staleness
        # The simulated time of hooks that do not say when (without a clock: always the window's start).
        self.clock = clock or (lambda: warmup)
        # The activity running now (a request's process), to tie a local hit to its request; without it,
        # reads are not told apart by where they were answered.
        self.current = current
        self.latency = {op: Histogram() for op in OPERATIONS}
        self.all_latency = Histogram()
        self.failed = dict.fromkeys(OPERATIONS, 0)
        self.failures: dict[str, int] = {}  # why requests failed: the error's kind, or "unanswered"
        self.sync_cycles = self.sync_cycles_all = 0  # periodic sync cycles started: in the window, in all
        self.erp_calls: dict[str, int] = {}
        self.erp_busy = 0.0
        self.records = 0
        self.staleness = {SUMMARY_GROUP: Staleness(), DETAIL_GROUP: Staleness()}
        self.hits = self.misses = 0
        self.by_table: dict[str, list[int]] = {}  # table -> [hits, misses]
        self.by_kind = {"summary": [0, 0], "detail": [0, 0]}  # kind of read -> [answered locally, reads]
        self._answered_locally: set[Any] = set()  # the request processes a local table answered
        self.callbacks_sent = self.callbacks_failed = 0
        self.buckets = max(1, min(MAX_BUCKETS, math.ceil(duration)))
        self.width = duration / self.buckets
        self._last = self.buckets - 1
        self.series: dict[str, list[float]] = {
            name: [0] * self.buckets for name in ("requests", "failed", "erp_calls", "stale_reads", "reads")}
        # Per bucket: ERP busy seconds and time-weighted queue lengths (area; divided by width in result()).
        self.series.update({name: [0.0] * self.buckets for name in ("erp_busy_s", "erp_queue", "sync_queue")})
        self._series_latency = [Histogram() for _ in range(self.buckets)]
        # The series every request or ERP call adds to, bound once (each is one of ``self.series``' lists).
        self._requests, self._erp_calls, self._busy, self._reads, self._stale_reads = (
            self.series[name] for name in ("requests", "erp_calls", "erp_busy_s", "reads", "stale_reads"))
        self._kind_counts = {op: self.by_kind[kind] for op, kind in KIND_OF.items()}  # by operation
        self.erp_queue_length = TimeWeighted(self.start, self.end, partial(self._spread, "erp_queue"))
        self.sync_queue_length = TimeWeighted(self.start, self.end, partial(self._spread, "sync_queue"))
        self.orphan_count = TimeWeighted(self.start, self.end)

    def _bucket(self, t: float) -> int:
        """The series bucket of ``t``, which every caller has checked is not before the window's start
        (so ``floor`` is ``int``'s truncation; both, like ``min``, cost more than the arithmetic here)."""
        b = floor((t - self.start) / self.width)
        return b if b < self._last else self._last

    # -- consumers ----------------------------------------------------------------------------------
    def request(self, op: str, arrived: float, finished: float, ok: bool, reason: str = "error") -> None:
        """A request that arrived in the window, answered (``ok``) or failed for ``reason``, whenever it ended."""
        if ok:
            self.answered(op, None, [], arrived, finished)
            return
        b = self._ended(op, arrived)
        if b is None:
            return
        self.failed[op] += 1
        self.failures[reason] = self.failures.get(reason, 0) + 1
        self.series["failed"][b] += 1

    def answered(self, op: str, group: str | None, records: list[Any], arrived: float, now: float) -> None:
        """A request answered at ``now`` with ``records`` of ``group`` (None: nothing to judge, a write):
        ``reads`` and ``request`` in one call that checks the window and finds the bucket once (every
        answered request passes here)."""
        b = self._ended(op, arrived)
        if b is None:
            return
        if group is not None and records:
            self._judge(group, records, now, b)
        Histogram.add_to((self.latency[op], self.all_latency, self._series_latency[b]), now - arrived)

    def _ended(self, op: str, arrived: float) -> int | None:
        """A request ended: counted by kind (answered locally or not) and in its series bucket, which is
        returned; None when it arrived outside the window. Its process is forgotten either way."""
        local = False
        if self._answered_locally and self.current is not None:
            process = self.current()
            if process in self._answered_locally:
                local = True
                self._answered_locally.remove(process)
        if not self.start <= arrived < self.end:
            return None
        counts = self._kind_counts.get(op)
        if counts is not None:
            counts[0] += local
            counts[1] += 1
        b = self._bucket(arrived)
        self._requests[b] += 1
        return b

    def reads(self, group: str, records: list[Any], now: float, arrived: float | None = None) -> None:
        """Judge each returned record against the source's truth at response time ``now``.

        A read counts when its request arrived in the window (``arrived``; default ``now``), even if
        the answer came during the drain: the slowest answers are part of what consumers saw.
        """
        if not self.start <= (now if arrived is None else arrived) < self.end or not records:
            return
        self._judge(group, records, now, self._bucket(now if arrived is None else arrived))

    def _judge(self, group: str, records: list[Any], now: float, b: int) -> None:
        """``reads`` inside the window, into series bucket ``b``."""
        stats = self.staleness[group]
        ages = stats.ages
        newest = self.truth.newest[group]
        try:
            # A comprehension with constant indexes (0: id, 5: version, asserted above) runs on the
            # interpreter's specialised tuple and list indexing: half the cost of C-level maps of
            # itemgetters (whose every call builds an argument tuple), with or without any().
            late = [record for record in records if newest[record[0]] > record[5]]
        except IndexError:  # a key this source does not hold (another system of record's): judged one by one
            late = [record for record in records if _behind(newest, record)]
        for record in late:
            ages.add(self.truth.staleness(group, record[0], record[5], now))
        stale = len(late)
        fresh = len(records) - stale
        ages.n += fresh
        ages.zeros += fresh
        stats.stale += stale
        self._reads[b] += len(records)
        self._stale_reads[b] += stale

    # -- the ERP ------------------------------------------------------------------------------------
    def erp_call(self, op: str, started: float, service_s: float, records: int) -> None:
        if not self.start <= started < self.end:
            return
        self.erp_calls[op] = self.erp_calls.get(op, 0) + 1
        self.erp_busy += service_s
        self.records += records
        b = self._bucket(started)
        self._erp_calls[b] += 1
        ended = started + service_s
        if self._bucket(ended) == b:  # the common case of ``_spread``: the call falls in one bucket
            self._busy[b] += ended - started
        else:
            self._spread("erp_busy_s", started, ended, 1)  # busy time where it falls, not at start

    def erp_queue(self, now: float, waiting: int) -> None:
        self.erp_queue_length.set(now, waiting)

    # -- patterns (Observer hooks) ---------------------------------------------------------------------
    def cache(self, table: str, hit: bool) -> None:
        """A lookup in a local table. Counted twice: by the time of the lookup, per table (out of the
        reads a table could answer); and as the consumer request it belongs to (judged, like its
        latency, by the request's arrival: ``request`` is called later in the same process), per kind
        of read, out of every read of that kind, those that no table could answer included."""
        if hit and self.current is not None:
            self._answered_locally.add(self.current())
        if not self.start <= self.clock() < self.end:
            return  # warm-up (a cold cache filling) and the drain are not measured
        counts = self.by_table.get(table)
        if counts is None:
            counts = self.by_table[table] = [0, 0]
        if hit:
            self.hits += 1
            counts[0] += 1
        else:
            self.misses += 1
            counts[1] += 1

    def sync_cycle(self) -> None:
        self.sync_cycles_all += 1
        if self.start <= self.clock() < self.end:
            self.sync_cycles += 1

    def sync_queue(self, length: int) -> None:
        self.sync_queue_length.set(self.clock(), length)

    def orphans(self, count: int) -> None:
        """Contracts held without their customer: time-weighted mean and maximum inside the window."""
        self.orphan_count.set(self.clock(), count)

    def _spread(self, name: str, t0: float, t1: float, length: int) -> None:
        """Add ``length`` x time to the buckets that ``[t0, t1)`` overlaps (time-weighted queue length)."""
        series, width = self.series[name], self.width
        b0, b1 = self._bucket(t0), self._bucket(t1)
        if b0 == b1:
            series[b0] += length * (t1 - t0)
            return
        for b in range(b0, b1 + 1):
            lo = max(t0, self.start + b * width)
            hi = min(t1, self.start + (b + 1) * width) if b < b1 else t1
            if hi > lo:
                series[b] += length * (hi - lo)

    def callback(self, accepted: bool) -> None:
        if not self.start <= self.clock() < self.end:
            return  # callbacks of the warm-up and the drain are not measured, like ERP calls
        self.callbacks_sent += 1
        if not accepted:
            self.callbacks_failed += 1

    # -- results ------------------------------------------------------------------------------------------
    def result(self, capacity: int) -> dict[str, Any]:
        """The per-architecture block of the results JSON (docs/results.md), less what the run adds."""
        for level in (self.erp_queue_length, self.sync_queue_length, self.orphan_count):
            level.set(self.end, level.level)
        total = self.all_latency.n + sum(self.failed.values())
        calls = sum(self.erp_calls.values())
        return {
            "requests": {"total": total, "failed": sum(self.failed.values()),
                         "availability": self.all_latency.n / total if total else 1.0,
                         "failures": dict(sorted(self.failures.items()))},
            "latency_s": {"all": self.all_latency.summary(),
                          **{op: self.latency[op].summary() for op in OPERATIONS}},
            "erp": {"calls": calls, "calls_per_s": calls / self.duration,
                    "utilization": self.erp_busy / (capacity * self.duration),
                    "queue": {"mean": self.erp_queue_length.area / self.duration, "max": self.erp_queue_length.max},
                    "by_operation": dict(sorted(self.erp_calls.items())), "records_transferred": self.records,
                    "callbacks": {"sent": self.callbacks_sent, "failed": self.callbacks_failed}},
            "staleness": {"summary": self.staleness[SUMMARY_GROUP].summary(),
                          "detail": self.staleness[DETAIL_GROUP].summary()},
            "cache": {"hit_ratio": self.hits / (self.hits + self.misses) if self.hits + self.misses else 0.0,
                      **{f"{kind}_hit_ratio": local / reads if reads else 0.0
                         for kind, (local, reads) in self.by_kind.items()},
                      "by_kind": {kind: {"reads": reads, "answered_locally": local}
                                  for kind, (local, reads) in self.by_kind.items()},
                      "by_table": {table: {"hits": h, "misses": m, "hit_ratio": h / (h + m) if h + m else 0.0}
                                   for table, (h, m) in sorted(self.by_table.items())}},
            "sync": {"queue_mean": self.sync_queue_length.area / self.duration,
                     "queue_max": self.sync_queue_length.max,
                     # cycles started in the window, for architectures with a periodic sync only
                     **({"cycles": self.sync_cycles} if self.sync_cycles_all else {})},
            "orphans": {"mean": self.orphan_count.area / self.duration, "max": self.orphan_count.max},
            "latency_cdf_s": {"q": list(CDF_POINTS),
                              **{op: [h.quantile(q) for q in CDF_POINTS]
                                 for op, h in (("all", self.all_latency), *self.latency.items())}},
            "timeseries": {"bucket_s": self.width,
                           **{name: list(values) for name, values in self.series.items()
                              if name not in ("erp_queue", "sync_queue")},
                           "erp_queue": [a / self.width for a in self.series["erp_queue"]],
                           "sync_queue": [a / self.width for a in self.series["sync_queue"]],
                           "latency_mean_s": [h.mean() for h in self._series_latency],
                           "latency_p50_s": [h.quantile(0.5) for h in self._series_latency],
                           "latency_p95_s": [h.quantile(0.95) for h in self._series_latency]},
        }


def _behind(newest: Any, record: Any) -> bool:
    """Whether the source has a newer change of ``record``'s group than the version read (False for a key it lacks)."""
    try:
        return newest[record.id] > record.version
    except IndexError:
        return False
