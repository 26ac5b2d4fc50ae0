"""``patternsim patterns`` and ``patternsim scenarios``: what can be run, in one line each."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from patterns.catalogue import PATTERNS
from simulator import scenario as scenarios


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("patterns", help="list the patterns an architecture can be built from",
                       description="List every pattern id with a one-line description.")
    p.set_defaults(func=list_patterns)
    s = sub.add_parser("scenarios", help="list the bundled scenario files",
                       description="List the scenario files that ship with patternsim.")
    s.set_defaults(func=list_scenarios)


def list_patterns(args: argparse.Namespace) -> int:
    width = max(len(pid) for pid in PATTERNS)
    for pid, cls in PATTERNS.items():
        sys.stdout.write(f"{pid.ljust(width)}  {cls.summary}\n")
    sys.stdout.write("\nCombine ids with '+' (batch_sync+lazy_load); compare architectures with ','.\n")
    return 0


def list_scenarios(args: argparse.Namespace) -> int:
    for path in scenarios.bundled():
        loaded = scenarios.load(path)
        shown = os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
        sys.stdout.write(f"{shown}\n    {loaded['scenario']['name']}: {loaded['scenario']['description']}\n")
    return 0
