"""The local database: SQLAlchemy Core tables for replicas, caches, the sync queue and audit.

Statements are built once and executed with bound parameters (SQLAlchemy caches their compiled
form); bulk writes go through ``executemany``. Search input only ever reaches SQL as bound
parameters. Any SQLAlchemy URL works; each ``Store`` takes the database for its run
(``patterns/database.py``), then drops and recreates its tables in one transaction. Upserts use
the dialect's ``ON CONFLICT`` (SQLite, PostgreSQL).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    delete,
    func,
    inspect,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool, StaticPool
from sqlalchemy.schema import CreateIndex

from patterns import database
from patterns.database import DatabaseUnavailable
from patterns.ports import Contract, Customer, CustomerDetail, Delay
from patterns.sql import GuardedConnection, LocalStoreError, Prepared

metadata = MetaData()
AUDIT_KEEP = 20_000  # audit rows an in-memory database keeps (the newest)

customers = Table(
    "customers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", String, nullable=False),
    Column("city", String, nullable=False),
    Column("country", String, nullable=False),
    Column("segment", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
    # Covers the page query (city, in id order, every summary column): a list page reads the index
    # alone, not 50 rows scattered through the table (8% of a batch_sync run's CPU). Built once the
    # first full load has filled the table (``Store.index_replica``), not kept up row by row.
    Index("ix_customers_city", "city", "id", "name", "country", "segment", "version", "updated_at"),
)
# Indexes a bulk load builds at its end rather than maintains row by row, as bulk loaders do (pg_restore
# creates indexes after the data): a million rows inserted city by city into this wide index take three times
# as long as into the table alone, and building the index from the loaded table takes less than the
# difference. It only serves list pages, and the replica answers none before its first full load is done.
DEFERRED_INDEXES = [ix for ix in customers.indexes if ix.name == "ix_customers_city"]

customer_details = Table(
    "customer_details", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("balance", Float, nullable=False),
    Column("credit_limit", Float, nullable=False),
    Column("open_orders", Integer, nullable=False),
    Column("last_order_date", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("fetched_at", Float, nullable=False, index=True),
)

sync_cursor = Table(
    "sync_cursor", metadata,
    Column("name", String, primary_key=True),
    Column("since", Float, nullable=True),
    Column("after", Integer, nullable=True),
)

# Change notifications taken by queued_sync, until a worker has applied them. An item is free to
# claim when ``lease_until`` is NULL or past; ``worker`` is who holds (or last held) it; ``tries``
# counts failed deliveries (a crash, a permanent error).
sync_queue = Table(
    "sync_queue", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Integer, nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("enqueued_at", Float, nullable=False),
    Column("lease_until", Float, nullable=True, index=True),
    Column("worker", String, nullable=True),
    Column("tries", Integer, nullable=False, default=0),
    # The record a callback carried (payload "record"), else SQL NULL: nothing to encode or decode.
    Column("record", JSON(none_as_null=True), nullable=True),
)

# Queue items that failed ``max_tries`` times (poison), kept for someone to look at.
dead_letters = Table(
    "dead_letters", metadata,
    Column("id", Integer, primary_key=True),
    Column("key", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("enqueued_at", Float, nullable=False),
    Column("failed_at", Float, nullable=False),
    Column("tries", Integer, nullable=False),
    Column("reason", String, nullable=False),
    Column("record", JSON(none_as_null=True), nullable=True),
)

# Contracts reference customers; no foreign key, so that a sync that gets the order wrong shows it
# (orphans: contracts whose customer is not held) instead of failing.
contracts = Table(
    "contracts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", Integer, nullable=False, index=True),
    Column("product", String, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
)

audit_trail = Table(
    "audit_trail", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", Float, nullable=False),
    Column("caller", String, nullable=False),
    Column("operation", String, nullable=False),
    Column("target", Integer, nullable=True),
    Column("outcome", String, nullable=False),
    Column("duration_s", Float, nullable=False),
)

# Marks a database as patternsim's own, so a later run may drop and recreate its tables. It is
# recognised by its content (a row naming patternsim, with an installation id and a schema version),
# not by its name alone, and names the run that holds the database. Never dropped.
marker = Table(
    "patternsim_marker", metadata,
    Column("application", String, primary_key=True),
    Column("installation", String, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("holder", String, nullable=False),
)
APPLICATION = "patternsim"
SCHEMA_VERSION = 2  # 1: the marker was an empty table recognised by its name
TABLES = [t for t in metadata.sorted_tables if t is not marker]
# Every name the schema creates besides its tables (indexes, by the table they belong to).
INDEXES = {ix.name: t.name for t in TABLES for ix in t.indexes}

CUSTOMER_COLUMNS = [customers.c[name] for name in Customer._fields]
# An audit row as ``AuditTrail`` buffers it: a plain tuple of these columns, in this order.
AUDIT_FIELDS = ("at", "caller", "operation", "target", "outcome", "duration_s")
DETAIL_COLUMNS = [customer_details.c[name] for name in CustomerDetail._fields]
SEARCHABLE = ("city", "country", "segment")


def _dialect_insert(engine: Any):
    name = engine.dialect.name
    if name == "sqlite":
        return sqlite.insert
    if name == "postgresql":
        return postgresql.insert
    raise ValueError(f"local_db.url: dialect {name!r} has no upsert here; use sqlite or postgresql")


class Store:
    """One run's local database and the prepared statements the patterns use.

    ``latency`` draws the simulated cost of one local query; the patterns pay it, the store only
    does the SQL.
    """

    def __init__(self, url: str = "sqlite://", latency: Delay = lambda: 0.0):
        kwargs: dict[str, Any] = {}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
        self.url = url
        self.latency = latency
        self.metadata = metadata
        self._hold = contextlib.ExitStack()
        try:
            self.engine = create_engine(url, **kwargs)
        except (SQLAlchemyError, ValueError) as exc:
            raise DatabaseUnavailable(f"{database.shown(url)}: {database.one_line(exc, url)}") from None
        try:
            self._hold.enter_context(database.hold(url, self._holder, store=True))
            self._create_tables()
            self.conn = GuardedConnection(self.engine.connect())
        except SQLAlchemyError as exc:
            self._release()
            raise DatabaseUnavailable(f"{database.shown(url)}: {database.one_line(exc, url)}") from None
        except BaseException:
            self._release()
            raise
        self._insert = _dialect_insert(self.engine)
        prepare = self.prepare
        self._upsert_customer = prepare(self._upsert(customers, only_newer=False))
        self._upsert_customer_newer = prepare(self._upsert(customers, only_newer=True))
        self._upsert_detail = prepare(self._upsert(customer_details, only_newer=False))
        self._get_customer = prepare(select(*CUSTOMER_COLUMNS).where(customers.c.id == bindparam("id")))
        self._get_detail = prepare(select(*DETAIL_COLUMNS, customer_details.c.fetched_at).where(
            customer_details.c.id == bindparam("id")))
        self._searches: dict[tuple[str, ...], Prepared] = {}
        self._upsert_contract_newer = prepare(self._upsert(contracts, only_newer=True))
        self._write_audit = prepare(audit_trail.insert().values({name: bindparam(name) for name in AUDIT_FIELDS}))
        held = union_all(select(customers.c.id, customers.c.version),
                         select(customer_details.c.id, customer_details.c.version),
                         select(sync_queue.c.key, sync_queue.c.version)).subquery()
        self._held = prepare(select(held.c.id, func.min(held.c.version)).group_by(held.c.id))
        # An in-memory database keeps only the newest audit rows (``write_audit``); any other keeps all.
        in_memory = self.engine.dialect.name == "sqlite" and database.sqlite_path(url) is None
        self.audit_keep: int | None = AUDIT_KEEP if in_memory else None
        self._audit_written = 0
        newest = select(func.max(audit_trail.c.id)).scalar_subquery()
        self._trim_audit = prepare(delete(audit_trail).where(audit_trail.c.id <= newest - bindparam("keep")))
        save = self._insert(sync_cursor)
        self._save_cursor = prepare(save.on_conflict_do_update(
            index_elements=[sync_cursor.c.name], set_={"since": save.excluded.since, "after": save.excluded.after}))
        # Statements that finish a full load of the replica, run in the transaction of its last page's cursor.
        self.index_replica = [prepare(CreateIndex(index, if_not_exists=True)) for index in DEFERRED_INDEXES]
        self._orphans = select(func.count()).select_from(contracts).where(
            ~select(customers.c.id).where(customers.c.id == contracts.c.customer_id).exists())

    def _create_tables(self) -> None:
        """Drop and recreate the tables in one transaction, after checking that they are ours to drop.

        One transaction (SQLite included: see ``_transaction``), so a run killed at any moment leaves
        the database as it was before or as it is after, never tables without their marker. An
        in-memory database is new and empty: nothing to check or drop.
        """
        private = self.engine.dialect.name == "sqlite" and database.sqlite_path(self.url) is None
        with self._transaction() as conn:
            row = None if private else self._check_ownership(conn)
            if not private:
                metadata.drop_all(conn, tables=TABLES, checkfirst=True)
            marker.create(conn, checkfirst=True)
            installation = row.installation if row is not None else uuid.uuid4().hex
            conn.execute(delete(marker))
            conn.execute(marker.insert(), {"application": APPLICATION, "installation": installation,
                                           "schema_version": SCHEMA_VERSION, "holder": _this_process()})
            metadata.create_all(conn, tables=TABLES)
            for index in DEFERRED_INDEXES:  # until the first full load has filled its table
                index.drop(conn)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A connection inside one transaction that covers DDL too.

        PostgreSQL's DDL is transactional as it is. Python's sqlite3 driver opens transactions for
        data changes only, so each CREATE and DROP would commit on its own; here the driver is told
        to stay out of it (``isolation_level = None``) and the transaction is begun by hand, the
        way SQLAlchemy's documentation recommends for SQLite.
        """
        with self.engine.connect() as conn:
            if self.engine.dialect.name != "sqlite":
                with conn.begin():
                    yield conn
                return
            driver = conn.connection.driver_connection
            previous = driver.isolation_level
            driver.isolation_level = None
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.rollback()
                    raise
                conn.commit()
            finally:
                driver.isolation_level = previous

    def _check_ownership(self, conn: Any) -> Any:
        """Refuse a database holding objects of our names that patternsim did not make; returns the marker row.

        Every run drops and recreates its tables; on someone's existing database that would destroy
        their data, so tables of our names are dropped only under a marker patternsim wrote. A view,
        sequence or index of one of our names (on a table of theirs) is refused even then.
        """
        kinds = _objects(conn)
        row = _marker_row(conn) if kinds.get(marker.name) == ("table", None) else None
        if marker.name in kinds and row is None:
            self._refuse(f"has a {kinds[marker.name][0]} {marker.name!r} that patternsim did not create")
        for name in [t.name for t in TABLES] + list(INDEXES):
            if name not in kinds:
                continue
            kind, on = kinds[name]
            expected = ("table", None) if name not in INDEXES else ("index", INDEXES[name])
            if (kind, on) != expected or row is None:
                where = f" on table {on!r}" if on and on != expected[1] else ""
                self._refuse(f"already has {_article(kind)} {kind} {name!r}{where} that patternsim did not "
                             "create")
        return row

    def _refuse(self, reason: str) -> None:
        raise DatabaseUnavailable(f"the database at {database.shown(self.url)} {reason}; give an empty "
                                  "database, or one patternsim made")

    def _holder(self) -> str | None:
        return holder_of(self.url)

    def _release(self) -> None:
        if hasattr(self, "engine"):
            self.engine.dispose()
        self._hold.close()

    def prepare(self, statement: Any) -> Prepared:
        """``statement`` compiled once for this database, to run through ``conn.run`` (``patterns/sql.py``)."""
        return Prepared(statement, self.engine.dialect)

    def _upsert(self, table: Table, only_newer: bool) -> Any:
        stmt = self._insert(table)
        values = {c.name: stmt.excluded[c.name] for c in table.columns if not c.primary_key}
        where = (stmt.excluded.version > table.c.version) if only_newer else None
        return stmt.on_conflict_do_update(index_elements=[table.c.id], set_=values, where=where)

    def close(self) -> None:
        """Close the connections, then let the database go (in that order: see ``patterns/database.py``)."""
        self.conn.close()
        self._release()

    # -- summary replica ---------------------------------------------------------------------
    def upsert_customers(self, rows: Sequence[Customer], only_newer: bool = False, commit: bool = True) -> None:
        """Insert or update replica rows; with ``only_newer`` an older version never overwrites a newer.

        ``commit=False`` leaves the transaction open for the caller's next statement (queued_sync
        applies a change and removes its queue item in one transaction).
        """
        if not rows:
            return
        self.conn.run_many(self._upsert_customer_newer if only_newer else self._upsert_customer, rows)
        if commit:
            self.conn.commit()

    def held_versions(self) -> dict[int, int] | None:
        """The lowest version of each record that a table holds (replica, cache, sync queue), or None while
        uncommitted writes are pending (a rollback would bring older versions back).

        Read through the driver, beside the statements the patterns run: it is the simulator's
        bookkeeping, not the application's work (no latency, no injected error).
        """
        driver = self.conn.connection.driver_connection
        if self.engine.dialect.name == "sqlite":
            pending = driver.in_transaction
        else:  # psycopg: anything but idle may hold uncommitted writes
            info = getattr(driver, "info", None)
            pending = info is None or info.transaction_status != 0
        if pending:
            return None
        cursor = driver.cursor()
        try:
            cursor.execute(self._held.sql)
            return dict(cursor.fetchall())
        finally:
            cursor.close()
            if self.engine.dialect.name != "sqlite":
                driver.rollback()  # end the read's own transaction: nothing was pending

    def customer(self, key: int) -> Customer | None:
        row = self._get_customer.fetchone(self.conn.run(self._get_customer, {"id": key}))
        return _new_customer(row) if row else None

    def search(self, criteria: dict[str, str], offset: int, limit: int) -> list[Customer]:
        """Customers matching every criterion exactly, in id order: always bound parameters."""
        params = {**criteria, "limit": limit, "offset": offset}
        statement = self.search_statement(criteria)
        rows = statement.fetchall(self.conn.run(statement, params))
        return list(map(_new_customer, rows))

    def search_statement(self, criteria: Iterable[str]) -> Prepared:
        """The prepared page query for these filter names (built once per set of names, found again by
        the names in the order given)."""
        given = tuple(criteria)
        stmt = self._searches.get(given)
        if stmt is not None:
            return stmt
        names = tuple(sorted(given))
        stmt = self._searches.get(names)
        if stmt is None:
            if not set(names) <= set(SEARCHABLE):
                raise ValueError(f"search filters are {SEARCHABLE}")
            stmt = select(*CUSTOMER_COLUMNS)
            for name in names:
                stmt = stmt.where(customers.c[name] == bindparam(name))
            stmt = stmt.order_by(customers.c.id).limit(bindparam("limit")).offset(bindparam("offset"))
            stmt = self._searches[names] = self.prepare(stmt)
        self._searches[given] = stmt
        return stmt

    def customer_count(self) -> int:
        return self.conn.execute(select(func.count()).select_from(customers)).scalar_one()

    def all_customers(self) -> dict[int, Customer]:
        return {row[0]: Customer(*row) for row in self.conn.execute(select(*CUSTOMER_COLUMNS))}

    def customers_by_id(self) -> Iterator[Customer]:
        """Every replica row in key order, streamed (a million rows never sit in memory at once)."""
        for row in self.conn.execute(select(*CUSTOMER_COLUMNS).order_by(customers.c.id)):
            yield Customer(*row)

    # -- detail cache ----------------------------------------------------------------------------
    def detail(self, key: int) -> tuple[CustomerDetail, float] | None:
        """A cached detail row and when it was fetched, or None."""
        row = self._get_detail.fetchone(self.conn.run(self._get_detail, {"id": key}))
        return (CustomerDetail(*row[:-1]), row[-1]) if row else None

    def put_detail(self, detail: CustomerDetail, fetched_at: float) -> None:
        self.conn.run(self._upsert_detail, {**_as_dict(detail), "fetched_at": fetched_at})
        self.conn.commit()

    def delete_details_fetched_before(self, cutoff: float) -> int:
        result = self.conn.execute(delete(customer_details).where(customer_details.c.fetched_at < cutoff))
        self.conn.commit()
        return result.rowcount

    def detail_count(self) -> int:
        return self.conn.execute(select(func.count()).select_from(customer_details)).scalar_one()

    # -- contracts -------------------------------------------------------------------------------
    def upsert_contracts(self, rows: Sequence[Contract]) -> None:
        """Insert or update contracts; an older version never overwrites a newer one."""
        if rows:
            self.conn.run_many(self._upsert_contract_newer, rows)
            self.conn.commit()

    def missing_customers(self, keys: Iterable[int]) -> list[int]:
        """Those of ``keys`` the replica does not hold, in order."""
        wanted = sorted(set(keys))
        held = set(self.conn.execute(select(customers.c.id).where(customers.c.id.in_(wanted))).scalars())
        return [k for k in wanted if k not in held]

    def orphan_contracts(self) -> int:
        """Contracts held whose customer is not held."""
        return self.conn.execute(self._orphans).scalar_one()

    def contract_count(self) -> int:
        return self.conn.execute(select(func.count()).select_from(contracts)).scalar_one()

    # -- sync cursor -----------------------------------------------------------------------------
    def cursor(self, name: str) -> tuple[float | None, int | None] | None:
        row = self.conn.execute(select(sync_cursor.c.since, sync_cursor.c.after)
                                .where(sync_cursor.c.name == name)).first()
        return (row[0], row[1]) if row else None

    def save_cursor(self, name: str, since: float | None, after: int | None, then: Sequence[Prepared] = ()) -> None:
        """Save the cursor and commit, with the writes before it; ``then`` (``index_replica`` at the end of a full
        load) runs in the same transaction, as part of the same statement to the hooks."""
        self.conn.run(self._save_cursor, {"name": name, "since": since, "after": after}, then)
        self.conn.commit()

    # -- audit -------------------------------------------------------------------------------------
    def write_audit(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert audit rows: plain tuples of ``AUDIT_FIELDS``."""
        if rows:
            self.conn.run_many(self._write_audit, rows, AUDIT_FIELDS)
            self.conn.commit()
            self._audit_written += len(rows)
            if self.audit_keep is not None and self._audit_written >= self.audit_keep // 2:
                self._keep_newest_audit_rows()

    def _keep_newest_audit_rows(self) -> None:
        """Keep the newest ``audit_keep`` audit rows of an in-memory database (its memory is the process's).

        Retention is the database's housekeeping, not a statement of the application's: it runs through
        the driver (no latency, no injected error) and only after a commit, so nothing is pending.
        """
        self._audit_written = 0
        cursor = self.conn.connection.driver_connection.cursor()
        try:
            cursor.execute(self._trim_audit.sql, self._trim_audit.bind({"keep": self.audit_keep}))
        finally:
            cursor.close()
        self.conn.connection.driver_connection.commit()

    def audit_rows(self) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self.conn.execute(select(audit_trail).order_by(audit_trail.c.id))]


_new_customer = partial(tuple.__new__, Customer)  # Customer._make without a Python frame per row


def _this_process() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}"


def holder_of(url: str) -> str | None:
    """Who holds the database at ``url``, as its marker says (read when our lock is refused)."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            row = _marker_row(conn) if marker.name in _objects(conn) else None
            return row.holder if row is not None else None
    finally:
        engine.dispose()


def _objects(conn: Any) -> dict[str, tuple[str, str | None]]:
    """Every named object in the database's current schema: name -> (kind, table of an index)."""
    insp = inspect(conn)
    kinds: dict[str, tuple[str, str | None]] = {}
    listings = [("table", insp.get_table_names), ("view", insp.get_view_names)]
    if conn.dialect.name == "postgresql":
        listings += [("sequence", insp.get_sequence_names), ("materialized view", insp.get_materialized_view_names),
                     ("foreign table", insp.get_foreign_table_names)]
    for kind, names in listings:
        for name in names():
            kinds.setdefault(name, (kind, None))
    for (_, table), indexes in insp.get_multi_indexes().items():
        for index in indexes:
            if index.get("name"):
                kinds.setdefault(index["name"], ("index", table))
    return kinds


def _marker_row(conn: Any) -> Any:
    """The marker's row if it is one patternsim wrote (right columns, our application, a schema version)."""
    columns = {c["name"] for c in inspect(conn).get_columns(marker.name)}
    if columns != set(marker.c.keys()):
        return None
    row = conn.execute(select(marker)).first()
    if row is None or row.application != APPLICATION or not isinstance(row.schema_version, int):
        return None
    return row


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _as_dict(record: Any) -> dict[str, Any]:
    return record._asdict()


class AuditTrail:
    """Buffers one row per source call and writes them in batches, as real audit writers do."""

    def __init__(self, store: Store, batch: int = 500):
        self.store, self.batch = store, batch
        self._rows: list[tuple[Any, ...]] = []  # AUDIT_FIELDS
        self.count = 0
        self.failed_flushes = 0

    def record(self, at: float, caller: str, operation: str, target: int | None, outcome: str,
               duration_s: float) -> None:
        self._rows.append((at, caller, operation, target, outcome, duration_s))
        self.count += 1
        if len(self._rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows; if the database fails, keep them for the next flush (none is lost)."""
        try:
            self.store.write_audit(self._rows)
        except LocalStoreError:
            self.failed_flushes += 1
            return
        self._rows = []
