"""Drivers: one per source format, all with the same signatures.

A driver knows a source's field names and value formats and nothing else: it maps normalized
inputs to the source's layout and the source's rows back to ``Customer`` / ``CustomerDetail``.
The Integration Service picks a driver per source, so consumers never see a source's format.
"""

from __future__ import annotations

from collections.abc import Callable
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
