"""The replica seam: the one summary replica an architecture may keep, and the sync job that fills it.

An exclusive pattern (``batch_sync``, ``realtime_sync``) puts a ``ReplicaSummary`` in front of the
Core Service's summary reads with ``serve_from_replica`` and gives it a ``SyncJob``: the copies one
sync cycle makes (by default one, of the customers of the default source) and the steps that run
after every copy of a cycle succeeded. Other patterns extend the job instead of the pattern that
owns it: ``transparency`` makes one copy per system of record, ``isolated_sync`` adds its contracts
step. The owner decides when the job runs: batch_sync on its timer, realtime_sync once, as the
initial load before callbacks keep the replica current.

A copy is ``copy_changes``: page through a source's changes since a saved cursor and write each page
and the cursor after it in one transaction, so a copy that fails resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from patterns.integration import IntegrationError, IntegrationService
from patterns.ports import NULL_OBSERVER, Caller, Customer, CustomerDetail, Observer, Runtime, Step
from patterns.sql import Prepared
from patterns.store import LocalStoreError, Store

if TYPE_CHECKING:
    from patterns.pattern import Context

# Errors a sync step recovers from by trying again later: the source failed, or the local database did.
RECOVERABLE = (IntegrationError, LocalStoreError)
WAIT_S = 1.0  # how often a drain looks again whether a running cycle has finished

# fetch(since, after) -> (rows, next cursor, as_of, more pages?); write(rows) stores one page.
Fetch = Callable[[float | None, Any], Step]
Write = Callable[[list[Any]], Step]


def copy_changes(store: Store, cursor_name: str, fetch: Fetch, write: Write,
                 on_page: Callable[[list[Any]], None] | None = None, loaded: Sequence[Prepared] = ()) -> Step:
    """Copy what changed since the saved cursor (everything, the first time), page by page.

    Raises ``IntegrationError`` when the source fails and ``LocalStoreError`` when the local database
    does; ``write`` leaves each page uncommitted and the cursor after it commits both, so the next call
    resumes where this one stopped and never skips a page. ``loaded`` runs with the cursor that ends a
    full load (the indexes the load deferred: ``Store.index_replica``), so it is committed with the last page.
    """
    saved = store.cursor(cursor_name)
    since, after = saved if saved else (None, None)
    load_started: float | None = None
    while True:
        rows, cursor, as_of, more = yield from fetch(since, after)
        if since is None and load_started is None:
            load_started = as_of
        yield from write(rows)
        finished = ()
        if not more:
            # A finished full load continues from the moment it began: what changed while
            # it ran has a newer timestamp and comes with the next cycle.
            finished = loaded if since is None else ()
            since, after = (load_started, None) if since is None else (cursor[0], None)
        else:
            since, after = cursor
        store.save_cursor(cursor_name, since, after, finished)  # commits the page and the cursor together
        if on_page is not None:
            on_page(rows)
        if not more:
            return


class Copy:
    """One copy a sync cycle makes: a source's changes since ``cursor`` into the local database."""

    def __init__(self, ctx: Context, cursor: str, fetch: Fetch, write: Write,
                 on_page: Callable[[list[Any]], None] | None = None, loaded: Sequence[Prepared] = ()):
        self.ctx, self.cursor, self.fetch, self.write, self.on_page = ctx, cursor, fetch, write, on_page
        self.loaded = loaded  # statements that finish its full load (see ``copy_changes``)
        self.rows = self.failures = 0
        self.max_s = 0.0

    def run(self) -> Step:
        """Copy once; True when done, False when the source or the local database failed (it resumes next time)."""
        rt = self.ctx.runtime
        started = rt.now
        try:
            yield from copy_changes(self.ctx.store, self.cursor, self.fetch, self.write, self._counted, self.loaded)
            return True
        except RECOVERABLE:
            self.failures += 1
            return False
        finally:
            self.max_s = max(self.max_s, rt.now - started)

    def _counted(self, rows: list[Any]) -> None:
        self.rows += len(rows)
        if self.on_page is not None:
            self.on_page(rows)


class CustomerCopy(Copy):
    """The customers of one source (the default one unless named) into the summary replica."""

    def __init__(self, ctx: Context, cursor: str, page_size: int, source: str | None = None):
        self.page_size, self.source = page_size, source
        super().__init__(ctx, cursor, self._fetch, self._write, loaded=ctx.store.index_replica)

    def _fetch(self, since: float | None, after: Any) -> Step:
        ctx = self.ctx
        return (yield from ctx.integration.changes(ctx.sync_caller, since, after, self.page_size, source=self.source))

    def _write(self, rows: list[Customer]) -> Step:
        yield self.ctx.runtime.sleep(self.ctx.store.latency())
        self.ctx.store.upsert_customers(rows, only_newer=True, commit=False)

    def of(self, source: str, cursor: str) -> CustomerCopy:
        """The same copy from another system of record, under its own cursor."""
        return CustomerCopy(self.ctx, cursor, self.page_size, source)


class SyncJob:
    """What one sync cycle does: every copy, then the after-cycle steps once every copy succeeded.

    ``interval`` says how its owner runs it: every ``interval`` seconds (batch_sync; the observer
    hears of each cycle), or, with ``None``, once at the start until it has loaded (realtime_sync's
    initial load) or on a schedule of its own. The counters are the copies' (``cycles``: cycles whose
    copies all succeeded); an after-cycle step counts its own.
    """

    def __init__(self, ctx: Context, copies: list[Copy], interval: float | None = None):
        self.ctx, self.copies, self.interval = ctx, copies, interval
        self.after: list[Callable[[], Step]] = []  # each a step returning False when it failed
        self.running = False
        self.cycles = self.failed_cycles = 0
        self.max_cycle_s = 0.0

    def cycle(self) -> Step:
        """Every copy (one failing does not stop the next), then the after steps; False if anything failed."""
        if self.running:
            return True
        rt = self.ctx.runtime
        self.running = True
        started = rt.now
        if self.interval is not None:
            self.ctx.observer.sync_cycle()  # a periodic sync that never runs in the window is judged apart
        try:
            ok = True
            for copy in self.copies:
                ok = (yield from copy.run()) and ok
            self.max_cycle_s = max(self.max_cycle_s, rt.now - started)
            if not ok:
                self.failed_cycles += 1
                return False
            self.cycles += 1
            for step in self.after:
                if not (yield from step()):
                    return False
            return True
        finally:
            self.running = False

    def load(self, retry_s: float) -> Step:
        """Each copy once (a first full load), retrying those that failed every ``retry_s`` until all are done."""
        pending = list(self.copies)
        while True:
            failed = []
            for copy in pending:
                if not (yield from copy.run()):
                    failed.append(copy)
            pending = failed
            if not pending:
                return
            yield self.ctx.runtime.sleep(retry_s)

    def settle(self, retry_s: float) -> Step:
        """At the end of a run: let a running cycle finish, then run cycles until one succeeds."""
        rt = self.ctx.runtime
        while self.running:
            yield rt.sleep(WAIT_S)
        while not (yield from self.cycle()):
            yield rt.sleep(retry_s)

    def loaded(self) -> bool:
        """Whether every copy's first full load has finished (its cursor moved on to changes)."""
        cursors = [self.ctx.store.cursor(copy.cursor) for copy in self.copies]
        return all(c is not None and c[0] is not None for c in cursors)


class ReplicaSummary:
    """Summary reads answered by the local replica (the cold cache) with SQL.

    A ``get`` for an id the replica does not hold yet (inserted since the last sync) falls back to
    the source, so consumers see the same API; it counts as a cache miss. So does a read the local
    database fails: consumers get an answer from the source instead of an error. So does a list
    before the job's first full loads have finished: an empty or half-filled replica would say
    "no such customers" where it only does not know yet.
    """

    def __init__(self, runtime: Runtime, store: Store, integration: IntegrationService, job: SyncJob,
                 observer: Observer = NULL_OBSERVER):
        self.runtime, self.store, self.integration, self.observer = runtime, store, integration, observer
        self.job = job
        self.local_errors = 0
        self._loaded = False

    def loaded(self) -> bool:
        """Whether every full load the replica waits for has finished."""
        if not self._loaded:
            try:
                self._loaded = self.job.loaded()
            except LocalStoreError:
                return False
        return self._loaded

    def list(self, caller: Caller, criteria: dict[str, str], offset: int, limit: int) -> Step:
        self.integration.authorize(caller, "search")
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
        self.integration.authorize(caller, "read")
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


def serve_from_replica(ctx: Context, job: SyncJob) -> ReplicaSummary:
    """Give the Core Service a replica for its summary reads, filled by ``job``, brought up to date after
    each write (write-through), and known to the other patterns as ``ctx.replica``."""
    replica = ReplicaSummary(ctx.runtime, ctx.store, ctx.integration, job, ctx.observer)
    ctx.core.summary_reads = replica
    ctx.core.after_write.append(replica.write_through)
    ctx.replica = replica
    return replica
