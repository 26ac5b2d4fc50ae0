"""What the UI has gathered so far (answers, architectures, scenario, results); no textual here.

Screens read and change one ``Session``; the helpers below are the UI's thin layer over the same
functions the CLI calls (the tree walker, ``architecture.check``, ``scenario.load``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import UsageError
from app.table import comparison
from patterns.architecture import ArchitectureError, check
from patterns.catalogue import PATTERNS
from simulator import scenario as scenarios
from simulator import schema

BASELINE = ["direct"]


@dataclass
class Session:
    """One user's way through the flow; going back never throws any of it away."""

    answers: dict[str, str] = field(default_factory=dict)
    walked: list[str] | None = None
    architectures: list[list[str]] = field(default_factory=list)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    scenario_path: str | None = None
    overrides: list[str] = field(default_factory=list)
    form: dict[str, str] = field(default_factory=dict)
    results: dict[str, Any] | None = None
    results_path: str | None = None
    out_dir: Path = field(default_factory=lambda: Path.cwd() / "patternsim-results")

    def adopt(self, ids: list[str], params: dict[str, dict[str, Any]]) -> None:
        """Take the walk's architecture, with the baseline ``direct`` before it for comparison.

        Architectures the user added by hand stay; the previous walk's result is replaced.
        """
        extras = [a for a in self.architectures if a not in (BASELINE, self.walked, ids)]
        self.params, self.walked = params, list(ids)
        self.architectures = [list(BASELINE)] + ([list(ids)] if ids != BASELINE else []) + extras

    def add(self, ids: list[str]) -> None:
        """Add an architecture to compare; ``ArchitectureError`` if invalid or already listed."""
        problem = problem_with(ids)
        if problem:
            raise ArchitectureError(problem)
        if ids in self.architectures:
            raise ArchitectureError(f"{'+'.join(ids)} is already in the comparison")
        self.architectures.append(list(ids))

    def base_scenario(self) -> dict[str, Any]:
        """The scenario file (or the defaults) with the launch overrides and the walk's settings."""
        scenario = scenarios.load(self.scenario_path, self.overrides)
        for pid, values in self.params.items():
            scenario["patterns"].setdefault(pid, {}).update(values)
        return scenario


def problem_with(ids: list[str]) -> str | None:
    """Why this combination cannot be run (``None`` when it can)."""
    if not ids:
        return "pick at least one pattern"
    missing = [pid for pid in ids if pid not in PATTERNS]
    if missing:
        return f"{', '.join(missing)}: not runnable in this build yet"
    try:
        check(ids)
    except ArchitectureError as exc:
        return str(exc)
    return None


def open_file(path: str) -> tuple[str, Any]:
    """A path typed on the welcome screen: ``("results", doc)`` or ``("scenario", path)``; ``UsageError`` else."""
    p = Path(path).expanduser()
    if p.suffix == ".json":
        return "results", load_results(p)
    scenarios.load(p)  # raises ScenarioError naming the file, key and reason
    return "scenario", str(p)


def load_results(path: Path) -> dict[str, Any]:
    """A results document written by ``patternsim run --out`` or by the UI's export."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: not a results file ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("architectures"), dict) or not doc["architectures"]:
        raise UsageError(f"{path}: not a patternsim results file (no architectures)")
    problem = schema.problem(doc, "results")  # the same check as ``patternsim report``'s
    if problem:
        raise UsageError(f"{path}: not a patternsim results file ({problem})")
    try:
        comparison(doc)  # what the results screen shows first; a file it cannot show is refused here
        doc["scenario"]["scenario"]["name"]
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise UsageError(f"{path}: results are incomplete ({type(exc).__name__}: {exc})") from None
    return doc
