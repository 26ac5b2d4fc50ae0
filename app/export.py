"""Writing results: atomically (``simulator.files.atomic_write_all``), as JSON or as a flat CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from simulator.files import atomic_write_all, write_folder

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_all", "flatten", "rows_csv", "to_csv", "to_json",
           "write_folder"]


def atomic_write(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one, never half."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """``atomic_write`` for binary content (PNG charts): a temporary file beside ``path``, then a rename."""
    return atomic_write_all({Path(path): data})[0]


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
