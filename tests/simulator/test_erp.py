"""The simulated ERP: lazy records, changes and their history, paging, capacity."""

from __future__ import annotations

import random

import simpy

from patterns.ports import Caller
from simulator.erp import CITY, DETAIL_GROUP, SUMMARY_GROUP, Erp
from tests.conftest import World, small_scenario


def erp(**overrides) -> Erp:
    return Erp(simpy.Environment(), small_scenario(**overrides), seed=3)


def test_a_million_customers_are_built_lazily():
    big = erp(**{"data.customers": 1_000_000})
    assert big.count == 1_000_000 and not big.customers._state  # nothing stored until something changes
    row = big.summary_row(999_999)
    assert row[0] == 999_999 and row[5] == 1 and row[2] == big.city_of(999_999)
    assert big.summary_row(999_999) == row  # deterministic per key


def test_same_seed_same_data_other_seed_other_data():
    assert erp().summary_row(42) == erp().summary_row(42)
    other = Erp(simpy.Environment(), small_scenario(), seed=4)
    assert [other.summary_row(k)[1] for k in range(20)] != [erp().summary_row(k)[1] for k in range(20)]


def test_changes_bump_version_and_are_judged_by_field_group():
    e = erp()
    e.env.run(until=10)
    e.apply(7, summary=False, detail=True)
    e.env.run(until=20)
    e.apply(7, summary=True, detail=False)
    assert e.summary_row(7)[5] == 3
    # A reader holding version 1: missed a detail change at 10 and a summary change at 20.
    assert e.staleness(DETAIL_GROUP, 7, 1, now=25.0) == 15.0
    assert e.staleness(SUMMARY_GROUP, 7, 1, now=25.0) == 5.0
    # Holding version 2 (after the detail change): summary is behind, detail is current.
    assert e.staleness(SUMMARY_GROUP, 7, 2, now=25.0) == 5.0
    assert e.staleness(DETAIL_GROUP, 7, 2, now=25.0) == 0.0
    assert e.staleness(SUMMARY_GROUP, 8, 1, now=25.0) == 0.0


def test_a_city_change_moves_the_customer_between_search_results():
    e = erp()
    k = 11
    old = e.state(k)[CITY]
    new = (old + 1) % len(e.customers.pools.places)
    e.apply(k, summary=True, detail=False, values={CITY: new})
    assert k not in e.customers.members(old) and k in e.customers.members(new)
    assert e.customers.members(new) == sorted(e.customers.members(new))


def test_a_city_page_is_always_what_a_fresh_search_would_build():
    """Pages are kept per city between changes: every kind of change must show in the next search."""
    e = erp(**{"data.customers": 2_000})
    book, rng = e.customers, random.Random(5)
    cities = [city for city, _ in book.pools.places[:6]]

    def fresh(city: str, offset: int, limit: int) -> list:
        keys = [k for k in range(book.count) if book.city_of(k) == city]
        return [book.summary(k) for k in keys[offset:offset + limit]]

    for step in range(300):
        city = rng.choice(cities)
        offset, limit = rng.choice(((0, 5), (0, 50), (5, 10)))
        page = book.search({"ORT01": city}, offset, limit)
        assert page == fresh(city, offset, limit), step
        page.clear()  # a caller changing its copy leaves the kept page alone
        what = rng.random()
        e.env.run(until=step + 1)
        members = book.members(book.place_index[city])
        if what < 0.3 and members:  # a move to another listed city
            e.apply(rng.choice(members), summary=True, detail=False,
                    values={CITY: book.place_index[rng.choice(cities)]})
        elif what < 0.6:
            e.apply(rng.randrange(book.count), summary=rng.random() < 0.5, detail=True)
        elif what < 0.7:
            e.apply(book.add(), summary=True, detail=True)


def test_changes_since_a_cursor_report_each_record_once_in_time_order():
    e = erp(**{"erp.update_rate": 0.0})
    for t, key in ((1, 5), (2, 9), (3, 5), (4, 2)):
        e.env.run(until=t)
        e.apply(key, summary=True, detail=False)
    reply = e._changes(since=0.0, after=None, limit=10)
    assert [row[0] for row in reply.data.rows] == [9, 5, 2]
    assert reply.cursor == (4.0, None)
    first = e._changes(since=0.0, after=None, limit=2)
    assert [row[0] for row in first.data.rows] == [9, 5]
    rest = e._changes(since=first.cursor[0], after=None, limit=2)
    assert [row[0] for row in rest.data.rows] == [2]


def test_poisson_changes_arrive_at_the_configured_rate():
    e = erp(**{"erp.update_rate": 5.0, "erp.summary_change_fraction": 0.2})
    e.env.process(e.change_process(horizon=2000.0))
    e.env.run(until=2000.0)
    assert abs(e.changes_made - 10_000) < 4 * 100  # 4 standard deviations of a Poisson count
    summary = sum(len(v[0]) for v in e.history[SUMMARY_GROUP].values())
    assert abs(summary / e.changes_made - 0.2) < 0.02


def test_capacity_limits_concurrent_service():
    world = World(small_scenario(**{"erp.capacity": 2, "erp.service.get": {"dist": "constant", "mean_ms": 1000},
                                    "erp.network_latency": {"dist": "constant", "mean_ms": 0},
                                    "erp.service.auth": {"dist": "constant", "mean_ms": 0}}))
    reader = Caller("r", frozenset({"customers.read"}))
    world.call(world.integration.get_customer(reader, 0))  # authenticate once
    start = world.env.now
    procs = [world.env.process(world.integration.get_customer(reader, k)) for k in range(5)]
    world.env.run(until=simpy.AllOf(world.env, procs))
    assert world.env.now - start == 3.0  # 5 calls of 1 s on 2 servers: 2 + 2 + 1
