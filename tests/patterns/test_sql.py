"""Where every statement passes (patterns/sql.py): prepared statements through the driver, hooks, rollback.

Runs on a SQLite file and on a real PostgreSQL database (``db_url`` in tests/conftest.py), since each
dialect compiles its own placeholders and type processing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, select

from patterns.ports import Customer
from patterns.sql import LocalStoreError
from patterns.store import Store, customers
from patterns.sync_queue import SyncQueue


@pytest.fixture
def store(db_url):
    s = Store(db_url)
    yield s
    s.close()


def rows(n: int, version: int = 1) -> list[Customer]:
    return [Customer(i, f"name {i}", "Lyon", "FR", "retail", version, version) for i in range(n)]  # int times


def test_prepared_statements_read_what_sqlalchemy_reads(store):
    store.upsert_customers(rows(5))
    page = store.search({"city": "Lyon"}, 1, 3)
    assert [c.id for c in page] == [1, 2, 3]
    assert page[0] == Customer(1, "name 1", "Lyon", "FR", "retail", 1, 1.0)
    assert isinstance(page[0].updated_at, float)  # the Float column's own processing ran
    through_sqlalchemy = store.conn.execute(select(customers).where(customers.c.id == bindparam("k")), {"k": 4})
    assert store.customer(4) == Customer(*through_sqlalchemy.one())
    assert store.customer(99) is None


def test_a_statement_s_own_literals_and_json_columns_round_trip(store):
    queue = SyncQueue(store)
    record = Customer(7, "Ana", "Porto", "PT", "partner", 3, 12.5)
    queue.put(7, 3, 1.0, record)
    queue.put(8, 1, 2.0)
    first = queue.claim("w1", now=3.0, lease=10.0)  # the claim's CASE carries literals of its own
    assert (first.key, first.tries, first.record) == (7, 0, record)
    assert queue.next_free(3.0) == 13.0
    assert queue.claim("w2", now=3.0, lease=10.0).record is None
    assert queue.count() == 2


@pytest.mark.parametrize("way", ["driver", "sqlalchemy"])
def test_a_hook_sees_every_statement_and_a_failure_rolls_the_transaction_back(store, way):
    seen = []
    store.conn.hooks.append(lambda: seen.append(1))
    store.upsert_customers(rows(2), commit=False)  # an open transaction ...
    assert len(seen) == 1

    def fail() -> None:
        raise LocalStoreError("disk I/O error (injected)")

    store.conn.hooks.append(fail)
    with pytest.raises(LocalStoreError, match="injected"):
        if way == "driver":
            store.customer(0)
        else:
            store.customer_count()
    store.conn.hooks.clear()
    assert store.customer_count() == 0  # ... rolled back with the failed statement
    store.upsert_customers(rows(3))
    assert store.customer_count() == 3


def test_a_driver_error_becomes_a_local_store_error_and_the_connection_goes_on(store):
    store.upsert_customers(rows(1))
    with pytest.raises(LocalStoreError):
        store.upsert_customers([Customer(1, None, "Lyon", "FR", "retail", 1, 1.0)])  # name is NOT NULL
    assert store.customer(0) is not None and store.customer(1) is None


def test_a_page_binds_as_its_rows_one_by_one(store):
    """``bind_rows`` against the reference of binding each row by name (``bind``, as SQLAlchemy would)."""
    statement = store.prepare(customers.insert())
    floats = [c._replace(updated_at=float(c.updated_at)) for c in rows(4)]
    mixed = floats[:2] + [floats[2]._replace(updated_at=7)] + floats[3:]  # one int time among floats

    def driver_form(params):  # with each value's type: 7 == 7.0, but the driver binds an int as an integer
        values = params.items() if isinstance(params, dict) else enumerate(params)
        return [(k, type(v), v) for k, v in values]

    for page in (floats, mixed, rows(3)):
        assert list(map(driver_form, statement.bind_rows(page))) == [driver_form(statement.bind(c._asdict()))
                                                                     for c in page]
    store.conn.run_many(statement, mixed)
    assert store.customer(2).updated_at == 7.0 and isinstance(store.customer(2).updated_at, float)
