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


def out_dir(value: str, flag: str = "--out", files: tuple[str, ...] = (), folders: tuple[str, ...] = ()) -> Path:
    """The output folder ``value``, checked: an existing folder, or one that could be created.

    ``files`` are the names the command will write into it; one that is a folder would make the
    final rename fail after all the work, so it is refused now. ``folders`` are the folders it will
    write into; one that is a file (or anything else) is refused likewise.
    """
    path = _usable(value, flag)
    if path.exists():
        if not path.is_dir():
            raise UsageError(f"{flag} {path}: exists and is not a directory")
        if not os.access(path, os.W_OK | os.X_OK):
            raise UsageError(f"{flag} {path}: directory is not writable")
        for name in files:
            if (path / name).is_dir():
                raise UsageError(f"{flag} {path}: {name} in it is a directory, so results cannot be written there")
        for name in folders:
            if ((path / name).exists() or (path / name).is_symlink()) and not (path / name).is_dir():
                raise UsageError(f"{flag} {path}: {name} in it is not a directory, so nothing can be written in it")
        return path
    _creatable(path, flag)
    return path


def out_file(value: str, flag: str = "--out") -> Path:
    """An output file ``value``, checked: not a folder, and in a folder that exists or could be created."""
    path = _usable(value, flag)
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a directory; give a file name")
    if path.parent.exists():
        if not path.parent.is_dir():
            raise UsageError(f"{flag} {path}: cannot be created, {path.parent} is a file")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise UsageError(f"{flag} {path}: folder {path.parent} is not writable")
    else:
        _creatable(path.parent, flag, shown=path)
    return path


def _usable(value: str, flag: str) -> Path:
    if "\x00" in value or not value.strip():
        raise UsageError(f"{flag} {value!r}: not a usable path")
    return Path(value)


def _creatable(path: Path, flag: str, shown: Path | None = None) -> None:
    """Raise unless the missing folder ``path`` could be made (its nearest existing ancestor is a writable folder)."""
    shown = shown or path
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{flag} {shown}: cannot be created, {ancestor} is a file")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {shown}: cannot be created, {ancestor} is not writable")


def db_url(value: str, flag: str = "--db") -> str:
    """The ``--db`` URL, checked (parsed, dialect and driver loaded) without connecting."""
    try:
        database_url.check(value)
    except database_url.DatabaseUrlError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    return value
