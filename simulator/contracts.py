"""Customer contracts in the simulated ERP: a second concept that references the first.

Each customer starts with ``data.contracts_per_customer`` contracts (built lazily: contract ``c``
belongs to customer ``c // per_customer`` until it changes). A customer inserted later opens its
contracts at the same instant, which is what makes the order of a sync matter: a sync that copies
contracts before it has copied their new customer shows contracts whose customer does not exist
locally. ``erp.contract_update_rate`` adds changes to existing contracts (a new product) and new
contracts for existing customers, half each.

Rows use the ERP's own layout: VBELN (contract number), KUNNR (customer), MATNR (product).
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Generator
from typing import Any

import simpy

from patterns.ports import Reply, Table

FIELDS = ("VBELN", "KUNNR", "MATNR", "VERSION", "AEDAT")
PRODUCTS = ("power-basic", "power-green", "gas-fixed", "gas-flex", "broadband", "service-plan", "insurance")
CUSTOMER, PRODUCT, VERSION, UPDATED = range(4)


class ContractBook:
    """All contracts of one ERP: values, change log (for paging changes) and the change process."""

    def __init__(self, env: simpy.Environment, customers: int, per_customer: int, update_rate: float,
                 rng: random.Random):
        self.env, self.per_customer, self.update_rate, self.rng = env, per_customer, update_rate, rng
        self.count = customers * per_customer
        self._state: dict[int, list[Any]] = {}
        self._log_times: list[float] = []
        self._log_ids: list[int] = []

    def state(self, c: int) -> list[Any]:
        s = self._state.get(c)
        if s is not None:
            return s
        return [c // self.per_customer, PRODUCTS[(c * 7919) % len(PRODUCTS)], 1, 0.0]

    def row(self, c: int) -> tuple[Any, ...]:
        s = self.state(c)
        return (c, s[CUSTOMER], s[PRODUCT], s[VERSION], s[UPDATED])

    def customer_of(self, c: int) -> int:
        return self.state(c)[CUSTOMER]

    def _log(self, c: int) -> None:
        self._log_times.append(self.env.now)
        self._log_ids.append(c)

    def open(self, customer: int, n: int | None = None) -> list[int]:
        """New contracts for ``customer`` now (``per_customer`` of them unless told)."""
        opened = []
        for _ in range(self.per_customer if n is None else n):
            c = self.count
            self.count += 1
            self._state[c] = [customer, self.rng.choice(PRODUCTS), 1, self.env.now]
            self._log(c)
            opened.append(c)
        return opened

    def change(self, c: int) -> None:
        s = self._state.get(c)
        if s is None:
            s = self._state[c] = self.state(c)
        s[PRODUCT] = self.rng.choice(PRODUCTS)
        s[VERSION] += 1
        s[UPDATED] = self.env.now
        self._log(c)

    def change_process(self, horizon: float, customers: Any) -> Generator[Any, Any, None]:
        """Poisson contract changes until ``horizon``: half new products, half new contracts."""
        if self.update_rate <= 0:
            return
        rng = self.rng
        while True:
            yield self.env.timeout(rng.expovariate(self.update_rate))
            if self.env.now >= horizon:
                return
            if rng.random() < 0.5 and self.count:
                self.change(rng.randrange(self.count))
            else:
                self.open(rng.randrange(customers()), 1)

    def changes(self, since: float | None, after: int | None, limit: int) -> Reply:
        """A page of contracts: every one in id order (``since`` None), else those changed after ``since``."""
        now = self.env.now
        if since is None:
            start = 0 if after is None else after + 1
            ids = range(start, min(start + limit, self.count))
            rows = [self.row(c) for c in ids]
            return Reply(True, Table(FIELDS, rows), as_of=now, cursor=(None, ids[-1] if rows else after))
        rows, last = [], since
        times, ids = self._log_times, self._log_ids
        for j in range(bisect.bisect_right(times, since), len(times)):
            if len(rows) >= limit and times[j] != last:
                break  # a full page ends between two instants, so the next ``since`` skips nothing
            c = ids[j]
            if self.state(c)[UPDATED] == times[j]:  # the contract's latest change: report it once
                rows.append(self.row(c))
                last = times[j]
        return Reply(True, Table(FIELDS, rows), as_of=now, cursor=(last, None))
