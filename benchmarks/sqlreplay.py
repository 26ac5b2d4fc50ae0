"""The SQL a run executed, captured at the sqlite3 driver and replayed through the sqlite3 module alone.

``capture()`` hands every SQLite connection that SQLAlchemy opens while the ``with`` block runs a
recording subclass of ``sqlite3.Connection`` (the ``factory`` argument of ``sqlite3.connect``, set
in SQLAlchemy's ``do_connect`` event on the ``Engine`` class), so the patterns know nothing of the
benchmark, and statements are heard however they reach the driver: through SQLAlchemy's
``Connection.execute`` or as compiled SQL on the DB-API cursor (``patterns/sql.py``). It records,
in order, each statement the database ran without error (a statement failed by an injected fault
never reaches the driver) with the exact text and parameters, whether it was an executemany, each
commit and rollback, and each change of the connection's ``isolation_level``.

``replay()`` runs that list on fresh in-memory connections opened with the run's own connect
arguments, one per connection of the run: the same statements, parameters and order, DDL included
(so every statement meets the same tables and rows), every result fetched, and returns the CPU
seconds it took. What it leaves out is what the run adds above the driver: SQLAlchemy (building,
compiling, executing statements, result rows) and the patterns' own code. That is the floor an
architecture's SQL cannot go below while it runs these statements.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

EXECUTE, COMMIT, ROLLBACK, ISOLATION = "execute", "commit", "rollback", "isolation_level"
QUERIES = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
_ISOLATION = sqlite3.Connection.isolation_level  # the driver's own descriptor, wrapped below


@dataclass
class Captured:
    """What the SQLite connections of a run did, in order: (kind, connection number, statement, parameters, many)."""

    steps: list[tuple[str, int, Any, Any, bool]] = field(default_factory=list)
    connects: list[dict[str, Any]] = field(default_factory=list)  # each connection's sqlite3.connect arguments

    def statements(self) -> list[str]:
        """The text of every statement executed, in order (an executemany counted once)."""
        return [s[2] for s in self.steps if s[0] == EXECUTE]

    def queries(self) -> int:
        """Statements that read or change rows (an executemany counted once); DDL, PRAGMA and BEGIN left out."""
        return sum(1 for s in self.statements() if s.lstrip()[:6].upper().startswith(QUERIES))


def _recording(captured: Captured, number: int) -> tuple[type, type]:
    """A sqlite3 connection class and its cursor class that append what they run to ``captured``."""
    steps = captured.steps

    class Cursor(sqlite3.Cursor):
        def execute(self, sql: str, parameters: Any = (), /) -> Any:
            parameters = dict(parameters) if isinstance(parameters, dict) else tuple(parameters)
            result = super().execute(sql, parameters)
            steps.append((EXECUTE, number, sql, parameters, False))
            return result

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
            rows = list(seq_of_parameters)  # a copy: the caller may reuse its list, or hand an iterator
            result = super().executemany(sql, rows)
            steps.append((EXECUTE, number, sql, rows, True))
            return result

    class Connection(sqlite3.Connection):
        def cursor(self, factory: Any = Cursor) -> Any:
            return super().cursor(factory)

        # The driver's own shortcuts make their cursor in C, past ``cursor`` above: route them through it.
        def execute(self, sql: str, parameters: Any = (), /) -> Any:
            return self.cursor().execute(sql, parameters)

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
            return self.cursor().executemany(sql, seq_of_parameters)

        def commit(self) -> None:
            super().commit()
            steps.append((COMMIT, number, None, None, False))

        def rollback(self) -> None:
            super().rollback()
            steps.append((ROLLBACK, number, None, None, False))

        @property
        def isolation_level(self) -> Any:
            return _ISOLATION.__get__(self)

        @isolation_level.setter
        def isolation_level(self, value: Any) -> None:
            _ISOLATION.__set__(self, value)
            steps.append((ISOLATION, number, value, None, False))

    return Connection, Cursor


@contextmanager
def capture() -> Iterator[Captured]:
    """Record every statement, commit and rollback on each SQLite connection opened while the block runs."""
    captured = Captured()

    def connecting(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        if dialect.name != "sqlite":
            return
        captured.connects.append({k: v for k, v in cparams.items() if k != "factory"})
        cparams["factory"] = _recording(captured, len(captured.connects) - 1)[0]

    event.listen(Engine, "do_connect", connecting)
    try:
        yield captured
    finally:
        event.remove(Engine, "do_connect", connecting)


def replay(captured: Captured, trace: list[str] | None = None) -> float:
    """CPU seconds of running the captured steps through sqlite3 on fresh in-memory connections.

    ``trace``: if given, every statement SQLite runs during the replay is appended to it, with its
    parameters expanded (``set_trace_callback``), for checking that the replay is the run's SQL.
    """
    conns: list[sqlite3.Connection] = []
    for params in captured.connects:
        con = sqlite3.connect(**{**params, "database": ":memory:"})
        if trace is not None:
            con.set_trace_callback(trace.append)
        conns.append(con)
    try:
        cpu = time.process_time()
        for kind, number, statement, parameters, many in captured.steps:
            con = conns[number]
            if kind == EXECUTE:
                cursor = con.executemany(statement, parameters) if many else con.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
                cursor.close()
            elif kind == COMMIT:
                con.commit()
            elif kind == ROLLBACK:
                con.rollback()
            else:
                con.isolation_level = statement
        return time.process_time() - cpu
    finally:
        for con in conns:
            con.close()
