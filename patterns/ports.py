"""The ports through which patterns reach the world: a system of record, time, and observers.

Patterns are written as generator functions (``result = yield from source.read(...)``) so the same
code runs under any scheduler that drives generators; the simulator drives them with SimPy.
``SourceSystem`` speaks the source's *own* format (field names, reply envelopes); the drivers in
``integration.py`` translate. The normalized records consumers see are defined here too, since
every pattern shares them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

# A pattern step: a generator that yields scheduler events and returns a value.
Step = Generator[Any, Any, Any]

SUMMARY_FIELDS = ("name", "city", "country", "segment")
DETAIL_FIELDS = ("balance", "credit_limit", "open_orders", "last_order_date")


class Customer(NamedTuple):
    """Summary fields of a customer, as the system of record last gave them.

    Records are named tuples: immutable, and cheap enough to build by the million.
    """

    id: int
    name: str
    city: str
    country: str
    segment: str
    version: int
    updated_at: float


class CustomerDetail(NamedTuple):
    """Detail fields of a customer (volatile, sensitive), with the version they were read at."""

    id: int
    balance: float
    credit_limit: float
    open_orders: int
    last_order_date: str
    version: int
    updated_at: float


class Contract(NamedTuple):
    """A customer's contract: it references a customer, so it must never arrive before it."""

    id: int
    customer_id: int
    product: str
    version: int
    updated_at: float


@dataclass(slots=True, frozen=True)
class Caller:
    """Who is calling the Core Service, and the roles that decide which calls it may make."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)


@dataclass(slots=True)
class Table:
    """Rows in a source's own layout: a header of field names and tuples in that order."""

    fields: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass(slots=True)
class Reply:
    """A source's answer envelope: success or an error code and message (never an exception)."""

    ok: bool
    data: Any = None
    code: str = ""
    message: str = ""
    as_of: float = 0.0
    cursor: Any = None


class SourceSystem(Protocol):
    """A system of record as it really is: its own API, field names and error replies.

    Every method returns a step (a generator, not yet started) whose value is a ``Reply``, except
    ``subscribe``, which only registers an endpoint the source will call after each change.
    ``changes`` pages through records updated after ``since`` (``None``: every record, in key order
    from ``after``).
    """

    name: str

    def authenticate(self, client_id: str, secret: str) -> Step: ...
    def search(self, token: str, criteria: dict[str, str], offset: int, limit: int) -> Step: ...
    def read(self, token: str, key: int) -> Step: ...
    def read_detail(self, token: str, key: int) -> Step: ...
    def last_update(self, token: str, key: int) -> Step: ...
    def changes(self, token: str, since: float | None, after: Any, limit: int) -> Step: ...
    def contract_changes(self, token: str, since: float | None, after: Any, limit: int) -> Step: ...
    def update(self, token: str, key: int, values: dict[str, Any]) -> Step: ...
    def subscribe(self, endpoint: Endpoint) -> Subscription: ...


class Notification(NamedTuple):
    """A source's callback after a change: which record, the version it reached, and when.

    ``record`` is None for a plain notification (the subscriber fetches the record if it wants it).
    A source that sends records (event-carried state transfer, as an IDoc, an outbound message or a
    change-data-capture event does) puts the changed record here, as it was at the change: a
    ``Table`` of one row in the source's layout, which the Integration Service turns into a
    ``Customer`` before any pattern sees it.
    """

    key: int
    version: int
    at: float
    record: Any = None


# A subscriber's API endpoint: a step returning True (taken) or False (refused, e.g. no free handler).
Endpoint = Callable[[Notification], Step]


class Subscription(Protocol):
    """Change callbacks from one source to one endpoint; the source delivers them on its own schedule."""

    @property
    def pending(self) -> int:
        """Notifications queued, in flight or waiting for a retry: zero once everything is answered."""
        ...


class Runtime(Protocol):
    """Time as patterns see it: the clock, timers, concurrent activities and signals."""

    @property
    def now(self) -> float: ...
    def sleep(self, seconds: float) -> Any: ...
    def spawn(self, step: Step) -> Any: ...
    def event(self) -> Any: ...
    def within(self, step: Step, seconds: float) -> Step:
        """Run ``step``; raise ``TimeoutError`` after ``seconds`` (the step itself goes on)."""
        ...


class Observer:
    """Hooks patterns call so that measurements can be taken; the default does nothing."""

    def cache(self, table: str, hit: bool) -> None:
        """A read that a local table could answer: answered locally (hit) or not (miss)."""

    def sync_queue(self, length: int) -> None:
        """The sync queue now holds ``length`` items."""

    def sync_cycle(self) -> None:
        """A periodic sync began a cycle (a sync that never runs in the window cannot be judged on its load)."""

    def callback(self, accepted: bool) -> None:
        """A change notification from the source was taken (or refused for want of capacity)."""

    def orphans(self, count: int) -> None:
        """Contracts held locally whose customer is not held locally: ``count`` from now on."""


NULL_OBSERVER = Observer()
Delay = Callable[[], float]
