"""Queued real-time sync: the callback only records the change; workers apply it in parallel.

A variant of ``realtime_sync``, which takes its notifications through this pattern's ``take`` (its
``Intake`` extension point): the endpoint's only work is one committed insert into the ``sync_queue``
table, so it answers at once and a burst of changes never finds the endpoint full. ``workers``
consumers claim items with a lease
(``patterns/sync_queue.py``), fetch the record through the Integration Service (or take the one
the callback carried, kept in the queue row), and write the replica and delete the item in one
transaction.

Failures, and what happens to the item:

- the source is down (``SourceUnavailable``): the item goes back, free after a back-off that
  doubles while the source stays down (at most one lease); it is not the item's fault, so no try
  is counted;
- the source refuses the read (no such record, bad request): a failed try;
- the worker dies (``crash_rate``, per item, after the fetch and before the write): the item
  stays leased, is delivered again when the lease runs out, and the redelivery counts a try;
- the lease runs out while the worker still waits (a source call that hangs): another worker
  takes the item, and the first one's write is refused when it finally comes (``lost_leases``).

An item that has failed ``max_tries`` times is poison: it moves to ``dead_letters``.

Idle workers do not poll. A worker that finds nothing to claim waits until it is woken: by an
enqueue (one idle worker per item, as a condition variable's notify), or by the clock when an
item's lease or back-off ends (an alarm at the earliest such time, which wakes every idle worker
once). An item whose key another worker holds needs neither: that worker claims again as soon as
it is done. So k workers serve the queue as k servers; ``poll_interval`` is only how long a failed
item, or a worker after a local database error, waits before the next try.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any

from patterns.integration import IntegrationError, SourceUnavailable
from patterns.params import fraction, positive
from patterns.pattern import Context, Pattern
from patterns.ports import Notification, Step
from patterns.realtime_sync import IDLE_CHECK_S, RealtimeSync
from patterns.store import LocalStoreError
from patterns.sync_queue import Item, SyncQueue


class QueuedSync(Pattern):
    """Real-time sync through a queue table and a pool of leasing workers."""

    id = "queued_sync"
    axis = "summary"
    title = "Queued real-time sync"
    description = "Callbacks only enqueue; a pool of workers applies the changes in parallel, with leases."
    advantages = ("Bursts of changes are absorbed by the queue: no callback refused",
                  "A crashed worker's change is delivered again after its lease",
                  "Poison changes are set aside in a dead-letter table, not retried forever")
    disadvantages = ("A queue table, workers and leases to run and watch",
                     "Replica lags by the queue's length in a burst")
    defaults = {"workers": 4, "lease": 30.0, "max_tries": 5, "poll_interval": 1.0, "crash_rate": 0.0}
    variant_of = "realtime_sync"
    watch = ("sync.queue_max",)

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        positive(params, "workers", "lease", "max_tries", "poll_interval")
        fraction(params, "crash_rate")

    def __init__(self, params: Mapping[str, Any] | None = None):
        super().__init__(params)
        p = self.params
        self.workers, self.lease, self.max_tries = p["workers"], p["lease"], p["max_tries"]
        self.poll_interval, self.crash_rate = p["poll_interval"], p["crash_rate"]
        self.enqueued = self.applied = self.crashes = self.dead = self.source_down = self.lost_leases = 0
        self.working = 0
        self.local_errors = 0

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        self.realtime: RealtimeSync = ctx.installed[self.variant_of]  # type: ignore[assignment]
        self.realtime.use_intake(self)
        self.queue = SyncQueue(ctx.store)
        self._idle: deque[Any] = deque()  # one wake-up event per idle worker, longest idle first
        self._alarm_at = math.inf  # when the earliest pending alarm rings

    def start(self) -> list[Step]:
        return [self.worker(f"worker-{i}") for i in range(self.workers)]

    def take(self, notification: Notification) -> Step:
        """The endpoint: one committed insert, then the answer."""
        rt = self.ctx.runtime
        yield rt.sleep(self.ctx.store.latency())
        try:
            self.queue.put(notification.key, notification.version, rt.now, notification.record)
        except LocalStoreError:
            self.local_errors += 1
            return False  # not taken: the source counts a failed callback (and retries, if it does)
        self.enqueued += 1
        self.ctx.observer.sync_queue(self.queue.length)
        if self._idle:  # wake one idle worker for one item, as a condition variable's notify does
            self._idle.popleft().succeed()
        return True

    def worker(self, name: str) -> Step:
        """Claim, fetch, apply; with nothing to claim, wait to be woken (see the module docstring).

        A local database error rolls back what the worker was doing; the item it held comes back
        when its lease ends, as after a crash.
        """
        rt, store = self.ctx.runtime, self.ctx.store
        incarnation = backoff = 0
        me = f"{name}.{incarnation}"  # the lease holder's name: a new one for each incarnation
        while True:
            yield rt.sleep(store.latency())
            try:
                item = self.queue.claim(me, rt.now, self.lease)
                if item is None:
                    wake = rt.event()
                    self._idle.append(wake)
                    yield wake
                    continue
                self._arm(rt.now + self.lease)  # if this worker dies, its item comes back then
                if item.tries >= self.max_tries:
                    self._bury(item, "delivered too often (its workers crashed)")
                    continue
                self.working += 1
                try:
                    outcome = yield from self._process(item)
                finally:
                    self.working -= 1
                if outcome == "crashed":
                    incarnation += 1  # a fresh worker takes its place; the item waits for its lease
                    me = f"{name}.{incarnation}"
                elif outcome == "unavailable":
                    backoff = min(self.lease, max(self.poll_interval, 2 * backoff))
                    self._release(item, rt.now + backoff, failed=False)
                    yield rt.sleep(backoff)
                else:
                    backoff = 0
            except LocalStoreError:
                self.local_errors += 1
                yield rt.sleep(self.poll_interval)

    def _release(self, item: Item, free_at: float, failed: bool) -> None:
        self.queue.release(item, free_at, failed)
        self._arm(free_at)

    def _arm(self, at: float) -> None:
        """Make sure an alarm rings by ``at``, when an item may become claimable by the clock alone."""
        if at < self._alarm_at:
            self._alarm_at = at
            self.ctx.runtime.spawn(self._alarm(at))

    def _alarm(self, at: float) -> Step:
        """At ``at``, wake every idle worker to claim what became free, and set the next alarm."""
        rt = self.ctx.runtime
        yield rt.sleep(at - rt.now)
        if at != self._alarm_at:
            return  # an earlier alarm rang meanwhile and set the next one
        self._alarm_at = math.inf
        idle, self._idle = self._idle, deque()
        for wake in idle:
            wake.succeed()
        try:
            later = self.queue.next_free(rt.now)
        except LocalStoreError:
            later = rt.now + self.poll_interval  # cannot ask: look again soon
        if later is not None:
            self._arm(later)

    def _process(self, item: Item) -> Step:
        rt, store = self.ctx.runtime, self.ctx.store
        try:
            customer = yield from self.realtime.record_for(item.key, item.version, item.record)
        except SourceUnavailable:
            self.source_down += 1
            return "unavailable"  # the worker gives the item back and backs off
        except IntegrationError as exc:
            if item.tries + 1 >= self.max_tries:
                self._bury(item, f"{type(exc).__name__}: {exc}", failed=True)
            else:
                self._release(item, rt.now + self.poll_interval, failed=True)
            return "failed"
        if self.crash_rate and self.ctx.rng.random() < self.crash_rate:
            self.crashes += 1
            return "crashed"
        yield rt.sleep(store.latency())
        if customer is not None:
            self.realtime.check_order(customer)
        if not self.queue.complete(item, [customer] if customer is not None else [], self.realtime.only_newer):
            self.lost_leases += 1  # the lease ran out mid-item: another worker has it; write nothing
            return "lost lease"
        self.applied += 1
        self.ctx.observer.sync_queue(self.queue.length)
        return "applied"

    def _bury(self, item: Item, reason: str, failed: bool = False) -> None:
        if self.queue.bury(item, self.ctx.runtime.now, reason, failed):
            self.dead += 1
            self.ctx.observer.sync_queue(self.queue.length)

    def quiesce(self) -> Step:
        """Wait until every item is applied or buried (a crashed item returns after its lease)."""
        while self.queue.length or self.working:
            yield self.ctx.runtime.sleep(IDLE_CHECK_S)

    def stats(self) -> dict[str, Any]:
        return {"enqueued": self.enqueued, "applied": self.applied, "worker_crashes": self.crashes,
                "source_unavailable": self.source_down, "dead_letters": self.dead, "lost_leases": self.lost_leases,
                "queue_left": self.queue.length, "local_errors": self.local_errors}
