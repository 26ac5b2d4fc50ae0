"""Where every statement of the local database passes: prepared statements and the guarded connection.

SQLAlchemy Core builds every statement, once, and compiles it for the database's dialect. The hot
statements (a replica page or get, a detail lookup, an upsert, an audit batch) then run as that
compiled SQL through the DB-API cursor, and rows come back as the driver's plain tuples. For a get
by id on SQLite the query itself costs about 4 µs; SQLAlchemy's per-call execution context, result
metadata and row objects cost ten times that. Statements run rarely (counts, DDL, the queue's
JSON-carrying rows) keep going through SQLAlchemy's ``Connection.execute``.

Both ways pass ``GuardedConnection``: its ``hooks`` see every statement first (local database
faults are injected there), and any failure rolls the transaction back and becomes
``LocalStoreError``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

Hook = Callable[[], None]  # raises to fail the statement about to run


class LocalStoreError(Exception):
    """The local database failed a statement; its transaction was rolled back.

    Patterns treat it as real code treats a database error: a read falls back to the source, a
    sync step is tried again later (its cursor or queue item untouched).
    """


class Prepared:
    """A Core statement compiled once for one dialect, run through the DB-API cursor.

    Parameters are given by name, as to SQLAlchemy; ``bind`` puts them in the driver's form (a
    tuple in placeholder order, or the dict itself), adds the literals the statement carries, and
    applies each column type's own bind processing as the dialect implements it (Float's to_float,
    JSON's serializer). Rows come back as the driver's tuples; ``fetchone``/``fetchall`` apply the
    result columns' processing where a type has any (JSON text on SQLite), worked out from the
    first result's type codes as SQLAlchemy does.
    """

    __slots__ = ("sql", "_names", "_values", "_defaults", "_processors", "_positions", "_dialect", "_types",
                 "_results")

    def __init__(self, statement: Any, dialect: Any):
        compiled = statement.compile(dialect=dialect)
        columns = getattr(statement, "selected_columns", None) or getattr(statement, "_returning", ()) or ()
        self._dialect = dialect
        self._types = [c.type.dialect_impl(dialect) for c in columns]
        # Result columns whose type converts what the driver returns (JSON text to a dict on SQLite), by
        # position; worked out from the first result's column types, as SQLAlchemy does.
        self._results: list[tuple[int, Callable[[Any], Any]]] | None = None
        self.sql = str(compiled)
        positional = getattr(compiled, "positional", False)  # DDL (CREATE INDEX) has no parameters at all
        names = list(compiled.positiontup) if positional else list(getattr(compiled, "binds", ()))
        self._names = tuple(names) if positional else None
        # Values the statement carries itself (a literal in a CASE, say), under names SQLAlchemy made up.
        self._defaults = {name: compiled.binds[name].value for name in names if not compiled.binds[name].required}
        # The type as this dialect implements it processes values as SQLAlchemy itself would.
        processors = {name: compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names}
        self._processors = {name: p for name, p in processors.items() if p is not None}
        # Positional placeholders whose type processes its value (Float: to_float), by position.
        self._positions = [(i, processors[n]) for i, n in enumerate(names) if processors[n] is not None]
        # The values of positional placeholders, in order, taken from the parameters in one C call.
        self._values = None if self._names is None else _values_of(self._names)

    def bind(self, params: dict[str, Any]) -> Any:
        """Named parameters in the driver's form."""
        if self._defaults:
            params = {**self._defaults, **params}
        if self._values is None:
            return {**params, **{n: p(params[n]) for n, p in self._processors.items() if n in params}}
        if not self._positions:
            return self._values(params)
        return self._processed(list(self._values(params)))

    def bind_rows(self, rows: Sequence[Any], fields: Sequence[str] | None = None) -> Sequence[Any]:
        """``rows`` as executemany parameters: named tuples, or plain tuples whose values are ``fields``.

        Rows already in placeholder order are not rebuilt from names: where a column's type processes its
        values, they are taken apart column by column and zipped back into plain tuples, which sqlite3
        also binds faster than named tuples (about 3 µs a row instead of 4)."""
        if not rows:
            return rows
        fields = tuple(fields if fields is not None else rows[0]._fields)
        if fields != self._names:
            return [self.bind(dict(zip(fields, row, strict=True))) for row in rows]
        if not self._positions:
            return rows
        columns: list[Any] = list(zip(*rows, strict=True))  # column by column: the processing runs in C maps
        for i, process in self._positions:
            columns[i] = map(process, columns[i])
        return list(zip(*columns, strict=True))

    def fetchone(self, cursor: Any) -> Any:
        """The next row of ``cursor`` (or None), with its columns' result processing applied, if any."""
        row = cursor.fetchone()
        results = self._results if self._results is not None else self._result_processing(cursor)
        return row if row is None or not results else self._converted(row)

    def fetchall(self, cursor: Any) -> list[Any]:
        rows = cursor.fetchall()
        results = self._results if self._results is not None else self._result_processing(cursor)
        return rows if not results else [self._converted(row) for row in rows]

    def _result_processing(self, cursor: Any) -> list[tuple[int, Callable[[Any], Any]]]:
        """The result columns to process, by position: worked out once, from the first result's type codes."""
        codes = [d[1] for d in cursor.description or ()]
        self._results = [(i, p) for i, (t, code) in enumerate(zip(self._types, codes, strict=False))
                         if (p := t.result_processor(self._dialect, code)) is not None]
        return self._results

    def _converted(self, row: Any) -> tuple[Any, ...]:
        values = list(row)
        for i, process in self._results or ():
            values[i] = process(values[i])
        return tuple(values)

    def _processed(self, values: list[Any]) -> list[Any]:
        for i, process in self._positions:
            values[i] = process(values[i])
        return values


def _values_of(names: Sequence[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """A function giving ``params``' values for ``names``, in order, as a tuple."""
    if not names:
        return lambda params: ()
    if len(names) == 1:
        name = names[0]
        return lambda params: (params[name],)
    return itemgetter(*names)


class GuardedConnection:
    """One connection: hooks see every statement first; a failure rolls back and raises ``LocalStoreError``."""

    def __init__(self, conn: Any):
        self._conn = conn
        self._driver = conn.connection.dbapi_connection
        self._driver_error = conn.dialect.loaded_dbapi.Error
        self.hooks: list[Hook] = []

    # -- the driver's way: prepared statements ------------------------------------------------------
    def run(self, statement: Prepared, params: dict[str, Any], then: Sequence[Prepared] = ()) -> Any:
        """Execute ``statement`` once; returns the DB-API cursor to fetch from.

        ``then``: statements without parameters that complete this one (the index a bulk load built at its
        end, with the cursor that ends it). The hooks see them as one statement: injected faults fail both
        or neither, and one fault is drawn for them, as before there was a ``then``.
        """
        try:
            for hook in self.hooks:
                hook()
            cursor = self._driver.cursor()
            cursor.execute(statement.sql, statement.bind(params))
            for extra in then:
                self._driver.cursor().execute(extra.sql)
            return cursor
        except (self._driver_error, LocalStoreError) as exc:
            raise self._failed(exc) from None

    def run_many(self, statement: Prepared, rows: Sequence[Any], fields: Sequence[str] | None = None) -> None:
        """Execute ``statement`` for every row (one executemany; rows as ``Prepared.bind_rows`` takes them)."""
        try:
            for hook in self.hooks:
                hook()
            self._driver.cursor().executemany(statement.sql, statement.bind_rows(rows, fields))
        except (self._driver_error, LocalStoreError) as exc:
            raise self._failed(exc) from None

    # -- SQLAlchemy's way ------------------------------------------------------------------------------
    def execute(self, *args: Any, **kwargs: Any) -> Any:
        try:
            for hook in self.hooks:
                hook()
            return self._conn.execute(*args, **kwargs)
        except (SQLAlchemyError, LocalStoreError) as exc:
            raise self._failed(exc) from None

    # -- transactions: whichever way the statements went, one transaction of the driver's ---------
    def commit(self) -> None:
        try:
            if self._conn.in_transaction():
                self._conn.commit()
            else:
                self._driver.commit()
        except (SQLAlchemyError, self._driver_error) as exc:
            raise self._failed(exc) from None

    def rollback(self) -> None:
        if self._conn.in_transaction():
            self._conn.rollback()
        else:
            self._driver.rollback()

    def _failed(self, exc: BaseException) -> LocalStoreError:
        self.rollback()
        if isinstance(exc, LocalStoreError):
            return exc
        return LocalStoreError(str(getattr(exc, "orig", None) or exc).splitlines()[0])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)
