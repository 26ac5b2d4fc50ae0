"""The Core Service: the one facade consumers call, whatever architecture sits behind it.

Consumers list, get, read details and update customers; they never learn whether an answer came
from the system of record or from a local replica. Writes are always write-through: the system
of record first, synchronously; local tables only after it succeeded (``after_write`` hooks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from patterns.integration import IntegrationService, NotFound
from patterns.ports import NULL_OBSERVER, Caller, Customer, CustomerDetail, Observer, Runtime, Step
from patterns.store import LocalStoreError, Store

if TYPE_CHECKING:
    from patterns.pattern import Context


class SummaryReads(Protocol):
    def list(self, caller: Caller, criteria: dict[str, str], offset: int, limit: int) -> Step: ...
    def get(self, caller: Caller, key: int) -> Step: ...


class DetailReads(Protocol):
    def get(self, caller: Caller, key: int) -> Step: ...


WriteHook = Callable[[Customer, CustomerDetail], Step]


class CoreService:
    """Customer_CS: list/get/detail/update, delegating reads to the strategies an architecture chose."""

    def __init__(self, integration: IntegrationService, summary: SummaryReads, detail: DetailReads):
        self.integration = integration
        self.summary = summary
        self.detail = detail
        self.after_write: list[WriteHook] = []

    def list_customers(self, caller: Caller, criteria: dict[str, str], page: int = 0, page_size: int = 50) -> Step:
        return (yield from self.summary.list(caller, criteria, page * page_size, page_size))

    def get_customer(self, caller: Caller, key: int) -> Step:
        return (yield from self.summary.get(caller, key))

    def get_customer_detail(self, caller: Caller, key: int) -> Step:
        return (yield from self.detail.get(caller, key))

    def update_customer(self, caller: Caller, key: int, changes: dict[str, Any]) -> Step:
        customer, detail = yield from self.integration.update(caller, key, changes)
        for hook in self.after_write:
            yield from hook(customer, detail)
        return customer


class ReplicaSummary:
    """Summary reads answered by the local replica (the cold cache) with SQL.

    A ``get`` for an id the replica does not hold yet (inserted since the last sync) falls back to
    the source, so consumers see the same API; it counts as a cache miss. So does a read the local
    database fails: consumers get an answer from the source instead of an error. So does a list
    before the replica's first full load has finished: an empty or half-filled replica would say
    "no such customers" where it only does not know yet.
    """

    def __init__(self, runtime: Runtime, store: Store, integration: IntegrationService,
                 observer: Observer = NULL_OBSERVER):
        self.runtime, self.store, self.integration, self.observer = runtime, store, integration, observer
        self.local_errors = 0
        self.loads: list[str] = []  # the sync cursors whose first full load fills this replica
        self._loaded = False

    def loaded(self) -> bool:
        """Whether every full load the replica waits for has finished (its cursor moved on to changes)."""
        if not self._loaded:
            try:
                cursors = [self.store.cursor(name) for name in self.loads]
            except LocalStoreError:
                return False
            self._loaded = all(c is not None and c[0] is not None for c in cursors)
        return self._loaded

    def list(self, caller: Caller, criteria: dict[str, str], offset: int, limit: int) -> Step:
        self.integration._authorize(caller, "search")
        if not self.loaded():
            self.observer.cache("customers", False)
            return (yield from self.integration.search(caller, criteria, offset, limit))
        yield self.runtime.sleep(self.store.latency())
        try:
            rows = self.store.search(criteria, offset, limit)
        except LocalStoreError:
            self.local_errors += 1
            self.observer.cache("customers", False)
            return (yield from self.integration.search(caller, criteria, offset, limit))
        self.observer.cache("customers", True)
        return rows

    def get(self, caller: Caller, key: int) -> Step:
        self.integration._authorize(caller, "read")
        yield self.runtime.sleep(self.store.latency())
        try:
            customer = self.store.customer(key)
        except LocalStoreError:
            self.local_errors += 1
            customer = None
        self.observer.cache("customers", customer is not None)
        if customer is None:
            customer = yield from self.integration.get_customer(caller, key)
        return customer

    def write_through(self, customer: Customer, detail: CustomerDetail) -> Step:
        """After the source accepted a write, bring the replica up to the version it returned.

        The source has the write; if the local database fails now, the replica catches up with
        the next sync, so the consumer's update still succeeds.
        """
        yield self.runtime.sleep(self.store.latency())
        try:
            self.store.upsert_customers([customer], only_newer=True)
        except LocalStoreError:
            self.local_errors += 1


def serve_from_replica(ctx: Context, cursor_name: str) -> ReplicaSummary:
    """Give the Core Service a replica for its summary reads, filled by the sync cursor ``cursor_name``,
    and brought up to date after each write (write-through)."""
    replica = ReplicaSummary(ctx.runtime, ctx.store, ctx.integration, ctx.observer)
    replica.loads.append(cursor_name)
    ctx.core.summary = replica
    ctx.core.after_write.append(replica.write_through)
    return replica


__all__ = ["CoreService", "ReplicaSummary", "serve_from_replica", "SummaryReads", "DetailReads", "NotFound"]
