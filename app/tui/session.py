"""What the UI has gathered so far (answers, architectures, scenario, results); no textual here.

Screens read and change one ``Session``; the helpers below are the UI's thin layer over the same
functions the CLI calls (the tree walker, ``architecture.check``, ``scenario.load``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import checks
from app.errors import UsageError
from app.export import atomic_write_all, to_csv, to_json
from app.table import comparison
from patterns import decision_tree as tree
from patterns.architecture import ArchitectureError, check, expand, parse
from patterns.catalogue import PATTERNS
from simulator import scenario as scenarios
from simulator import schema

BASELINE = ["direct"]
EXPORTS = {"json": "results.json", "csv": "results.csv", "html": "report.html"}


@dataclass
class Run:
    """One set of results the session has seen: a run made here, or a results file opened."""

    number: int
    results: dict[str, Any]
    exported: Path | None = None  # where its results are on disk (an opened file is there already)

    @property
    def label(self) -> str:
        s = self.results["scenario"]["scenario"]
        archs = ", ".join(self.results["architectures"])
        return f"run {self.number}: {s['name']}, seed {self.results.get('seed')}, {archs}"

    @property
    def slug(self) -> str:
        name = re.sub(r"[^a-z0-9]+", "-", str(self.results["scenario"]["scenario"]["name"]).lower()).strip("-")
        return f"{name[:40] or 'results'}-run{self.number}"


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
    out_dir: Path = field(default_factory=lambda: Path.cwd() / "patternsim-results")
    runs: list[Run] = field(default_factory=list)

    def record(self, results: dict[str, Any], opened: Path | None = None) -> Run:
        """Keep a run's results (or an opened file's) for comparing later; it becomes the current results."""
        run = Run(len(self.runs) + 1, results, exported=opened)
        self.runs.append(run)
        self.results = results
        return run

    def unexported(self) -> list[Run]:
        return [r for r in self.runs if r.exported is None]

    def previous(self, run: Run) -> Run | None:
        """The run before ``run`` in this session, if any."""
        earlier = [r for r in self.runs if r.number < run.number]
        return earlier[-1] if earlier else None

    def export_folder(self, run: Run) -> Path:
        """A new folder under ``out_dir`` for this run's export (never one that already exists)."""
        folder, n = self.out_dir / run.slug, 2
        while folder.exists():
            folder, n = self.out_dir / f"{run.slug}-{n}", n + 1
        return folder

    def follows_compare(self) -> bool:
        """Are the architectures still the scenario's own comparison (so a new scenario may bring its own)?"""
        return not self.architectures or self.architectures == self.scenario_compare()

    def scenario_compare(self) -> list[list[str]]:
        """The chosen scenario's comparison (``[]`` when it has none or cannot be read)."""
        try:
            compare = scenarios.load(self.scenario_path)["scenario"]["compare"]
            return parse(compare) if compare else []
        except (scenarios.ScenarioError, ArchitectureError):
            return []

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


def walk_steps(answers: dict[str, str], until: str | None = None) -> list[tuple[str, str, str, str]]:
    """The walk so far as ``(question, answer, its label, what it did)``, stopping before question ``until``."""
    steps = []
    for qid, value in tree.follow(answers).path:
        if qid == until:
            break
        question = tree.QUESTIONS[qid]
        answer = question.answer(value)
        effect = " ".join([f"+{pid}" for pid in answer.adds] +
                          [f"{k}={v}" for values in answer.params.values() for k, v in values.items()])
        steps.append((question.short, answer.value, answer.label, effect))
    return steps


def patterns_in_order(ids: list[str]) -> list[tuple[str, str]]:
    """``(id, title)`` of an architecture's patterns in the order they are built (implied ones included)."""
    return [(pid, PATTERNS[pid].title if pid in PATTERNS else "not runnable in this build") for pid in expand(ids)]


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


def export(results: dict[str, Any], folder: str | Path, kinds: list[str], replace: bool = False) -> list[Path]:
    """Write the chosen exports into ``folder``; refuse (``UsageError``) to replace a file unless ``replace``.

    The HTML report takes matplotlib a few seconds: call this from a worker thread.
    """
    if not kinds:
        raise UsageError("choose at least one thing to export")
    out = checks.out_dir(str(folder), flag="folder", files=tuple(EXPORTS[k] for k in kinds))
    files: dict[Path, bytes] = {}
    if "json" in kinds:
        files[out / EXPORTS["json"]] = to_json(results).encode()
    if "csv" in kinds:
        files[out / EXPORTS["csv"]] = to_csv(results).encode()
    if "html" in kinds:
        from app import report  # noqa: PLC0415 - matplotlib loads only when a report is asked for

        files.update({out / name: data for name, data in report.render(results).items()})
    existing = [p.name for p in files if p.exists()]
    if existing and not replace:
        raise UsageError(f"{', '.join(existing)} already in {out}: choose another folder, or tick 'replace'")
    try:
        return atomic_write_all(files)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write ({exc.strerror or exc})") from None
