"""Sweeps: many independent runs (cells) in parallel, aggregated to a mean and a 95% confidence interval.

A sweep is the cross product of the varied scenario values x seeds x architectures; each cell is one
``run_one``, a pure function of (scenario, architecture, seed), so it can run in any
process or on any machine and give the same numbers. The seeds of a sweep are the base seed (the
scenario's ``scenario.seed`` unless given) plus 0, 1, ..., N-1.

Cells run through any ``concurrent.futures.Executor``: a local process pool by default, or the
executor of a Dask distributed client (``Client(address).get_executor()``); Dask workers need
patternsim installed. Each finished cell is written to ``DIR/cells/<cell-id>.json`` as it completes,
so an interrupted sweep keeps its work; a resumed sweep skips the cells already on disk. A cell's id
hashes its whole resolved scenario, architecture and seed: a changed sweep never reuses a stale cell.
A varied ``patterns.X.*`` key cannot change an architecture without X: its cells keep the base
value, so they hash alike and run once per seed, their result shown at every value of the key.
The mean and confidence interval per metric are computed in ``simulator/aggregate.py``.

The local pool is ``simulator.pool.worker_pool``: its workers leave Ctrl-C to the sweep's process;
once the sweep is interrupted, pending cells are cancelled and running ones stop at their next
progress step; a worker whose parent was killed exits at its next progress step (an idle one within
a second). Dask workers are the cluster's processes and are left alone: an interrupted sweep
cancels its Dask futures, and a cell already running there runs to its end. So does the cell
running in this process (``workers=0``, a thread): an interrupted sweep waits for it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from patterns.architecture import expand
from simulator import schema
from simulator.aggregate import summarize
from simulator.files import FileProblem, atomic_write_all, read_regular
from simulator.pool import worker_pool, worker_progress
from simulator.run import PRIVATE_DB_URLS, package_version, run_one
from simulator.scenario import ScenarioError, apply_override, validate

OnCell = Callable[[int, int, dict[str, Any], bool], None]
# Every cell of a sweep, with its scenario and then its results (about 50 kB each), is held in memory
# and written into sweep.json: 5,000 cells is some 250 MB of JSON. Past 1,000 seeds a 95% interval
# narrows by less than 0.1% a seed.
MAX_CELLS = 5_000
MAX_SEEDS = 1_000
MAX_CELL_BYTES = 16 * 1024 * 1024  # a cell file is some 50 kB; one far larger was not written by patternsim


class SweepError(ValueError):
    """A sweep that cannot start (a bad ``--vary``, an unreachable scheduler), said in one line."""


class NotSaved(Exception):
    """A finished cell or the sweep's files could not be written (a full disk); says why in one line."""


@dataclass(frozen=True)
class Cell:
    """One run of a sweep; picklable, so any executor can ship it to a worker."""

    id: str
    scenario: dict[str, Any]
    architecture: tuple[str, ...]
    seed: int
    vary: dict[str, Any]


@dataclass
class Sweep:
    """The plan: base scenario, varied keys with their values, seeds, architectures and the cells."""

    scenario: dict[str, Any]
    vary: dict[str, list[Any]]
    seeds: list[int]
    architectures: list[list[str]]
    cells: list[Cell] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "vary": self.vary, "seeds": self.seeds,
                "architectures": ["+".join(a) for a in self.architectures], "cells": len(self.cells),
                "runs": len(self.unique())}

    def unique(self) -> list[Cell]:
        """The cells to run: one per id (cells of an architecture a varied key cannot affect share one)."""
        return list({c.id: c for c in self.cells}.values())


def split_values(text: str) -> list[str]:
    """Split ``V1,V2,...`` on top-level commas, so TOML tables and lists can be values too."""
    parts, depth, quote, current = [], 0, "", []
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return parts


def parse_vary(item: str) -> tuple[str, list[str]]:
    key, sep, raw = item.partition("=")
    key = key.strip()
    values = split_values(raw) if sep else []
    if not key or not values or any(not v for v in values):
        raise ScenarioError("--vary", item, "expected KEY=V1,V2,..., e.g. erp.update_rate=1,2,5")
    if key == "scenario.seed":
        raise ScenarioError("--vary", key, "seeds are varied with --seeds (base seed + 0, 1, ...)")
    if len(set(values)) != len(values):
        raise ScenarioError("--vary", key, "a value is listed twice")
    return key, values


def _show(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _get(scenario: dict[str, Any], key: str) -> Any:
    node: Any = scenario
    for part in key.split("."):
        node = node[part]
    return node


def _set(scenario: dict[str, Any], key: str, value: Any) -> None:
    *path, last = key.split(".")
    node = scenario
    for part in path:
        node = node[part]
    node[last] = value


def affects(key: str, ids: list[str] | tuple[str, ...]) -> bool:
    """Can the scenario key change a run of the architecture ``ids``? Only its own patterns read ``patterns.X``."""
    section, _, rest = key.partition(".")
    return section != "patterns" or rest.partition(".")[0] in expand(list(ids))


def _override(scenario: dict[str, Any], key: str, value: str) -> None:
    try:
        apply_override(scenario, f"{key}={value}")
    except ScenarioError as exc:
        raise ScenarioError("--vary", exc.key, exc.reason) from None


def plan(scenario: dict[str, Any], varies: list[str], architectures: list[list[str]], seeds: int = 1,
         base_seed: int | None = None) -> Sweep:
    """Validate every varied value (and every combination) up front and list the cells."""
    if seeds < 1:
        raise ScenarioError("--seeds", "", f"must be at least 1, got {seeds}")
    if seeds > MAX_SEEDS:
        raise ScenarioError("--seeds", "", f"must be at most {MAX_SEEDS:,}, got {seeds:,}")
    parsed = [parse_vary(v) for v in varies]
    keys = [k for k, _ in parsed]
    if len(set(keys)) != len(keys):
        raise ScenarioError("--vary", next(k for k in keys if keys.count(k) > 1), "varied twice")
    total = math.prod(len(values) for _, values in parsed) * seeds * len(architectures)
    if total > MAX_CELLS:
        raise ScenarioError("sweep", "", f"{total:,} cells (values x seeds x architectures) is more than the "
                                         f"{MAX_CELLS:,} one sweep may have; vary fewer values or seeds")
    base = base_seed if base_seed is not None else scenario["scenario"]["seed"]
    seed_list = [base + i for i in range(seeds)]
    validate({**scenario, "scenario": {**scenario["scenario"], "seed": seed_list[-1]}}, "--seeds")  # the last seed
    sweep = Sweep(scenario, {k: [] for k in keys}, seed_list, [list(a) for a in architectures])
    spelled: dict[str, dict[str, str]] = {k: {} for k in keys}  # per key: each value as parsed -> as given
    for combo in itertools.product(*(values for _, values in parsed)):
        sc = json.loads(json.dumps(scenario))
        for key, value in zip(keys, combo, strict=True):
            _override(sc, key, value)
        try:
            validate(sc, "--vary")
        except ScenarioError as exc:
            where = ", ".join(f"{k}={v}" for k, v in zip(keys, combo, strict=True))
            raise ScenarioError("--vary", exc.key, f"{exc.reason} (with {where})") from None
        if sc["local_db"]["url"] not in PRIVATE_DB_URLS:
            raise ScenarioError("sweep", "local_db.url", "cells run in parallel and each needs its own database; "
                                                        "use the in-memory default sqlite://")
        vary = {k: _get(sc, k) for k in keys}
        for k, given in zip(keys, combo, strict=True):
            # Compare values as parsed, not as typed: 1, 1.0 and +1 are one value, and as three they
            # would be one run counted three times, narrowing its confidence interval for nothing.
            first = spelled[k].setdefault(json.dumps(vary[k], sort_keys=True), given)
            if first != given:
                raise ScenarioError("--vary", k, f"{first} and {given} are the same value ({_show(vary[k])}); "
                                                 "list each value once")
            if vary[k] not in sweep.vary[k]:
                sweep.vary[k].append(vary[k])
        for seed in seed_list:
            for ids in architectures:
                cell_sc = json.loads(json.dumps(sc))
                for key in keys:
                    if not affects(key, ids):
                        _set(cell_sc, key, json.loads(json.dumps(_get(scenario, key))))
                cell_sc["scenario"]["seed"] = seed
                sweep.cells.append(Cell(cell_id(cell_sc, ids, seed), cell_sc, tuple(ids), seed, vary))
    return sweep


def cell_id(scenario: dict[str, Any], ids: list[str] | tuple[str, ...], seed: int) -> str:
    """Readable and unique: the architecture name and a hash of everything that decides the numbers."""
    canon = json.dumps({"scenario": scenario, "architecture": list(ids), "seed": seed}, sort_keys=True)
    return f"{'+'.join(ids)}-s{seed}-{hashlib.sha256(canon.encode()).hexdigest()[:12]}"


def run_cell(cell: Cell) -> dict[str, Any]:
    """The unit of work shipped to executors: one run, returned with what identifies it.

    In a local pool worker the run stops at a progress step once the sweep is interrupted, or ends
    the process once the sweep's process is gone; elsewhere (a thread, a Dask worker) it runs through.
    """
    block = run_one(cell.scenario, list(cell.architecture), cell.seed, worker_progress)
    return {"id": cell.id, "architecture": "+".join(cell.architecture), "seed": cell.seed,
            "vary": cell.vary, "result": block}


class CellStore:
    """Finished cells as ``<dir>/<cell-id>.json``, each written atomically (temporary file, rename).

    A cell read back (``--resume``) is used only if it is a regular file holding a cell of the
    shape patternsim writes (``simulator/schema.py``) for exactly the planned cell (id, architecture,
    seed and varied values); any other is counted in ``rejected`` and the cell runs again.
    """

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        self.rejected = 0

    def path(self, cid: str) -> Path:
        return self.dir / f"{cid}.json"

    def check(self, cells: list[Cell]) -> None:
        """Raise ``SweepError`` if a cell could not be saved where it goes (its path is a folder): before any work."""
        if self.dir.exists() and not self.dir.is_dir():
            raise SweepError(f"{self.dir} is not a folder, so no cell can be saved in it")
        for cell in cells:
            if self.path(cell.id).is_dir():
                raise SweepError(f"{self.path(cell.id)} is a folder, so this cell could not be saved")

    def load(self, cell: Cell) -> dict[str, Any] | None:
        """The finished ``cell``, or None when it is absent or is not that cell as patternsim wrote it."""
        path = self.path(cell.id)
        if not path.exists() and not path.is_symlink():
            return None
        try:
            record = schema.loads(read_regular(path, MAX_CELL_BYTES, "a sweep cell"))
            schema.check(record, "cell")
        except (FileProblem, ValueError, RecursionError):  # SchemaError, bad JSON or UTF-8 are ValueErrors
            record = None
        planned = {"id": cell.id, "architecture": "+".join(cell.architecture), "seed": cell.seed, "vary": cell.vary}
        if record is None or any(record[k] != v for k, v in planned.items()):
            self.rejected += 1
            return None
        return record

    def save(self, record: dict[str, Any]) -> Path:
        """Write one cell (mode as for results: the umask's, synced, renamed into place)."""
        try:
            return atomic_write_all({self.path(record["id"]): json.dumps(record).encode()})[0]
        except OSError as exc:
            raise NotSaved(f"cannot save a cell ({exc.strerror or exc})") from None


def execute(sweep: Sweep, executor: Executor, store: CellStore | None = None, resume: bool = False,
            on_cell: OnCell | None = None) -> list[dict[str, Any]]:
    """Run the sweep's cells, each distinct cell once; returns every planned cell's record in plan order.

    With ``resume``, valid cells already in ``store`` are taken as they are. On any exception
    (Ctrl-C included) pending cells are cancelled; finished ones are already on disk. ``on_cell``
    counts distinct cells.
    """
    unique = sweep.unique()
    total = len(unique)
    records: dict[str, dict[str, Any]] = {}
    if resume and store is not None:
        for cell in unique:
            record = store.load(cell)
            if record is not None:
                records[cell.id] = record
                if on_cell:
                    on_cell(len(records), total, record, True)
    futures = [executor.submit(run_cell, cell) for cell in unique if cell.id not in records]
    try:
        for future in as_completed(futures):
            record = future.result()
            if store is not None:
                store.save(record)
            records[record["id"]] = record
            if on_cell:
                on_cell(len(records), total, record, False)
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return [{**records[cell.id], "vary": cell.vary} for cell in sweep.cells]


@contextmanager
def make_executor(workers: int | None = None, scheduler: str | None = None,
                  connect_timeout: float = 10.0) -> Iterator[Executor]:
    """A Dask client's executor with ``scheduler`` (giving up after ``connect_timeout`` seconds); else a
    process pool (``workers=0``: this process)."""
    if scheduler:
        try:
            from distributed import Client  # noqa: PLC0415 - only sweeps on a cluster need dask
        except ImportError:
            raise SweepError("--scheduler needs dask.distributed (pip install 'dask[distributed]')") from None
        try:
            client = Client(scheduler, timeout=f"{connect_timeout}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise SweepError(f"--scheduler {scheduler}: cannot connect within {connect_timeout:g} s "
                             f"({' '.join(str(exc).split())[:160]})") from None
        with client:
            dask_executor = client.get_executor()
            try:
                yield dask_executor
            finally:
                dask_executor.shutdown(wait=False)
        return
    if workers is not None and workers < 0:
        raise SweepError(f"--workers must be 0 or more, got {workers}")
    if workers == 0:
        thread = ThreadPoolExecutor(1)
        try:
            yield thread
        finally:
            thread.shutdown(wait=True, cancel_futures=True)
        return
    # Only this local pool gets worker_pool's stop event and Ctrl-C handling. A Dask worker is the
    # cluster's process, maybe on another machine, and is left alone: shutdown(wait=False) above
    # cancels the sweep's Dask futures, and a cell already running there runs to its end.
    with worker_pool(workers or None) as pool:
        yield pool


def document(sweep: Sweep, records: list[dict[str, Any]]) -> dict[str, Any]:
    """The sweep's JSON: the plan, every cell, and the summary."""
    return {"patternsim": package_version(), "sweep": sweep.describe(), "cells": records,
            "summary": summarize(records)}
