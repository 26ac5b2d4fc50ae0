"""Wall time of ``patternsim run`` as a user runs it: one simulated hour, in one process or several.

Each row is the command in a fresh subprocess (start-up, imports, the ERP's records, every
architecture's run and the table included), timed with the wall clock, best of ``--repeat``.

    python -m benchmarks.run_wall [--repeat 2] [--scenario scenarios/retail.toml]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import machine, table, write_section
from benchmarks.throughput import ARCHS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = "direct,batch_sync"


def wall(args: list[str], repeat: int) -> float:
    """Best wall seconds of ``patternsim run ARGS --quiet`` over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "app.cli", "run", *args, "--quiet"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2, help="runs per row; the best is kept (default 2)")
    ap.add_argument("--scenario", default="scenarios/retail.toml")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args()
    cases = [(DEFAULT, "1"), (DEFAULT, None), (ARCHS, "1"), (ARCHS, None)]
    rows = []
    for patterns, workers in cases:
        flags = [args.scenario, "--patterns", patterns] + (["--workers", workers] if workers else [])
        seconds = wall(flags, args.repeat)
        n = len(patterns.split(","))
        rows.append([f"{n} ({'the default' if patterns == DEFAULT else 'every single-ERP one'})",
                     workers or f"default ({min(n, os.cpu_count() or 1)})", f"{seconds:.1f}"])
        print(" | ".join(rows[-1]), flush=True)
    md = (f"## `patternsim run`: wall time, one process or one per core\n\n"
          f"`patternsim run {args.scenario} --patterns ... [--workers N] --quiet` in a fresh process, "
          f"best of {args.repeat}: 300 s of warm-up and one simulated hour, start-up included. "
          f"Machine: {machine()}.\n\n"
          + table(["architectures", "--workers", "wall s"], rows)
          + f"\nEvery single-ERP architecture: {ARCHS.replace(',', ', ')}.\n")
    print(md)
    if not args.no_write:
        print(f"written: {write_section('run', md)}")


if __name__ == "__main__":
    main()
