"""Simulated consumer requests per second (CPU), per architecture, next to a bare SimPy M/M/c floor.

The floor is as many customers as the runs' requests (rate x duration) through a bare M/M/c queue
(Poisson arrivals at the scenario's rate, ``erp.capacity`` servers, exponential service) in this same
process: no patterns, no SQL, no metrics, only SimPy's own event loop. The ratio says how much the
simulator adds per request.

A second floor is what the replica's SQL costs on its own: the list page and the get by id that
the replica architectures run, executed through the sqlite3 module directly (no SQLAlchemy, no
SimPy) on a replica of the same size. No architecture that answers from a real SQL replica can be
cheaper per request than that.

    python -m benchmarks.throughput [--duration 3600] [--archs direct,batch_sync,...]
"""

from __future__ import annotations

import argparse
import random
import time

import simpy

from benchmarks.common import machine, table, write_section
from patterns.architecture import ArchitectureError, parse
from patterns.ports import Customer
from patterns.store import Store
from simulator import scenario as scenarios
from simulator.erp import Erp
from simulator.run import run_one

ARCHS = ("direct,batch_sync,lazy_load,batch_sync+lazy_load,realtime_sync,queued_sync,ordered_sync,"
         "queued_sync+ordered_sync")
MMC_SERVICE_S = 0.1


def mmc(customers: int, rate: float, servers: int, seed: int = 1) -> tuple[float, float]:
    """Wall and CPU seconds for ``customers`` through a bare SimPy M/M/c queue."""
    env = simpy.Environment()
    servers_ = simpy.Resource(env, servers)
    rng = random.Random(seed)

    def customer():
        with servers_.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1 / MMC_SERVICE_S))

    def source():
        for _ in range(customers):
            yield env.timeout(rng.expovariate(rate))
            env.process(customer())

    env.process(source())
    started, cpu = time.perf_counter(), time.process_time()
    env.run()
    return time.perf_counter() - started, time.process_time() - cpu


def sql_floor(sc: dict, repeats: int = 3000) -> tuple[float, float]:
    """CPU seconds of one replica list page and of one get by id, in the sqlite3 module alone."""
    erp = Erp(simpy.Environment(), sc, 42)
    store = Store()
    store.upsert_customers([Customer(*erp.summary_row(k)) for k in range(erp.count)])
    dbapi = store.conn.connection.dbapi_connection
    cities = sorted({erp.city_of(k) for k in range(0, erp.count, 7)})

    def prepared(stmt):
        compiled = stmt.compile(dialect=store.engine.dialect)
        return str(compiled), compiled.positiontup

    page_sql, page_order = prepared(store.search_statement(["city"]))
    get_sql, get_order = prepared(store._get_customer)  # noqa: SLF001 - the statement the replica runs
    page_args = [[{"city": c, "limit": sc["workload"]["page_size"], "offset": 0}[k] for k in page_order]
                 for c in cities]
    get_args = [[{"id": k}[name] for name in get_order] for k in range(repeats)]

    def cost(sql: str, args: list) -> float:
        cpu = time.process_time()
        for i in range(repeats):
            dbapi.execute(sql, args[i % len(args)]).fetchall()
        return (time.process_time() - cpu) / repeats

    try:
        return min(cost(page_sql, page_args) for _ in range(3)), min(cost(get_sql, get_args) for _ in range(3))
    finally:
        store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=3600.0, help="simulated seconds per run (default 3600)")
    ap.add_argument("--archs", default=ARCHS)
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args()
    sc = scenarios.defaults()
    sc["scenario"].update(duration=args.duration, warmup=0.0)  # every simulated request is counted
    # The floor, measured once before any run (a clean heap), best of five: the fastest SimPy gets here.
    n_floor = round(sc["workload"]["rate"] * args.duration)
    floor_cpu = min(mmc(n_floor, sc["workload"]["rate"], sc["erp"]["capacity"], seed)[1] for seed in range(5))
    floor_rate = n_floor / floor_cpu
    print(f"M/M/c floor: {floor_rate:,.0f} customers per CPU second", flush=True)
    page_s, get_s = sql_floor(sc)
    lists, gets = sc["workload"]["list_fraction"], sc["workload"]["get_fraction"]
    sql_per_request = lists * page_s + gets * get_s
    print(f"SQL floor: page {page_s * 1e6:.0f} us, get {get_s * 1e6:.1f} us", flush=True)
    rows, total_cpu = [], 0.0
    for name in args.archs.split(","):
        try:
            (ids,) = parse(name)
        except ArchitectureError as exc:
            print(f"skipped {name}: {exc}")
            continue
        started, cpu = time.perf_counter(), time.process_time()
        block = run_one(sc, ids, 42)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        n = block["requests"]["total"]
        total_cpu += cpu
        rows.append([name, f"{n:,}", f"{wall:.2f}", f"{cpu:.2f}", f"{n / cpu:,.0f}", f"{cpu / n * 1e6:.0f}",
                     f"{floor_rate / (n / cpu):.1f}x"])
        print(" | ".join(rows[-1]), flush=True)
    md = (f"## Simulated requests per second of CPU\n\nDefault scenario (10,000 customers, {sc['workload']['rate']:g} "
          f"requests/s, ERP capacity {sc['erp']['capacity']}), {args.duration:g} simulated seconds, no warm-up, "
          f"seed 42, one process. The floor: as many customers (rate x duration) through a bare SimPy "
          f"M/M/{sc['erp']['capacity']} queue (exponential service, mean {MMC_SERVICE_S * 1000:g} ms) in the "
          f"same process, measured first, best of five: **{floor_rate:,.0f} customers per CPU second**. "
          f"That is {1e6 / floor_rate:.1f} µs of CPU per request. "
          "Rates use CPU time of this process (steadier than wall time when the machine is shared); "
          f"setup (ERP records, the initial load of a replica) is included. Machine: {machine()}.\n\n"
          + table(["architecture", "requests", "wall s", "CPU s", "requests / CPU s", "µs / request",
                   "slower than the floor"], rows)
          + f"\nAll {len(rows)} architectures: {total_cpu:.1f} CPU s in one process.\n\n"
          "**The SQL floor.** The replica's own queries, run through the sqlite3 module alone on a "
          f"{sc['data']['customers']:,}-row replica: a list page of {sc['workload']['page_size']} rows "
          f"costs {page_s * 1e6:.0f} µs and a get by id {get_s * 1e6:.1f} µs. With the workload's mix "
          f"({lists:.0%} lists, {gets:.0%} gets) that is {sql_per_request * 1e6:.0f} µs "
          f"per request, {sql_per_request * floor_rate:.1f}x the SimPy floor, before SQLAlchemy, SimPy or "
          "any pattern code runs.\n")
    print(md)
    if not args.no_write:
        print(f"written: {write_section('throughput', md)}")


if __name__ == "__main__":
    main()
