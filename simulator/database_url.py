"""Checking a local database URL before a run, so a bad one is one line and not a traceback later.

SQLAlchemy only complains about a URL when the engine is built or first connects, which is deep
inside a run (after minutes of simulation, for the later architectures). Here the URL is parsed,
its dialect and driver are loaded and, for a SQLite file, the folder it goes in is looked at;
nothing is connected to and no file is created.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# The dialects patterns.store knows how to upsert with.
SUPPORTED = ("sqlite", "postgresql")


class DatabaseUrlError(ValueError):
    """A database URL that cannot work, with a reason that never repeats the password."""


def check(url: str) -> None:
    """Raise ``DatabaseUrlError`` saying why ``url`` cannot be used as the local database."""
    if not isinstance(url, str) or not url.strip():
        raise DatabaseUrlError("expected a SQLAlchemy URL such as sqlite:///local.db")
    if "\x00" in url:
        raise DatabaseUrlError("must not contain a NUL byte")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise DatabaseUrlError("not a SQLAlchemy URL (expected e.g. sqlite:///local.db or "
                               "postgresql+psycopg://user@host/db)") from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() not in SUPPORTED:
        raise DatabaseUrlError(f"{shown}: dialect {parsed.get_backend_name()!r} is not supported "
                               f"(one of {', '.join(SUPPORTED)})")
    try:
        parsed.get_dialect().import_dbapi()
    except ArgumentError:
        raise DatabaseUrlError(f"{shown}: unknown driver {parsed.get_driver_name()!r}") from None
    except ImportError as exc:
        raise DatabaseUrlError(f"{shown}: the driver is not installed ({exc.name or exc})") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _check_sqlite_file(Path(parsed.database), shown)


def _check_sqlite_file(path: Path, shown: str) -> None:
    if path.is_dir():
        raise DatabaseUrlError(f"{shown}: {path} is a directory")
    if not path.parent.is_dir():
        raise DatabaseUrlError(f"{shown}: folder {path.parent} does not exist")
