"""Drivers: one per source format, all with the same signatures.

A driver knows a source's field names and value formats and nothing else: it maps normalized
inputs to the source's layout and the source's rows back to ``Customer`` / ``CustomerDetail``.
The Integration Service picks a driver per source, so consumers never see a source's format.

``ErpDriver`` reads the one simulated ERP. The ``FederatedDriver`` family serves the transparency
service, where several systems each own part of the customers: each driver also maps ids between
the normalized key space and its own system's (see ``patterns/transparency.py``). Their formats:

- ``sap``: short German field names, numbers as numbers, timestamps in simulated seconds;
- ``crm``: camelCase names, ids ``CUST-0000042``, amounts in cents, ISO 8601 timestamps,
  upper-case tiers and lower-case country codes;
- ``legacy``: upper-case abbreviations, zero-padded ids, amounts as text with a decimal comma,
  dates as DD.MM.YYYY, timestamps in epoch milliseconds, segments as one-letter codes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from patterns.ports import Contract, Customer, CustomerDetail, Table


class Driver:
    """Maps between the normalized model and one source's layout (field name per normalized field)."""

    source_name = ""
    summary_map: dict[str, str] = {}
    detail_map: dict[str, str] = {}
    contract_map: dict[str, str] = {}

    def __init__(self) -> None:
        self._plans: dict[tuple[tuple[str, ...], type], Callable[[list], list]] = {}

    def map_criteria(self, criteria: dict[str, str]) -> dict[str, str]:
        return {self.summary_map[k]: v for k, v in criteria.items()}

    def map_changes(self, changes: dict[str, Any]) -> dict[str, Any]:
        both = self.summary_map | self.detail_map
        return {both[k]: self.to_source_value(k, v) for k, v in changes.items()}

    def source_key(self, key: int) -> Any:
        """A normalized customer id as this source writes it."""
        return key

    def to_source_value(self, field: str, value: Any) -> Any:
        return value

    def from_source_value(self, field: str, value: Any) -> Any:
        return value

    def customers(self, table: Table) -> list[Customer]:
        return self._rows(table, self.summary_map, Customer)

    def details(self, table: Table) -> list[CustomerDetail]:
        return self._rows(table, self.detail_map, CustomerDetail)

    def contracts(self, table: Table) -> list[Contract]:
        return self._rows(table, self.contract_map, Contract)

    def _rows(self, table: Table, mapping: dict[str, str], cls: Any) -> list[Any]:
        make = self._plans.get((table.fields, cls))
        if make is None:
            make = self._plans[table.fields, cls] = self._plan(table.fields, mapping, cls)
        return make(table.rows)

    def _plan(self, fields: tuple[str, ...], mapping: dict[str, str], cls: Any) -> Callable[[list], list]:
        """How to turn rows of this layout into ``cls`` records; worked out once per layout."""
        names = cls._fields
        positions = [fields.index(mapping[name]) for name in names]
        if type(self).from_source_value is Driver.from_source_value:
            if positions == list(range(len(names))):
                # The source's layout is ours: wrap the rows as they are (tuple.__new__ is _make without
                # the Python-level frame, which matters at a million records a run).
                new = partial(tuple.__new__, cls)
                return lambda rows: list(map(new, rows))
            return lambda rows: [cls._make([row[p] for p in positions]) for row in rows]
        convert = self.from_source_value
        return lambda rows: [cls._make([convert(n, row[p]) for n, p in zip(names, positions, strict=True)])
                             for row in rows]


class ErpDriver(Driver):
    """The simulated ERP's layout: SAP-like short field names, numbers as they are."""

    source_name = "erp"
    summary_map = {
        "id": "KUNNR", "name": "NAME1", "city": "ORT01", "country": "LAND1", "segment": "KDGRP",
        "version": "VERSION", "updated_at": "AEDAT",
    }
    detail_map = {
        "id": "KUNNR", "balance": "SALDO", "credit_limit": "KLIMK", "open_orders": "AUFTR",
        "last_order_date": "LETZT", "version": "VERSION", "updated_at": "AEDAT",
    }
    contract_map = {
        "id": "VBELN", "customer_id": "KUNNR", "product": "MATNR", "version": "VERSION", "updated_at": "AEDAT",
    }


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

    @staticmethod
    def local_id(local: int) -> Any:
        """A source's own number for one of its customers, written in its id format."""
        return local

    @staticmethod
    def parse_id(raw: Any) -> int:
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

    @staticmethod
    def local_id(local: int) -> str:
        return f"CUST-{local:07d}"

    @staticmethod
    def parse_id(raw: str) -> int:
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

    @staticmethod
    def local_id(local: int) -> str:
        return f"{local:08d}"


DRIVERS: dict[str, type[FederatedDriver]] = {d.format: d for d in (SapDriver, CrmDriver, LegacyDriver)}


def driver_for(fmt: str, index: int, n: int) -> FederatedDriver:
    """The driver for a source writing ``fmt``, owning the keys of position ``index`` among ``n``."""
    if fmt not in DRIVERS:
        raise ValueError(f"no driver for source format {fmt!r} (known: {', '.join(DRIVERS)})")
    return DRIVERS[fmt](index, n)
