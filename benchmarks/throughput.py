"""CPU per simulated request of each architecture, against the floor of the work it must do.

The floor of an architecture is measured in this same process, in the same run, right after the
architecture itself (docs/benchmarks.md), and is the sum of two parts:

- **SimPy**: a bare SimPy model with as many requests, ERP calls and local queries as the run
  made. Each request is a process (Poisson arrivals at the scenario's rate); an ERP call is a
  request for one of ``erp.capacity`` servers (``simpy.Resource``) and an exponential service
  time with the run's own mean (its busy time over its calls); a local query is a timeout.
  Calls and queries are spread evenly over the requests.
- **SQL**: every statement the run's local database executed (DDL and initial load included),
  with the same parameters, in the same order, with every commit and rollback, replayed through
  the sqlite3 module alone on a fresh in-memory database, every result fetched
  (``benchmarks/sqlreplay.py``). The statements are captured in a second run of the same
  architecture and seed (a run is deterministic), so that listening costs the timed run nothing.

The floor leaves out everything else an architecture does for real: SQLAlchemy (building,
compiling and executing statements, result rows), the Integration Service (credentials, audit
rows, mapping), the patterns' own logic, judging each returned record's staleness, the metrics,
drawing random numbers, and building the ERP's records (a one-off of well under 1% of a run here).
The ratio (architecture CPU / floor CPU) is what all of that costs on top of the floor; the goals
are issue 14's. Times are CPU seconds of this process (steadier than wall time on a shared
machine); only the ratio means anything across machines.

    python -m benchmarks.throughput [--duration 3600] [--archs direct,batch_sync,...] [--repeat 3] [--no-write]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

import simpy

from benchmarks.common import machine, table, write_section
from benchmarks.sqlreplay import capture, replay
from patterns.architecture import parse
from simulator import scenario as scenarios
from simulator.erp import Erp
from simulator.run import run_one

ARCHS = ("direct,batch_sync,lazy_load,batch_sync+lazy_load,realtime_sync,queued_sync,ordered_sync,"
         "queued_sync+ordered_sync")
DEFAULT_MIX = "default mix"
HALF_LISTS = {"list_fraction": 0.5, "get_fraction": 0.5, "detail_fraction": 0.0, "update_fraction": 0.0}
GETS_ONLY = {"list_fraction": 0.0, "get_fraction": 1.0, "detail_fraction": 0.0, "update_fraction": 0.0}
# Issue 14's goals: the architecture's CPU per request at most this many times its floor.
GOALS = {("batch_sync", "half list pages, half gets"): 2.0, ("direct", "gets only"): 2.5,
         ("direct", DEFAULT_MIX): 4.0, ("queued_sync", DEFAULT_MIX): 2.0}


@dataclass(frozen=True)
class Case:
    """One row: an architecture on a workload mix (None: the scenario's own)."""

    arch: str
    mix_name: str = DEFAULT_MIX
    mix: dict[str, float] | None = None

    @property
    def goal(self) -> float | None:
        return GOALS.get((self.arch, self.mix_name))


def cases(archs: list[str]) -> list[Case]:
    """Issue 14's two special mixes first (where their architecture is asked for), then every one on the default mix."""
    special = [Case("batch_sync", "half list pages, half gets", HALF_LISTS), Case("direct", "gets only", GETS_ONLY)]
    return [c for c in special if c.arch in archs] + [Case(a) for a in archs]


@dataclass
class Measured:
    """CPU seconds of one case: the architecture, and the two parts of its floor."""

    requests: int
    arch: float
    simpy: float
    sql: float
    counts: dict[str, Any] = field(default_factory=dict)
    turns: list[float] = field(default_factory=list)  # each turn's own ratio: how far the machine's noise moves it

    @property
    def ratio(self) -> float:
        return self.arch / (self.simpy + self.sql)


def bare_simpy(requests: int, erp_calls: int, queries: int, rate: float, capacity: int, service_s: float,
               local_s: float, seed: int = 1) -> float:
    """CPU seconds of the bare SimPy model: ``requests`` processes making the calls and queries between them."""
    env = simpy.Environment()
    servers = simpy.Resource(env, capacity)
    rng = random.Random(seed)

    def request(i: int):
        for _ in range(erp_calls * (i + 1) // requests - erp_calls * i // requests):
            with servers.request() as req:
                yield req
                yield env.timeout(rng.expovariate(1 / service_s))
        for _ in range(queries * (i + 1) // requests - queries * i // requests):
            yield env.timeout(local_s)

    def source():
        for i in range(requests):
            yield env.timeout(rng.expovariate(rate))
            env.process(request(i))

    env.process(source())
    gc.collect()
    cpu = time.process_time()
    env.run()
    return time.process_time() - cpu


def measure(sc: dict[str, Any], case: Case, seed: int, repeat: int = 1) -> Measured:
    """The architecture's run, timed; a second run captured; its SQL replayed; its bare SimPy model.

    With ``repeat`` > 1 the run, the replay and the bare model are timed that many times in turn,
    and each part keeps its fastest time: on a shared machine a slow moment then cannot fall on
    one side of the ratio only.
    """
    scenario = sc if case.mix is None else {**sc, "workload": {**sc["workload"], **case.mix}}
    (ids,) = parse(case.arch)
    arch = sql = simpy_s = float("inf")
    captured = None
    turns = []
    for _ in range(repeat):
        gc.collect()
        cpu = time.process_time()
        block = run_one(scenario, ids, seed)
        turn = time.process_time() - cpu
        arch = min(arch, turn)
        if captured is None:
            with capture() as captured:
                again = run_one(scenario, ids, seed)
            if again["requests"] != block["requests"]:  # a run is deterministic; if not, the replay is of another run
                raise RuntimeError(f"{case.arch}: the captured run differs from the timed one")
            del again
            queries = captured.queries()
            n, calls = block["requests"]["total"], block["erp"]["calls"]
            capacity, duration = scenario["erp"]["capacity"], scenario["scenario"]["duration"]
            service_s = block["erp"]["utilization"] * capacity * duration / calls if calls else 0.1
            local_s = scenario["local_db"]["latency"].get("mean_ms", 2.0) / 1000
        gc.collect()
        gc.freeze()  # the capture's many objects stay out of the replay's garbage collections
        try:
            turn_sql = replay(captured)
        finally:
            gc.unfreeze()
        turn_simpy = bare_simpy(n, calls, queries, scenario["workload"]["rate"], capacity, service_s, local_s, seed)
        sql, simpy_s = min(sql, turn_sql), min(simpy_s, turn_simpy)
        turns.append(turn / (turn_sql + turn_simpy))
    return Measured(n, arch, simpy_s, sql, {"erp_calls": calls, "queries": queries}, turns)


def row(case: Case, m: Measured) -> list[str]:
    us = 1e6 / m.requests
    goal = f"≤ {case.goal:g}x" if case.goal else "—"
    verdict = "—" if case.goal is None else ("yes" if m.ratio <= case.goal else "no")
    return [case.arch, case.mix_name, f"{m.requests:,}", f"{m.counts['erp_calls'] / m.requests:.2f}",
            f"{m.counts['queries'] / m.requests:.2f}", f"{m.arch * us:.0f}", f"{m.simpy * us:.1f}",
            f"{m.sql * us:.1f}", f"{(m.simpy + m.sql) * us:.1f}", f"{m.ratio:.2f}x",
            f"{min(m.turns):.2f}–{max(m.turns):.2f}x", goal, verdict]


HEADER = ["architecture", "mix", "requests", "ERP calls / request", "local queries / request",
          "µs / request", "floor: SimPy µs", "floor: SQL µs", "floor µs", "ratio",
          "each turn's ratio", "goal", "met"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=3600.0, help="simulated seconds per run (default 3600)")
    ap.add_argument("--archs", default=ARCHS, help=f"comma-separated architectures (default: {ARCHS})")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3,
                    help="time each part this many times, in turn, and keep its fastest (default 3)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args()
    sc = scenarios.defaults()
    sc["scenario"].update(duration=args.duration, warmup=0.0)  # every simulated request is counted
    archs = args.archs.split(",")
    for name in archs:
        parse(name)  # an unknown architecture fails here, before any run
    Erp(simpy.Environment(), sc, args.seed)  # the one-off start-up (Faker's pools, imports) outside every timing
    rows, load = [], os.getloadavg()[0]
    print(" | ".join(HEADER), flush=True)
    for case in cases(archs):
        rows.append(row(case, measure(sc, case, args.seed, args.repeat)))
        load = max(load, os.getloadavg()[0])
        print(" | ".join(rows[-1]), flush=True)
    w = sc["workload"]
    md = ("## CPU per request against the floor of each architecture's work\n\n"
          f"Default scenario (10,000 customers, {w['rate']:g} requests/s, ERP capacity {sc['erp']['capacity']}, "
          f"default mix {w['list_fraction']:.0%} list pages of {w['page_size']}, {w['get_fraction']:.0%} gets, "
          f"{w['detail_fraction']:.0%} details, {w['update_fraction']:.0%} updates), {args.duration:g} simulated "
          f"seconds, no warm-up, seed {args.seed}, one process. Each row: the architecture's run, timed in CPU "
          f"seconds, then its floor in the same process, the three timed in turn {args.repeat} times, each "
          "keeping its fastest (the ratio; each turn's own ratio shows how much the machine moved it): "
          "a bare SimPy model with the same requests, ERP calls "
          "(a `simpy.Resource` request and an exponential service time) and local queries (a timeout), plus "
          "every SQL statement the run executed, with its parameters and in its order, replayed through the "
          "sqlite3 module alone on a fresh in-memory database (`benchmarks/sqlreplay.py`). The ratio is the "
          "architecture's CPU over its floor's; it leaves out SQLAlchemy, the Integration Service's work, the "
          "patterns' logic, staleness judging and metrics, which are what the ratio measures. Setup (the ERP's "
          f"records, a replica's initial load) is in both. Highest one-minute load average seen: {load:.1f} on "
          f"{os.cpu_count()} CPUs (a busy machine slows every µs column, the floor's too). Machine: {machine()}.\n\n"
          + table(HEADER, rows))
    print(md)
    if not args.no_write:
        print(f"written: {write_section('throughput', md)}")


if __name__ == "__main__":
    main()
