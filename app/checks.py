"""Up-front checks of output flags, so a run that cannot save its results fails before it starts.

A bad ``--out`` would otherwise surface only after the whole simulation, as a traceback from
``mkdir``; a bad ``--db`` deep inside the first run. Both are checked without creating anything:
the output folder is made only when the results are written.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import UsageError
from simulator import database_url


def out_dir(value: str, flag: str = "--out") -> Path:
    """The output folder ``value``, checked: an existing folder, or one that could be created."""
    if "\x00" in value or not value.strip():
        raise UsageError(f"{flag} {value!r}: not a usable path")
    path = Path(value)
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"{flag} {path}: exists and is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise UsageError(f"{flag} {path}: directory is not writable")
        return path
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{flag} {path}: cannot be created, {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {path}: cannot be created, {ancestor} is not writable")
    return path


def db_url(value: str, flag: str = "--db") -> str:
    """The ``--db`` URL, checked (parsed, dialect and driver loaded) without connecting."""
    try:
        database_url.check(value)
    except database_url.DatabaseUrlError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    return value
