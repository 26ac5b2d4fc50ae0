"""Ordered real-time sync: concurrent, late and repeated callbacks never roll the replica back.

A source that fires callbacks from several threads gives no order: a notification for version 7
can arrive after the one for version 8, the same one can arrive twice, and two handlers can fetch
the same record at nearly the same moment and write in the opposite order to the one they read
in. Plain real-time sync writes whatever it fetched last, so it can leave an older copy over a
newer one with no later callback to repair it.

This variant of ``realtime_sync`` (inline, or queued with ``queued_sync+ordered_sync``) changes
two things, both decided by the source's per-record version:

- every replica write is guarded: an older version never overwrites a newer one
  (``Store.upsert_customers(only_newer=True)``, a conditional ``ON CONFLICT`` update);
- before fetching, the handler reads the version the replica holds; a notification it already
  covers (a duplicate, or one overtaken by a newer change) is answered without a source call.

With callbacks that carry the record (``erp.callback.payload = "record"``) nothing is fetched, and
the guard alone does the work: a late callback's older record is refused. That is where ordering
matters most: a plain notification fetches the record as it is now however late it arrives, but a
carried record is as old as its callback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patterns.pattern import Context, Pattern
from patterns.ports import Step
from patterns.realtime_sync import RealtimeSync


class OrderedSync(Pattern):
    """Version-guarded real-time sync: the replica only moves forward."""

    id = "ordered_sync"
    axis = "summary"
    title = "Ordered real-time sync"
    description = "Callbacks may come late, twice or concurrently; a record's version decides, so it never goes back."
    advantages = ("Copes with a source that calls back from many threads at once",
                  "Duplicate and overtaken notifications cost no source call",
                  "Makes callbacks that carry the record safe: no fetch per change, and an older one is refused")
    disadvantages = ("Needs a version or timestamp from the source for every record",
                     "One more local read per notification")
    variant_of = "realtime_sync"

    def __init__(self, params: Mapping[str, Any] | None = None):
        super().__init__(params)
        self.skipped = 0

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        realtime: RealtimeSync = ctx.installed[self.variant_of]  # type: ignore[assignment]
        realtime.guard_fetches(self)

    def wants(self, key: int, version: int) -> Step:
        """Whether the replica still needs ``version`` of ``key``: False when it already holds it or later.

        One primary-key read before the fetch. A duplicate, or a notification overtaken by a newer
        change the replica already has, then costs no source call; the guarded write (``only_newer``)
        covers the race this read cannot, two handlers fetching the same record at once.
        """
        ctx = self.ctx
        yield ctx.runtime.sleep(ctx.store.latency())
        held = ctx.store.customer(key)
        if held is not None and held.version >= version:
            self.skipped += 1
            return False
        return True

    def stats(self) -> dict[str, int]:
        return {"notifications_already_held": self.skipped}
