"""Simulated consumer requests per second (CPU), per architecture, next to a bare SimPy M/M/c floor.

The floor is the same number of customers through a bare M/M/c queue (Poisson arrivals at the
scenario's rate, ``erp.capacity`` servers, exponential service) in this same process: no patterns, no
SQL, no metrics, only SimPy's own event loop. The ratio says how much the simulator adds per request.

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
        # The floor is cheap: best of three, so a busy moment on the machine does not flatter the ratio.
        floor_wall, floor_cpu = min(mmc(n, sc["workload"]["rate"], sc["erp"]["capacity"]) for _ in range(3))
        rows.append([name, f"{n:,}", f"{wall:.2f}", f"{cpu:.2f}", f"{n / cpu:,.0f}", f"{n / floor_cpu:,.0f}",
                     f"{cpu / floor_cpu:.1f}x"])
        print(" | ".join(rows[-1]), flush=True)
    md = (f"## Requests per wall second\n\nDefault scenario (10,000 customers, {sc['workload']['rate']:g} "
          f"requests/s, ERP capacity {sc['erp']['capacity']}), {args.duration:g} simulated seconds, no warm-up, "
          f"seed 42, one process. The floor: the same number of customers through a bare SimPy "
          f"M/M/{sc['erp']['capacity']} queue (exponential service, mean {MMC_SERVICE_S * 1000:g} ms) in the "
          f"same process. Rates use CPU time of this process (steadier than wall time when the machine is shared); "
          f"setup (ERP records, the initial load of a replica) is included. Machine: {machine()}.\n\n"
          + table(["architecture", "requests", "wall s", "CPU s", "requests / CPU s", "M/M/c floor / CPU s",
                   "CPU vs floor"], rows))
    print(md)
    if not args.no_write:
        print(f"written: {write_section('throughput', md)}")


if __name__ == "__main__":
    main()
