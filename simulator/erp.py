"""The simulated ERP: the system of record the patterns integrate with.

It implements ``patterns.ports.SourceSystem`` in the ERP's own format (SAP-like field names, reply
envelopes with error codes). Its data lives in a ``CustomerBook`` (``simulator/customers.py``: values,
versions and the change history staleness is judged against) and a ``ContractBook``; this module
keeps the API, the call path and the change process.

Calls queue for ``erp.capacity`` servers, first come first served (``simulator/servers.py``); each
operation has its own service-time distribution and pays the network latency both ways. Outages, an
error rate and expiring tokens give the patterns the faults real code must handle. ``subscribe``
hands change callbacks (and their delays, loss, duplication and reordering) to
``simulator/callbacks.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from patterns.ports import Endpoint, Reply, Subscription, Table
from simulator.callbacks import Callbacks
from simulator.contracts import ContractBook
from simulator.customers import (
    BALANCE,
    CITY,
    DETAIL,
    DETAIL_GROUP,
    FULL,
    LAST_ORDER,
    LIMIT,
    NAME,
    ORDERS,
    SEGMENT,
    SEGMENTS,
    SUMMARY,
    SUMMARY_GROUP,
    UPDATED,
    CustomerBook,
)
from simulator.distributions import sampler, streams
from simulator.popularity import picker
from simulator.servers import Servers

SUMMARY_KEYS = {"NAME1": NAME, "ORT01": CITY, "KDGRP": SEGMENT}
DETAIL_KEYS = {"SALDO": BALANCE, "KLIMK": LIMIT, "AUFTR": ORDERS, "LETZT": LAST_ORDER}
SEARCHABLE = frozenset({"ORT01", "LAND1", "KDGRP"})


class ErpObserver:
    """What the ERP reports to the metrics; the default does nothing."""

    def erp_call(self, op: str, started: float, service_s: float, records: int) -> None: ...
    def erp_queue(self, now: float, waiting: int) -> None: ...
    def erp_change(self, key: int, group: str, now: float) -> None: ...
    def callback(self, accepted: bool) -> None: ...


class Erp:
    """One system of record: its data, its change process and its API (see module docstring)."""

    def __init__(self, env: simpy.Environment, scenario: dict[str, Any], seed: int,
                 observer: ErpObserver | None = None, name: str = "erp"):
        self.env, self.name = env, name
        self.observer = observer or ErpObserver()
        erp, data, workload = scenario["erp"], scenario["data"], scenario["workload"]
        self.rng = streams(seed, f"{name}:service", f"{name}:network", f"{name}:errors", f"{name}:changes",
                           f"{name}:change-keys", f"{name}:data")
        self.servers = Servers(env, erp["capacity"])
        self.service = {op: sampler(spec, self.rng[f"{name}:service"]) for op, spec in erp["service"].items()}
        self.network = sampler(erp["network_latency"], self.rng[f"{name}:network"])
        self.no_network = erp["network_latency"]["dist"] == "constant" and erp["network_latency"]["mean_ms"] == 0
        self.error_rate = erp["error_rate"]
        self.outages = sorted((o["start"], o["start"] + o["duration"], o.get("mode", "fail")) for o in erp["outages"])
        self.spikes = sorted((w["start"], w["start"] + w["duration"], w["multiplier"]) for w in erp["latency_spikes"])
        self.slowdown = erp["slowdown"]
        self.token_ttl = erp["token_ttl"]
        self.update_rate, self.insert_rate = erp["update_rate"], erp["insert_rate"]
        self.summary_fraction = erp["summary_change_fraction"]
        self.bursts = [(b["start"], b["start"] + b["duration"], b["multiplier"]) for b in erp["bursts"]]
        self.customers = CustomerBook(data["customers"], seed, self.rng[f"{name}:changes"])
        book = self.customers  # the record API, read on every call: bound once
        self.history, self.newest = book.history, book.newest
        self.state, self.summary_row = book.state, book.summary_row
        self.changes_after, self.summary = book.changes_after, book.summary
        self.detail_row, self.full_row, self.city_of, self.staleness = (book.detail_row, book.full_row,
                                                                         book.city_of, book.staleness)
        self.pick = picker(workload["request_distribution"], lambda: self.count, self.count,
                           workload["zipf_theta"], self.rng[f"{name}:change-keys"])
        self._tokens: dict[str, float] = {}
        self.waiting = 0
        self.calls = 0
        self.changes_made = 0
        self.listeners: list[Callable[[int, int, float], None]] = []
        self.contracts = ContractBook(env, self.count, data["contracts_per_customer"], erp["contract_update_rate"],
                                      streams(seed, f"{name}:contracts")[f"{name}:contracts"])
        self.service.setdefault("contract_changes", self.service["changes"])
        cb = streams(seed, f"{name}:callback-delay", f"{name}:callback-faults")
        self.callbacks = Callbacks(env, erp["callback"], cb[f"{name}:callback-delay"],
                                   cb[f"{name}:callback-faults"], self.observer, self.record_table)

    def record_table(self, k: int) -> Table:
        """Record ``k`` as a callback carries it (event-carried state transfer): every field, one row."""
        return Table(FULL, [self.full_row(k)])

    # -- changes ------------------------------------------------------------------------------------
    def apply(self, k: int, summary: bool, detail: bool, values: dict[int, Any] | None = None) -> int:
        """Change record ``k`` now (given values, or drawn ones for the chosen field groups) and tell the listeners."""
        now = self.env.now
        version = self.customers.change(k, summary, detail, now, values)
        for group, touched in ((SUMMARY_GROUP, summary), (DETAIL_GROUP, detail)):
            if touched:
                self.observer.erp_change(k, group, now)
        self.changes_made += 1
        for listener in self.listeners:
            listener(k, version, now)
        return version

    def insert(self) -> int:
        """A new customer (a summary change from nothing to version 1)."""
        k = self.customers.add()
        self.apply(k, True, True, values={})
        self.contracts.open(k)  # a new customer comes with its contracts, at the same instant
        return k

    def change_process(self, horizon: float) -> Generator[Any, Any, None]:
        """Poisson changes (and inserts) until ``horizon``."""
        rng = self.rng[f"{self.name}:changes"]
        total = self.update_rate + self.insert_rate
        if self.contracts.update_rate > 0:
            self.env.process(self.contracts.change_process(horizon, lambda: self.count))
        if total <= 0:
            return
        env = self.env
        # Bursts (a flash sale, a month-end run) multiply the rate inside their windows: draw at the
        # peak rate and thin, as the workload does; without bursts the draws are exactly as before.
        peak = total * max([1.0] + [m for _, _, m in self.bursts])
        while True:
            yield env.timeout(rng.expovariate(peak))
            if env.now >= horizon:
                return
            if self.bursts and rng.random() * peak >= total * self.burst_at(env.now):
                continue
            if rng.random() * total < self.insert_rate:
                self.insert()
            else:
                summary = rng.random() < self.summary_fraction
                self.apply(self.pick(), summary, not summary)

    def burst_at(self, t: float) -> float:
        """The change-rate multiplier at time ``t`` (1.0 outside every burst)."""
        for start, end, multiplier in self.bursts:
            if start <= t < end:
                return multiplier
        return 1.0

    # -- truth, for metrics -------------------------------------------------------------------------
    @property
    def count(self) -> int:
        return self.customers.count

    # -- the API (SourceSystem) ------------------------------------------------------------------------
    def _outage(self, now: float) -> tuple[float, str] | None:
        for start, end, mode in self.outages:
            if start <= now < end:
                return end, mode
            if start > now:
                break
        return None

    def _spike(self, now: float) -> float:
        for start, end, multiplier in self.spikes:
            if start <= now < end:
                return multiplier
        return 1.0

    def _call(self, op: str, token: str | None, answer: Callable[[], Reply]) -> Generator[Any, Any, Reply]:
        """Network in, queue, serve, network out; ``answer`` computes the reply at service time."""
        env = self.env
        if not self.no_network:
            yield env.timeout(self.network())
        if self.outages:
            down = self._outage(env.now)
            if down is not None:
                if down[1] == "hang":
                    yield env.timeout(down[0] - env.now)
                else:
                    self.observer.erp_call(op, env.now, 0.0, 0)
                    if not self.no_network:
                        yield env.timeout(self.network())
                    return Reply(False, code="UNAVAILABLE", message="system is down", as_of=env.now)
        servers = self.servers
        turn = servers.acquire()
        if turn is not None:  # every server busy: wait in line (a call served at once never queued)
            self.waiting += 1
            self.observer.erp_queue(env.now, self.waiting)
            try:
                yield turn
            except BaseException:
                servers.abandon(turn)
                raise
            finally:
                self.waiting -= 1
                self.observer.erp_queue(env.now, self.waiting)
        try:
            started = env.now
            service = self.service[op]()
            if self.slowdown:  # a loaded ERP serves each call more slowly (contention, swapping)
                service *= 1.0 + self.slowdown * self.waiting
            if self.spikes:
                service *= self._spike(started)
            yield env.timeout(service)
            if token is not None and self._tokens.get(token, -1.0) <= env.now:
                reply = Reply(False, code="TOKEN_EXPIRED", message="token expired or unknown", as_of=env.now)
            elif self.error_rate and self.rng[f"{self.name}:errors"].random() < self.error_rate:
                reply = Reply(False, code="SERVER_ERROR", message="internal error", as_of=env.now)
            else:
                reply = answer()
        finally:
            servers.release()
        self.calls += 1
        rows = reply.data.rows if reply.ok and isinstance(reply.data, Table) else ()
        self.observer.erp_call(op, started, service, len(rows))
        if not self.no_network:
            yield env.timeout(self.network())
        return reply

    def subscribe(self, endpoint: Endpoint) -> Subscription:
        """Call ``endpoint`` after every later change (delays and faults: simulator/callbacks.py)."""
        if self.callbacks.notify not in self.listeners:
            self.listeners.append(self.callbacks.notify)
        return self.callbacks.subscribe(endpoint)

    # Each operation returns its ``_call`` step itself instead of a generator delegating to it: a frame
    # that only delegates is resumed at every event of every call.
    def authenticate(self, client_id: str, secret: str) -> Generator[Any, Any, Reply]:
        def answer() -> Reply:
            token = f"tok-{len(self._tokens) + 1}"
            self._tokens[token] = self.env.now + self.token_ttl
            return Reply(True, {"token": token, "expires_in": self.token_ttl}, as_of=self.env.now)
        return self._call("auth", None, answer)

    def search(self, token: str, criteria: dict[str, str], offset: int, limit: int) -> Generator[Any, Any, Reply]:
        def answer() -> Reply:
            if "ORT01" not in criteria or not criteria.keys() <= SEARCHABLE:
                return Reply(False, code="UNSUPPORTED_FILTER", message="search needs ORT01 (city)",
                             as_of=self.env.now)
            rows = self.customers.search(criteria, offset, limit)
            return Reply(True, Table(SUMMARY, rows), as_of=self.env.now)
        return self._call("search", token, answer)

    def read(self, token: str, key: int) -> Generator[Any, Any, Reply]:
        return self._call("get", token, lambda: self._one(key, self.summary_row, SUMMARY))

    def read_detail(self, token: str, key: int) -> Generator[Any, Any, Reply]:
        return self._call("detail", token, lambda: self._one(key, self.detail_row, DETAIL))

    def last_update(self, token: str, key: int) -> Generator[Any, Any, Reply]:
        def answer() -> Reply:
            if not 0 <= key < self.count:
                return Reply(False, code="NOT_FOUND", message=f"no customer {key}", as_of=self.env.now)
            return Reply(True, self.state(key)[UPDATED], as_of=self.env.now)
        return self._call("timestamp", token, answer)

    def changes(self, token: str, since: float | None, after: int | None, limit: int) -> Generator[Any, Any, Reply]:
        return self._call("changes", token, lambda: self._changes(since, after, limit))

    def contract_changes(self, token: str, since: float | None, after: int | None,
                         limit: int) -> Generator[Any, Any, Reply]:
        """Contracts changed after ``since`` (every one, from ``after``, when ``since`` is None)."""
        return self._call("contract_changes", token, lambda: self.contracts.changes(since, after, limit))

    def update(self, token: str, key: int, values: dict[str, Any]) -> Generator[Any, Any, Reply]:
        def answer() -> Reply:
            if not 0 <= key < self.count:
                return Reply(False, code="NOT_FOUND", message=f"no customer {key}", as_of=self.env.now)
            unknown = set(values) - set(SUMMARY_KEYS) - set(DETAIL_KEYS) - {"LAND1"}
            if unknown or "LAND1" in values:
                return Reply(False, code="READ_ONLY", message=f"cannot write {sorted(unknown) or ['LAND1']}",
                             as_of=self.env.now)
            mapped: dict[int, Any] = {}
            for field, value in values.items():
                if field == "ORT01":
                    if value not in self.customers.place_index:
                        return Reply(False, code="INVALID", message=f"unknown city {value!r}", as_of=self.env.now)
                    value = self.customers.place_index[value]
                elif field == "KDGRP":
                    if value not in SEGMENTS:
                        return Reply(False, code="INVALID", message=f"unknown segment {value!r}", as_of=self.env.now)
                    value = SEGMENTS.index(value)
                mapped[SUMMARY_KEYS.get(field, DETAIL_KEYS.get(field))] = value
            self.apply(key, bool(set(values) & set(SUMMARY_KEYS)), bool(set(values) & set(DETAIL_KEYS)), mapped)
            return Reply(True, Table(FULL, [self.full_row(key)]), as_of=self.env.now)
        return self._call("update", token, answer)

    def _one(self, key: int, row: Callable[[int], tuple[Any, ...]], fields: tuple[str, ...]) -> Reply:
        if not 0 <= key < self.count:
            return Reply(False, code="NOT_FOUND", message=f"no customer {key}", as_of=self.env.now)
        return Reply(True, Table(fields, [row(key)]), as_of=self.env.now)

    def _changes(self, since: float | None, after: int | None, limit: int) -> Reply:
        rows, cursor = self.customers.changes(since, after, limit)
        return Reply(True, Table(SUMMARY, rows), as_of=self.env.now, cursor=cursor)
