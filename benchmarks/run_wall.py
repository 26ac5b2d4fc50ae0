"""Wall time of ``patternsim`` as a user runs it: start-up, runs in one process or several, replications.

Each measurement is the command in a fresh subprocess (start-up, imports, the ERP's records, every
run and the table included), timed with the wall clock, best of ``--repeat``; the CPU column is
the subprocess's and its workers' user + system time. Three parts, each its own section of
docs/benchmarks.md:

- ``startup``: ``patternsim --help`` and ``patternsim run --help``.
- ``run``: the default comparison and every single-ERP architecture, ``--workers 1`` against the
  default (one process per architecture, up to the number of CPUs).
- ``replications``: ``patternsim run --patterns direct --replications 6``, ``--workers 1`` against
  the default, run alternately so that both see the same load on a shared machine. Issue 14's
  goal: the pool takes at most 0.6x the time of one process on 2 cores.

    python -m benchmarks.run_wall [--parts startup,run,replications] [--repeat 2] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import machine, table, write_section
from benchmarks.throughput import ARCHS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = "direct,batch_sync"
PARTS = ("startup", "run", "replications")
REPLICATIONS = 6
REPLICATIONS_GOAL = 0.6


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (this subprocess and its workers) of ``patternsim ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best(commands: list[list[str]], repeat: int) -> list[tuple[float, float]]:
    """Best wall (and its CPU) of each command, the commands run in turn ``repeat`` times."""
    results: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(repeat):
        for i, args in enumerate(commands):
            results[i].append(timed(args))
    return [min(r) for r in results]


def startup(args: argparse.Namespace) -> str:
    commands = [["--help"], ["run", "--help"]]
    rows = []
    for argv, (wall, cpu) in zip(commands, best(commands, max(args.repeat, 5)), strict=True):
        rows.append([f"`patternsim {' '.join(argv)}`", f"{wall:.2f}", f"{cpu:.2f}"])
        print(" | ".join(rows[-1]), flush=True)
    return ("## Start-up\n\n"
            f"A fresh process, best of {max(args.repeat, 5)}. Each command loads the simulator (NumPy, Faker, "
            "SimPy), the charts (matplotlib) and the report's templates (Jinja) only when it runs; what every "
            "command loads is the patterns, and with them SQLAlchemy. "
            f"Machine: {machine()}.\n\n" + table(["command", "wall s", "CPU s"], rows))


def runs(args: argparse.Namespace) -> str:
    cases = [(DEFAULT, "1"), (DEFAULT, None), (ARCHS, "1"), (ARCHS, None)]
    rows = []
    for patterns, workers in cases:
        flags = ["run", args.scenario, "--patterns", patterns, "--quiet"] + (["--workers", workers] if workers else [])
        ((wall, cpu),) = best([flags], args.repeat)
        n = len(patterns.split(","))
        rows.append([f"{n} ({'the default' if patterns == DEFAULT else 'every single-ERP one'})",
                     workers or f"default ({min(n, os.cpu_count() or 1)})", f"{wall:.1f}", f"{cpu:.1f}"])
        print(" | ".join(rows[-1]), flush=True)
    return (f"## `patternsim run`: wall time, one process or one per core\n\n"
            f"`patternsim run {args.scenario} --patterns ... [--workers N] --quiet` in a fresh process, "
            f"best of {args.repeat}: 300 s of warm-up and one simulated hour, start-up included. "
            f"Machine: {machine()}.\n\n"
            + table(["architectures", "--workers", "wall s", "CPU s"], rows)
            + f"\nEvery single-ERP architecture: {ARCHS.replace(',', ', ')}.\n")


def replications(args: argparse.Namespace) -> str:
    base = ["run", args.scenario, "--patterns", "direct", "--replications", str(REPLICATIONS), "--quiet"]
    load = os.getloadavg()[0]
    (one, one_cpu), (pool, pool_cpu) = best([base + ["--workers", "1"], base], args.repeat)
    load = max(load, os.getloadavg()[0])
    ratio = pool / one
    rows = [["1", f"{one:.1f}", f"{one_cpu:.1f}", "1.00", "1.00"],
            [f"default ({min(REPLICATIONS, os.cpu_count() or 1)})", f"{pool:.1f}", f"{pool_cpu:.1f}", f"{ratio:.2f}",
             f"{pool_cpu / one_cpu:.2f}"]]
    for r in rows:
        print(" | ".join(r), flush=True)
    verdict = "met" if ratio <= REPLICATIONS_GOAL else "not met"
    return ("## Replications on every core\n\n"
            f"`patternsim run {args.scenario} --patterns direct --replications {REPLICATIONS} [--workers 1] "
            f"--quiet` in a fresh process, the two run in turn, best of {args.repeat}: 300 s of warm-up and one "
            f"simulated hour per replication, start-up included. Goal: the pool at most {REPLICATIONS_GOAL}x the "
            f"time of one process ({verdict}: {ratio:.2f}x). CPU s is the command's and its workers': what the "
            "pool costs beyond the runs themselves (each worker's first run loads Faker's locales, about 0.4 s) "
            "is the difference, and half the CPU ratio is the wall ratio two free cores would give. Highest "
            f"one-minute load average seen: {load:.1f} on {os.cpu_count()} CPUs. On a shared Linux machine the "
            "wall ratio says little: the scheduler gives each session a fair share (autogroup), so while others "
            "are busy the pool's workers share one session's share and run no faster than one process. "
            f"Machine: {machine()}.\n\n"
            + table(["--workers", "wall s", "CPU s", "wall vs one process", "CPU vs one process"], rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default=",".join(PARTS), help=f"which to measure (default: {','.join(PARTS)})")
    ap.add_argument("--repeat", type=int, default=2, help="runs per row; the best is kept (default 2)")
    ap.add_argument("--scenario", default="scenarios/retail.toml")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args()
    parts = args.parts.split(",")
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        ap.error(f"--parts: unknown {', '.join(unknown)} (known: {', '.join(PARTS)})")
    measure = {"startup": startup, "run": runs, "replications": replications}
    for part in parts:
        md = measure[part](args)
        print(md)
        if not args.no_write:
            print(f"written: {write_section(part, md)}")


if __name__ == "__main__":
    main()
