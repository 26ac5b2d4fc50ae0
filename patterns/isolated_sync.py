"""Isolated sync: a Sync module apart from the Core Service that orchestrates several concepts.

Customers and their contracts both live in the system of record, and a contract references its
customer. Copied independently (two timers, each with its own phase), a contract can arrive before
the customer it belongs to: the local database then shows contracts whose customer does not exist
(orphans) until the customer sync catches up. The Sync module puts the order in one place:

- with ``batch_sync`` it adds its contracts step to the summary sync's job (``patterns/replica.py``):
  each cycle copies customer changes first, then, if they all arrived, contract changes;
- before committing a page of contracts it checks that every referenced customer is held, and
  fetches the missing ones (inserted after the customer step began) through the Integration
  Service first. That check alone also keeps ``realtime_sync`` replicas free of orphans, where
  customers arrive by callback and contracts by this module's timer.

``orchestrate = false`` is the naive sync to compare with: the summary sync keeps its own timer,
contracts are copied every ``contract_interval`` (first at ``contract_offset``) with no check.
Orphans are counted after every contract commit and then every second while there are any.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patterns.integration import MAX_PAGE
from patterns.params import at_most, not_negative, positive
from patterns.pattern import Context, Pattern
from patterns.ports import Contract, Step
from patterns.replica import Copy, Fetch, SyncJob
from patterns.store import LocalStoreError

CURSOR = "contracts"
PROBE_S = 1.0
DRAIN_RETRY_S = 30.0


class IsolatedSync(Pattern):
    """Customer_Sync: customers before contracts, outside the Core Service."""

    id = "isolated_sync"
    axis = "placement"
    title = "Isolated synchronization"
    description = "A Sync module outside the Core Service copies customers, then their contracts: no orphans."
    advantages = ("The order between concepts lives in one place (customers before contracts)",
                  "The Core Service and its consumers do not change when the sync is tuned",
                  "The sync can be removed whole if the source is replaced")
    disadvantages = ("One more module to deploy and watch",
                     "Contracts wait for their customers: a slow customer step delays them")
    defaults = {"orchestrate": True, "contract_interval": 300.0, "contract_offset": 0.0, "page_size": 1000}
    needs = ("batch_sync", "realtime_sync")

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        positive(params, "contract_interval", "page_size")
        at_most(params, "page_size", MAX_PAGE, "the Integration Service's page limit")
        not_negative(params, "contract_offset")

    def __init__(self, params: Mapping[str, Any] | None = None):
        super().__init__(params)
        p = self.params
        self.orchestrate, self.contract_interval = p["orchestrate"], p["contract_interval"]
        self.contract_offset, self.page_size = p["contract_offset"], p["page_size"]
        self.cycles = self.failed_cycles = self.contracts_synced = self.dependency_fetches = 0
        self.orphans_max = self.orphans_now = 0
        self._probing = False

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        sources = list(ctx.integration.routes)
        self.copies = [Copy(ctx, CURSOR if len(sources) == 1 else f"{CURSOR}@{source}", self._fetcher(source),
                            self._write, self._count_orphans) for source in sources]
        replica = ctx.replica
        # With a periodic summary sync (batch_sync) the contracts step follows its customers in every
        # cycle; otherwise (real-time customers, or the naive sync) it runs on its own timer.
        self.driven_by = replica.job if self.orchestrate and replica and replica.job.interval is not None else None
        self.job = None if self.driven_by else SyncJob(ctx, [])  # on its own timer (see start)
        (self.driven_by or self.job).after.append(self.copy_contracts)

    def start(self) -> list[Step]:
        return [] if self.driven_by else [self._contract_timer()]

    def _contract_timer(self) -> Step:
        rt = self.ctx.runtime
        if self.contract_offset:
            yield rt.sleep(self.contract_offset)
        while True:
            yield from self.job.cycle()
            yield rt.sleep(self.contract_interval)

    def copy_contracts(self) -> Step:
        """Every system's contract changes, one system after the other; False if one failed (the rest wait
        for the next cycle, and the failed copy resumes from its cursor)."""
        for copy in self.copies:
            if not (yield from copy.run()):
                self.failed_cycles += 1
                return False
        self.cycles += 1
        return True

    def _fetcher(self, source: str) -> Fetch:
        ctx = self.ctx

        def fetch(since: float | None, after: Any) -> Step:
            return (yield from ctx.integration.contract_changes(ctx.sync_caller, since, after, self.page_size,
                                                                source=source))
        return fetch

    def _write(self, rows: list[Contract]) -> Step:
        if self.orchestrate:
            yield from self._customers_first(rows)
        yield self.ctx.runtime.sleep(self.ctx.store.latency())
        self.ctx.store.upsert_contracts(rows)
        self.contracts_synced += len(rows)

    def _customers_first(self, rows: list[Contract]) -> Step:
        """Fetch and hold every customer these contracts reference that the replica lacks."""
        ctx, rt = self.ctx, self.ctx.runtime
        yield rt.sleep(ctx.store.latency())
        for key in ctx.store.missing_customers(c.customer_id for c in rows):
            customer = yield from ctx.integration.get_customer(ctx.sync_caller, key)
            self.dependency_fetches += 1
            yield rt.sleep(ctx.store.latency())
            ctx.store.upsert_customers([customer], only_newer=True)

    def _count_orphans(self, rows: list[Contract] | None = None) -> None:
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
        if self.job is not None:  # when driven, the summary sync's last cycle copies the contracts too
            yield from self.job.settle(DRAIN_RETRY_S)
        self._count_orphans_quietly()

    def stats(self) -> dict[str, Any]:
        failed = self.failed_cycles + (self.driven_by.failed_cycles if self.driven_by else 0)
        return {"mode": "orchestrated" if self.orchestrate else "naive", "cycles": self.cycles,
                "failed_cycles": failed, "contracts_synced": self.contracts_synced,
                "contracts_held": self.ctx.store.contract_count(), "dependency_fetches": self.dependency_fetches,
                "orphans_max": self.orphans_max, "orphans_at_end": self.orphans_now}
