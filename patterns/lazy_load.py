"""Lazy load details: a read-through cache of detail fields in its own table.

Details (balance, credit limit, open orders) are volatile and costly to fetch, so they are not
replicated ahead of time: the first reader of an entry fetches it from the system of record and
leaves a copy in ``customer_details``, apart from the summary replica. Later readers reuse the
copy while it is valid. Two ways to decide validity:

- ``ttl``: a copy fetched less than ``ttl`` seconds ago is reused without asking anyone; older
  copies are fetched again. Cheap, but a reader may see a copy up to ``ttl`` old.
- ``timestamp``: before reusing a copy, ask the source for the entry's last-update time (a cheap
  call) and reuse the copy only if the source has nothing newer. Current, but every read still
  makes one (cheap) source call.

A cleanup timer deletes rows fetched (or revalidated) more than ``ttl`` seconds ago every
``cleanup_interval``, so the table holds only what is being read.

Readers of one entry that miss while its fetch is still in flight each fetch it again: a cache
stampede, which a slow network makes common (each miss is slow, so more readers pile up behind
it). That is the default, because it is what a plain read-through cache does. With ``coalesce``
(single-flight) the first miss fetches and later readers of that entry wait for its answer, with
no call of their own; they count as hits, since the cache spared them the source. Writes stay write-through: after
the source accepted an update, the hook stores the detail version the source returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patterns.integration import IntegrationService
from patterns.params import positive
from patterns.pattern import Context, Pattern
from patterns.ports import NULL_OBSERVER, Caller, Customer, CustomerDetail, Observer, Runtime, Step
from patterns.store import LocalStoreError, Store

TABLE = "customer_details"
VALIDATIONS = ("ttl", "timestamp")


class LazyDetail:
    """Detail reads answered from the detail cache when valid, else fetched and cached."""

    def __init__(self, runtime: Runtime, store: Store, integration: IntegrationService, validation: str,
                 ttl: float, observer: Observer = NULL_OBSERVER, coalesce: bool = False):
        self.runtime, self.store, self.integration = runtime, store, integration
        self.validation, self.ttl, self.observer, self.coalesce = validation, ttl, observer, coalesce
        self.hits = self.misses = self.expired = self.outdated = self.timestamp_checks = 0
        self.local_errors = self.coalesced = 0
        self._in_flight: dict[int, Any] = {}  # key -> event fired with (detail, error) when its fetch ends

    def get(self, caller: Caller, key: int) -> Step:
        self.integration.authorize(caller, "read_detail")
        rt = self.runtime
        yield rt.sleep(self.store.latency())
        try:
            cached = self.store.detail(key)
        except LocalStoreError:
            self.local_errors += 1  # the cache is unreadable: serve from the source, as on a miss
            cached = None
        if cached is not None:
            detail, fetched_at = cached
            if self.validation == "ttl":
                if rt.now - fetched_at < self.ttl:
                    return self._hit(detail)
                self.expired += 1
            else:
                self.timestamp_checks += 1
                updated_at = yield from self.integration.last_update(caller, key)
                if updated_at <= detail.updated_at:
                    yield rt.sleep(self.store.latency())
                    self._store(detail)  # revalidated: keep it past the next cleanup
                    return self._hit(detail)
                self.outdated += 1
        if self.coalesce:
            return (yield from self._single_flight(caller, key))
        return (yield from self._fetch(caller, key))

    def _fetch(self, caller: Caller, key: int) -> Step:
        self.misses += 1
        self.observer.cache(TABLE, False)
        detail = yield from self.integration.get_detail(caller, key)
        yield self.runtime.sleep(self.store.latency())
        return self._store(detail)

    def _single_flight(self, caller: Caller, key: int) -> Step:
        """Fetch, unless a fetch of ``key`` is in flight: then wait for its answer (or its error)."""
        flight = self._in_flight.get(key)
        if flight is not None:
            self.coalesced += 1
            detail, error = yield flight
            if error is not None:
                raise error
            return self._hit(detail)
        flight = self._in_flight[key] = self.runtime.event()
        try:
            detail = yield from self._fetch(caller, key)
        except Exception as exc:
            flight.succeed((None, exc))  # the waiters fail as the fetch did; the next reader tries again
            raise
        finally:
            del self._in_flight[key]
        flight.succeed((detail, None))
        return detail

    def _hit(self, detail: CustomerDetail) -> CustomerDetail:
        self.hits += 1
        self.observer.cache(TABLE, True)
        return detail

    def _store(self, detail: CustomerDetail) -> CustomerDetail:
        """Cache ``detail`` unless a newer version is already held (a slower fetch finishing late).

        A cache that cannot be written is no reason to fail the reader: the detail is returned anyway.
        """
        try:
            held = self.store.detail(detail.id)
            if held is not None and held[0].version > detail.version:
                return held[0]
            self.store.put_detail(detail, self.runtime.now)
        except LocalStoreError:
            self.local_errors += 1
        return detail

    def write_through(self, customer: Customer, detail: CustomerDetail) -> Step:
        """After the source accepted a write, cache the detail version it returned."""
        yield self.runtime.sleep(self.store.latency())
        self._store(detail)


class LazyLoad(Pattern):
    """Read-through detail cache with TTL or timestamp validation and a cleanup timer."""

    id = "lazy_load"
    axis = "detail"
    title = "Lazy load details"
    description = "Details fetched on first read and reused from their own table until they expire or change."
    advantages = ("Fewer costly detail calls when details are read again soon",
                  "Details that nobody reads are never copied",
                  "Cleanup keeps the detail table small")
    disadvantages = ("With ttl, a reader can get details up to ttl seconds old",
                     "With timestamp, every read still makes a (cheap) source call",
                     "The first read of an entry pays the full fetch",
                     "Readers that miss together all fetch (a stampede) unless coalesce makes them share one fetch")
    watch = ("cache.detail_hit_ratio",)
    defaults = {"validation": "ttl", "ttl": 600.0, "cleanup_interval": 900.0, "coalesce": False}
    choices = {"validation": VALIDATIONS}

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        positive(params, "ttl", "cleanup_interval")

    def __init__(self, params: Mapping[str, Any] | None = None):
        super().__init__(params)
        self.validation, self.ttl = self.params["validation"], self.params["ttl"]
        self.cleanup_interval, self.coalesce = self.params["cleanup_interval"], self.params["coalesce"]
        self.cleanups = self.rows_deleted = self.rows_max = 0

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        self.cache = LazyDetail(ctx.runtime, ctx.store, ctx.integration, self.validation, self.ttl,
                                ctx.observer, self.coalesce)
        ctx.core.detail_reads = self.cache
        ctx.core.after_write.append(self.cache.write_through)

    def start(self) -> list[Step]:
        return [self._cleanup_timer()]

    def _cleanup_timer(self) -> Step:
        rt, store = self.ctx.runtime, self.ctx.store
        while True:
            yield rt.sleep(self.cleanup_interval)
            yield rt.sleep(store.latency())
            try:
                self.rows_max = max(self.rows_max, store.detail_count())
                self.rows_deleted += store.delete_details_fetched_before(rt.now - self.ttl)
            except LocalStoreError:
                continue  # outdated rows wait for the next cleanup; reads re-check them anyway
            self.cleanups += 1

    def stats(self) -> dict[str, Any]:
        c = self.cache
        reads = c.hits + c.misses
        return {"validation": self.validation, "hits": c.hits, "misses": c.misses,
                "hit_ratio": round(c.hits / reads, 6) if reads else 0.0,
                "detail_calls_saved": c.hits, "coalesced": c.coalesced, "timestamp_checks": c.timestamp_checks,
                "expired": c.expired, "outdated": c.outdated,
                "rows": self.ctx.store.detail_count(), "rows_max": max(self.rows_max, self.ctx.store.detail_count()),
                "cleanups": self.cleanups, "rows_deleted": self.rows_deleted, "local_errors": c.local_errors}
