"""``patternsim sweep``: vary scenario values and seeds, run every cell in parallel, summarize with CIs."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import checks
from app.errors import UsageError
from app.export import atomic_write_all, flatten, rows_csv, to_json
from app.progress import ProgressLine
from app.sweep_metrics import applies, headline, rounded_stats, significant, with_ci
from patterns.architecture import parse
from simulator import scenario as scenarios

if TYPE_CHECKING:
    from simulator import sweep as sweeps

DEFAULT_PATTERNS = "direct,batch_sync"
OUTPUTS = ("sweep.json", "sweep.csv", "summary.csv")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep", help="run architectures over varied scenario values and seeds, with confidence intervals",
        description="Run the cross product of the varied values x seeds x architectures, each cell an "
                    "independent run, in parallel; write every cell, a CSV and a summary with the mean and "
                    "95% confidence interval of each metric across seeds. Seeds are the base seed "
                    "(--seed, else the scenario's) plus 0, 1, ..., N-1. An architecture a varied "
                    "patterns.X key cannot affect (one without X) runs once per seed, not once per value.",
        epilog="examples:\n"
               "  patternsim sweep scenarios/retail.toml --patterns direct,batch_sync \\\n"
               "      --vary erp.update_rate=1,2,5,10 --seeds 5 --out sweep-out\n"
               "  patternsim sweep scenarios/retail.toml --vary workload.rate=10,30 --scheduler tcp://10.0.0.5:8786 "
               "--out sweep-out\n"
               "  patternsim sweep scenarios/retail.toml --vary workload.rate=10,30 --out sweep-out --resume",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", nargs="?", help="scenario TOML file, or a bundled scenario's name (default: the "
                                               "built-in retail scenario)")
    p.add_argument("--patterns", metavar="ARCHS",
                   help="architectures to compare, as for 'patternsim run' (default: the scenario's own "
                        f"comparison, else {DEFAULT_PATTERNS})")
    p.add_argument("--vary", action="append", default=[], metavar="KEY=V1,V2,...",
                   help="a scenario key and the values to try (TOML syntax; repeatable: cross product)")
    p.add_argument("--seeds", type=int, default=3, metavar="N", help="seeds per combination (default: 3)")
    p.add_argument("--seed", type=int, help="base seed (default: the scenario's)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario key for every cell (repeatable)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes (default: one per CPU; 0: run in this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run the cells on a Dask distributed cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--connect-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="with --scheduler: give up connecting after this many seconds (default: 10)")
    p.add_argument("--resume", action="store_true", help="keep the cells already finished in --out DIR")
    p.add_argument("--out", required=True, metavar="DIR", help="directory for cells/, sweep.json, sweep.csv, "
                                                               "summary.csv")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from simulator import sweep as sweeps  # noqa: PLC0415 - the simulator loads when a sweep runs, not at start-up

    scenario = scenarios.load(args.scenario, args.overrides)
    architectures = parse(args.patterns if args.patterns is not None
                          else scenarios.comparison(scenario, DEFAULT_PATTERNS))
    if not args.vary:
        raise UsageError("--vary: give at least one KEY=V1,V2,... (use 'patternsim run' for a single run)")
    if args.seed is not None:  # checked like scenario.seed (numpy refuses a negative seed mid-sweep)
        scenarios.validate({**scenario, "scenario": {**scenario["scenario"], "seed": args.seed}}, "--seed")
    if args.workers is not None and args.scheduler:
        raise UsageError("--workers and --scheduler exclude each other (the cluster has its own workers)")
    if not 0 < args.connect_timeout <= 3600:
        raise UsageError(f"--connect-timeout: must be between 0 and 3600 seconds, got {args.connect_timeout:g}")
    plan = sweeps.plan(scenario, args.vary, architectures, args.seeds, args.seed)
    out = checks.out_dir(args.out, files=OUTPUTS, folders=("cells",))
    store = sweeps.CellStore(out / "cells")
    if not args.resume and any(store.dir.glob("*.json")):
        raise UsageError(f"--out {out}: already holds finished cells; add --resume to continue that sweep, "
                         "or choose another directory")
    try:
        store.check(plan.cells)
    except sweeps.SweepError as exc:
        raise UsageError(f"--out {out}: {exc}") from None
    made = [d for d in (out, store.dir) if not d.exists()]  # removed again if the sweep leaves nothing in them
    progress = ProgressLine(enabled=not args.quiet)
    started, computed = time.monotonic(), [0]  # wall-clock ok: progress display only

    def on_cell(done: int, total: int, record: dict[str, Any], cached: bool) -> None:
        if not cached:
            computed[0] += 1
        eta = ""
        if computed[0] and done < total:
            eta = f", ETA {_duration((time.monotonic() - started) / computed[0] * (total - done))}"
        progress("sweep", done / total, f"{done}/{total} cells{eta}")

    if args.scheduler and not args.quiet:
        sys.stderr.write(f"connecting to the Dask scheduler at {args.scheduler} "
                         f"(giving up after {args.connect_timeout:g} s)...\n")
        sys.stderr.flush()
    try:
        with sweeps.make_executor(args.workers, args.scheduler, args.connect_timeout) as executor:
            records = sweeps.execute(plan, executor, store, args.resume, on_cell)
        doc = sweeps.document(plan, records)
        try:
            atomic_write_all({out / "sweep.json": to_json(doc).encode(),
                              out / "sweep.csv": rows_csv(cell_rows(doc)).encode(),
                              out / "summary.csv": rows_csv(summary_rows(doc)).encode()})
        except OSError as exc:
            raise sweeps.NotSaved(f"cannot write the sweep's files ({exc.strerror or exc})") from None
    except sweeps.SweepError as exc:
        raise UsageError(str(exc)) from None
    except sweeps.NotSaved as exc:  # a full disk
        raise UsageError(f"--out {out}: {exc}; {_kept(store, made)}") from None
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the CLI adds this to its one line
        raise type(exc)(_kept(store, made)) from None
    finally:
        progress.close()
    if store.rejected:
        sys.stderr.write(f"patternsim: note: {store.rejected} cell files in {store.dir} were not cells of this "
                         "sweep as patternsim writes them, and were run again\n")
    sys.stdout.write(render(doc))
    sys.stdout.write(f"\nwritten: {', '.join(str(out / name) for name in OUTPUTS)}\n")
    return 0


def _kept(store: sweeps.CellStore, made: list[Path]) -> str:
    """What an unfinished sweep leaves: its finished cells, for --resume; or nothing, not even its folders."""
    kept = len(list(store.dir.glob("*.json"))) if store.dir.is_dir() else 0
    if kept:
        return f"{kept} finished cells kept in {store.dir} (run again with --resume to continue)"
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            folder.rmdir()  # only if empty
    return "no cell had finished, nothing was kept"


def _value(v: Any) -> Any:
    return json.dumps(v) if isinstance(v, dict | list) else v


def cell_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """sweep.csv: one row per cell (one architecture each), one column per metric, to four significant digits."""
    return [{"cell": c["id"], "architecture": c["architecture"], "seed": c["seed"],
             **{k: _value(v) for k, v in c["vary"].items()},
             **{k: significant(v) for k, v in flatten(c["result"]).items()}} for c in doc["cells"]]


def summary_rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """summary.csv: per (varied values, architecture), each metric's mean and 95% CI bounds, rounded to
    two significant digits of the interval's half-width (the digits beyond it are noise)."""
    rows = []
    for s in doc["summary"]:
        row = {"architecture": s["architecture"], **{k: _value(v) for k, v in s["vary"].items()},
               "seeds": s["seeds"]}
        for name, stats in s["metrics"].items():
            row.update({f"{name}.{k}": ("" if v is None else v) for k, v in rounded_stats(stats).items()})
        rows.append(row)
    return rows


def render(doc: dict[str, Any]) -> str:
    """A short text summary: the metrics that matter for the patterns swept, as mean ± CI half-width."""
    keys = list(doc["sweep"]["vary"])
    metrics = headline(doc["sweep"]["architectures"])
    header = [*keys, "architecture", *(m.column for m in metrics)]
    lines = [header]
    for s in doc["summary"]:
        cells = [str(_value(s["vary"][k])) for k in keys] + [s["architecture"]]
        for m in metrics:
            stats = s["metrics"].get(m.key)
            cells.append("-" if stats is None or not applies(m, s["architecture"]) else with_ci(stats, m.scale))
        lines.append(cells)
    widths = [max(len(r[i]) for r in lines) for i in range(len(header))]
    text = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in lines)
    seeds, sweep = doc["sweep"]["seeds"], doc["sweep"]
    runs = sweep.get("runs", len(doc["cells"]))
    shared = (f" ({runs} runs: an architecture the varied keys cannot affect ran once per seed)"
              if runs < len(doc["cells"]) else "")
    return (f"{len(doc['cells'])} cells{shared}, seeds {seeds[0]}..{seeds[-1]}: mean ± 95% CI half-width; "
            "[low, high] where an interval was clipped at 0 (or a fraction's at 100%)\n\n"
            f"{text}\n")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
