"""``patternsim report``: charts (PNG) and an HTML page from run or sweep results."""

from __future__ import annotations

import argparse
import sys

from app import checks


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="draw charts and an HTML report from results.json or sweep.json",
        description="Write report.html, one self-contained page (charts inline, so it can be mailed "
                    "alone): the scenario's settings, outages and bursts, the comparison table, and the "
                    "latency CDF, ERP load, queues, staleness over time and the trade-off chart, each with "
                    "a sentence on what to read in it (and, for a sweep, each metric against the varied "
                    "parameter with 95% confidence bands). The charts are also written as PNG files. The "
                    "results file is checked first; the folder is written all at once or not at all.",
        epilog="examples:\n  patternsim run scenarios/retail.toml --out out && patternsim report out/results.json "
               "--out out/report\n  patternsim report sweep-out/sweep.json --out sweep-out/report",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", metavar="RESULTS.json", help="results.json from 'run' or sweep.json from 'sweep'")
    p.add_argument("--out", required=True, metavar="DIR", help="directory for the PNG files and report.html")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from app import report  # noqa: PLC0415 - matplotlib and jinja2 load only when a report is drawn

    checks.out_dir(args.out, files=("report.html",))  # before the drawing, which takes seconds
    doc = report.load(args.results)
    written = report.write(doc, args.out)
    page = next(p for p in written if p.name == "report.html")
    sys.stdout.write(f"written: {len(written) - 1} charts and {page}\n")
    return 0
