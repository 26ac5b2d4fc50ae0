"""The throughput benchmark's floor replays exactly the SQL a run executed, so it cannot measure nothing.

SQLite's own trace (``set_trace_callback``: every statement the engine runs, parameters expanded,
the driver's implicit BEGIN and COMMIT included) is recorded on the run's connection and on the
replay's, independently of the capture, and the two must match statement for statement, whether a
statement went through SQLAlchemy or straight to the DB-API cursor.
"""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from benchmarks.sqlreplay import capture, replay
from simulator.run import run_one
from tests.conftest import small_scenario


@pytest.mark.parametrize(("arch", "error_rate"), [("queued_sync", 0.0), ("batch_sync+lazy_load", 0.05)])
def test_the_replay_runs_the_statements_the_run_ran(arch, error_rate):
    sc = small_scenario(**{"scenario.duration": 60.0, "local_db.error_rate": error_rate})
    ran: list[str] = []

    def trace(dbapi_connection, _record):
        dbapi_connection.set_trace_callback(ran.append)

    event.listen(Engine, "connect", trace)
    try:
        with capture() as captured:
            block = run_one(sc, arch.split("+"), 3)
    finally:
        event.remove(Engine, "connect", trace)
    replayed: list[str] = []
    replay(captured, replayed)

    assert block["requests"]["total"] > 100
    assert (block["local_db"]["errors_injected"] > 0) == (error_rate > 0)  # failed statements: in neither trace
    assert len(captured.connects) == 1
    assert len(captured.statements()) > block["requests"]["total"] / 2
    assert replayed == ran


def test_capture_stops_listening_when_the_block_ends(small):
    with capture() as captured:
        pass
    run_one(small, ["batch_sync"], 1)
    assert captured.steps == []


def test_the_drivers_shortcuts_are_heard_too():
    """``sqlite3.Connection.execute`` makes its cursor in C: the capture must hear it all the same."""
    engine = create_engine("sqlite://")
    with capture() as captured, engine.connect() as conn:
        driver = conn.connection.dbapi_connection
        driver.execute("CREATE TABLE t (x INTEGER)")
        driver.executemany("INSERT INTO t (x) VALUES (?)", [(1,), (2,)])
        assert driver.execute("SELECT count(*) FROM t").fetchall() == [(2,)]
    engine.dispose()
    assert captured.statements()[-3:] == ["CREATE TABLE t (x INTEGER)", "INSERT INTO t (x) VALUES (?)",
                                          "SELECT count(*) FROM t"]
