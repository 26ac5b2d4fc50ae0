"""One run = one architecture x one scenario x one seed, in its own SimPy environment and database.

The horizon (docs/results.md): a replica starts with a full load at time 0; consumers and ERP
changes run until ``warmup + duration``; then the quiescence phase lets syncs drain (at most
``drain_limit`` simulated seconds) and the replica is compared with the ERP. Wall-clock time never
enters: a run is a pure function of (scenario, architecture, seed).

So ``run`` can give each architecture its own process and get the same numbers: worker processes
send their progress back through a queue and stop at their next progress step once the parent sets
the stop event (after an error, Ctrl-C, or a progress callback that raised ``Cancelled``); the
pool itself is in ``simulator/pool.py``, shared with sweeps.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import os
import pickle
import queue
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, wait
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import simpy

from patterns import database
from patterns.architecture import build, parse
from patterns.integration import CallPolicy, IntegrationService
from patterns.pattern import Context
from patterns.ports import SUMMARY_FIELDS
from patterns.store import AuditTrail, LocalStoreError, Store, holder_of
from simulator.diagnostics import warmup_check, warnings
from simulator.distributions import sampler, streams
from simulator.erp import SUMMARY_GROUP, Erp
from simulator.local_faults import DatabaseErrors
from simulator.metrics import Metrics
from simulator.pool import Cancelled, mp_context, worker_pool, worker_progress  # noqa: F401 - Cancelled: run's API
from simulator.precision import MAX_REPLICATIONS, MIN_PRECISION_REPLICATIONS, check_precision
from simulator.replications import combine, replication_seed
from simulator.retention import retain_history
from simulator.runtime import SimRuntime
from simulator.scenario import ScenarioError
from simulator.sources import build_sources, routes
from simulator.workload import Workload

Progress = Callable[[str, float], None]
PROGRESS_STEPS = 100
# Runs at the same time each need their own database: each run drops and creates its tables.
PRIVATE_DB_URLS = ("sqlite://", "sqlite:///:memory:")
POLL_S = 0.1  # how often the parent passes the workers' progress on while it waits
# The client secret the Integration Service authenticates with; tests check it never leaks.
CLIENT_SECRET = "patternsim-client-secret"


def package_version() -> str:
    try:
        return version("patternsim")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0+unknown"


def run(scenario: dict[str, Any], patterns: str | list[list[str]], seed: int | None = None,
        progress: Progress | None = None, db_url: str | None = None,
        workers: int | None = None, start_method: str | None = None,
        replications: int = 1, precision: float | None = None,
        max_replications: int = MAX_REPLICATIONS) -> dict[str, Any]:
    """Run every architecture on the scenario; returns the results document (docs/results.md).

    ``replications``: independent replications per architecture (``simulator/replications.py``),
    each architecture's block then holds means, ``ci95`` and ``replicates``. ``precision``: keep
    adding replications, up to ``max_replications``, until the headline metrics are that sure
    (``simulator/precision.py``); the document then says what was reached under ``precision``.
    ``workers``: processes to run in (default: one per job, up to the number of CPUs; 1: one after
    the other in this process). A shared database (``db_url`` or ``local_db.url`` other than
    in-memory SQLite) always runs one after the other. ``start_method``: how worker processes
    start (``simulator.pool.mp_context``).
    """
    architectures = parse(patterns) if isinstance(patterns, str) else patterns
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if replications < 1 or (precision is not None and not 0 < precision < 1):
        raise ValueError("replications must be at least 1 and precision a fraction between 0 and 1")
    scenario = copy.deepcopy(scenario)
    if seed is not None:
        scenario["scenario"]["seed"] = seed
    if db_url is not None:
        scenario["local_db"]["url"] = db_url
    seed = scenario["scenario"]["seed"]
    names = ["+".join(ids) for ids in architectures]
    done: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    target = replications if precision is None else max(replications, MIN_PRECISION_REPLICATIONS)
    reached: dict[str, Any] | None = None
    url = scenario["local_db"]["url"]
    with _held(url):  # a shared database is this run's from the first job to the last
        while True:
            batch = [(ids, replication_seed(seed, r)) for r in range(len(done[names[0]]), target)
                     for ids in architectures]
            for (ids, _), block in zip(batch, _run_jobs(scenario, batch, progress, workers, start_method),
                                       strict=True):
                done["+".join(ids)].append(block)
            if precision is None:
                break
            reached = check_precision(done, precision)
            if reached["reached"] or target >= max_replications:
                break
            target = min(max_replications, target + max(2, min(os.cpu_count() or 1, target // 2)))
    scenario["local_db"]["url"] = database.shown(url)  # results never carry the password
    results = {}
    for name in names:
        block = combine(done[name])
        block["warmup_check"] = warmup_check(block)
        block["warnings"] = warnings(block)
        results[name] = block
    doc = {"patternsim": package_version(), "scenario": scenario, "seed": seed,
           "replications": len(done[names[0]]), "architectures": results}
    if reached is not None:
        doc["precision"] = {"target": precision, **reached, "max_replications": max_replications}
    return doc


@contextlib.contextmanager
def _held(url: str) -> Iterator[None]:
    """The database at ``url`` held by this process (``patterns/database.py``), or a ScenarioError naming who has it."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(database.hold(url, partial(holder_of, url)))
        except database.DatabaseUnavailable as exc:
            raise ScenarioError("local database", "local_db.url", str(exc)) from None
        yield


def _run_jobs(scenario: dict[str, Any], jobs: list[tuple[list[str], int]], progress: Progress | None,
              workers: int | None, start_method: str | None) -> list[dict[str, Any]]:
    """Run (architecture, seed) jobs, in a pool when the database allows; blocks in the jobs' order.

    Progress is reported per architecture: the mean fraction over its jobs (1.0 once all are done).
    """
    keys = [("+".join(ids), seed) for ids, seed in jobs]
    siblings = {key: [k for k in keys if k[0] == key[0]] for key in keys}
    fractions: dict[tuple[str, int], float] = {}

    def report(key: tuple[str, int], fraction: float) -> None:
        fractions[key] = fraction
        if progress:
            progress(key[0], sum(fractions.get(k, 0.0) for k in siblings[key]) / len(siblings[key]))

    workers = min(len(jobs), workers or os.cpu_count() or 1)
    if workers > 1 and scenario["local_db"]["url"] in PRIVATE_DB_URLS:
        return run_parallel(scenario, [(key, ids, key[1]) for key, (ids, _) in zip(keys, jobs, strict=True)],
                            report, workers, start_method)
    return [run_one(scenario, ids, key[1], lambda _name, f, key=key: report(key, f))
            for key, (ids, _) in zip(keys, jobs, strict=True)]


def run_parallel(scenario: dict[str, Any], jobs: list[tuple[Any, list[str], int]],
                 progress: Callable[[Any, float], None] | None, workers: int,
                 start_method: str | None = None) -> list[dict[str, Any]]:
    """``run_one`` for each (key, architecture, seed) job in a pool of ``workers`` processes.

    ``progress`` is called here, in the calling thread, with the job's key: with each worker's
    fractions below 1, then with 1.0 once when the job is complete. On any exception (a failed
    run, Ctrl-C, a progress callback raising ``Cancelled``) pending runs are cancelled, running
    ones stop at their next progress step, and the exception is raised once the workers are idle.
    """
    updates = mp_context(start_method).Queue()
    blocks: dict[Any, dict[str, Any]] = {}
    with worker_pool(workers, updates, start_method) as pool:
        futures = {pool.submit(_run_in_worker, scenario, ids, s, key): key for key, ids, s in jobs}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
            _pass_on(updates, progress, blocks)
            for future in (f for f in futures if f in finished):  # in the given order
                key = futures[future]
                blocks[key] = future.result()
                if progress:
                    progress(key, 1.0)
    return [blocks[key] for key, _, _ in jobs]


def _pass_on(updates: Any, progress: Progress | None, finished: dict[str, Any]) -> None:
    """Hand the workers' queued fractions to ``progress``, dropping late ones of finished runs."""
    while True:
        try:
            name, fraction = updates.get_nowait()
        except queue.Empty:
            return
        if progress and name not in finished:
            progress(name, fraction)


def _run_in_worker(scenario: dict[str, Any], ids: list[str], seed: int, key: Any) -> dict[str, Any]:
    try:
        return run_one(scenario, ids, seed, lambda _name, fraction: worker_progress(key, fraction))
    except Exception as exc:
        try:  # the parent must be able to rebuild it, or the pool breaks with a misleading message
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise RuntimeError(f"{type(exc).__name__}: {exc}") from exc
        raise


def run_one(scenario: dict[str, Any], ids: list[str], seed: int,
            progress: Progress | None = None) -> dict[str, Any]:
    """Simulate one architecture; returns its block of the results document."""
    name = "+".join(ids)
    s = scenario["scenario"]
    warmup, duration = s["warmup"], s["duration"]
    horizon = warmup + duration
    env = simpy.Environment()
    runtime = SimRuntime(env)
    metrics = Metrics(warmup, duration, clock=lambda: env.now, current=lambda: env.active_process)
    erp, sources = build_sources(env, scenario, seed, metrics, ids)  # several with transparency
    metrics.truth = erp
    local = sampler(scenario["local_db"]["latency"], streams(seed, "local-db")["local-db"])
    try:
        store = Store(scenario["local_db"]["url"], local)
    except ValueError as exc:
        raise ScenarioError("local database", "local_db.url", str(exc)) from None
    db_errors = DatabaseErrors(store, scenario["local_db"]["error_rate"],
                               streams(seed, "db-errors")["db-errors"])
    try:
        audit = AuditTrail(store)
        integration = IntegrationService(
            runtime, routes(sources, CLIENT_SECRET), audit,
            CallPolicy(**scenario["integration"]), streams(seed, "retries")["retries"])
        ctx = Context(runtime, store, integration, streams(seed, "patterns")["patterns"], metrics)
        architecture = build(ids, ctx, scenario["patterns"])
        retain_history(sources, store)
        for step in architecture.start():
            env.process(step)
        env.process(erp.change_process(horizon))
        workload = Workload(env, scenario, seed, architecture.core, erp, metrics)
        env.process(workload.arrivals(horizon))
        # What exists now lives for the whole run (the modules, the ERP's records): out of the garbage collector's
        # sight, so that its full collections scan only what the run makes. Each took ~80 ms at a million
        # records (most of it SQLAlchemy's own objects), and a first full load set off a dozen of them.
        gc.freeze()
        for i in range(1, PROGRESS_STEPS + 1):
            env.run(until=horizon * i / PROGRESS_STEPS)
            if progress:
                progress(name, i / PROGRESS_STEPS)
        # The drain: syncs finish their work and every request still in flight gets its answer,
        # within drain_limit; a request of the window still unanswered then counts as failed.
        drained = env.process(architecture.quiesce())
        settled = workload.settled()
        env.run(until=simpy.AnyOf(env, [simpy.AllOf(env, [drained, settled]), env.timeout(s["drain_limit"])]))
        workload.give_up()
        db_errors.active = False  # the run is over: read the replica as it is
        audit.flush()
        # Utilization over every system of record's servers (several with transparency).
        block = {"patterns": list(ids), **metrics.result(scenario["erp"]["capacity"] * len(sources))}
        block["erp"]["capacity"] = scenario["erp"]["capacity"] * len(sources)
        block["cache"]["rows"] = store.customer_count() + store.detail_count()
        block["convergence"] = convergence(store, erp) if architecture.keeps_replica else {
            "divergent_records": 0, "lost_changes": 0}
        block["convergence"]["drained"] = drained.triggered
        block["pattern_stats"] = architecture.stats()
        block["audit_rows"] = audit.count
        # Counted over the whole run, as pattern_stats are: what the faults cost the Integration Service.
        block["integration"] = {"timeouts": integration.timeouts, "retries": integration.retried}
        block["local_db"] = {"errors_injected": db_errors.injected}
        return block
    except LocalStoreError as exc:  # the database itself failed, after the run (a full disk, a server gone)
        raise ScenarioError("local database", "local_db.url", f"failed: {exc}") from None
    finally:
        gc.unfreeze()
        store.close()


def convergence(store: Store, erp: Erp) -> dict[str, int]:
    """Records whose replica summary differs from the ERP, and summary changes the replica never got."""
    divergent = lost = 0
    rows = store.customers_by_id()  # merged with the ERP's keys, in key order
    row = next(rows, None)
    for k in range(erp.count):
        while row is not None and row.id < k:  # a row for a key the ERP does not have
            divergent += 1
            row = next(rows, None)
        held = None
        if row is not None and row.id == k:
            held, row = row, next(rows, None)
        truth = erp.summary(k)
        if held is None or tuple(getattr(held, f) for f in SUMMARY_FIELDS) != truth[1:5]:
            divergent += 1
        lost += erp.changes_after(SUMMARY_GROUP, k, held.version if held is not None else 0)
    divergent += (row is not None) + sum(1 for _ in rows)  # rows for keys beyond the ERP's
    return {"divergent_records": divergent, "lost_changes": lost}
