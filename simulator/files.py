"""Files in and out: read regular files only and only up to a limit; write whole files or nothing.

Reading: a FIFO would block the reader forever and a device like ``/dev/zero`` never ends, so a
file is opened without blocking (``O_NONBLOCK``: opening a FIFO returns at once) and refused unless
it is a regular file; then at most ``limit + 1`` bytes are read. Writing (``atomic_write_all``): a
temporary file beside each target, synced, then renamed, with Ctrl-C and SIGTERM held back during
the renames; on any failure the temporary files, and the folders made for them, are removed.
``write_folder`` does the same for a folder of files (a report) through a temporary folder.

Scenario files, sweep cells and (through ``app.export``) every output of the doors go through here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import stat
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

KINDS = {stat.S_ISFIFO: "a FIFO (named pipe)", stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device",
         stat.S_ISSOCK: "a socket"}
HELD_SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None)) if s)


class FileProblem(ValueError):
    """A file that cannot be read as one, with the reason (the caller names the file)."""


def read_regular(path: str | Path, limit: int, noun: str) -> bytes:
    """The content of the regular file ``path``, at most ``limit`` bytes, or ``FileProblem`` saying why not.

    ``noun`` names what the file should be, for the messages: ``"a scenario"`` gives "is a directory,
    not a scenario file" and "file is larger than N bytes, the most a scenario may be".
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise FileProblem("no such file") from None
    except IsADirectoryError:  # Windows; on POSIX a directory opens, and fstat below says what it is
        raise FileProblem(f"is a directory, not {noun} file") from None
    except PermissionError:
        raise FileProblem("permission denied") from None
    except OSError as exc:
        raise FileProblem(exc.strerror or str(exc)) from None
    except ValueError:  # a NUL byte in the path: no file has such a name
        raise FileProblem("no such file (the path holds a NUL byte)") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise FileProblem(f"is a directory, not {noun} file")
        kind = next((name for test, name in KINDS.items() if test(mode)), "not a regular file")
        raise FileProblem(f"is {kind}, not {noun} file; give a regular file")
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise FileProblem(exc.strerror or str(exc)) from None
    if len(data) > limit:
        raise FileProblem(f"file is larger than {limit} bytes, the most {noun} may be")
    return data


def atomic_write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write several files that belong together (results.json and results.csv): all new, or all old.

    Every file is written to a temporary file beside it first; only when all are on disk are they
    renamed, with Ctrl-C and SIGTERM held back for those few renames, so an interrupt never leaves a
    new JSON next to an old CSV. Temporary files are opened with mode 0o666 so the umask applies as
    for any new file (``mkstemp`` would leave them readable by their owner only), and synced before
    the rename so that a crash right after it cannot leave an empty file under the final name. If
    anything fails, the temporary files are removed, and so are the folders made for them: a full
    disk leaves no empty output folder behind.
    """
    temporary: dict[Path, Path] = {}
    made: list[Path] = []
    try:
        for path, data in files.items():
            made += _make_folders(path.parent)
            tmp = temporary[path] = _temporary(path)
            _write_new(tmp, data)
        with signals_held():
            for path, tmp in temporary.items():
                os.replace(tmp, path)
    except BaseException:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return list(files)


def write_folder(out: Path, files: dict[str, bytes]) -> list[Path]:
    """Write the files of the folder ``out`` (a report: a page and its charts) all new, or all old.

    Every file goes into a temporary folder beside ``out`` first. When all are on disk, that folder
    is renamed to ``out`` if there was none, or each file is moved into the existing ``out`` (other
    files there are left alone), with Ctrl-C and SIGTERM held back for the renames. On any failure
    before then, the temporary folder and the parent folders made for it are removed: a full disk
    or an interrupt leaves the previous report, or nothing, never half of a new one.
    """
    made = _make_folders(out.parent)
    tmp = _temporary(out)
    try:
        tmp.mkdir()
        for name, data in files.items():
            _write_new(tmp / name, data)
        with signals_held():
            if out.is_dir():
                for name in files:
                    os.replace(tmp / name, out / name)
                tmp.rmdir()
            else:
                os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return [out / name for name in files]


def _temporary(path: Path) -> Path:
    """A name beside ``path`` that no other writer uses."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) holding ``data``, synced to disk; mode 0o666 less the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _make_folders(folder: Path) -> list[Path]:
    """Make ``folder`` and any missing parents; returns those made, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    made = []
    for each in reversed(missing):
        try:
            each.mkdir()
        except FileExistsError:
            continue
        made.append(each)
    return made


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back until the block is done, then deliver them (main thread only).

    A Python signal handler, not a signal mask: the mask would hold the signal for this thread only,
    and any other thread (a pool's, a test runner's) would still take it for the process.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in HELD_SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    for signum in dict.fromkeys(caught):
        handler = previous[signum]
        if callable(handler):
            handler(signum, None)  # Python's SIGINT handler raises KeyboardInterrupt; ours for SIGTERM, Terminated
        elif handler == signal.SIG_DFL:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            os.kill(os.getpid(), signum)
