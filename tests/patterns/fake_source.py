"""An in-memory system of record: a second implementation of the ``SourceSystem`` port.

It speaks the layout ``ErpDriver`` reads (the field names come from the driver's maps) and nothing of
the simulator: no queue, no service-time distributions, no faults. Every call takes ``CALL_S`` of the
runtime's time; a change is called back to each subscriber ``CALLBACK_S`` later, one notification
at a time per subscriber, and a refused notification is lost. The contract suite runs every pattern
against it as well as against the simulated ERP, so a pattern that leans on the simulator's quirks
instead of the port shows up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from patterns.drivers import ErpDriver
from patterns.ports import Endpoint, Notification, Reply, Runtime, Step, Table

CALL_S = 0.01
CALLBACK_S = 0.05
SUMMARY = tuple(ErpDriver.summary_map.values())
DETAIL = tuple(ErpDriver.detail_map.values())
FULL = tuple(dict.fromkeys(SUMMARY + DETAIL))
CONTRACT = tuple(ErpDriver.contract_map.values())
CITIES = ("Lisbon", "Porto", "Faro")
NORMALIZED = {source: field for field, source in {**ErpDriver.summary_map, **ErpDriver.detail_map}.items()}


class FakeSubscription:
    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.pending = 0


class FakeSource:
    """``count`` customers (one contract each) whose records change only when told to."""

    def __init__(self, runtime: Runtime, name: str = "fake", count: int = 60):
        self.runtime, self.name, self.count = runtime, name, count
        self.records = {k: {"KUNNR": k, "NAME1": f"Customer {k}", "ORT01": CITIES[k % 3], "LAND1": "PT",
                            "KDGRP": "retail", "SALDO": 100.0 * k, "KLIMK": 5000.0, "AUFTR": k % 4,
                            "LETZT": "2025-01-01", "VERSION": 1, "AEDAT": 0.0} for k in range(count)}
        self.contracts = {k: {"VBELN": k, "KUNNR": k, "MATNR": "power", "VERSION": 1, "AEDAT": 0.0}
                          for k in range(count)}
        self.log: list[tuple[float, int]] = []  # (time, key) of every change, oldest first
        self.subscriptions: list[FakeSubscription] = []
        self.calls = 0

    # -- what the test does to it -----------------------------------------------------------------
    def change(self, key: int, **values: Any) -> None:
        """Another user of the system changes record ``key`` (ERP field names), now."""
        record = self.records[key]
        record.update(values or {"NAME1": f"{record['NAME1']}'"})
        record["VERSION"] += 1
        record["AEDAT"] = self.runtime.now
        self.log.append((self.runtime.now, key))
        for subscription in self.subscriptions:
            subscription.pending += 1
            self.runtime.spawn(self._deliver(subscription, Notification(key, record["VERSION"], self.runtime.now)))

    def _deliver(self, subscription: FakeSubscription, notification: Notification) -> Step:
        yield self.runtime.sleep(CALLBACK_S)
        try:
            yield from subscription.endpoint(notification)
        finally:
            subscription.pending -= 1

    def summary(self, key: int) -> tuple[Any, ...]:
        return tuple(self.records[key][f] for f in SUMMARY)

    # -- the port ----------------------------------------------------------------------------------
    def _reply(self, answer: Callable[[], Reply]) -> Step:
        yield self.runtime.sleep(CALL_S)
        self.calls += 1
        return answer()

    def _ok(self, data: Any = None, cursor: Any = None) -> Reply:
        return Reply(True, data, as_of=self.runtime.now, cursor=cursor)

    def _missing(self, key: Any) -> Reply:
        return Reply(False, code="NOT_FOUND", message=f"no customer {key}", as_of=self.runtime.now)

    def _one(self, key: int, fields: tuple[str, ...]) -> Reply:
        if key not in self.records:
            return self._missing(key)
        return self._ok(Table(fields, [tuple(self.records[key][f] for f in fields)]))

    def authenticate(self, client_id: str, secret: str) -> Step:
        return (yield from self._reply(lambda: self._ok({"token": "fake-token", "expires_in": 1e9})))

    def search(self, token: str, criteria: dict[str, str], offset: int, limit: int) -> Step:
        def answer() -> Reply:
            rows = [self.summary(k) for k, r in sorted(self.records.items())
                    if all(r[f] == v for f, v in criteria.items())]
            return self._ok(Table(SUMMARY, rows[offset:offset + limit]))
        return (yield from self._reply(answer))

    def read(self, token: str, key: int) -> Step:
        return (yield from self._reply(lambda: self._one(key, SUMMARY)))

    def read_detail(self, token: str, key: int) -> Step:
        return (yield from self._reply(lambda: self._one(key, DETAIL)))

    def last_update(self, token: str, key: int) -> Step:
        return (yield from self._reply(
            lambda: self._ok(self.records[key]["AEDAT"]) if key in self.records else self._missing(key)))

    def changes(self, token: str, since: float | None, after: Any, limit: int) -> Step:
        return (yield from self._reply(lambda: self._page(self.records, SUMMARY, since, after, limit)))

    def contract_changes(self, token: str, since: float | None, after: Any, limit: int) -> Step:
        return (yield from self._reply(lambda: self._page(self.contracts, CONTRACT, since, after, limit)))

    def _page(self, table: dict[int, dict[str, Any]], fields: tuple[str, ...], since: float | None, after: Any,
              limit: int) -> Reply:
        """Every row in key order after ``after`` (``since`` None), else the rows changed after ``since``."""
        if since is None:
            keys = [k for k in sorted(table) if after is None or k > after][:limit]
            return self._ok(Table(fields, [tuple(table[k][f] for f in fields) for k in keys]),
                            (None, keys[-1] if keys else after))
        changed = sorted({k: table[k]["AEDAT"] for _, k in self.log
                          if k in table and table[k]["AEDAT"] > since}.items(), key=lambda item: item[1])[:limit]
        rows = [tuple(table[k][f] for f in fields) for k, _ in changed]
        return self._ok(Table(fields, rows), (changed[-1][1] if changed else since, None))

    def update(self, token: str, key: int, values: dict[str, Any]) -> Step:
        def answer() -> Reply:
            if key not in self.records:
                return self._missing(key)
            if not set(values) <= set(NORMALIZED):
                return Reply(False, code="READ_ONLY", message=f"cannot write {sorted(values)}", as_of=self.runtime.now)
            self.change(key, **values)
            return self._one(key, FULL)
        return (yield from self._reply(answer))

    def subscribe(self, endpoint: Endpoint) -> FakeSubscription:
        subscription = FakeSubscription(endpoint)
        self.subscriptions.append(subscription)
        return subscription
