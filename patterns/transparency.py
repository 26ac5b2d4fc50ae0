"""Transparency service: one concept held in several systems of record, seen as one.

Customers are spread over several sources (each owns its own customers), each with its own API
format. One driver per source format, all with the same signatures, translates to and from the
normalized records; the Integration Service routes every call about one customer to the driver of
the source that owns it, so consumers and the Core Service never learn how many systems there are.
The sync merges every source into the one summary replica (one cursor per source), and writes go
back, write-through, to the owning source.

Ownership is by key: with ``n`` sources in the scenario's order, source ``i`` owns the normalized
ids ``k`` with ``k % n == i``, and knows them by its own local number ``k // n`` written in its own
id format. The formats (how each system writes ids, amounts, dates and timestamps):

- ``sap``: short German field names, numbers as numbers, timestamps in simulated seconds;
- ``crm``: camelCase names, ids ``CUST-0000042``, amounts in cents, ISO 8601 timestamps,
  upper-case tiers and lower-case country codes;
- ``legacy``: upper-case abbreviations, zero-padded ids, amounts as text with a decimal comma,
  dates as DD.MM.YYYY, timestamps in epoch milliseconds, segments as one-letter codes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from patterns.batch_sync import copy_changes
from patterns.drivers import Driver, ErpDriver
from patterns.integration import IntegrationService
from patterns.pattern import RECOVERABLE, Context, Pattern
from patterns.ports import Caller, Contract, Customer, CustomerDetail, Step, Table

# Simulated time 0, for formats that write calendar timestamps.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
LEGACY_SEGMENTS = {"retail": "R", "wholesale": "W", "public": "P", "partner": "A"}


def owner_index(key: int, n: int) -> int:
    """Which of ``n`` sources owns normalized customer ``key``."""
    return key % n


def iso_to_seconds(text: str) -> float:
    return (datetime.fromisoformat(text) - EPOCH).total_seconds()


def seconds_to_iso(seconds: float) -> str:
    return (EPOCH + timedelta(seconds=seconds)).isoformat()


def comma_to_float(text: str) -> float:
    return float(text.replace(",", "."))


def float_to_comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def dotted_to_iso_date(text: str) -> str:
    day, month, year = text.split(".")
    return f"{year}-{month}-{day}"


def iso_to_dotted_date(text: str) -> str:
    year, month, day = text.split("-")
    return f"{day}.{month}.{year}"


class FederatedDriver(Driver):
    """A driver for source ``index`` of ``n``: its format plus the key mapping of ownership."""

    format = ""
    incoming: dict[str, Callable[[Any], Any]] = {}  # normalized field <- source value
    outgoing: dict[str, Callable[[Any], Any]] = {}  # normalized field -> source value

    def __init__(self, index: int, n: int):
        super().__init__()
        self.index, self.n = index, n

    def local_id(self, local: int) -> Any:
        return local

    def parse_id(self, raw: Any) -> int:
        return int(raw)

    def source_key(self, key: int) -> Any:
        if owner_index(key, self.n) != self.index:
            raise ValueError(f"customer {key} belongs to source {owner_index(key, self.n)}, not {self.index}")
        return self.local_id(key // self.n)

    def from_source_value(self, field: str, value: Any) -> Any:
        if field == "id":
            return self.parse_id(value) * self.n + self.index
        convert = self.incoming.get(field)
        return convert(value) if convert else value

    def to_source_value(self, field: str, value: Any) -> Any:
        convert = self.outgoing.get(field)
        return convert(value) if convert else value

    def map_criteria(self, criteria: dict[str, str]) -> dict[str, str]:
        return {self.summary_map[k]: self.to_source_value(k, v) for k, v in criteria.items()}

    def contracts(self, table: Table) -> list[Contract]:
        """Contracts get global numbers like customers (local * n + index); they cite the customer's id."""
        n, index = self.n, self.index
        at = [table.fields.index(self.contract_map[f]) for f in Contract._fields]
        updated = self.incoming.get("updated_at", float)
        return [Contract(int(r[at[0]]) * n + index, self.parse_id(r[at[1]]) * n + index, r[at[2]], int(r[at[3]]),
                         updated(r[at[4]])) for r in table.rows]


class SapDriver(FederatedDriver):
    format = "sap"
    summary_map = ErpDriver.summary_map
    detail_map = ErpDriver.detail_map
    contract_map = ErpDriver.contract_map


class CrmDriver(FederatedDriver):
    format = "crm"
    summary_map = {"id": "customerId", "name": "displayName", "city": "city", "country": "countryCode",
                   "segment": "tier", "version": "rev", "updated_at": "modifiedAt"}
    detail_map = {"id": "customerId", "balance": "balanceCents", "credit_limit": "creditLimitCents",
                  "open_orders": "openOrders", "last_order_date": "lastOrderOn", "version": "rev",
                  "updated_at": "modifiedAt"}
    contract_map = {"id": "contractNo", "customer_id": "customerId", "product": "productCode", "version": "rev",
                    "updated_at": "modifiedAt"}
    incoming = {"country": str.upper, "segment": str.lower, "balance": lambda c: c / 100,
                "credit_limit": lambda c: c / 100, "updated_at": iso_to_seconds}
    outgoing = {"country": str.lower, "segment": str.upper, "balance": lambda v: round(v * 100),
                "credit_limit": lambda v: round(v * 100), "updated_at": seconds_to_iso}

    def local_id(self, local: int) -> str:
        return f"CUST-{local:07d}"

    def parse_id(self, raw: str) -> int:
        return int(raw.removeprefix("CUST-"))


class LegacyDriver(FederatedDriver):
    format = "legacy"
    summary_map = {"id": "CUSTNO", "name": "CUSTNAME", "city": "TOWN", "country": "CTRY", "segment": "CLASS",
                   "version": "SEQ", "updated_at": "CHGTS"}
    detail_map = {"id": "CUSTNO", "balance": "BAL", "credit_limit": "CREDLIM", "open_orders": "ORDERS",
                  "last_order_date": "LASTORD", "version": "SEQ", "updated_at": "CHGTS"}
    contract_map = {"id": "CONTNO", "customer_id": "CUSTNO", "product": "PROD", "version": "SEQ",
                    "updated_at": "CHGTS"}
    incoming = {"segment": {v: k for k, v in LEGACY_SEGMENTS.items()}.__getitem__, "balance": comma_to_float,
                "credit_limit": comma_to_float, "last_order_date": dotted_to_iso_date,
                "updated_at": lambda ms: ms / 1000}
    outgoing = {"segment": LEGACY_SEGMENTS.__getitem__, "balance": float_to_comma, "credit_limit": float_to_comma,
                "last_order_date": iso_to_dotted_date, "updated_at": lambda s: round(s * 1000)}

    def local_id(self, local: int) -> str:
        return f"{local:08d}"


DRIVERS: dict[str, type[FederatedDriver]] = {d.format: d for d in (SapDriver, CrmDriver, LegacyDriver)}


def driver_for(fmt: str, index: int, n: int) -> FederatedDriver:
    """The driver for a source writing ``fmt``, owning the keys of position ``index`` among ``n``."""
    if fmt not in DRIVERS:
        raise ValueError(f"no driver for source format {fmt!r} (known: {', '.join(DRIVERS)})")
    return DRIVERS[fmt](index, n)


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

    What the sync does depends on the summary strategy it finds: with ``batch_sync`` each cycle
    copies every system in turn (its own cursor each; ``isolated_sync``, when it orchestrates,
    runs these cycles before the contracts); with ``realtime_sync`` the callbacks of every system
    arrive through the Integration Service and this copies the systems other than the first once at
    the start; with no replica, lists ask every system and merge.
    """

    id = "transparency"
    axis = "sources"
    title = "Transparency service"
    summary = "Several systems hold customers: one driver each, one merged replica, writes go to the owner."
    advantages = ("Consumers see one customer list whatever system holds each customer",
                  "A new system means a new driver with the same signatures, nothing else changes")
    disadvantages = ("The sync is only as current as the slowest system allows",
                     "One driver (and its format quirks) to keep per system",
                     "Every write must find the owning system first")

    def install(self, ctx: Context) -> None:
        super().install(ctx)
        self.names = list(ctx.integration.routes)
        if len(self.names) < 2:
            raise ValueError("transparency: needs at least two systems of record (patterns.transparency.sources)")
        n = len(self.names)
        ctx.integration.owner = lambda key: self.names[owner_index(key, n)]
        self.batch = ctx.installed.get("batch_sync")
        self.realtime = ctx.installed.get("realtime_sync")
        isolated = ctx.installed.get("isolated_sync")
        if self.batch is not None:
            self.batch.timer = False  # a cycle here copies every system in turn
        # An orchestrating isolated_sync runs our cycles itself, each before its contracts.
        self.driven = bool(isolated is not None and isolated.orchestrate and self.batch is not None)
        if self.batch is None and self.realtime is None:
            ctx.core.summary = FederatedSearch(ctx.integration, self.names)
        else:  # the one replica is full once every system's first load has finished
            loaded_here = self.names if self.realtime is None else self.names[1:]
            ctx.core.summary.loads[:] = ([self.realtime.cursor_name] if self.realtime is not None else []) + [
                _cursor(name) for name in loaded_here]
        self.synced = dict.fromkeys(self.names, 0)
        self.failed = dict.fromkeys(self.names, 0)
        self.writes = dict.fromkeys(self.names, 0)
        self.cycle_s = dict.fromkeys(self.names, 0.0)
        self.cycles = 0
        self._running = False
        self.loaded = self.realtime is None
        ctx.core.after_write.append(self._count_write)

    def start(self) -> list[Step]:
        if self.batch is not None and not self.driven:
            return [self._timer()]
        if self.realtime is not None:
            return [self._initial_load()]
        return []

    def _timer(self) -> Step:
        while True:
            yield from self.cycle()
            yield self.ctx.runtime.sleep(self.batch.interval)

    def _initial_load(self) -> Step:
        """realtime_sync loads the first system; the others are loaded here, once, until they answer."""
        pending = self.names[1:]
        while pending:
            failed = []
            for name in pending:
                if not (yield from self._copy(name)):
                    failed.append(name)
            pending = failed
            if pending:
                yield self.ctx.runtime.sleep(30.0)
        self.loaded = True

    def cycle(self) -> Step:
        """Copy each system's changes into the one replica; False if any system failed."""
        if self._running:
            return True
        self._running = True
        ok = True
        try:
            for name in self.names:
                ok = (yield from self._copy(name)) and ok
            self.cycles += ok
            return ok
        finally:
            self._running = False

    def _copy(self, source: str) -> Step:
        """Copy one system's changes since its own cursor; False if that system (or the database) failed."""
        rt = self.ctx.runtime
        started = rt.now
        page = self.batch.page_size if self.batch is not None else 1000

        def counted(rows: list[Customer]) -> None:
            self.synced[source] += len(rows)

        try:
            yield from copy_changes(self.ctx, _cursor(source), page, counted, source=source)
            return True
        except RECOVERABLE:
            self.failed[source] += 1
            return False
        finally:
            self.cycle_s[source] = max(self.cycle_s[source], rt.now - started)

    def _count_write(self, customer: Customer, detail: CustomerDetail) -> Step:
        self.writes[self.names[owner_index(customer.id, len(self.names))]] += 1
        return
        yield  # pragma: no cover - a write hook is a step

    def quiesce(self) -> Step:
        rt = self.ctx.runtime
        while self._running or not self.loaded:
            yield rt.sleep(1.0)
        while self.batch is not None and not (yield from self.cycle()):
            yield rt.sleep(30.0)

    def stats(self) -> dict[str, Any]:
        return {"cycles": self.cycles, "sources": {
            name: {"format": self.ctx.integration.routes[name].driver.format, "records_synced": self.synced[name],
                   "failed_copies": self.failed[name], "writes_routed": self.writes[name],
                   "max_copy_s": round(self.cycle_s[name], 6)} for name in self.names}}


def _cursor(source: str) -> str:
    """The sync cursor of one system's copy into the shared replica."""
    return f"customers@{source}"
