"""Two runs side by side: what changed in the scenario, and each metric's change per architecture (no textual).

A run's results carry ``ci95`` per architecture when it was replicated (a tree shaped like the
metrics: 95% half-widths, or low and high for fractions). A change is then called better or worse
only when it exceeds the two intervals combined (sqrt(h1² + h2²), the half-width of the difference
of two independent means; two runs of a session are independent, unlike the architectures of one
run); within them it is "unsure". Without intervals the sign alone decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from app.table import ROWS, Row, cell_text
from simulator.scenario import toml_literal

IGNORED = {"scenario.guide", "scenario.description"}  # words, not settings


@dataclass(frozen=True)
class Change:
    """One metric of one architecture in two runs."""

    before: str
    after: str
    delta: str  # "+12%", "-3.0", "" when unchanged or not comparable
    verdict: str  # better | worse | same | unsure | "" (no direction: counts, or nothing to compare)


def half_width(row: Row, block: dict[str, Any]) -> float | None:
    """A row's 95% half-width for one architecture (half the interval for a fraction's low–high)."""
    ci = row.interval(block)
    if isinstance(ci, list):
        return (ci[1] - ci[0]) / 2
    return ci


def flat(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and "dist" not in value:
            out.update(flat(value, name + "."))
        else:
            out[name] = value
    return out


def scenario_changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(key, old, new)`` for every scenario setting (the seed included) that differs between two results."""
    a, b = flat(before.get("scenario", {})), flat(after.get("scenario", {}))
    keys = [k for k in dict.fromkeys([*a, *b]) if k not in IGNORED and a.get(k) != b.get(k)]
    return [(k, _show(a.get(k)), _show(b.get(k))) for k in keys]


def _show(value: Any) -> str:
    """A setting as ``--set`` and the form write it (TOML; strings bare)."""
    if value is None:
        return "(absent)"
    return value if isinstance(value, str) else toml_literal(value)


def differences(before: dict[str, Any], after: dict[str, Any]) -> tuple[list[str], list[tuple[str, dict[str, Change]]]]:
    """The architectures both runs have, and per table row, each one's change."""
    old, new = before["architectures"], after["architectures"]
    common = [name for name in new if name in old]
    rows = []
    for row in ROWS:
        changes = {}
        for name in common:
            x, y = _read(row, old[name]), _read(row, new[name])
            changes[name] = Change(_read_text(row, old[name]), _read_text(row, new[name]), _delta(x, y),
                                   _verdict(x, y, half_width(row, old[name]), half_width(row, new[name]), row.lower))
        rows.append((row.label, changes))
    return common, rows


def _read(row: Row, block: dict[str, Any]) -> float | None:
    try:
        return row.value(block)
    except (KeyError, TypeError):  # an older results file without this metric
        return None


def _read_text(row: Row, block: dict[str, Any]) -> str:
    try:
        return cell_text(row, block)
    except (KeyError, TypeError):
        return "-"


def _delta(x: Any, y: Any) -> str:
    if not _number(x) or not _number(y) or x == y:
        return ""
    if x != 0:
        return f"{(y - x) / abs(x):+.0%}"
    return f"{y - x:+,.3g}"


def _verdict(x: Any, y: Any, hx: float | None, hy: float | None, lower: bool | None) -> str:
    if lower is None or not _number(x) or not _number(y):
        return ""
    if x == y:
        return "same"
    if hx is not None or hy is not None:
        if abs(y - x) <= math.hypot(hx or 0.0, hy or 0.0):
            return "unsure"
    return "better" if (y < x) == lower else "worse"


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
