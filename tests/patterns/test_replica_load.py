"""A replica's first full load: the city index is built at its end, in the transaction of its last cursor.

Runs on a SQLite file and on a real PostgreSQL database (``db_url`` in tests/conftest.py). The reference
is the ERP itself: after a load the replica holds every record's summary row, and a list page is the
ERP's records of that city in id order, whether the index was built at the end or kept up row by row.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import inspect
from sqlalchemy.schema import CreateIndex

from patterns.architecture import build
from patterns.ports import Customer
from patterns.sql import LocalStoreError
from patterns.store import DEFERRED_INDEXES, Store
from tests.conftest import World, small_scenario

CUSTOMERS, PAGE = 1234, 100  # 13 pages, the last one short: the load ends with it


@pytest.fixture
def world(db_url) -> Iterator[World]:
    w = World(small_scenario(**{"data.customers": CUSTOMERS, "erp.update_rate": 0.0}), db_url=db_url)
    yield w
    w.store.close()


def indexes(store: Store) -> set[str]:
    return {ix["name"] for ix in inspect(store.engine).get_indexes("customers")}


def sync_of(world: World):
    return build(["batch_sync"], world.ctx, {"batch_sync": {"interval": 60, "page_size": PAGE}}).patterns[0]


def assert_replica_is_the_erp(world: World) -> None:
    truth = [Customer(*world.erp.summary(k)) for k in range(world.erp.count)]
    assert list(world.store.customers_by_id()) == truth
    for city in {c.city for c in truth}:
        held = [c for c in truth if c.city == city]
        assert world.store.search({"city": city}, 0, 1000) == held
        assert world.store.search({"city": city}, 3, 2) == held[3:5]


def test_the_index_is_built_once_the_full_load_is_done_and_kept_up_after(world):
    sync = sync_of(world)
    assert indexes(world.store) == set()  # a new replica: nothing to keep up row by row
    assert world.call(sync.cycle()) is True
    assert indexes(world.store) == {ix.name for ix in DEFERRED_INDEXES}
    assert_replica_is_the_erp(world)
    world.erp.apply(5, summary=True, detail=False, values={1: world.erp.customers.state(900)[1]})  # 5 moves city
    world.erp.apply(900, summary=True, detail=False)
    assert world.call(sync.cycle()) is True
    assert world.store.customer(5).version == 2
    assert_replica_is_the_erp(world)  # the index kept up by the upserts of changes


def test_the_index_commits_with_the_last_cursor_or_not_at_all(world):
    """A fault at the save of the last cursor rolls back the last page and the index; the next cycle redoes both."""
    save, failed = world.store.save_cursor, []

    def fail() -> None:
        world.store.conn.hooks.remove(fail)
        failed.append(1)
        raise LocalStoreError("disk I/O error (injected)")

    def failing_save(name: str, since: float | None, after: int | None, then=()) -> None:
        if then and not failed:
            world.store.conn.hooks.append(fail)
        save(name, since, after, then)

    world.store.save_cursor = failing_save
    sync = sync_of(world)
    assert world.call(sync.cycle()) is False
    assert indexes(world.store) == set()
    assert world.store.cursor("customers") == (None, 12 * PAGE - 1) and world.store.customer_count() == 12 * PAGE
    assert world.call(sync.cycle()) is True  # resumes with the last page
    assert indexes(world.store) == {ix.name for ix in DEFERRED_INDEXES}
    assert_replica_is_the_erp(world)


def test_building_the_index_adds_no_statement_for_the_hooks(world, db_url):
    """Injected faults are drawn once per statement the hooks see, and a run's draws must not move: a load
    that builds the index sees exactly the statements of one that does not."""
    seen: dict[str, list[int]] = {}
    for way in ("with the index", "without"):
        if way == "without":
            world.store.close()
            world = World(small_scenario(**{"data.customers": CUSTOMERS, "erp.update_rate": 0.0}), db_url=db_url)
            world.store.index_replica = []
        calls = seen[way] = []
        world.store.conn.hooks.append(lambda calls=calls: calls.append(1))
        try:
            assert world.call(sync_of(world).cycle()) is True
            assert bool(indexes(world.store)) == (way == "with the index")
        finally:
            if way == "without":
                world.store.close()
    assert len(seen["with the index"]) == len(seen["without"]) > 2 * 13


def test_a_replica_loaded_with_its_index_built_first_answers_the_same(world):
    """The old way (the index kept up through every upsert of the load) as the reference for the new one."""
    old = Store()
    try:
        for index in DEFERRED_INDEXES:
            old.conn.execute(CreateIndex(index))
        sync = sync_of(world)
        assert world.call(sync.cycle()) is True
        for customer in world.store.customers_by_id():
            old.upsert_customers([customer], only_newer=True)
        assert indexes(old) == indexes(world.store)
        assert old.all_customers() == world.store.all_customers()
        cities = {c.city for c in old.all_customers().values()}
        for city in cities:
            assert old.search({"city": city}, 1, 7) == world.store.search({"city": city}, 1, 7)
    finally:
        old.close()
