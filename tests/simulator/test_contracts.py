"""The ERP's contracts and the federation of several systems: paging and truth by owner."""

from __future__ import annotations

import random

import simpy

from simulator.contracts import ContractBook
from simulator.metrics import Metrics
from simulator.sources import build_sources
from tests.conftest import small_scenario


def page_all(book: ContractBook, since: float | None, limit: int) -> list[tuple]:
    rows, after = [], None
    while True:
        reply = book.changes(since, after, limit)
        rows += reply.data.rows
        if len(reply.data.rows) < limit:
            return rows
        since, after = reply.cursor


def test_contracts_start_with_their_customers_and_new_customers_bring_theirs() -> None:
    env = simpy.Environment()
    book = ContractBook(env, customers=10, per_customer=3, update_rate=0.0, rng=random.Random(1))
    assert book.count == 30 and book.customer_of(29) == 9
    env.run(until=5.0)
    opened = book.open(10)
    assert [book.customer_of(c) for c in opened] == [10, 10, 10]
    assert {r[0] for r in page_all(book, 0.0, 100)} == set(opened)


def test_a_full_page_never_splits_one_instant() -> None:
    """Contracts opened together share a timestamp; the next page starts after it, so a page must
    take all of them or the rest would be skipped for good."""
    env = simpy.Environment()
    book = ContractBook(env, customers=4, per_customer=3, update_rate=0.0, rng=random.Random(1))
    for t, customer in ((1.0, 4), (2.0, 5), (3.0, 6)):
        env.run(until=t)
        book.open(customer)
    rows = page_all(book, 0.0, limit=2)
    assert sorted(r[0] for r in rows) == list(range(12, 21))


def test_the_federation_judges_each_key_by_the_system_that_owns_it() -> None:
    sc = small_scenario(**{"patterns.transparency.sources": ["a", "b", "c"], "erp.insert_rate": 1.0})
    env = simpy.Environment()
    metrics = Metrics(0.0, 100.0)
    truth, sources = build_sources(env, sc, 3, metrics, ["batch_sync", "transparency"])
    a, b, c = sources.values()
    assert (a.count, b.count, c.count) == (167, 167, 166) and truth.count == 500
    env.process(truth.change_process(100.0))
    env.run(until=100.0)
    assert truth.count > 550 and max(s.count for s in sources.values()) - min(s.count for s in sources.values()) <= 1
    b.apply(7, summary=True, detail=False)
    key = 7 * 3 + 1
    assert truth.history["summary"].get(key) == b.history["summary"][7]
    assert truth.summary_row(key)[1:] == b.summary_row(7)[1:]
    assert truth.staleness("summary", key, 1, env.now) == b.staleness("summary", 7, 1, env.now)
