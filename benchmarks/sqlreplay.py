"""The SQL a run executed, captured under SQLAlchemy and replayed through the sqlite3 module alone.

``capture()`` listens on SQLAlchemy's ``Engine`` class for the duration of a ``with`` block, so every
engine a run creates is heard without the patterns knowing about the benchmark. It records, in
order, each statement the database actually ran (``after_cursor_execute``: a statement that a fault
injected before the cursor, or that failed, is not recorded) with the exact text and DB-API
parameters SQLAlchemy handed the driver and the executemany flag, and each commit and rollback.
``replay()`` runs that list on fresh in-memory sqlite3 connections, one per connection of the run:
the same statements, parameters and order, the DDL included (so every statement meets the same
tables and rows), every result fetched, and returns the CPU seconds it took.

What the replay leaves out is what SQLAlchemy adds: building and compiling statements, its
result objects and row processing, its connection and transaction bookkeeping. That is the floor
an architecture's SQL cannot go below while it runs these statements.
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

EXECUTE, COMMIT, ROLLBACK = "execute", "commit", "rollback"
QUERIES = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@dataclass
class Captured:
    """What the databases of a run did, in order: (kind, connection number, statement, parameters, many)."""

    steps: list[tuple[str, int, str, Any, bool]] = field(default_factory=list)
    connections: list[Any] = field(default_factory=list)  # the DB-API connections, held so no id is reused
    _numbers: dict[int, int] = field(default_factory=dict)

    def _number(self, dbapi_connection: Any) -> int:
        number = self._numbers.get(id(dbapi_connection))
        if number is None:
            number = self._numbers[id(dbapi_connection)] = len(self.connections)
            self.connections.append(dbapi_connection)
        return number

    def statements(self) -> list[str]:
        """The text of every statement executed, in order (an executemany counted once)."""
        return [s[2] for s in self.steps if s[0] == EXECUTE]

    def queries(self) -> int:
        """Statements that read or change rows (an executemany counted once); DDL and the like left out."""
        return sum(1 for s in self.statements() if s.lstrip()[:6].upper().startswith(QUERIES))


@contextmanager
def capture() -> Iterator[Captured]:
    """Record every statement, commit and rollback of every SQLAlchemy engine while the block runs."""
    captured = Captured()
    steps = captured.steps

    def executed(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        steps.append((EXECUTE, captured._number(cursor.connection), statement, parameters, executemany))

    def committed(conn: Any) -> None:
        steps.append((COMMIT, captured._number(conn.connection.dbapi_connection), "", None, False))

    def rolled_back(conn: Any) -> None:
        steps.append((ROLLBACK, captured._number(conn.connection.dbapi_connection), "", None, False))

    listeners = (("after_cursor_execute", executed), ("commit", committed), ("rollback", rolled_back))
    for name, fn in listeners:
        event.listen(Engine, name, fn)
    try:
        yield captured
    finally:
        for name, fn in listeners:
            event.remove(Engine, name, fn)


def replay(captured: Captured, trace: list[str] | None = None) -> float:
    """CPU seconds of running the captured steps through sqlite3 on fresh in-memory connections.

    ``trace``: if given, every statement SQLite runs during the replay is appended to it, with its
    parameters expanded (``set_trace_callback``), for checking that the replay is the run's SQL.
    """
    conns: list[sqlite3.Connection] = []
    for _ in captured.connections:
        con = sqlite3.connect(":memory:", check_same_thread=False)  # as SQLAlchemy's pysqlite opens it
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
            else:
                con.rollback()
        return time.process_time() - cpu
    finally:
        for con in conns:
            con.close()
