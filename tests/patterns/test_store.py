"""The local database: real SQL, bound parameters only, version-guarded upserts."""

from __future__ import annotations

import sqlite3

import pytest

from patterns.ports import Customer
from patterns.store import Store


def customers(n: int, version: int = 1) -> list[Customer]:
    return [Customer(i, f"name {i}", f"city {i % 5}", "DE", "retail", version, float(version)) for i in range(n)]


def test_search_filters_and_pages_in_id_order():
    store = Store()
    store.upsert_customers(customers(50))
    page = store.search({"city": "city 2"}, 0, 4)
    assert [c.id for c in page] == [2, 7, 12, 17]
    assert [c.id for c in store.search({"city": "city 2"}, 4, 2)] == [22, 27]
    assert store.search({"city": "city 2", "segment": "public"}, 0, 10) == []


def test_injection_in_search_finds_nothing_and_harms_nothing():
    store = Store()
    store.upsert_customers(customers(20))
    hostile = "'; DROP TABLE customers; --"
    assert store.search({"city": hostile}, 0, 50) == []
    assert store.search({"segment": "retail' OR '1'='1"}, 0, 50) == []
    assert store.customer_count() == 20
    assert store.customer(3).name == "name 3"


def test_only_newer_never_overwrites_a_newer_version():
    store = Store()
    store.upsert_customers(customers(3, version=5))
    older = [c._replace(name="old", version=4) for c in customers(3)]
    store.upsert_customers(older, only_newer=True)
    assert {c.name for c in store.all_customers().values()} == {"name 0", "name 1", "name 2"}
    store.upsert_customers(older)  # a plain upsert does overwrite: what plain real-time sync risks
    assert store.customer(1).version == 4


def test_cursor_is_saved_and_read_back():
    store = Store()
    assert store.cursor("customers") is None
    store.save_cursor("customers", None, 999)
    store.save_cursor("customers", 12.5, None)
    assert store.cursor("customers") == (12.5, None)


def test_a_database_with_someone_elses_tables_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table customers (id integer, note text)")
        conn.execute("insert into customers values (1, 'precious')")
    with pytest.raises(ValueError, match="already has a table 'customers'"):
        Store(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        assert conn.execute("select note from customers").fetchall() == [("precious",)]
    ours = f"sqlite:///{tmp_path / 'ours.db'}"
    Store(ours).close()
    Store(ours).close()  # a database patternsim made before is reused
