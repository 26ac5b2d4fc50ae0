"""The simulated ERP: the system of record the patterns integrate with (DESIGN section 3).

It implements ``patterns.ports.SourceSystem`` in the ERP's own format (SAP-like field names, reply
envelopes with error codes). Customer values are built lazily from Faker-made pools indexed by
numpy arrays, so a million customers cost a fraction of a second; only records that change are
stored. Every change bumps the record's version and ``updated_at`` and is logged by field group,
which is what staleness is judged against.

Calls queue for ``erp.capacity`` servers, first come first served (``simulator/servers.py``); each
operation has its own service-time distribution and pays the network latency both ways. Outages, an
error rate and expiring tokens give the patterns the faults real code must handle. ``subscribe``
hands change callbacks (and their delays, loss, duplication and reordering) to
``simulator/callbacks.py``.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import simpy
from faker import Faker

from patterns.ports import Endpoint, Reply, Subscription, Table
from simulator.callbacks import Callbacks
from simulator.contracts import ContractBook
from simulator.distributions import sampler, streams
from simulator.popularity import picker
from simulator.servers import Servers

SUMMARY = ("KUNNR", "NAME1", "ORT01", "LAND1", "KDGRP", "VERSION", "AEDAT")
DETAIL = ("KUNNR", "SALDO", "KLIMK", "AUFTR", "LETZT", "VERSION", "AEDAT")
FULL = ("KUNNR", "NAME1", "ORT01", "LAND1", "KDGRP", "SALDO", "KLIMK", "AUFTR", "LETZT", "VERSION", "AEDAT")
SUMMARY_TABLE_FIELDS = SUMMARY
SEGMENTS = ("retail", "wholesale", "public", "partner")
LOCALES = ("en_US", "de_DE", "fr_FR", "pt_PT", "es_ES", "it_IT", "nl_NL", "pl_PL")
# Positions in a record's mutable state list.
NAME, CITY, SEGMENT, BALANCE, LIMIT, ORDERS, LAST_ORDER, VERSION, UPDATED = range(9)
SUMMARY_GROUP, DETAIL_GROUP = "summary", "detail"
SUMMARY_KEYS = {"NAME1": NAME, "ORT01": CITY, "KDGRP": SEGMENT}
DETAIL_KEYS = {"SALDO": BALANCE, "KLIMK": LIMIT, "AUFTR": ORDERS, "LETZT": LAST_ORDER}


class Pools:
    """Faker-made value pools, made once per seed; records index into them."""

    def __init__(self, seed: int, size: int = 200):
        first, last, places = [], [], []
        for i, locale in enumerate(LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed * 1000 + i)
            country = locale.split("_")[1]
            first += [fake.first_name() for _ in range(size // 4)]
            last += [fake.last_name() for _ in range(size // 4)]
            places += [(fake.city(), country) for _ in range(size // 8)]
        self.first = first
        self.last = last
        self.places = list(dict.fromkeys(places))  # unique, in a stable order
        dates = np.datetime64("2020-01-01") + np.arange(0, 2000, 7)
        self.dates = [str(d) for d in dates]


@functools.lru_cache(maxsize=8)
def pools(seed: int) -> Pools:
    """Pools are read-only, so runs with the same seed in one process share them."""
    return Pools(seed)


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
        self._build(data["customers"], seed)
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

    # -- data ---------------------------------------------------------------------------------------
    def _build(self, n: int, seed: int) -> None:
        self.pools = pools(seed)
        gen = np.random.default_rng(seed)
        self.count = n
        self._first = gen.integers(0, len(self.pools.first), n).tolist()
        self._last = gen.integers(0, len(self.pools.last), n).tolist()
        self._place = gen.integers(0, len(self.pools.places), n).tolist()
        self._segment = gen.integers(0, len(SEGMENTS), n).tolist()
        self._balance = np.round(gen.gamma(2.0, 2500.0, n), 2).tolist()
        self._limit = (gen.integers(1, 50, n) * 1000).tolist()
        self._orders = gen.poisson(3, n).tolist()
        self._last_order = gen.integers(0, len(self.pools.dates), n).tolist()
        order = np.argsort(np.asarray(self._place), kind="stable")
        bounds = np.searchsorted(np.asarray(self._place)[order], np.arange(len(self.pools.places) + 1))
        self._city_order, self._city_bounds = order, bounds
        self._members: dict[int, list[int]] = {}
        self._place_index = {city: i for i, (city, _) in enumerate(self.pools.places)}
        self._state: dict[int, list[Any]] = {}
        self._rows: dict[int, tuple[Any, ...]] = {}  # summary rows as last built; dropped on change
        # Change history per key and group: parallel lists of versions and times, oldest first.
        self.history: dict[str, dict[int, tuple[list[int], list[float]]]] = {SUMMARY_GROUP: {}, DETAIL_GROUP: {}}
        self._log_times: list[float] = []
        self._log_keys: list[int] = []

    def _base(self, k: int) -> list[Any]:
        p = self.pools
        return [f"{p.first[self._first[k]]} {p.last[self._last[k]]}", self._place[k], self._segment[k],
                self._balance[k], float(self._limit[k]), self._orders[k], p.dates[self._last_order[k]], 1, 0.0]

    def state(self, k: int) -> list[Any]:
        """The current values of record ``k`` (read-only; unchanged records are not stored)."""
        s = self._state.get(k)
        return s if s is not None else self._base(k)

    def _mutable(self, k: int) -> list[Any]:
        s = self._state.get(k)
        if s is None:
            s = self._state[k] = self._base(k)
        return s

    def members(self, place: int) -> list[int]:
        """Keys in one city, in key order (built on first use, kept up to date after)."""
        keys = self._members.get(place)
        if keys is None:
            lo, hi = self._city_bounds[place], self._city_bounds[place + 1]
            keys = self._city_order[lo:hi].tolist()
            keys += [k for k in range(len(self._place), self.count) if self.state(k)[CITY] == place]
            keys = [k for k in keys if k not in self._state or self._state[k][CITY] == place]
            self._members[place] = keys
        return keys

    def summary_row(self, k: int) -> tuple[Any, ...]:
        row = self._rows.get(k)
        if row is None:
            s = self.state(k)
            city, country = self.pools.places[s[CITY]]
            row = self._rows[k] = (k, s[NAME], city, country, SEGMENTS[s[SEGMENT]], s[VERSION], s[UPDATED])
        return row

    def detail_row(self, k: int) -> tuple[Any, ...]:
        s = self.state(k)
        return (k, s[BALANCE], s[LIMIT], s[ORDERS], s[LAST_ORDER], s[VERSION], s[UPDATED])

    def full_row(self, k: int) -> tuple[Any, ...]:
        s = self.state(k)
        city, country = self.pools.places[s[CITY]]
        return (k, s[NAME], city, country, SEGMENTS[s[SEGMENT]], s[BALANCE], s[LIMIT], s[ORDERS], s[LAST_ORDER],
                s[VERSION], s[UPDATED])

    def record_table(self, k: int) -> Table:
        """Record ``k`` as a callback carries it (event-carried state transfer): every field, one row."""
        return Table(FULL, [self.full_row(k)])

    def city_of(self, k: int) -> str:
        return self.pools.places[self.state(k)[CITY]][0]

    # -- changes ------------------------------------------------------------------------------------
    def apply(self, k: int, summary: bool, detail: bool, values: dict[int, Any] | None = None) -> int:
        """Change record ``k`` now: given values, or drawn ones for the chosen field groups."""
        now = self.env.now
        s = self._mutable(k)
        rng = self.rng[f"{self.name}:changes"]
        if values is None:
            values = {}
            if summary:
                which = rng.random()
                if which < 0.5:
                    values[CITY] = rng.randrange(len(self.pools.places))
                elif which < 0.8:
                    values[SEGMENT] = rng.randrange(len(SEGMENTS))
                else:
                    values[NAME] = f"{rng.choice(self.pools.first)} {rng.choice(self.pools.last)}"
            if detail:
                values[BALANCE] = round(max(0.0, s[BALANCE] + rng.gauss(0, 500)), 2)
                values[ORDERS] = max(0, s[ORDERS] + rng.choice((-1, 1)))
        if CITY in values and values[CITY] != s[CITY]:
            old = self.members(s[CITY])
            del old[bisect.bisect_left(old, k)]
            new = self.members(values[CITY])
            s[CITY] = values[CITY]
            bisect.insort(new, k)
        for pos, value in values.items():
            s[pos] = value
        s[VERSION] += 1
        s[UPDATED] = now
        self._rows.pop(k, None)
        for group, touched in ((SUMMARY_GROUP, summary), (DETAIL_GROUP, detail)):
            if touched:
                versions, times = self.history[group].setdefault(k, ([], []))
                versions.append(s[VERSION])
                times.append(now)
                self.observer.erp_change(k, group, now)
        self._log_times.append(now)
        self._log_keys.append(k)
        self.changes_made += 1
        for listener in self.listeners:
            listener(k, s[VERSION], now)
        return s[VERSION]

    def insert(self) -> int:
        """A new customer (a summary change from nothing to version 1)."""
        k = self.count
        rng = self.rng[f"{self.name}:changes"]
        self.count += 1
        place = rng.randrange(len(self.pools.places))
        self._state[k] = [f"{rng.choice(self.pools.first)} {rng.choice(self.pools.last)}", place,
                          rng.randrange(len(SEGMENTS)), 0.0, 5000.0, 0, self.pools.dates[-1], 0, 0.0]
        if place in self._members:
            self._members[place].append(k)
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
    def staleness(self, group: str, k: int, version: int, now: float) -> float:
        """Age of what a reader holding ``version`` of ``k`` has missed in ``group`` (0.0 if nothing)."""
        entry = self.history[group].get(k)
        if entry is None or entry[0][-1] <= version:
            return 0.0
        versions, times = entry
        return now - times[bisect.bisect_right(versions, version)]

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

    def authenticate(self, client_id: str, secret: str) -> Generator[Any, Any, Reply]:
        def answer() -> Reply:
            token = f"tok-{len(self._tokens) + 1}"
            self._tokens[token] = self.env.now + self.token_ttl
            return Reply(True, {"token": token, "expires_in": self.token_ttl}, as_of=self.env.now)
        return (yield from self._call("auth", None, answer))

    def search(self, token: str, criteria: dict[str, str], offset: int, limit: int) -> Generator[Any, Any, Reply]:
        def answer() -> Reply:
            unsupported = set(criteria) - {"ORT01", "LAND1", "KDGRP"}
            if "ORT01" not in criteria or unsupported:
                return Reply(False, code="UNSUPPORTED_FILTER", message="search needs ORT01 (city)",
                             as_of=self.env.now)
            place = self._place_index.get(criteria["ORT01"])
            keys = self.members(place) if place is not None else []
            if len(criteria) == 1:
                cached, build = self._rows.get, self.summary_row  # most rows are built already
                rows = [cached(k) or build(k) for k in keys[offset:offset + limit]]
            else:
                checks = [(SUMMARY.index(f), v) for f, v in criteria.items()]
                rows = [r for r in map(self.summary_row, keys) if all(r[i] == v for i, v in checks)]
                rows = rows[offset:offset + limit]
            return Reply(True, Table(SUMMARY, rows), as_of=self.env.now)
        return (yield from self._call("search", token, answer))

    def read(self, token: str, key: int) -> Generator[Any, Any, Reply]:
        return (yield from self._call("get", token, lambda: self._one(key, self.summary_row, SUMMARY)))

    def read_detail(self, token: str, key: int) -> Generator[Any, Any, Reply]:
        return (yield from self._call("detail", token, lambda: self._one(key, self.detail_row, DETAIL)))

    def last_update(self, token: str, key: int) -> Generator[Any, Any, Reply]:
        def answer() -> Reply:
            if not 0 <= key < self.count:
                return Reply(False, code="NOT_FOUND", message=f"no customer {key}", as_of=self.env.now)
            return Reply(True, self.state(key)[UPDATED], as_of=self.env.now)
        return (yield from self._call("timestamp", token, answer))

    def changes(self, token: str, since: float | None, after: int | None, limit: int) -> Generator[Any, Any, Reply]:
        return (yield from self._call("changes", token, lambda: self._changes(since, after, limit)))

    def contract_changes(self, token: str, since: float | None, after: int | None,
                         limit: int) -> Generator[Any, Any, Reply]:
        """Contracts changed after ``since`` (every one, from ``after``, when ``since`` is None)."""
        return (yield from self._call("contract_changes", token, lambda: self.contracts.changes(since, after, limit)))

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
                    if value not in self._place_index:
                        return Reply(False, code="INVALID", message=f"unknown city {value!r}", as_of=self.env.now)
                    value = self._place_index[value]
                elif field == "KDGRP":
                    if value not in SEGMENTS:
                        return Reply(False, code="INVALID", message=f"unknown segment {value!r}", as_of=self.env.now)
                    value = SEGMENTS.index(value)
                mapped[SUMMARY_KEYS.get(field, DETAIL_KEYS.get(field))] = value
            self.apply(key, bool(set(values) & set(SUMMARY_KEYS)), bool(set(values) & set(DETAIL_KEYS)), mapped)
            return Reply(True, Table(FULL, [self.full_row(key)]), as_of=self.env.now)
        return (yield from self._call("update", token, answer))

    def _one(self, key: int, row: Callable[[int], tuple[Any, ...]], fields: tuple[str, ...]) -> Reply:
        if not 0 <= key < self.count:
            return Reply(False, code="NOT_FOUND", message=f"no customer {key}", as_of=self.env.now)
        return Reply(True, Table(fields, [row(key)]), as_of=self.env.now)

    def _changes(self, since: float | None, after: int | None, limit: int) -> Reply:
        now = self.env.now
        if since is None:
            start = 0 if after is None else after + 1
            keys = range(start, min(start + limit, self.count))
            rows = [self.summary_row(k) for k in keys]
            return Reply(True, Table(SUMMARY, rows), as_of=now, cursor=(None, keys[-1] if rows else after))
        rows, last = [], since
        times, keys = self._log_times, self._log_keys
        for j in range(bisect.bisect_right(times, since), len(times)):
            k = keys[j]
            if self.state(k)[UPDATED] == times[j]:  # the key's latest change: report it once
                rows.append(self.summary_row(k))
                last = times[j]
                if len(rows) == limit:
                    break
        return Reply(True, Table(SUMMARY, rows), as_of=now, cursor=(last, None))
