"""Writing results: atomically (temporary file, then rename), as JSON or as a flat CSV."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def atomic_write(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one, never half."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """``atomic_write`` for binary content (PNG charts): a temporary file beside ``path``, then a rename."""
    return atomic_write_all({Path(path): data})[0]


def atomic_write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write several files that belong together (results.json and results.csv): all new, or all old.

    Every file is written to a temporary file beside it first; only when all are on disk are they
    renamed, with Ctrl-C held back for those few renames, so an interrupt never leaves a new JSON
    next to an old CSV. Temporary files are opened with mode 0o666 so the umask applies as for any
    new file (``mkstemp`` would leave results readable by their owner only), and synced before the
    rename so that a crash right after it cannot leave an empty file under the final name.
    """
    temporary: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = temporary[path] = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        with _sigint_held():
            for path, tmp in temporary.items():
                os.replace(tmp, path)
    except BaseException:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)
        raise
    return list(files)


@contextlib.contextmanager
def _sigint_held() -> Iterator[None]:
    """Hold Ctrl-C back until the block is done, then deliver it (main thread; elsewhere do nothing).

    A Python signal handler, not a signal mask: the mask would hold the signal for this thread only,
    and any other thread (a pool's, a test runner's) would still take it for the process.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and callable(previous):
        previous(signal.SIGINT, None)  # Python's default handler raises KeyboardInterrupt
    elif caught and previous == signal.SIG_DFL:
        raise KeyboardInterrupt


def to_json(results: dict[str, Any]) -> str:
    return json.dumps(results, indent=2, sort_keys=False) + "\n"


def flatten(block: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"erp": {"calls": 3}}`` -> ``{"erp.calls": 3}``; time series and lists are left out, but for
    warnings (joined by " | ") and a fraction's interval in ``ci95`` (``.low`` and ``.high``)."""
    flat: dict[str, Any] = {}
    for key, value in block.items():
        if key in ("timeseries", "patterns", "replicates"):
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
        elif key == "warnings" and not prefix:
            flat[name] = " | ".join(value)
        elif name.startswith("ci95.") and isinstance(value, list) and len(value) == 2:
            flat[name + ".low"], flat[name + ".high"] = value
        elif not isinstance(value, list):
            flat[name] = value
    return flat


def to_csv(results: dict[str, Any]) -> str:
    """One row per architecture, one column per metric."""
    rows = [{"architecture": name, "seed": results["seed"], **flatten(block)}
            for name, block in results["architectures"].items()]
    return rows_csv(rows)


def rows_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text with the union of the rows' keys as columns, in first-seen order."""
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
