"""``patternsim patterns`` and ``patternsim scenarios``: what can be run, in one line each."""

from __future__ import annotations

import argparse
import sys
import textwrap

from patterns.catalogue import PATTERNS
from simulator import scenario as scenarios


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("patterns", help="list the patterns an architecture can be built from",
                       description="List every pattern id with a one-line description.")
    p.set_defaults(func=list_patterns)
    s = sub.add_parser("scenarios", help="list the bundled scenarios, with what each is about",
                       description="List the scenarios that ship with patternsim: each one's name (what "
                                   "'patternsim run NAME' takes), description and the architectures it compares.")
    s.set_defaults(func=list_scenarios)


def list_patterns(args: argparse.Namespace) -> int:
    width = max(len(pid) for pid in PATTERNS)
    for pid, cls in PATTERNS.items():
        sys.stdout.write(f"{pid.ljust(width)}  {cls.description}\n")
    sys.stdout.write("\nCombine ids with '+' (batch_sync+lazy_load); compare architectures with ','.\n")
    return 0


def list_scenarios(args: argparse.Namespace) -> int:
    paths = scenarios.bundled()
    if not paths:  # a broken install: say so rather than print nothing
        sys.stderr.write(f"patternsim: no bundled scenarios found in {scenarios.SCENARIO_DIR}\n")
        return 1
    for path in paths:
        info = scenarios.load(path)["scenario"]
        sys.stdout.write(f"{path.stem}: {info['name']}\n")
        sys.stdout.write(textwrap.fill(info["description"], 96, initial_indent="    ", subsequent_indent="    ") + "\n")
        if info["compare"]:
            sys.stdout.write(f"    compares: {info['compare']}\n")
    sys.stdout.write(f"\nRun one by name from any folder: patternsim run {paths[0].stem}\n"
                     f"(the files are in {scenarios.SCENARIO_DIR}; copy one to start your own)\n")
    return 0
