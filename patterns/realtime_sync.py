"""Cold cache with real-time sync: the source calls an API endpoint after each change.

The endpoint fetches the changed entry through the Integration Service and writes it into the
replica before answering, so a replica is current a few hundred milliseconds after the source.
When the callback carries the record itself (``erp.callback.payload = "record"``: event-carried
state transfer), the endpoint writes it with no source call at all. That halves the source's load
per change, but the record is as old as the callback: a late or overtaken callback writes an
older version over a newer one, which only ``ordered_sync`` refuses. A plain notification is
immune to its own lateness: whenever it arrives, the fetch gets the record as it is now.
There is no queue: ``handlers`` notifications can be handled at once, and one that finds every
handler busy is refused (the source counts a failed callback and, unless it retries, that change
never reaches the replica until the record changes again). The replica starts with a full load
at time 0, the same load batch_sync does.

The variants extend this pattern through two extension points rather than copying it:
``queued_sync`` replaces the inline handling with its own ``Intake`` (an enqueue, and workers); and
``ordered_sync`` adds a ``FetchGuard``, so a notification the replica already covers costs no
source call, and versions guard every write.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from patterns.params import positive
from patterns.pattern import RECOVERABLE, Context, Pattern
from patterns.ports import Customer, Notification, Step, Subscription
from patterns.replica import CustomerCopy, SyncJob, serve_from_replica

INITIAL_LOAD_PAGE = 1000
INITIAL_LOAD_RETRY_S = 5.0
IDLE_CHECK_S = 0.1  # how often quiescence looks again while callbacks are still owed


class Intake(Protocol):
    """What the endpoint does with a notification: a step returning True (taken) or False (refused)."""

    def take(self, notification: Notification) -> Step: ...


class FetchGuard(Protocol):
    """Asked before each fetch: a step returning False when the replica already holds ``version`` or later."""

    def wants(self, key: int, version: int) -> Step: ...


class RealtimeSync(Pattern):
    """Summary replica kept current by the source's change callbacks, handled inline."""

    id = "realtime_sync"
    axis = "summary"
    title = "Cold cache with real-time sync"
    description = "The source calls an endpoint after each change; the endpoint fetches and stores the record."
    advantages = ("Replica is current within a callback's delay", "Local search, joins and mashups",
                  "Source load follows the change rate, not the read rate")
    disadvantages = ("The source must call back: more coupling between the systems",
                     "No queue: when every handler is busy a change notification is refused and lost",
                     "Concurrent callbacks can overwrite a newer copy with an older one",
                     "Callbacks that carry the record save the fetch, but a late one writes an old record")
    defaults = {"handlers": 2}
    exclusive = True
    cursor_name = "customers-initial-load"

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        positive(params, "handlers")

    def __init__(self, params: Mapping[str, Any] | None = None):
        super().__init__(params)
        self.handlers = self.params["handlers"]
        self.busy = self.peak_busy = 0
        self.accepted = self.refused = self.errors = self.fetches = self.carried = 0
        self.older_overwrites = self.older_refused = 0
        self.loaded = False
        # The extension points (see module docstring): inline handling, no guard, last write wins.
        self.intake: Intake = self
        self.guard: FetchGuard | None = None
        self.only_newer = False

    def use_intake(self, intake: Intake) -> None:
        """Let ``intake`` take the notifications instead of handling them inline (queued_sync)."""
        self.intake = intake

    def guard_fetches(self, guard: FetchGuard) -> None:
        """Ask ``guard`` before each fetch, and never let a write take the replica back a version (ordered_sync)."""
        self.guard = guard
        self.only_newer = True

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        self.job = SyncJob(ctx, [CustomerCopy(ctx, self.cursor_name, INITIAL_LOAD_PAGE)])
        self.replica = serve_from_replica(ctx, self.job)
        # Subscribe before the initial load starts, so no change falls between the two.
        # Through the Integration Service: every source, each notification's key normalized by its driver.
        self.subscriptions: list[Subscription] = ctx.integration.subscribe(self.endpoint)

    def start(self) -> list[Step]:
        return [self.initial_load()]

    def initial_load(self) -> Step:
        """Copy every record once, retrying until the source answers (each copy resumes from its cursor)."""
        yield from self.job.load(INITIAL_LOAD_RETRY_S)
        self.loaded = True

    # -- the endpoint the source calls ------------------------------------------------------------
    def endpoint(self, notification: Notification) -> Step:
        """The API the source calls back: True when the change was taken, False when refused."""
        return (yield from self.intake.take(notification))

    def take(self, notification: Notification) -> Step:
        """Inline handling: fetch and store now, on one of ``handlers`` handlers, or refuse."""
        if self.busy >= self.handlers:
            self.refused += 1
            return False
        self.busy += 1
        self.peak_busy = max(self.peak_busy, self.busy)
        try:
            customer = yield from self.record_for(notification.key, notification.version, notification.record)
            if customer is not None:
                yield self.ctx.runtime.sleep(self.ctx.store.latency())
                self.check_order(customer)
                self.ctx.store.upsert_customers([customer], only_newer=self.only_newer)
            self.accepted += 1
            return True
        except RECOVERABLE:
            self.errors += 1  # the source or the local database failed: answer with an error
            return False
        finally:
            self.busy -= 1

    def record_for(self, key: int, version: int, carried: Customer | None) -> Step:
        """The record a notification stands for: the one it carried (no source call), or a fetch."""
        if carried is not None:
            self.carried += 1
            return carried
        return (yield from self.fetch(key, version))

    def fetch(self, key: int, version: int) -> Step:
        """The record as the source holds it now (which may be newer than ``version``), or None when the
        guard says the replica already holds ``version``."""
        if self.guard is not None and not (yield from self.guard.wants(key, version)):
            return None
        customer: Customer = yield from self.ctx.integration.get_customer(self.ctx.sync_caller, key)
        self.fetches += 1
        return customer

    def check_order(self, customer: Customer) -> None:
        """Count a write that would take the replica back to an older version (made, or refused).

        Measurement only: one primary-key read that costs no simulated time. A real endpoint
        would not read first; it is here so the results show how often order went wrong.
        """
        held = self.ctx.store.customer(customer.id)
        if held is not None and held.version > customer.version:
            if self.only_newer:
                self.older_refused += 1
            else:
                self.older_overwrites += 1

    # -- end of run ------------------------------------------------------------------------------
    def owed(self) -> bool:
        """Is any work still owed: the initial load, callbacks the source has not delivered, handlers busy?"""
        return not self.loaded or self.busy > 0 or any(s.pending for s in self.subscriptions)

    def quiesce(self) -> Step:
        while self.owed():
            yield self.ctx.runtime.sleep(IDLE_CHECK_S)

    def stats(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "refused": self.refused, "errors": self.errors,
                "fetches": self.fetches, "records_carried": self.carried, "peak_busy_handlers": self.peak_busy,
                "older_overwrites": self.older_overwrites, "older_writes_refused": self.older_refused,
                "local_errors": self.replica.local_errors}
