"""A kill harness: SIGKILL at random moments never leaves a database that later runs refuse.

A child process sets the store up over and over (drop and create the tables, fill a few rows) and is
killed with SIGKILL after a random delay, 20 times; most kills land inside the schema set-up, which
is what takes a store's time. Then the next store on the same database, and a whole run through the
CLI, must go ahead. Before the set-up was one transaction, SQLite committed each CREATE and DROP on
its own and a kill could leave tables without their marker, refused ever after.
"""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from app.cli import main
from patterns.database import DatabaseInUse
from patterns.store import Store
from tests.patterns.test_store import customers, sql

KILLS = 20
SMALL = os.path.join(os.path.dirname(__file__), "..", "fixtures", "small.toml")


def churn(url: str) -> None:
    """The child: set the store up again and again until killed."""
    while True:
        try:
            store = Store(url)
        except DatabaseInUse:  # PostgreSQL: the server has not yet ended the last killed child's session
            time.sleep(0.01)
            continue
        store.upsert_customers(customers(100))
        store.close()


def store_when_free(url: str) -> Store:
    """A store, once the server has ended the sessions of killed processes (a killed client's lock
    lasts until its server process notices; on SQLite the kernel drops the lock at once)."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return Store(url)
        except DatabaseInUse:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks the child that is killed")
def test_twenty_random_sigkills_then_the_next_run_succeeds(db_url, capsys):
    rng = random.Random(11)
    Store(db_url).close()  # a database patternsim made: later kills are of runs re-creating it
    for _ in range(KILLS):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child, killed below
            try:
                churn(db_url)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.02, 0.4))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    store = store_when_free(db_url)
    store.upsert_customers(customers(3))
    assert store.customer_count() == 3
    store.close()
    assert sql(db_url, "select application, schema_version from patternsim_marker") == [[("patternsim", 2)]]
    code = main(["run", SMALL, "--quiet", "--patterns", "batch_sync", "--set", "scenario.duration=20",
                 "--set", "data.customers=50", "--db", db_url])
    assert code == 0, capsys.readouterr().err
