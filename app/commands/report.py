"""``patternsim report``: charts (PNG) and an HTML page from run or sweep results."""

from __future__ import annotations

import argparse
import sys

from app import report


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="draw charts and an HTML report from results.json or sweep.json",
        description="Draw the latency CDF, ERP load, queues, staleness over time and the trade-off chart "
                    "(and, for a sweep, each metric against the varied parameter with 95% confidence "
                    "bands) as PNG files, and a report.html that shows them with the scenario and the "
                    "comparison table.",
        epilog="examples:\n  patternsim run scenarios/retail.toml --out out && patternsim report out/results.json "
               "--out out/report\n  patternsim report sweep-out/sweep.json --out sweep-out/report",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", metavar="RESULTS.json", help="results.json from 'run' or sweep.json from 'sweep'")
    p.add_argument("--out", required=True, metavar="DIR", help="directory for the PNG files and report.html")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    doc = report.load(args.results)
    written = report.write(doc, args.out)
    page = next(p for p in written if p.name == "report.html")
    sys.stdout.write(f"written: {len(written) - 1} charts and {page}\n")
    return 0
