"""Cold cache with batch sync: a timer copies what changed in the source into a local replica.

Each cycle asks the Integration Service for records updated since the stored cursor, page by page,
upserts each page into the replica and only then advances the cursor: a cycle that fails (source
down) leaves the cursor where it was, and the next cycle fetches the same changes again. The first
cycle is a full load in key order. Reads never wait for the sync; they may be up to one interval
(plus one sync's duration) out of date.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patterns.core_service import serve_from_replica
from patterns.pattern import RECOVERABLE, Context, Pattern
from patterns.ports import Customer, Step


def copy_changes(ctx: Context, cursor_name: str, page_size: int,
                 on_page: Callable[[list[Customer]], None] | None = None, source: str | None = None) -> Step:
    """Copy what changed since the saved cursor into the replica (everything, the first time).

    Shared by every sync that needs a full or incremental load: batch cycles, the initial load of
    real-time sync, and each system of a transparency service (``source``). Raises
    ``IntegrationError`` when the source fails and ``LocalStoreError`` when the local database
    does; each page and the cursor after it commit in one transaction, so the next call resumes
    where this one stopped and never skips a page.
    """
    rt = ctx.runtime
    saved = ctx.store.cursor(cursor_name)
    since, after = saved if saved else (None, None)
    load_started: float | None = None
    while True:
        rows, cursor, as_of, more = yield from ctx.integration.changes(ctx.sync_caller, since, after, page_size,
                                                                       source=source)
        if since is None and load_started is None:
            load_started = as_of
        yield rt.sleep(ctx.store.latency())
        ctx.store.upsert_customers(rows, only_newer=True, commit=False)
        if not more:
            # A finished full load continues from the moment it began: what changed while
            # it ran has a newer timestamp and comes with the next cycle.
            since, after = (load_started, None) if since is None else (cursor[0], None)
        else:
            since, after = cursor
        ctx.store.save_cursor(cursor_name, since, after)  # commits the page and the cursor together
        if on_page is not None:
            on_page(rows)
        if not more:
            return


class BatchSync(Pattern):
    """Summary replica kept by a periodic, cursor-based sync from the system of record."""

    id = "batch_sync"
    axis = "summary"
    title = "Cold cache with batch sync"
    summary = "A timer copies changed summary fields into a local table; reads and searches use SQL."
    advantages = ("Simple, stable source API (one 'changes since' call)", "Local search, joins and mashups",
                  "Low, predictable load on the source", "Consumers never wait for the sync")
    disadvantages = ("Reads may be out of date by up to one sync interval",)
    keeps_replica = True
    cursor_name = "customers"

    def __init__(self, params: dict[str, Any] | None = None):
        super().__init__(params)
        self.interval = float(self.params.get("interval", 300.0))
        self.page_size = int(self.params.get("page_size", 1000))
        if self.interval <= 0 or self.page_size <= 0:
            raise ValueError("batch_sync: interval and page_size must be positive")
        self.cycles = self.failed_cycles = self.records_synced = 0
        self._running = False
        self.last_cycle_s = 0.0
        self.max_cycle_s = 0.0
        self.timer = True  # False when another module (isolated_sync, transparency) drives the cycles

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        self.replica = serve_from_replica(ctx, self.cursor_name)

    def start(self) -> list[Step]:
        return [self._timer()] if self.timer else []

    def _timer(self) -> Step:
        yield from self.cycle()
        while True:
            yield self.ctx.runtime.sleep(self.interval)
            yield from self.cycle()

    def cycle(self) -> Step:
        """One sync: page through changes since the cursor; returns False if the source failed."""
        if self._running:
            return True
        ctx, rt = self.ctx, self.ctx.runtime
        self._running = True
        started = rt.now
        ctx.observer.sync_cycle()
        try:
            yield from copy_changes(ctx, self.cursor_name, self.page_size, self._counted)
            self.cycles += 1
            return True
        except RECOVERABLE:
            self.failed_cycles += 1
            return False
        finally:
            self._running = False
            self.last_cycle_s = rt.now - started
            self.max_cycle_s = max(self.max_cycle_s, self.last_cycle_s)

    def _counted(self, rows: list[Customer]) -> None:
        self.records_synced += len(rows)

    def quiesce(self) -> Step:
        rt = self.ctx.runtime
        while self._running:
            yield rt.sleep(1.0)
        while self.timer and not (yield from self.cycle()):
            yield rt.sleep(min(self.interval, 30.0))

    def stats(self) -> dict[str, Any]:
        return {"cycles": self.cycles, "failed_cycles": self.failed_cycles,
                "records_synced": self.records_synced, "max_cycle_s": round(self.max_cycle_s, 6)}
