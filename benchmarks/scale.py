"""How wall time and peak memory grow with simulated duration and with the number of records.

Each point runs in a fresh subprocess, which reports its own wall time and peak resident memory
(``resource.getrusage(...).ru_maxrss``), so one point's memory never hides another's. Expected:
wall time linear in the number of requests, and memory bounded by the records held (the ERP's touched
records, replicas, caches), not by the number of requests or the simulated time: histograms and time
series are bounded, and the ERP keeps only the change history a held copy can need
(``simulator/retention.py``). The script prints how much peak memory grew from 1 h to 16 h (goal:
within 10%), and for replica-keeping architectures the wall time of the first full load.

The request rate is lowered (``--rate``, default 5/s) so the whole script runs in a few minutes; the
shape of the growth, not the absolute time, is what it measures.

    python -m benchmarks.scale [--rate 5] [--archs direct,batch_sync]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

from benchmarks.common import machine, table, write_section

DURATIONS = (3600.0, 4 * 3600.0, 16 * 3600.0)
RECORDS = (10_000, 100_000, 1_000_000)
BASE_RECORDS, BASE_DURATION = 10_000, 3600.0


def child(duration: float, records: int, arch: str, rate: float) -> None:
    """Run one point in this (fresh) process and print what it cost as JSON."""
    from simulator import scenario as scenarios
    from simulator.run import run_one

    sc = scenarios.defaults()
    sc["scenario"].update(duration=duration, warmup=0.0)
    sc["data"]["customers"] = records
    sc["workload"]["rate"] = rate
    from patterns import replica

    loads: list[float] = []
    copy_run = replica.Copy.run

    def timed(self: replica.Copy) -> Any:  # the wall time of the first copy that finished: the full load
        began = time.perf_counter()
        done = yield from copy_run(self)
        if done and not loads:
            loads.append(time.perf_counter() - began)
        return done

    replica.Copy.run = timed
    started = time.perf_counter()
    block = run_one(sc, arch.split("+"), 42)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024,
                      "requests": block["requests"]["total"], "rows": block["cache"]["rows"],
                      "load_s": loads[0] if loads else None}))


def point(duration: float, records: int, arch: str, rate: float) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.scale", "--child", str(duration), str(records), arch,
                          str(rate)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"point {duration:g} s, {records} records, {arch} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        duration, records, arch, rate = sys.argv[2:6]
        child(float(duration), int(records), arch, float(rate))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=5.0, help="consumer requests per simulated second (default 5)")
    ap.add_argument("--archs", default="direct,batch_sync")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args()
    points = [(d, BASE_RECORDS) for d in DURATIONS] + [(BASE_DURATION, r) for r in RECORDS if r != BASE_RECORDS]
    rows, growth = [], []
    for arch in args.archs.split(","):
        peak = {}
        for duration, records in points:
            p = point(duration, records, arch, args.rate)
            peak[duration, records] = p["maxrss_mb"]
            load = "" if p["load_s"] is None else f"{p['load_s']:.1f}"
            rows.append([arch, f"{duration / 3600:g} h", f"{records:,}", f"{p['requests']:,}", f"{p['rows']:,}",
                         f"{p['wall_s']:.1f}", f"{p['cpu_s']:.1f}", f"{p['requests'] / p['wall_s']:,.0f}",
                         f"{p['maxrss_mb']:,.0f}", load])
            print(" | ".join(rows[-1]), flush=True)
        first, last = peak[DURATIONS[0], BASE_RECORDS], peak[DURATIONS[-1], BASE_RECORDS]
        growth.append(f"{arch} {last / first - 1:+.0%}")
    md = (f"## Growth with duration and records\n\nDefault scenario at {args.rate:g} requests/s (lowered so the "
          "script runs in minutes), no warm-up, seed 42; each point in a fresh subprocess. Peak memory is the "
          "process's maximum resident set (Python and libraries included); CPU s is the subprocess's user + "
          "system time, start-up included, steadier than wall time on a busy machine. "
          "Initial load s is the wall time of the replica's first full load (the copy, with the simulation "
          f"running around it). Machine: {machine()}.\n\n"
          + table(["architecture", "simulated", "records", "requests", "rows held", "wall s", "CPU s",
                   "requests / wall s", "peak RSS MB", "initial load s"], rows)
          + f"\nPeak memory from {DURATIONS[0] / 3600:g} h to {DURATIONS[-1] / 3600:g} h (goal: within 10%): "
          + ", ".join(growth) + ".\n")
    print(md)
    if not args.no_write:
        print(f"written: {write_section('scale', md)}")


if __name__ == "__main__":
    main()
