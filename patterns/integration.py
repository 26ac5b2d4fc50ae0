"""The Integration Service: the one place that talks to a system of record.

It follows the wrapper canvas step by step for every call: validate inputs and check the caller's
role; get (or refresh) an expiring credential; map normalized inputs to the source's format; call
the source and audit the call; turn error replies into exceptions; normalize the outputs. It is
per concept (customers), not per system: with several sources it routes each call to a driver.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from patterns.drivers import Driver
from patterns.ports import (
    DETAIL_FIELDS,
    SUMMARY_FIELDS,
    Caller,
    Endpoint,
    Notification,
    Runtime,
    SourceSystem,
    Step,
    Subscription,
)

READ, WRITE, SYNC = "customers.read", "customers.write", "customers.sync"
REQUIRED_ROLE = {
    "search": READ, "read": READ, "read_detail": READ, "last_update": READ, "changes": SYNC, "update": WRITE,
    "contract_changes": SYNC,
}
FILTER_FIELDS = frozenset({"city", "country", "segment"})
MAX_PAGE = 1000
# Refresh a token this long before it expires, so a call never goes out with a dying credential.
REFRESH_MARGIN = 5.0


class IntegrationError(Exception):
    """Base of every error the Integration Service raises to its callers."""


class InvalidInput(IntegrationError):
    """The call's inputs are inconsistent; no source was called."""


class NotAuthorized(IntegrationError):
    """The caller lacks the role the call needs; no source was called."""


class NotFound(IntegrationError):
    """The source has no such record."""


class SourceUnavailable(IntegrationError):
    """The source could not answer (outage, timeout, server error): safe to retry a read later."""


class CallTimeout(SourceUnavailable):
    """The source did not answer within the caller's timeout."""


class SourceRejected(IntegrationError):
    """The source refused the call (a business rule or a bad request): retrying will not help."""


UNAVAILABLE_CODES = frozenset({"UNAVAILABLE", "TIMEOUT", "SERVER_ERROR"})


class Credentials:
    """An expiring token for one source, fetched on first use and refreshed before expiry.

    The secret and the token live only here: they are never audited, logged or returned.
    """

    def __init__(self, source: SourceSystem, client_id: str, secret: str):
        self._source, self.client_id, self._secret = source, client_id, secret
        self._token: str | None = None
        self.expires_at = float("-inf")
        self.refreshes = 0

    def current(self, now: float) -> str | None:
        """The token if it is still good at ``now`` (no call needed), else None."""
        return self._token if self._token is not None and now < self.expires_at - REFRESH_MARGIN else None

    def token(self, now: float, invoke: Callable[[Step], Step] | None = None) -> Step:
        """The current token, fetching a new one first when it is missing or about to expire.

        ``invoke`` wraps the source call (the Integration Service passes its timeout guard).
        """
        if self._token is None or now >= self.expires_at - REFRESH_MARGIN:
            call = self._source.authenticate(self.client_id, self._secret)
            reply = yield from (invoke(call) if invoke else call)
            if not reply.ok:
                raise SourceUnavailable(f"{self._source.name}: authentication failed: {reply.code}")
            self._token = reply.data["token"]
            self.expires_at = reply.as_of + reply.data["expires_in"]
            self.refreshes += 1
        return self._token

    def __repr__(self) -> str:
        return f"Credentials(client_id={self.client_id!r}, expires_at={self.expires_at})"


@dataclass(slots=True)
class Route:
    """One system of record behind the service: the source, its driver and its credentials."""

    source: SourceSystem
    driver: Driver
    credentials: Credentials


@dataclass(frozen=True, slots=True)
class CallPolicy:
    """How patiently the service calls a source: a timeout on every call, and retries for reads.

    Reads are safe to repeat, so a read that times out or finds the source unavailable is tried
    again after an exponential backoff with jitter (``backoff * 2**n``, capped, times a random
    factor in [0.5, 1.5)) so that callers who failed together do not retry together. Writes are
    never retried here: the caller cannot know whether the first attempt was applied.
    """

    timeout: float | None = 10.0
    retries: int = 2
    backoff: float = 0.2
    backoff_max: float = 5.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return min(self.backoff_max, self.backoff * 2 ** (attempt - 1)) * (0.5 + rng.random())


RETRY_SAFE = frozenset({"search", "read", "read_detail", "last_update", "changes", "contract_changes"})


class IntegrationService:
    """Normalized customer API over one or more systems of record (see module docstring)."""

    def __init__(self, runtime: Runtime, routes: Iterable[Route], audit: Any,
                 policy: CallPolicy | None = None, rng: random.Random | None = None):
        self.runtime = runtime
        self.routes = {route.source.name: route for route in routes}
        self.default = next(iter(self.routes.values()))
        self.audit = audit
        self.policy = policy or CallPolicy(timeout=None, retries=0)
        self.rng = rng or random.Random(0)
        self.timeouts = self.retried = 0
        self.owner: Callable[[int], str] | None = None  # key -> name of the owning source (transparency)

    def route_for(self, key: int) -> Route:
        """The route owning ``key``: the one source, or the one ``owner`` names (see transparency)."""
        return self.default if self.owner is None else self.routes[self.owner(key)]

    def subscribe(self, endpoint: Endpoint) -> list[Subscription]:
        """Have every source call ``endpoint`` after each change, normalized by its driver: the key, and
        the record when the notification carries one."""
        return [route.source.subscribe(self._normalized(route, endpoint)) for route in self.routes.values()]

    @staticmethod
    def _normalized(route: Route, endpoint: Endpoint) -> Endpoint:
        driver = route.driver
        own_ids = type(driver).from_source_value is Driver.from_source_value  # the source's ids are ours

        def normalized(notification: Notification) -> Step:
            if notification.record is not None:
                record = driver.customers(notification.record)[0]
                notification = notification._replace(key=record.id, record=record)
            elif not own_ids:
                notification = notification._replace(key=driver.from_source_value("id", notification.key))
            return endpoint(notification)
        return normalized

    # -- the normalized API -------------------------------------------------------------------
    def search(self, caller: Caller, criteria: dict[str, str], offset: int, limit: int,
               source: str | None = None) -> Step:
        self.authorize(caller, "search")
        if not criteria.keys() <= FILTER_FIELDS or not all(map(isinstance, criteria.values(), repeat(str))):
            raise InvalidInput(f"search filters are {sorted(FILTER_FIELDS)} with text values")
        self._check_page(offset, limit)
        route = self.routes[source] if source else self.default
        table = yield from self._call(caller, route, "search", None, route.driver.map_criteria(criteria), offset, limit)
        return route.driver.customers(table)

    def get_customer(self, caller: Caller, key: int) -> Step:
        self.authorize(caller, "read")
        route = self.route_for(self._check_key(key))
        table = yield from self._call(caller, route, "read", key, route.driver.source_key(key))
        return route.driver.customers(table)[0]

    def get_detail(self, caller: Caller, key: int) -> Step:
        self.authorize(caller, "read_detail")
        route = self.route_for(self._check_key(key))
        table = yield from self._call(caller, route, "read_detail", key, route.driver.source_key(key))
        return route.driver.details(table)[0]

    def last_update(self, caller: Caller, key: int) -> Step:
        self.authorize(caller, "last_update")
        route = self.route_for(self._check_key(key))
        updated_at = yield from self._call(caller, route, "last_update", key, route.driver.source_key(key))
        return route.driver.from_source_value("updated_at", updated_at)

    def changes(self, caller: Caller, since: float | None, after: Any, limit: int,
                source: str | None = None) -> Step:
        """Records updated after ``since``; returns (customers, next cursor, as_of, more pages?)."""
        self.authorize(caller, "changes")
        self._check_page(0, limit)
        route = self.routes[source] if source else self.default
        reply = yield from self._call(caller, route, "changes", None, since, after, limit, whole_reply=True)
        return route.driver.customers(reply.data), reply.cursor, reply.as_of, len(reply.data.rows) == limit

    def contract_changes(self, caller: Caller, since: float | None, after: Any, limit: int,
                         source: str | None = None) -> Step:
        """Contracts updated after ``since``; returns (contracts, next cursor, as_of, more pages?)."""
        self.authorize(caller, "contract_changes")
        self._check_page(0, limit)
        route = self.routes[source] if source else self.default
        reply = yield from self._call(caller, route, "contract_changes", None, since, after, limit, whole_reply=True)
        return route.driver.contracts(reply.data), reply.cursor, reply.as_of, len(reply.data.rows) >= limit

    def update(self, caller: Caller, key: int, changes: dict[str, Any]) -> Step:
        """Write to the system of record; returns the record as the source now holds it."""
        self.authorize(caller, "update")
        route = self.route_for(self._check_key(key))
        allowed = set(SUMMARY_FIELDS) | set(DETAIL_FIELDS)
        if not changes or not set(changes) <= allowed:
            raise InvalidInput(f"update fields must be among {sorted(allowed)}")
        table = yield from self._call(caller, route, "update", key, route.driver.source_key(key),
                                      route.driver.map_changes(changes))
        return route.driver.customers(table)[0], route.driver.details(table)[0]

    # -- the canvas steps -------------------------------------------------------------------------
    def authorize(self, caller: Caller, operation: str) -> None:
        """Refuse (and audit) a call the caller's roles do not allow; reads served locally check here too."""
        if REQUIRED_ROLE[operation] not in caller.roles:
            self.audit.record(self.runtime.now, caller.name, operation, None, "denied", 0.0)
            raise NotAuthorized(f"{caller.name} may not {operation} customers (needs role {REQUIRED_ROLE[operation]})")

    @staticmethod
    def _check_key(key: Any) -> int:
        if isinstance(key, bool) or not isinstance(key, int) or key < 0:
            raise InvalidInput(f"a customer id is a non-negative integer, got {key!r}")
        return key

    @staticmethod
    def _check_page(offset: int, limit: int) -> None:
        if not (isinstance(offset, int) and isinstance(limit, int) and offset >= 0 and 0 < limit <= MAX_PAGE):
            raise InvalidInput(f"page must have offset >= 0 and 0 < limit <= {MAX_PAGE}")

    def _call(self, caller: Caller, route: Route, operation: str, key: int | None, *args: Any,
              whole_reply: bool = False) -> Step:
        """Call and audit, retrying reads the source could not answer (see ``CallPolicy``).

        One frame for the whole exchange (token, call, audit, retries): every frame between the
        consumer and the source is resumed at each event of the call.
        """
        attempt = 0
        runtime, credentials = self.runtime, route.credentials
        while True:
            started = runtime.now
            try:
                try:
                    token = credentials.current(started) or (yield from credentials.token(started, self._guarded))
                    reply = yield from self._guarded(getattr(route.source, operation)(token, *args))
                    if reply.ok is False and reply.code == "TOKEN_EXPIRED":
                        credentials.expires_at = float("-inf")
                        token = yield from credentials.token(runtime.now, self._guarded)
                        reply = yield from self._guarded(getattr(route.source, operation)(token, *args))
                except TimeoutError as exc:  # from the timeout guard (``Runtime.within``)
                    self.timeouts += 1
                    self.audit.record(started, caller.name, operation, key, "TIMEOUT", runtime.now - started)
                    raise CallTimeout(f"{route.source.name}.{operation}: {exc}") from None
                self.audit.record(started, caller.name, operation, key, "ok" if reply.ok else reply.code,
                                  runtime.now - started)
                if not reply.ok:
                    raise self._normalize_error(route, operation, key, reply)
                return reply if whole_reply else reply.data
            except SourceUnavailable:
                if operation not in RETRY_SAFE or attempt >= self.policy.retries:
                    raise
                attempt += 1
                self.retried += 1
                yield runtime.sleep(self.policy.delay(attempt, self.rng))

    def _guarded(self, call: Step) -> Step:
        """``call`` under the policy's timeout: it raises ``TimeoutError`` when the source takes longer
        (the source may still finish it)."""
        timeout = self.policy.timeout
        return call if timeout is None else self.runtime.within(call, timeout)

    @staticmethod
    def _normalize_error(route: Route, operation: str, key: int | None, reply: Any) -> IntegrationError:
        what = f"{route.source.name}.{operation}({'' if key is None else key}): {reply.code} {reply.message}".rstrip()
        if reply.code == "NOT_FOUND":
            return NotFound(what)
        if reply.code in UNAVAILABLE_CODES:
            return SourceUnavailable(what)
        return SourceRejected(what)
