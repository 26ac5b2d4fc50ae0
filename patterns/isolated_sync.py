"""Isolated sync: a Sync module apart from the Core Service that orchestrates several concepts.

Customers and their contracts both live in the system of record, and a contract references its
customer. Copied independently (two timers, each with its own phase), a contract can arrive before
the customer it belongs to: the local database then shows contracts whose customer does not exist
(orphans) until the customer sync catches up. The Sync module puts the order in one place:

- with ``batch_sync`` it takes over the summary timer: each cycle copies customer changes first,
  then contract changes;
- before committing a page of contracts it checks that every referenced customer is held, and
  fetches the missing ones (inserted after the customer step began) through the Integration
  Service first. That check alone also keeps ``realtime_sync`` replicas free of orphans, where
  customers arrive by callback and contracts by this module's timer.

``orchestrate = false`` is the naive sync to compare with: the summary sync keeps its own timer,
contracts are copied every ``contract_interval`` (first at ``contract_offset``) with no check.
Orphans are counted after every contract commit and then every second while there are any.
"""

from __future__ import annotations

from typing import Any

from patterns.pattern import RECOVERABLE, Context, Pattern
from patterns.ports import Contract, Step
from patterns.store import LocalStoreError

CURSOR = "contracts"
PROBE_S = 1.0


class IsolatedSync(Pattern):
    """Customer_Sync: customers before contracts, outside the Core Service."""

    id = "isolated_sync"
    axis = "placement"
    title = "Isolated synchronization"
    summary = "A Sync module outside the Core Service copies customers, then their contracts: no orphans."
    advantages = ("The order between concepts lives in one place (customers before contracts)",
                  "The Core Service and its consumers do not change when the sync is tuned",
                  "The sync can be removed whole if the source is replaced")
    disadvantages = ("One more module to deploy and watch",
                     "Contracts wait for their customers: a slow customer step delays them")
    needs = ("batch_sync", "realtime_sync")

    def __init__(self, params: dict[str, Any] | None = None):
        super().__init__(params)
        self.orchestrate = bool(self.params.get("orchestrate", True))
        self.contract_interval = float(self.params.get("contract_interval", 300.0))
        self.contract_offset = float(self.params.get("contract_offset", 0.0))
        self.page_size = int(self.params.get("page_size", 1000))
        if self.contract_interval <= 0 or self.page_size <= 0 or self.contract_offset < 0:
            raise ValueError("isolated_sync: contract_interval and page_size must be positive, "
                             "contract_offset not negative")
        self.cycles = self.failed_cycles = self.contracts_synced = self.dependency_fetches = 0
        self.orphans_max = self.orphans_now = 0
        self._running = self._probing = False
        self.batch: Any = None

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        batch = ctx.installed.get("batch_sync")
        if batch is not None and self.orchestrate:
            batch.timer = False  # its cycles now run here, each followed by the contracts
            self.batch = batch

    def start(self) -> list[Step]:
        return [self._orchestrated_timer() if self.batch else self._contract_timer()]

    def _orchestrated_timer(self) -> Step:
        while True:
            yield from self.cycle()
            yield self.ctx.runtime.sleep(self.batch.interval)

    def _contract_timer(self) -> Step:
        rt = self.ctx.runtime
        if self.contract_offset:
            yield rt.sleep(self.contract_offset)
        while True:
            yield from self.cycle()
            yield rt.sleep(self.contract_interval)

    def cycle(self) -> Step:
        """Customers (when this module drives the summary sync), then contracts; False if a step failed."""
        if self._running:
            return True
        self._running = True
        try:
            if self.batch is not None:
                # With several systems the transparency service copies them all (it installs after us).
                customers = self.ctx.installed.get("transparency", self.batch)
                if not (yield from customers.cycle()):
                    self.failed_cycles += 1
                    return False
            sources = list(self.ctx.integration.routes)
            for source in sources:
                yield from self._copy_contracts(source, CURSOR if len(sources) == 1 else f"{CURSOR}@{source}")
            self.cycles += 1
            return True
        except RECOVERABLE:
            self.failed_cycles += 1
            return False
        finally:
            self._running = False

    def _copy_contracts(self, source: str, cursor_name: str) -> Step:
        """Page through one system's contract changes since its cursor (all contracts the first time)."""
        ctx, rt = self.ctx, self.ctx.runtime
        saved = ctx.store.cursor(cursor_name)
        since, after = saved if saved else (None, None)
        load_started: float | None = None
        while True:
            rows, cursor, as_of, more = yield from ctx.integration.contract_changes(
                ctx.sync_caller, since, after, self.page_size, source=source)
            if since is None and load_started is None:
                load_started = as_of
            if self.orchestrate:
                yield from self._customers_first(rows)
            yield rt.sleep(ctx.store.latency())
            ctx.store.upsert_contracts(rows)
            self.contracts_synced += len(rows)
            if more:
                since, after = cursor
            else:
                since, after = (load_started, None) if since is None else (cursor[0], None)
            ctx.store.save_cursor(cursor_name, since, after)
            self._count_orphans()
            if not more:
                return

    def _customers_first(self, rows: list[Contract]) -> Step:
        """Fetch and hold every customer these contracts reference that the replica lacks."""
        ctx, rt = self.ctx, self.ctx.runtime
        yield rt.sleep(ctx.store.latency())
        for key in ctx.store.missing_customers(c.customer_id for c in rows):
            customer = yield from ctx.integration.get_customer(ctx.sync_caller, key)
            self.dependency_fetches += 1
            yield rt.sleep(ctx.store.latency())
            ctx.store.upsert_customers([customer], only_newer=True)

    def _count_orphans(self) -> None:
        n = self.orphans_now = self.ctx.store.orphan_contracts()
        self.orphans_max = max(self.orphans_max, n)
        self.ctx.observer.orphans(n)
        if n and not self._probing:
            self._probing = True
            self.ctx.runtime.spawn(self._probe())

    def _probe(self) -> Step:
        """Orphans only appear when contracts are written; watch them disappear as customers arrive."""
        while self.orphans_now:
            yield self.ctx.runtime.sleep(PROBE_S)
            self._count_orphans_quietly()
        self._probing = False

    def _count_orphans_quietly(self) -> None:
        try:
            n = self.orphans_now = self.ctx.store.orphan_contracts()
        except LocalStoreError:
            return  # a failed count is a missed sample, not a failure of the sync
        self.ctx.observer.orphans(n)

    def quiesce(self) -> Step:
        rt = self.ctx.runtime
        while self._running:
            yield rt.sleep(1.0)
        while not (yield from self.cycle()):
            yield rt.sleep(30.0)
        self._count_orphans_quietly()

    def stats(self) -> dict[str, Any]:
        return {"mode": "orchestrated" if self.orchestrate else "naive", "cycles": self.cycles,
                "failed_cycles": self.failed_cycles, "contracts_synced": self.contracts_synced,
                "contracts_held": self.ctx.store.contract_count(), "dependency_fetches": self.dependency_fetches,
                "orphans_max": self.orphans_max, "orphans_at_end": self.orphans_now}
