"""The local database: real SQL, bound parameters only, version-guarded upserts; one run per database.

Every test runs on a SQLite file and on a real PostgreSQL database (``db_url`` in tests/conftest.py).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from patterns.database import DatabaseInUse, DatabaseUnavailable
from patterns.ports import Customer
from patterns.store import Store

ROOT = Path(__file__).resolve().parents[2]


def customers(n: int, version: int = 1) -> list[Customer]:
    return [Customer(i, f"name {i}", f"city {i % 5}", "DE", "retail", version, float(version)) for i in range(n)]


def sql(url: str, *statements: str) -> list[list[tuple]]:
    """Run statements on ``url`` as a user would (outside patternsim), committed; returns each one's rows."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            results = [conn.execute(text(s)) for s in statements]
            return [[tuple(r) for r in res] if res.returns_rows else [] for res in results]
    finally:
        engine.dispose()


@pytest.fixture
def store(db_url):
    s = Store(db_url)
    yield s
    s.close()


def test_search_filters_and_pages_in_id_order(store):
    store.upsert_customers(customers(50))
    page = store.search({"city": "city 2"}, 0, 4)
    assert [c.id for c in page] == [2, 7, 12, 17]
    assert [c.id for c in store.search({"city": "city 2"}, 4, 2)] == [22, 27]
    assert store.search({"city": "city 2", "segment": "public"}, 0, 10) == []


def test_injection_in_search_finds_nothing_and_harms_nothing(store):
    store.upsert_customers(customers(20))
    hostile = "'; DROP TABLE customers; --"
    assert store.search({"city": hostile}, 0, 50) == []
    assert store.search({"segment": "retail' OR '1'='1"}, 0, 50) == []
    assert store.customer_count() == 20
    assert store.customer(3).name == "name 3"


def test_only_newer_never_overwrites_a_newer_version(store):
    store.upsert_customers(customers(3, version=5))
    older = [c._replace(name="old", version=4) for c in customers(3)]
    store.upsert_customers(older, only_newer=True)
    assert {c.name for c in store.all_customers().values()} == {"name 0", "name 1", "name 2"}
    store.upsert_customers(older)  # a plain upsert does overwrite: what plain real-time sync risks
    assert store.customer(1).version == 4


def test_cursor_is_saved_and_read_back(store):
    assert store.cursor("customers") is None
    store.save_cursor("customers", None, 999)
    store.save_cursor("customers", 12.5, None)
    assert store.cursor("customers") == (12.5, None)


def test_details_and_audit_rows_round_trip(store):
    from patterns.ports import CustomerDetail

    store.put_detail(CustomerDetail(7, 10.5, 100.0, 2, "2024-01-01", 3, 4.5), fetched_at=9.0)
    assert store.detail(7) == (CustomerDetail(7, 10.5, 100.0, 2, "2024-01-01", 3, 4.5), 9.0)
    assert store.delete_details_fetched_before(10.0) == 1 and store.detail_count() == 0
    store.write_audit([(1.0, "c", "read", 1, "ok", 0.1), (2, "c", "update", None, "error", 1)])
    rows = store.audit_rows()
    assert [(r["operation"], r["target"], r["at"], r["duration_s"]) for r in rows] == [
        ("read", 1, 1.0, 0.1), ("update", None, 2.0, 1.0)]
    assert all(isinstance(r["at"], float) and isinstance(r["duration_s"], float) for r in rows)


# -- whose database is it ---------------------------------------------------------------------------------
def test_a_database_with_someone_elses_tables_is_refused_and_left_alone(db_url):
    sql(db_url, "create table customers (id integer, note text)", "insert into customers values (1, 'precious')")
    with pytest.raises(DatabaseUnavailable, match="already has a table 'customers' that patternsim did not create"):
        Store(db_url)
    assert sql(db_url, "select note from customers") == [[("precious",)]]


def test_a_database_patternsim_made_is_reused_with_its_installation_id(db_url):
    Store(db_url).close()
    first = sql(db_url, "select installation, schema_version from patternsim_marker")
    store = Store(db_url)
    store.upsert_customers(customers(3))
    store.close()
    Store(db_url).close()  # the tables are recreated empty; the marker stays
    assert sql(db_url, "select installation, schema_version from patternsim_marker") == first
    assert sql(db_url, "select count(*) from customers") == [[(0,)]]


def test_a_users_own_table_named_like_the_marker_protects_nothing(db_url):
    """The marker is recognised by its content: a table of that name is not enough to drop their tables."""
    sql(db_url, "create table patternsim_marker (id integer primary key)", "insert into patternsim_marker values (1)",
        "create table audit_trail (id integer, who text)", "insert into audit_trail values (1, 'auditor')")
    with pytest.raises(DatabaseUnavailable, match="'patternsim_marker' that patternsim did not create"):
        Store(db_url)
    assert sql(db_url, "select who from audit_trail") == [[("auditor",)]]


def test_a_marker_with_our_columns_but_another_application_is_not_ours(db_url):
    Store(db_url).close()
    sql(db_url, "update patternsim_marker set application = 'someone else'")
    with pytest.raises(DatabaseUnavailable, match="'patternsim_marker' that patternsim did not create"):
        Store(db_url)


@pytest.mark.parametrize("ours", [False, True], ids=["their-database", "our-database"])
@pytest.mark.parametrize(("ddl", "reason"), [
    (["create view customers as select 1 as id"], "already has a view 'customers'"),
    (["create table people (city text, id integer)", "create index ix_customers_city on people (city)"],
     "already has an index 'ix_customers_city' on table 'people'"),
], ids=["view-named-customers", "index-on-their-table"])
def test_objects_of_our_names_that_are_not_ours_are_refused(db_url, ours, ddl, reason):
    """Refused with one line, in a database of theirs and even in one patternsim made (no DROP TABLE on a view)."""
    if ours:
        Store(db_url).close()
        sql(db_url, "drop table customers")
    sql(db_url, *ddl)
    with pytest.raises(DatabaseUnavailable, match=reason) as caught:
        Store(db_url)
    assert "\n" not in str(caught.value)
    assert sql(db_url, "select count(*) from " + ("customers" if "view" in reason else "people")) == [[(1 if
                                                                                "view" in reason else 0,)]]


# -- one run at a time ---------------------------------------------------------------------------------------
HOLD = ("import sys; from patterns.store import Store; s = Store(sys.argv[1]); print('held', flush=True); "
        "sys.stdin.read()")


def test_a_second_store_is_refused_naming_the_process_that_holds_the_database(db_url):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, db_url], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(DatabaseInUse, match=f"in use by pid {holder.pid} on ") as caught:
            Store(db_url)
        assert "\n" not in str(caught.value)
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    Store(db_url).close()  # the holder is gone, and with it the lock


def test_two_stores_of_one_process_do_not_share_a_database(db_url):
    store = Store(db_url)
    with pytest.raises(DatabaseInUse, match="already in use by another store"):
        Store(db_url)
    store.close()
    Store(db_url).close()


def test_in_memory_databases_are_private_to_each_store():
    a, b = Store(), Store()
    a.upsert_customers(customers(2))
    assert (a.customer_count(), b.customer_count()) == (2, 0)
