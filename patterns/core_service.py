"""The Core Service: the one facade consumers call, whatever architecture sits behind it.

Consumers list, get, read details and update customers; they never learn whether an answer came
from the system of record or from a local replica. It holds one strategy per kind of call, each
replaceable by a pattern: ``summary_reads`` (list, get), ``detail_reads`` and ``writes``. It starts
direct, and write-through: the system of record first, synchronously; local tables only after it
accepted the write (the ``after_write`` hooks patterns add).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from patterns.integration import IntegrationService, NotFound
from patterns.ports import Caller, Customer, CustomerDetail, Step


# A strategy's methods return a step that has not started yet (generator functions do): the Core
# Service hands it to the consumer as it is, so a check that fails must fail once the step runs.
class SummaryReads(Protocol):
    def list(self, caller: Caller, criteria: dict[str, str], offset: int, limit: int) -> Step: ...
    def get(self, caller: Caller, key: int) -> Step: ...


class DetailReads(Protocol):
    def get(self, caller: Caller, key: int) -> Step: ...


class Writes(Protocol):
    def update(self, caller: Caller, key: int, changes: dict[str, Any]) -> Step: ...


WriteHook = Callable[[Customer, CustomerDetail], Step]


class DirectSummary:
    """List and get answered by the source (search and read calls)."""

    def __init__(self, integration: IntegrationService):
        self.integration = integration

    def list(self, caller: Caller, criteria: dict[str, str], offset: int, limit: int) -> Step:
        return self.integration.search(caller, criteria, offset, limit)

    def get(self, caller: Caller, key: int) -> Step:
        return self.integration.get_customer(caller, key)


class DirectDetail:
    """Details fetched from the source on every request."""

    def __init__(self, integration: IntegrationService):
        self.integration = integration

    def get(self, caller: Caller, key: int) -> Step:
        return self.integration.get_detail(caller, key)


class WriteThrough:
    """Updates go to the system of record first; once it accepted, the Core Service's hooks update local tables."""

    def __init__(self, core: CoreService):
        self.core = core

    def update(self, caller: Caller, key: int, changes: dict[str, Any]) -> Step:
        customer, detail = yield from self.core.integration.update(caller, key, changes)
        yield from self.core.written(customer, detail)
        return customer


class CoreService:
    """Customer_CS: list/get/detail/update, delegating each to the strategy an architecture chose."""

    def __init__(self, integration: IntegrationService):
        self.integration = integration
        self.summary_reads: SummaryReads = DirectSummary(integration)
        self.detail_reads: DetailReads = DirectDetail(integration)
        self.writes: Writes = WriteThrough(self)
        self.after_write: list[WriteHook] = []

    # Each call hands back the strategy's own step rather than a generator wrapping it: a request's
    # every resumption passes each frame between the consumer and the source, so a frame that only
    # delegates costs on every simulated event. Strategies are generator functions, so nothing runs
    # (and nothing is raised) before the consumer starts the step.
    def list_customers(self, caller: Caller, criteria: dict[str, str], page: int = 0, page_size: int = 50) -> Step:
        return self.summary_reads.list(caller, criteria, page * page_size, page_size)

    def get_customer(self, caller: Caller, key: int) -> Step:
        return self.summary_reads.get(caller, key)

    def get_customer_detail(self, caller: Caller, key: int) -> Step:
        return self.detail_reads.get(caller, key)

    def update_customer(self, caller: Caller, key: int, changes: dict[str, Any]) -> Step:
        return self.writes.update(caller, key, changes)

    def written(self, customer: Customer, detail: CustomerDetail) -> Step:
        """The system of record accepted a write and returned this version: bring local tables up to it."""
        for hook in self.after_write:
            yield from hook(customer, detail)


__all__ = ["CoreService", "DirectSummary", "DirectDetail", "WriteThrough", "SummaryReads", "DetailReads", "Writes",
           "NotFound"]
