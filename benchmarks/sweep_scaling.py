"""A 40-cell sweep, timed with 1 worker process and with one per CPU.

Cells are independent runs, so the speed-up should approach the number of cores, less pool start-up
and the imbalance of the last cells. The two sweeps must also give identical numbers (checked).

    python -m benchmarks.sweep_scaling [--duration 300]
"""

from __future__ import annotations

import argparse
import os
import time

from benchmarks.common import machine, table, write_section
from simulator import scenario as scenarios
from simulator import sweep as sweeps

VARY = "workload.rate=10,20,30,40,50"
SEEDS = 4
ARCHS = [["direct"], ["batch_sync"]]


def timed(plan: sweeps.Sweep, workers: int) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    with sweeps.make_executor(workers) as executor:
        records = sweeps.execute(plan, executor)
    return time.perf_counter() - started, records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=300.0, help="simulated seconds per cell (default 300)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args()
    sc = scenarios.defaults()
    sc["scenario"].update(duration=args.duration, warmup=0.0)
    plan = sweeps.plan(sc, [VARY], ARCHS, seeds=SEEDS)
    assert len(plan.cells) == 40
    cores = os.cpu_count() or 1
    one, first = timed(plan, 1)
    print(f"1 worker: {one:.1f} s", flush=True)
    many, second = timed(plan, cores)
    print(f"{cores} workers: {many:.1f} s", flush=True)
    same = [r["result"] for r in first] == [r["result"] for r in second]
    rows = [["1", f"{one:.1f}", f"{one / 40:.2f}", "1.00x"],
            [str(cores), f"{many:.1f}", f"{many / 40:.2f}", f"{one / many:.2f}x"]]
    md = (f"## A 40-cell sweep: 1 worker vs all cores\n\n`--vary {VARY}` x {SEEDS} seeds x "
          f"{', '.join('+'.join(a) for a in ARCHS)} = 40 cells, default scenario with {args.duration:g} simulated "
          f"seconds per cell, no warm-up, on a local process pool. Identical numbers from both: {same}. "
          f"Machine: {machine()}.\n\n" + table(["workers", "wall s", "wall s per cell", "speed-up"], rows))
    print(md)
    if not same:
        raise SystemExit("the two sweeps gave different numbers")
    if not args.no_write:
        print(f"written: {write_section('sweep', md)}")


if __name__ == "__main__":
    main()
