"""Writing results: atomically (temporary file, then rename), as JSON or as a flat CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from pathlib import Path
from typing import Any


def atomic_write(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one, never half."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """``atomic_write`` for binary content (PNG charts): a temporary file beside ``path``, then a rename.

    The temporary file is opened with mode 0o666 so the umask applies as for any new file
    (``mkstemp`` would leave results readable by their owner only), and is synced before the rename
    so that a crash right after it cannot leave an empty file under the final name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def to_json(results: dict[str, Any]) -> str:
    return json.dumps(results, indent=2, sort_keys=False) + "\n"


def flatten(block: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"erp": {"calls": 3}}`` -> ``{"erp.calls": 3}``; time series and lists are left out."""
    flat: dict[str, Any] = {}
    for key, value in block.items():
        if key in ("timeseries", "patterns"):
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, name + "."))
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
