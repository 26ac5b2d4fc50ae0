"""``patternsim faults``: the fault matrix (each fault x each sync pattern), as a table."""

from __future__ import annotations

import argparse
import json
import sys

from app import checks
from app.errors import UsageError
from app.export import atomic_write
from app.progress import ProgressLine
from patterns.architecture import parse
from simulator.faults import FAULTS, SYNC_ARCHITECTURES, markdown, matrix


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "faults", help="run every fault against every sync pattern and show what converges",
        description="Inject each fault (outages, errors, slow ERP, lost/duplicated/reordered/late callbacks, "
                    "crashing workers) into a small busy scenario, let the syncs drain, and report for each "
                    "sync pattern whether its replica converged to the ERP.")
    p.add_argument("--faults", metavar="NAMES", help=f"comma-separated subset of: {', '.join(FAULTS)}")
    p.add_argument("--patterns", metavar="ARCHS", default=",".join(SYNC_ARCHITECTURES),
                   help="architectures to test (default: every sync pattern)")
    p.add_argument("--json", action="store_true", help="print the rows as JSON instead of a markdown table")
    p.add_argument("--out", metavar="FILE", help="also write the markdown table to FILE")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    faults = args.faults.split(",") if args.faults else list(FAULTS)
    unknown = [f for f in faults if f not in FAULTS]
    if unknown:
        raise UsageError(f"--faults: unknown fault {unknown[0]!r} (known: {', '.join(FAULTS)})")
    architectures = ["+".join(ids) for ids in parse(args.patterns)]
    out = checks.out_file(args.out) if args.out else None
    progress = ProgressLine(enabled=not args.quiet)
    try:
        rows = matrix(faults, architectures, progress)
    finally:
        progress.close()
    table = markdown(rows)
    if out is not None:
        try:
            atomic_write(out, table)
        except OSError as exc:
            raise UsageError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
    sys.stdout.write(json.dumps(rows, indent=2) + "\n" if args.json else table)
    return 0
