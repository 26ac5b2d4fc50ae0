"""Simulated consumer requests per second (CPU), per architecture, next to a bare SimPy M/M/c floor.

The floor is as many customers as the runs' requests (rate x duration) through a bare M/M/c queue
(Poisson arrivals at the scenario's rate, ``erp.capacity`` servers, exponential service) in this same
process: no patterns, no SQL, no metrics, only SimPy's own event loop. The ratio says how much the
simulator adds per request.

    python -m benchmarks.throughput [--duration 900] [--archs direct,batch_sync,...]
"""

from __future__ import annotations

import argparse
import random
import time

import simpy

from benchmarks.common import machine, table, write_section
from patterns.architecture import ArchitectureError, parse
from simulator import scenario as scenarios
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=900.0, help="simulated seconds per run (default 900)")
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
    rows = []
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
        rows.append([name, f"{n:,}", f"{wall:.2f}", f"{cpu:.2f}", f"{n / cpu:,.0f}", f"{floor_rate / (n / cpu):.1f}x"])
        print(" | ".join(rows[-1]), flush=True)
    md = (f"## Simulated requests per second of CPU\n\nDefault scenario (10,000 customers, {sc['workload']['rate']:g} "
          f"requests/s, ERP capacity {sc['erp']['capacity']}), {args.duration:g} simulated seconds, no warm-up, "
          f"seed 42, one process. The floor: as many customers (rate x duration) through a bare SimPy "
          f"M/M/{sc['erp']['capacity']} queue (exponential service, mean {MMC_SERVICE_S * 1000:g} ms) in the "
          f"same process, measured first, best of five: **{floor_rate:,.0f} customers per CPU second**. "
          "Rates use CPU time of this process (steadier than wall time when the machine is shared); "
          f"setup (ERP records, the initial load of a replica) is included. Machine: {machine()}.\n\n"
          + table(["architecture", "requests", "wall s", "CPU s", "requests / CPU s", "slower than the floor"],
                  rows))
    print(md)
    if not args.no_write:
        print(f"written: {write_section('throughput', md)}")


if __name__ == "__main__":
    main()
