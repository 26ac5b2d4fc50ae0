"""Write-behind: consumers' updates are queued locally and sent to the system of record later.

An update is accepted as soon as it is in the local queue: the consumer waits for one local write,
not for the system of record. Every ``flush_interval`` seconds a flusher sends up to ``batch_size``
queued updates, oldest first; with ``coalesce`` several updates of one record waiting together are
merged into one call. Once the source accepted an update, the Core Service's write hooks run as they
do after a write-through, so a replica or a detail cache takes the version the source returned.

What that costs in consistency, shown in ``stats()``:

- until its flush, nobody sees an update, not even the consumer who made it (``lag_mean_s``,
  ``lag_max_s``: from acceptance to the source's answer);
- an update the source refuses after it was accepted is lost, and the consumer was told it
  succeeded (``lost``);
- while the source is down, updates pile up (``pending_max``) and go out when it answers again. A
  call that timed out is sent again: safe here only because an update sets values, so applying it
  twice changes nothing.

The queue is kept in memory to keep the example short; a real one is a table in the local database
that survives a restart, like queued_sync's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from patterns.integration import IntegrationError, InvalidInput, SourceUnavailable
from patterns.params import positive
from patterns.pattern import Context, Pattern
from patterns.ports import DETAIL_FIELDS, SUMMARY_FIELDS, Caller, Step

WRITABLE = frozenset(SUMMARY_FIELDS) | frozenset(DETAIL_FIELDS)


@dataclass
class Pending:
    """An accepted update not yet sent: who made it, what it changes, and when it was accepted."""

    caller: Caller
    key: int
    changes: dict[str, Any]
    accepted_at: float


class WriteBehind(Pattern):
    """Updates acknowledged from a local queue and flushed to the system of record in batches."""

    id = "write_behind"
    axis = "writes"
    title = "Write-behind"
    description = "Updates are queued locally and sent to the system of record later; consumers never wait for it."
    advantages = ("An update answers after one local write", "Bursts of updates reach the source smoothed out",
                  "Several updates of one record become one call")
    disadvantages = ("Nobody sees an update until it is flushed, not even its author",
                     "An update the source refuses is lost after the consumer was told it succeeded",
                     "Updates still queued are lost with the queue")
    defaults = {"flush_interval": 5.0, "batch_size": 100, "coalesce": True}

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        positive(params, "flush_interval", "batch_size")

    def __init__(self, params: Mapping[str, Any] | None = None):
        super().__init__(params)
        self.flush_interval, self.batch_size = self.params["flush_interval"], self.params["batch_size"]
        self.coalesce = self.params["coalesce"]
        self.pending: dict[Any, Pending] = {}  # oldest first; keyed by record when coalescing
        self.accepted = self.coalesced = self.sent = self.lost = self.retries = self.pending_max = 0
        self.lag_total = self.lag_max = 0.0
        self.flushing = False
        self._seq = 0

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        ctx.core.writes = self

    def start(self) -> list[Step]:
        return [self._flusher()]

    # -- the Core Service's writes -----------------------------------------------------------------
    def update(self, caller: Caller, key: int, changes: dict[str, Any]) -> Step:
        """Accept the update into the queue; returns None: the record as the source will hold it is not known yet."""
        self.ctx.integration.authorize(caller, "update")
        if not changes or not set(changes) <= WRITABLE:
            raise InvalidInput(f"update fields must be among {sorted(WRITABLE)}")
        yield self.ctx.runtime.sleep(self.ctx.store.latency())  # the local queue write
        self.coalesced += self._enqueue(Pending(caller, key, dict(changes), self.ctx.runtime.now))
        self.accepted += 1
        self.pending_max = max(self.pending_max, len(self.pending))
        return None

    def _enqueue(self, item: Pending) -> bool:
        """Queue ``item`` behind the others; True when it was merged into an older update of the same record."""
        waiting = self.pending.get(item.key) if self.coalesce else None
        if waiting is not None:
            waiting.changes.update(item.changes)  # the newer values win; the older acceptance time stays
            return True
        self._seq += 1
        self.pending[item.key if self.coalesce else self._seq] = item
        return False

    # -- the flusher ---------------------------------------------------------------------------------
    def _flusher(self) -> Step:
        while True:
            yield self.ctx.runtime.sleep(self.flush_interval)
            yield from self.flush()

    def flush(self) -> Step:
        """Send up to ``batch_size`` queued updates, oldest first; stop at the first the source cannot take now."""
        if self.flushing:
            return
        self.flushing = True
        try:
            batch = [self.pending.pop(tag) for tag in list(self.pending)[:self.batch_size]]
            for i, item in enumerate(batch):
                try:
                    customer, detail = yield from self.ctx.integration.update(item.caller, item.key, item.changes)
                except SourceUnavailable:
                    self.retries += 1
                    self._put_back(batch[i:])
                    return
                except IntegrationError:
                    self.lost += 1  # refused: the consumer was told it succeeded
                    continue
                lag = self.ctx.runtime.now - item.accepted_at
                self.sent += 1
                self.lag_total += lag
                self.lag_max = max(self.lag_max, lag)
                yield from self.ctx.core.written(customer, detail)
        finally:
            self.flushing = False

    def _put_back(self, items: list[Pending]) -> None:
        """Return unsent updates to the front of the queue, ahead of those accepted since."""
        queue, self.pending = [*items, *self.pending.values()], {}
        for item in queue:
            self._enqueue(item)

    def quiesce(self) -> Step:
        """Flush until nothing is left (the source may be down for a while: try again every flush interval)."""
        rt = self.ctx.runtime
        while self.pending or self.flushing:
            if not self.flushing:
                yield from self.flush()
            if self.pending or self.flushing:
                yield rt.sleep(min(self.flush_interval, 1.0))

    def stats(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "coalesced": self.coalesced, "sent": self.sent, "lost": self.lost,
                "retries": self.retries, "pending_max": self.pending_max, "pending_at_end": len(self.pending),
                "lag_mean_s": round(self.lag_total / self.sent, 6) if self.sent else 0.0,
                "lag_max_s": round(self.lag_max, 6)}
