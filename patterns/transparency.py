"""Transparency service: one concept held in several systems of record, seen as one.

Customers are spread over several sources (each owns its own customers), each with its own API
format. One driver per source format, all with the same signatures (``patterns/drivers.py``),
translates to and from the normalized records; the Integration Service routes every call about one
customer to the driver of the source that owns it, so consumers and the Core Service never learn how
many systems there are. The sync merges every source into the one summary replica (one copy, with
its own cursor, per source), and writes go back, write-through, to the owning source.

Ownership is by key: with ``n`` sources in the scenario's order, source ``i`` owns the normalized
ids ``k`` with ``k % n == i``, and knows them by its own local number ``k // n`` written in its own
id format.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from patterns.drivers import owner_index
from patterns.integration import IntegrationService
from patterns.params import ParamError
from patterns.pattern import Context, Pattern
from patterns.ports import Caller, Customer, CustomerDetail, Step
from patterns.replica import Copy, CustomerCopy


class FederatedSearch:
    """Summary reads with no replica: a list asks every system and merges the pages by id."""

    def __init__(self, integration: IntegrationService, names: list[str]):
        self.integration, self.names = integration, names

    def list(self, caller: Caller, criteria: dict[str, str], offset: int, limit: int) -> Step:
        merged: list[Customer] = []
        for name in self.names:
            merged += yield from self.integration.search(caller, criteria, 0, offset + limit, source=name)
        merged.sort(key=lambda c: c.id)
        return merged[offset:offset + limit]

    def get(self, caller: Caller, key: int) -> Step:
        return (yield from self.integration.get_customer(caller, key))


class Transparency(Pattern):
    """Several systems of record behind one Integration Service and one merged replica.

    With a replica (kept by ``batch_sync`` or ``realtime_sync``) its sync job makes one copy per
    system instead of one from the default source, so every cycle (or the one initial load) merges
    them all, and the replica counts as loaded once each system's first full load has finished.
    With no replica, lists ask every system and merge.
    """

    id = "transparency"
    axis = "sources"
    title = "Transparency service"
    description = "Several systems hold customers: one driver each, one merged replica, writes go to the owner."
    advantages = ("Consumers see one customer list whatever system holds each customer",
                  "A new system means a new driver with the same signatures, nothing else changes")
    disadvantages = ("The sync is only as current as the slowest system allows",
                     "One driver (and its format quirks) to keep per system",
                     "Every write must find the owning system first")
    # The systems of record by name, in the order that decides ownership (see module docstring).
    defaults = {"sources": ["erp_a", "erp_b"]}

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        sources = params["sources"]
        if len(sources) < 2 or not all(isinstance(s, str) and s for s in sources) or len(set(sources)) != len(sources):
            raise ParamError("sources", "must list at least two distinct names")
        for i, name in enumerate(sources):  # names end up in results and on screens, like a scenario's name
            if any(unicodedata.category(c) == "Cc" for c in name):
                raise ParamError(f"sources[{i}]", "must not contain control characters")

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        self.names = list(ctx.integration.routes)
        if len(self.names) < 2:
            raise ValueError("transparency: needs at least two systems of record (patterns.transparency.sources)")
        n = len(self.names)
        ctx.integration.owner = lambda key: self.names[owner_index(key, n)]
        self.copies: dict[str, Copy] = {}
        if ctx.replica is None:
            ctx.core.summary_reads = FederatedSearch(ctx.integration, self.names)
        else:
            job = ctx.replica.job
            default: CustomerCopy = job.copies[0]  # type: ignore[assignment]
            self.copies = {name: default.of(name, _cursor(name)) for name in self.names}
            job.copies = list(self.copies.values())
        self.writes = dict.fromkeys(self.names, 0)
        ctx.core.after_write.append(self._count_write)

    def _count_write(self, customer: Customer, detail: CustomerDetail) -> Step:
        self.writes[self.names[owner_index(customer.id, len(self.names))]] += 1
        return
        yield  # pragma: no cover - a write hook is a step

    def stats(self) -> dict[str, Any]:
        replica = self.ctx.replica
        return {"cycles": replica.job.cycles if replica is not None else 0, "sources": {
            name: {"format": self.ctx.integration.routes[name].driver.format,
                   "records_synced": copy.rows if copy else 0, "failed_copies": copy.failures if copy else 0,
                   "writes_routed": self.writes[name], "max_copy_s": round(copy.max_s if copy else 0.0, 6)}
            for name, copy in ((name, self.copies.get(name)) for name in self.names)}}


def _cursor(source: str) -> str:
    """The sync cursor of one system's copy into the shared replica."""
    return f"customers@{source}"
