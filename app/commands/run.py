"""``patternsim run``: simulate architectures on a scenario and compare them."""

from __future__ import annotations

import argparse
import sys

from app import checks
from app.errors import UsageError
from app.export import atomic_write_all, to_csv, to_json
from app.progress import ProgressLine
from patterns.architecture import parse
from simulator import scenario as scenarios
from simulator.precision import MAX_REPLICATIONS, MIN_PRECISION_REPLICATIONS

MAX_REPLICATIONS_LIMIT = 1000

DEFAULT_PATTERNS = "direct,batch_sync"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run", help="simulate architectures on a scenario and compare them",
        description="Simulate each architecture against the scenario's ERP and workload, then print "
                    "latency, ERP load and staleness side by side.",
        epilog="examples:\n  patternsim run flash_sale                  (a bundled scenario by name: its comparison)\n"
               "  patternsim run scenarios/retail.toml --replications 5\n"
               "  patternsim run scenarios/retail.toml --patterns direct,batch_sync --set erp.update_rate=5\n"
               "  patternsim run --json > results.json\n\n"
               "'patternsim scenarios' lists the bundled scenarios; docs/scenarios.md describes the file format.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", nargs="?", help="scenario TOML file, or a bundled scenario's name (default: the "
                                               "built-in retail scenario)")
    p.add_argument("--patterns", metavar="ARCHS",
                   help="architectures to compare: pattern ids joined by '+', separated by ',' "
                        f"(default: the scenario's own comparison, else {DEFAULT_PATTERNS}; see 'patternsim patterns')")
    p.add_argument("--seed", type=int, help="random seed (default: the scenario's)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario key, e.g. --set erp.update_rate=5 (repeatable)")
    p.add_argument("--db", metavar="URL", help="SQLAlchemy URL of the local database (default: in-memory SQLite)")
    p.add_argument("--json", action="store_true", help="print the results JSON to stdout instead of the table")
    p.add_argument("--out", metavar="DIR", help="also write results.json and results.csv into DIR")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes to run the architectures in (default: one per architecture, up to the number "
                        "of CPUs; 1: one after the other in this process, as always with a --db other than "
                        "in-memory SQLite)")
    p.add_argument("--replications", type=int, default=1, metavar="R",
                   help="independent replications per architecture (R >= 2: every number gets its 95%% interval, "
                        "and a row's best value is marked only when it is significantly best; default: 1)")
    p.add_argument("--precision", type=float, metavar="P",
                   help="add replications until latency mean and p95, ERP calls/s and the summary stale fraction "
                        "are known to a relative half-width P (e.g. 0.05), or the architectures' paired differences "
                        "are; at most --max-replications")
    p.add_argument("--max-replications", type=int, default=MAX_REPLICATIONS, metavar="N",
                   help=f"the cap for --precision (default: {MAX_REPLICATIONS})")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    # The simulator (Faker, NumPy) loads here, not when the CLI starts: 'patternsim --help' needs none of it.
    from app.table import render  # noqa: PLC0415
    from simulator.run import run  # noqa: PLC0415

    scenario = scenarios.load(args.scenario, args.overrides)
    if args.seed is not None:
        scenario["scenario"]["seed"] = args.seed
        scenarios.validate(scenario, "--seed")
    architectures = parse(args.patterns if args.patterns is not None
                          else scenarios.comparison(scenario, DEFAULT_PATTERNS))
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers: must be at least 1, got {args.workers}")
    if args.replications < 1:
        raise UsageError(f"--replications: must be at least 1, got {args.replications}")
    if args.precision is not None and not 0 < args.precision < 1:
        raise UsageError(f"--precision: must be a fraction between 0 and 1 (0.05 is 5%), got {args.precision}")
    if not MIN_PRECISION_REPLICATIONS <= args.max_replications <= MAX_REPLICATIONS_LIMIT:
        raise UsageError(f"--max-replications: must be between {MIN_PRECISION_REPLICATIONS} and "
                         f"{MAX_REPLICATIONS_LIMIT}, got {args.max_replications}")
    if args.replications > MAX_REPLICATIONS_LIMIT:
        raise UsageError(f"--replications: at most {MAX_REPLICATIONS_LIMIT}, got {args.replications}")
    db = checks.db_url(args.db) if args.db is not None else None
    out = checks.out_dir(args.out, files=("results.json", "results.csv")) if args.out is not None else None
    progress = ProgressLine(enabled=not args.quiet)
    names = ["+".join(ids) for ids in architectures]
    fractions: dict[str, float] = {}

    def report(name: str, fraction: float) -> None:
        # Architectures may run at the same time: name those still running, with their mean fraction.
        fractions[name] = fraction
        running = [n for n in names if fractions.get(n, 1.0) < 1.0]
        done = sum(1 for f in fractions.values() if f >= 1.0)
        shown = sum(fractions[n] for n in running) / len(running) if running else 1.0
        progress(f"[{done}/{len(names)} done] {', '.join(running) or name}", shown)

    try:
        results = run(scenario, architectures, progress=report, db_url=db, workers=args.workers,
                      replications=args.replications, precision=args.precision,
                      max_replications=args.max_replications)
    finally:
        progress.close()
    if out is not None:
        try:
            atomic_write_all({out / "results.json": to_json(results).encode(),
                              out / "results.csv": to_csv(results).encode()})
        except OSError as exc:
            raise UsageError(f"--out {out}: cannot write the results ({exc.strerror or exc})") from None
    if args.json:
        sys.stdout.write(to_json(results))
    else:
        sys.stdout.write(render(results))
        if out is not None:
            sys.stdout.write(f"\nwritten: {out / 'results.json'}, {out / 'results.csv'}\n")
    return 0
