"""Taking the local database for one run, and naming it without its password.

Each run drops and recreates its tables (``store.py``), so two runs on one database would silently
corrupt each other's replicas. A run therefore takes the database for itself before it touches a
table, and a second run is refused with one line naming the holder. Two other designs were weighed:
tables per run (a schema or a prefix each) would let runs share a database, but leave a set of
tables behind per run, need a clean-up nobody runs, and stop ``--db`` from meaning "look at the
replica afterwards in this database". A lock keeps one set of tables, and costs nothing to undo.

The lock is the operating system's or the server's, so it ends with the process: a run killed with
SIGKILL leaves nothing to clean up and the next run goes ahead.

- SQLite file: ``flock`` on the database file itself. SQLite's own locks are POSIX ``fcntl`` byte
  range locks, which Linux keeps apart from ``flock``; the descriptor is closed only after the
  run's own SQLite connections (closing another descriptor of the file would drop their locks).
- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection of its own,
  scoped to the database and the schema the tables go in.
- In-memory SQLite is private to its process: nothing to take.

Within one process the lock is re-entrant: ``run`` holds it across its architectures, and each
``Store`` takes it again. Who holds it is written by the holder into the marker table
(``store.py``), which the refused run reads back.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from sqlalchemy import Integer, cast, create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: SQLite files are then not locked between processes
    fcntl = None  # type: ignore[assignment]

# The advisory lock's key is two 32-bit numbers: patternsim's, and one for the schema the tables go
# in (the current schema: runs in different schemas of one database do not clash).
ADVISORY_CLASS = int.from_bytes(hashlib.sha256(b"patternsim local store").digest()[:4], "big", signed=True)
SQLITE_MEMORY = ("", ":memory:")


class DatabaseUnavailable(ValueError):
    """The local database cannot be used (cannot connect, not a database, tables that are not ours).

    The message is one line and names the database by ``shown(url)``, never with its password.
    """


class DatabaseInUse(DatabaseUnavailable):
    """Another run holds the database."""


def shown(url: str) -> str:
    """``url`` as it may be printed or saved: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL that does not parse has no password to find either
        return "the local database"


def scrub(text: str, url: str) -> str:
    """``text`` (a driver's error message, say) with the URL's password masked wherever it appears."""
    try:
        password = make_url(url).password
    except Exception:  # noqa: BLE001
        return text
    if password:
        for form in {password, quote(password, safe=""), quote_plus(password)}:
            text = text.replace(form, "***")
    return text


def one_line(exc: BaseException, url: str) -> str:
    """The first line of a database error's own message (not SQLAlchemy's wrapping), password masked."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip() or type(orig).__name__
    return scrub(text.splitlines()[0].strip(), url)


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None when the database is in memory (or the URL is not SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if str(parsed.query.get("uri", "")).lower() in ("true", "1"):  # sqlite:///file:x.db?mode=rw&uri=true
        database = database.removeprefix("file:")
        if parsed.query.get("mode") == "memory":
            return None
    return None if database in SQLITE_MEMORY else Path(database)


class _Held:
    """One thread's hold on one database: what releases it, how many hold it, whether a store has it."""

    def __init__(self, release: Any):
        self.release, self.count, self.store = release, 0, False


_held: dict[tuple[int, str], _Held] = {}
_registry = threading.Lock()


@contextlib.contextmanager
def hold(url: str, holder: Any = None, store: bool = False) -> Iterator[None]:
    """Hold the database at ``url`` for this block, or raise ``DatabaseInUse`` naming the holder.

    Re-entrant within a thread (``run`` holds it around its stores), except that only one ``store``
    may be open on it at a time; another thread, like another process, is refused. ``holder()``
    says who holds it (the store reads its marker table); it is called only on a refusal.
    """
    key = _key(url)
    if key is None:
        yield
        return
    key = (threading.get_ident(), key)
    with _registry:
        held = _held.get(key)
        if held is None:
            held = _held[key] = _Held(_take(url, holder))
        elif store and held.store:
            raise DatabaseInUse(f"{shown(url)}: already in use by another store of this run")
        held.count += 1
        held.store = held.store or store
    try:
        yield
    finally:
        with _registry:
            held.count -= 1
            held.store = held.store and not store
            if held.count == 0:
                del _held[key]
                held.release()


def _key(url: str) -> str | None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(url)
        return None if path is None else f"sqlite:{os.path.realpath(path)}"
    return parsed.render_as_string(hide_password=True)


def _take(url: str, holder: Any) -> Any:
    """Take the lock; returns what releases it."""
    if make_url(url).get_backend_name() == "sqlite":
        return _take_file(url, sqlite_path(url), holder)
    return _take_advisory(url, holder)


def _take_file(url: str, path: Path, holder: Any) -> Any:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise DatabaseUnavailable(f"{shown(url)}: cannot open {path} for writing "
                                  f"({exc.strerror or exc})") from None
    if fcntl is None:  # pragma: no cover
        return lambda: os.close(fd)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise DatabaseInUse(_in_use(url, holder)) from None
    return lambda: os.close(fd)  # closing the descriptor releases the flock


def _take_advisory(url: str, holder: Any) -> Any:
    engine = create_engine(url, poolclass=NullPool)
    try:
        conn = engine.connect()
        schema = conn.execute(select(func.current_schema())).scalar_one() or ""
        key = int.from_bytes(hashlib.sha256(schema.encode()).digest()[:4], "big", signed=True)
        taken = conn.execute(select(func.pg_try_advisory_lock(cast(ADVISORY_CLASS, Integer),
                                                              cast(key, Integer)))).scalar_one()
        conn.commit()  # a session-level lock outlives the transaction
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseUnavailable(f"{shown(url)}: {one_line(exc, url)}") from None
    if not taken:
        conn.close()
        engine.dispose()
        raise DatabaseInUse(_in_use(url, holder))

    def release() -> None:
        conn.close()  # ending the session releases its advisory locks
        engine.dispose()
    return release


def _in_use(url: str, holder: Any) -> str:
    who = None
    if holder is not None:
        with contextlib.suppress(Exception):  # naming the holder is a courtesy; the refusal stands
            who = holder()
    by = f"by {who}" if who else "by another patternsim run"
    return f"{shown(url)}: in use {by}; runs on one database go one after the other (or give each its own)"
