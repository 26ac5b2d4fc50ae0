"""The ERP's change history is pruned to what a held copy can still need, exactly, and stays bounded.

Exactness is checked against a reference that keeps everything: the same runs with pruning off, and
for the book alone, a brute-force history of every change.
"""

from __future__ import annotations

import copy
import random

import pytest

import simulator.customers as customers
import simulator.retention as retention
import simulator.run as run
from simulator import scenario as scenarios
from simulator.customers import DETAIL_GROUP, SUMMARY_GROUP, UPDATED, CustomerBook
from simulator.faults import FAULTS, base_scenario
from simulator.run import run_one


def _book(n: int = 50, seed: int = 3) -> CustomerBook:
    return CustomerBook(n, seed, random.Random(seed))


def _changes(book: CustomerBook, rng: random.Random, count: int, start: float = 0.0) -> list[tuple]:
    """Random changes, some at the same instant; returns (time, key, summary, detail, version) of each."""
    made, now = [], start
    for _ in range(count):
        now += rng.choice((0.0, rng.expovariate(1.0)))
        k = rng.randrange(book.count)
        summary = rng.random() < 0.5
        made.append((now, k, summary, not summary, book.change(k, summary, not summary, now)))
    return made


def _reference_staleness(made: list[tuple], group: str, k: int, version: int, now: float) -> float:
    """Brute force: the age of the first change of ``group`` after ``version``, over every change made."""
    later = [t for t, key, summary, detail, v in made
             if key == k and v > version and (summary if group == SUMMARY_GROUP else detail)]
    return now - later[0] if later else 0.0


def _version_at(made: list[tuple], k: int, t: float) -> int:
    return max([v for when, key, *_, v in made if key == k and when <= t], default=1)


def test_pruning_keeps_every_answer_a_held_or_recent_copy_can_ask_for():
    rng = random.Random(7)
    book = _book()
    made = _changes(book, rng, 3000)
    end = made[-1][0]
    before = end - 100.0
    held = {k: _version_at(made, k, rng.uniform(0.0, end)) for k in rng.sample(range(book.count), 25)}
    total = book.entries
    book.prune(before, held)
    assert book.entries < total / 3  # most of the history was dead
    # Every copy that can exist: a held one, or one read from the ERP at or after ``before``.
    copies = [(k, v) for k, v in held.items()]
    copies += [(k, _version_at(made, k, rng.uniform(before, end))) for k in range(book.count) for _ in range(3)]
    now = end + 5.0
    for k, v in copies:
        for group in (SUMMARY_GROUP, DETAIL_GROUP):
            assert book.staleness(group, k, v, now) == _reference_staleness(made, group, k, v, now), (group, k, v)
            entry = book.history[group].get(k)
            fresh = entry is None or entry[0][-1] <= v  # the metrics' own shortcut sees the same
            assert fresh == (_reference_staleness(made, group, k, v, now) == 0.0)
    for k in range(book.count):  # what the convergence check counts: changes after a held version, or all
        for v in [0] + ([held[k]] if k in held else []):
            expected = sum(1 for *_, key, summary, _d, ver in made if key == k and summary and ver > v)
            assert book.changes_after(SUMMARY_GROUP, k, v) == expected


def test_the_change_log_is_compacted_to_each_keys_latest_change_with_the_same_pages(monkeypatch):
    monkeypatch.setattr(customers, "LOG_SLACK", 10)
    compacted, reference = _book(), _book()
    monkeypatch.setattr(reference, "_compact", lambda: None)
    made = _changes(compacted, random.Random(5), 2000)
    _changes(reference, random.Random(5), 2000)
    assert len(compacted._log_times) <= 2 * len(compacted._state) + customers.LOG_SLACK < len(reference._log_times)
    for since in [0.0] + [t for t, *_ in made[::97]]:
        for limit in (1, 7, 500):
            cursor = (since, None)
            while True:  # page through the whole feed as a replica does
                got = compacted.changes(cursor[0], None, limit)
                assert got == reference.changes(cursor[0], None, limit)
                if len(got[0]) < limit:
                    break
                cursor = got[1]
    compacted._compact()
    assert set(compacted._log_keys) == {k for _, k, *_ in made}
    assert all(compacted.state(k)[UPDATED] == t for t, k in zip(compacted._log_times, compacted._log_keys, strict=True))


# Faults that keep old versions in copies: lost, late, reordered, retried and re-queued callbacks (with
# the record carried, so a late one writes an old version), rolled-back local writes, a hanging ERP.
EXACT = {"callback_loss": ("realtime_sync", "queued_sync"), "callback_reorder": ("realtime_sync", "ordered_sync"),
         "callback_delay": ("queued_sync+ordered_sync",), "worker_crash": ("queued_sync",),
         "local_db_errors_retried": ("realtime_sync", "batch_sync+lazy_load"),
         "hang": ("direct", "batch_sync+lazy_load")}


@pytest.mark.parametrize("fault", list(EXACT))
def test_every_number_is_the_same_as_with_the_whole_history_kept(monkeypatch, fault):
    sc = base_scenario()
    sc["erp"]["callback"]["payload"] = "record"
    for key, value in FAULTS[fault][1].items():
        scenarios.apply_override(sc, f"{key}={scenarios.toml_literal(value)}")
    scenarios.validate(sc, fault)
    pruned = []
    prune = CustomerBook.prune

    def counted(book, before, held):
        entries = book.entries
        prune(book, before, held)
        pruned.append(entries - book.entries)

    for arch in EXACT[fault]:
        with monkeypatch.context() as m:
            m.setattr(run, "retain_history", lambda *a, **k: None)
            whole = run_one(copy.deepcopy(sc), arch.split("+"), 11)
        with monkeypatch.context() as m:  # prune often, with a horizon far above a response's life (~50 ms)
            m.setattr(customers, "PRUNE_MIN", 16)
            m.setattr(retention, "IN_FLIGHT_S", 1.0)
            m.setattr(CustomerBook, "prune", counted)
            kept = run_one(copy.deepcopy(sc), arch.split("+"), 11)
        assert kept == whole, arch
    assert sum(pruned) > 100  # the pruning did drop history in these runs


def test_history_and_log_stay_bounded_however_long_the_run(monkeypatch):
    """Entries held never exceed twice what one in-flight horizon of changes leaves (or the minimum)."""
    monkeypatch.setattr(retention, "IN_FLIGHT_S", 20.0)
    monkeypatch.setattr(customers, "PRUNE_MIN", 256)
    monkeypatch.setattr(customers, "LOG_SLACK", 256)
    seen = []
    change = CustomerBook.change

    def watched(book, *args, **kwargs):
        version = change(book, *args, **kwargs)
        seen.append((book.entries, len(book._log_times), len(book._state), book.count))
        return version

    monkeypatch.setattr(CustomerBook, "change", watched)
    sc = base_scenario()
    sc["data"]["customers"] = 2000
    sc["scenario"].update(duration=600.0)
    sc["erp"]["update_rate"] = 20.0  # 12,000 changes
    sc["workload"]["rate"] = 1.0
    run_one(sc, ["direct"], 11)
    assert len(seen) > 10_000
    # Poisson changes in a 20 s window at 20/s: 400 on average; 600 is beyond any plausible window.
    assert max(entries for entries, *_ in seen) <= max(2 * customers.PRUNE_MIN, 2 * 600)
    assert all(log <= 2 * state + customers.LOG_SLACK for _, log, state, _ in seen)


def test_convergence_merges_the_streamed_replica_with_the_erps_keys():
    """Held rows for keys 0, 2 and 7 against an ERP of keys 0..4: a missing key, a wrong one and an extra one."""
    from patterns.ports import Customer
    from patterns.store import Store

    book = _book(5)
    book.change(2, True, False, 1.0)  # the replica below holds version 1 of key 2: one change behind
    store = Store()
    try:
        held = [book.summary(0), book.summary(2)[:5] + (1, 0.0), (7, "x", "y", "DE", "retail", 1, 0.0)]
        held[1] = (2, "stale name", *held[1][2:])
        store.upsert_customers([Customer(*row) for row in held])

        class Truth:
            count = book.count
            summary, changes_after = book.summary, book.changes_after

        # keys 1, 3, 4 missing (3, each with one base version and no change: 0 lost), key 2 wrong, key 7 extra
        assert run.convergence(store, Truth()) == {"divergent_records": 5, "lost_changes": 1}
    finally:
        store.close()
