"""The customers of a simulated ERP: values built lazily from Faker-made pools, and every change.

Customer values are drawn once per seed into numpy arrays of indices into small Faker-made pools
(names, places, dates), so a million customers cost a fraction of a second; only records that
change are stored. Every change bumps the record's version and ``updated_at`` and is logged by
field group (summary or detail): that history is what staleness is judged against, and the change
log is what a "changes since" call pages through. ``simulator/erp.py`` keeps the API, the call path
and the change process; ``simulator/contracts.py`` the contracts.
"""

from __future__ import annotations

import bisect
import functools
import random
from array import array
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from faker import Faker

# The ERP's row layouts (SAP-like field names): summary, detail, and both together.
SUMMARY = ("KUNNR", "NAME1", "ORT01", "LAND1", "KDGRP", "VERSION", "AEDAT")
DETAIL = ("KUNNR", "SALDO", "KLIMK", "AUFTR", "LETZT", "VERSION", "AEDAT")
FULL = ("KUNNR", "NAME1", "ORT01", "LAND1", "KDGRP", "SALDO", "KLIMK", "AUFTR", "LETZT", "VERSION", "AEDAT")
SEGMENTS = ("retail", "wholesale", "public", "partner")
LOCALES = ("en_US", "de_DE", "fr_FR", "pt_PT", "es_ES", "it_IT", "nl_NL", "pl_PL")
# Positions in a record's mutable state list.
NAME, CITY, SEGMENT, BALANCE, LIMIT, ORDERS, LAST_ORDER, VERSION, UPDATED = range(9)
SUMMARY_GROUP, DETAIL_GROUP = "summary", "detail"
# History pruning runs once the entries held reach twice what the last pruning kept, and at least this many.
PRUNE_MIN = 8192
# The change log is compacted once it holds this many entries more than twice the records ever changed.
LOG_SLACK = 4096


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


class CustomerBook:
    """All customers of one ERP: their values, a city index for searches, and their change history."""

    def __init__(self, n: int, seed: int, rng: random.Random):
        self.pools = pools(seed)
        self.rng = rng  # draws the values of changes and new customers
        gen = np.random.default_rng(seed)
        self.count = n
        # Typed arrays, not lists: 8 bytes a value instead of a Python object each (a million records), and
        # indexing still gives plain ints and floats.
        self._first = array("q", gen.integers(0, len(self.pools.first), n).tobytes())
        self._last = array("q", gen.integers(0, len(self.pools.last), n).tobytes())
        self._place = array("q", gen.integers(0, len(self.pools.places), n).tobytes())
        self._segment = array("q", gen.integers(0, len(SEGMENTS), n).tobytes())
        self._balance = array("d", np.round(gen.gamma(2.0, 2500.0, n), 2).tobytes())
        self._limit = array("q", (gen.integers(1, 50, n) * 1000).tobytes())
        self._orders = array("q", gen.poisson(3, n).astype(np.int64).tobytes())
        self._last_order = array("q", gen.integers(0, len(self.pools.dates), n).tobytes())
        order = np.argsort(np.asarray(self._place), kind="stable")
        bounds = np.searchsorted(np.asarray(self._place)[order], np.arange(len(self.pools.places) + 1))
        self._city_order, self._city_bounds = order, bounds
        self._members: dict[int, list[int]] = {}
        self.place_index = {city: i for i, (city, _) in enumerate(self.pools.places)}
        self._state: dict[int, list[Any]] = {}
        self._rows: dict[int, tuple[Any, ...]] = {}  # summary rows as last built; dropped on change
        # Pages of a city search as last built, per city and (offset, limit); dropped when a record of the
        # city changes or one joins or leaves it. The same cities are listed again and again between changes.
        self._pages: dict[int, dict[tuple[int, int], list[tuple[Any, ...]]]] = {}
        # Change history per key and group: parallel lists of versions and times, oldest first. ``prune``
        # drops what no copy can still need; ``dropped`` counts what it dropped, per group and key.
        self.history: dict[str, dict[int, tuple[list[int], list[float]]]] = {SUMMARY_GROUP: {}, DETAIL_GROUP: {}}
        # The newest version of each key's changes per group (0: none yet), indexed by key: lets a page of
        # reads be judged fresh in C-level maps (``Metrics.reads``) before any history is looked at.
        self.newest: dict[str, list[int]] = {SUMMARY_GROUP: [0] * n, DETAIL_GROUP: [0] * n}
        self.dropped: dict[str, dict[int, int]] = {SUMMARY_GROUP: {}, DETAIL_GROUP: {}}
        self.entries = 0  # history entries held, both groups
        # Called with the time of a change once ``entries`` reaches ``prune_at`` (see ``prune``).
        self.pruner: Callable[[float], None] | None = None
        self.prune_at = PRUNE_MIN
        # The change log the changes feed pages through: (time, key) of changes, in time order. Only a
        # key's latest change is ever reported, so the others are compacted away (``_compact``).
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
            row = self._rows[k] = self.summary(k)
        return row

    def summary(self, k: int) -> tuple[Any, ...]:
        """Record ``k``'s summary row, built now and not cached (a full load, the convergence check)."""
        s = self._state.get(k)
        if s is None:  # unchanged: straight from the base columns, as ``_base`` would give them
            p = self.pools
            city, country = p.places[self._place[k]]
            return (k, f"{p.first[self._first[k]]} {p.last[self._last[k]]}", city, country,
                    SEGMENTS[self._segment[k]], 1, 0.0)
        city, country = self.pools.places[s[CITY]]
        return (k, s[NAME], city, country, SEGMENTS[s[SEGMENT]], s[VERSION], s[UPDATED])

    def detail_row(self, k: int) -> tuple[Any, ...]:
        s = self.state(k)
        return (k, s[BALANCE], s[LIMIT], s[ORDERS], s[LAST_ORDER], s[VERSION], s[UPDATED])

    def full_row(self, k: int) -> tuple[Any, ...]:
        s = self.state(k)
        city, country = self.pools.places[s[CITY]]
        return (k, s[NAME], city, country, SEGMENTS[s[SEGMENT]], s[BALANCE], s[LIMIT], s[ORDERS], s[LAST_ORDER],
                s[VERSION], s[UPDATED])

    def city_of(self, k: int) -> str:
        """Record ``k``'s city (asked once per list request: read from the columns, no record built)."""
        s = self._state.get(k)
        return self.pools.places[s[CITY] if s is not None else self._place[k]][0]

    def search(self, criteria: dict[str, str], offset: int, limit: int) -> list[tuple[Any, ...]]:
        """One page of the summary rows of a city (``ORT01``), in key order, matching the other criteria too."""
        place = self.place_index.get(criteria["ORT01"])
        if place is None:
            return []
        keys = self.members(place)
        if len(criteria) == 1:
            pages = self._pages.get(place)
            if pages is None:
                pages = self._pages[place] = {}
            rows = pages.get((offset, limit))
            if rows is None:
                rows = pages[offset, limit] = [self.summary_row(k) for k in keys[offset:offset + limit]]
            return rows[:]  # a copy: the caller may keep or change its page
        checks = [(SUMMARY.index(f), v) for f, v in criteria.items()]
        rows = [r for r in map(self.summary_row, keys) if all(r[i] == v for i, v in checks)]
        return rows[offset:offset + limit]

    def change(self, k: int, summary: bool, detail: bool, now: float, values: dict[int, Any] | None = None) -> int:
        """Change record ``k`` at ``now``: given values, or drawn ones for the chosen field groups; its new version."""
        s = self._mutable(k)
        rng = self.rng
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
        self._pages.pop(s[CITY], None)
        if CITY in values and values[CITY] != s[CITY]:
            self._pages.pop(values[CITY], None)
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
                self.newest[group][k] = s[VERSION]
                self.entries += 1
        self._log_times.append(now)
        self._log_keys.append(k)
        if len(self._log_times) >= 2 * len(self._state) + LOG_SLACK:
            self._compact()
        if self.entries >= self.prune_at and self.pruner is not None:
            self.pruner(now)
        return s[VERSION]

    def _compact(self) -> None:
        """Keep only the log entries the feed can report: each key's latest change (same pages, same cursors)."""
        state = self._state
        kept = [(t, k) for t, k in zip(self._log_times, self._log_keys, strict=True) if state[k][UPDATED] == t]
        self._log_times = [t for t, _ in kept]
        self._log_keys = [k for _, k in kept]

    def prune(self, before: float, held: Mapping[int, int]) -> None:
        """Drop the history no read can still be judged against (docs/benchmarks.md, memory).

        A copy holding version ``v`` of a record is judged by the first change after ``v``, so changes at
        or below every version still held are dead. ``before``: every copy not in ``held`` was read from
        the ERP at or after this time (responses and callbacks in flight), so it holds at least the
        version current then; ``held``: the lowest version each key's stored copies hold (a replica or
        cache row, a queued change), which may be older. A change is dropped when it is older than
        ``before`` and not above the key's held version.
        """
        kept = 0
        for group, entries in self.history.items():
            dropped = self.dropped[group]
            for k in list(entries):
                versions, times = entries[k]
                n = bisect.bisect_left(times, before)
                floor = held.get(k)
                if floor is not None:
                    n = min(n, bisect.bisect_right(versions, floor))
                if n:
                    dropped[k] = dropped.get(k, 0) + n
                    if n == len(versions):
                        del entries[k]
                        continue
                    del versions[:n], times[:n]
                kept += len(versions)
        self.entries = kept
        self.prune_at = max(PRUNE_MIN, 2 * kept)

    def changes_after(self, group: str, k: int, version: int) -> int:
        """How many changes of ``group`` record ``k`` has had after ``version`` (0: every change ever)."""
        entry = self.history[group].get(k)
        later = len(entry[0]) - bisect.bisect_right(entry[0], version) if entry is not None else 0
        return later + (self.dropped[group].get(k, 0) if version == 0 else 0)

    def add(self) -> int:
        """A new customer at version 0, with drawn values; ``change`` then makes it version 1."""
        k = self.count
        rng = self.rng
        self.count += 1
        for newest in self.newest.values():
            newest.append(0)
        place = rng.randrange(len(self.pools.places))
        self._state[k] = [f"{rng.choice(self.pools.first)} {rng.choice(self.pools.last)}", place,
                          rng.randrange(len(SEGMENTS)), 0.0, 5000.0, 0, self.pools.dates[-1], 0, 0.0]
        if place in self._members:
            self._members[place].append(k)
        self._pages.pop(place, None)
        return k

    def staleness(self, group: str, k: int, version: int, now: float) -> float:
        """Age of what a reader holding ``version`` of ``k`` has missed in ``group`` (0.0 if nothing)."""
        entry = self.history[group].get(k)
        if entry is None or entry[0][-1] <= version:
            return 0.0
        versions, times = entry
        return now - times[bisect.bisect_right(versions, version)]

    def changes(self, since: float | None, after: int | None, limit: int) -> tuple[list[tuple[Any, ...]], Any]:
        """A page of summary rows and the cursor after it: every record in key order from ``after`` (``since``
        None), else each record changed after ``since``, once, at its latest change."""
        if since is None:
            start = 0 if after is None else after + 1
            keys = range(start, min(start + limit, self.count))
            rows = [self._rows.get(k) or self.summary(k) for k in keys]  # a full load caches no rows
            return rows, (None, keys[-1] if rows else after)
        rows, last = [], since
        times, keys = self._log_times, self._log_keys
        for j in range(bisect.bisect_right(times, since), len(times)):
            k = keys[j]
            if self.state(k)[UPDATED] == times[j]:  # the key's latest change: report it once
                rows.append(self.summary_row(k))
                last = times[j]
                if len(rows) == limit:
                    break
        return rows, (last, None)
