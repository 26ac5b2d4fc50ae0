"""Cold cache with batch sync: a timer copies what changed in the source into a local replica.

Each cycle asks the Integration Service for records updated since the stored cursor, page by page,
upserts each page into the replica and only then advances the cursor: a cycle that fails (source
down) leaves the cursor where it was, and the next cycle fetches the same changes again. The first
cycle is a full load in key order. Reads never wait for the sync; they may be up to one interval
(plus one sync's duration) out of date.

This pattern owns the timer and the replica's ``SyncJob`` (``patterns/replica.py``); what a cycle
copies can be extended by others (one copy per system with ``transparency``, the contracts after
the customers with ``isolated_sync``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patterns.integration import MAX_PAGE
from patterns.params import at_most, positive
from patterns.pattern import Context, Pattern
from patterns.ports import Step
from patterns.replica import CustomerCopy, SyncJob, serve_from_replica

DRAIN_RETRY_S = 30.0  # at most this long between two tries of the last cycle at the end of a run


class BatchSync(Pattern):
    """Summary replica kept by a periodic, cursor-based sync from the system of record."""

    id = "batch_sync"
    axis = "summary"
    title = "Cold cache with batch sync"
    description = "A timer copies changed summary fields into a local table; reads and searches use SQL."
    advantages = ("Simple, stable source API (one 'changes since' call)", "Local search, joins and mashups",
                  "Low, predictable load on the source", "Consumers never wait for the sync")
    disadvantages = ("Reads may be out of date by up to one sync interval",)
    defaults = {"interval": 300.0, "page_size": 1000}
    exclusive = True
    cursor_name = "customers"

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        positive(params, "interval", "page_size")
        at_most(params, "page_size", MAX_PAGE, "the Integration Service's page limit")

    def __init__(self, params: Mapping[str, Any] | None = None):
        super().__init__(params)
        self.interval, self.page_size = self.params["interval"], self.params["page_size"]

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        self.job = SyncJob(ctx, [CustomerCopy(ctx, self.cursor_name, self.page_size)], interval=self.interval)
        self.replica = serve_from_replica(ctx, self.job)

    def start(self) -> list[Step]:
        return [self._timer()]

    def _timer(self) -> Step:
        yield from self.job.cycle()
        while True:
            yield self.ctx.runtime.sleep(self.interval)
            yield from self.job.cycle()

    def cycle(self) -> Step:
        """One sync: every copy of the job, then its after steps; returns False if any failed."""
        return (yield from self.job.cycle())

    def quiesce(self) -> Step:
        yield from self.job.settle(min(self.interval, DRAIN_RETRY_S))

    def stats(self) -> dict[str, Any]:
        job = self.job
        return {"cycles": job.cycles, "failed_cycles": job.failed_cycles,
                "records_synced": sum(copy.rows for copy in job.copies), "max_cycle_s": round(job.max_cycle_s, 6),
                "local_errors": self.replica.local_errors}
