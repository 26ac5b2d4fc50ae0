"""Reports: one self-contained ``report.html`` (charts inline) and the charts as PNG files, from a run's
results.json or a sweep's sweep.json.

The page is built from a Jinja2 template with autoescape on, so a value from a results file is
always text on the page, never markup; and the file is checked against its schema before any of it
is used (a tampered seed, a negative latency: one line naming where, exit status 2). Every chart is
drawn in memory first; then all files are written through a temporary folder and renamed into
place together (``app.export.write_folder``), so an error, a full disk or an interrupt leaves
the old report or nothing, never half of a new one. The PNG files are the page's charts, for
slides and documents; the page needs none of them.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import struct
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from app.charts import png, run_charts, windows
from app.errors import UsageError
from app.export import write_folder
from app.sweep_charts import chart_name, sweep_charts
from app.sweep_metrics import applies, charted, headline, with_ci
from app.table import comparison_cells, footnote
from patterns.architecture import expand
from simulator import schema
from simulator.files import FileProblem, read_regular

# Reading a results file takes about 30 times its size in memory (Python objects for every number),
# and drawing adds a little; a file is refused when that would not fit in the memory available now.
MEMORY_PER_BYTE = 40
MAX_RESULTS_BYTES = 500_000_000
SCENARIO_FACTS = (("duration measured (s)", "scenario.duration"), ("warm-up before it (s)", "scenario.warmup"),
                  ("customers", "data.customers"), ("consumer requests/s", "workload.rate"),
                  ("key distribution", "workload.request_distribution"), ("ERP servers (capacity)", "erp.capacity"),
                  ("ERP changes/s", "erp.update_rate"), ("ERP error rate", "erp.error_rate"),
                  ("ERP slowdown under load", "erp.slowdown"), ("integration timeout (s)", "integration.timeout"))

# What each chart shows, and the sentence that says what to read in it.
RUN_CHARTS = {
    "latency_cdf.png": ("Latency distribution",
                        "Read across at 95%: the line that reaches it furthest left answers 95% of requests "
                        "fastest. A line that never reaches 100% did not answer every request."),
    "erp_load.png": ("ERP load over time",
                     "Top: calls per second each architecture makes on the ERP; bottom: the share of the ERP's "
                     "servers they keep busy. Near 100% the ERP is saturated and every architecture that calls "
                     "it slows down; shaded bands are the scenario's outages and bursts."),
    "queues.png": ("Queues over time",
                   "Top: ERP calls waiting for a free server, the sign that the ERP is the bottleneck. Bottom: "
                   "changes waiting in a sync queue, which should grow during a burst and drain after it."),
    "staleness.png": ("Staleness and latency over time",
                      "Top: the share of records read that were out of date, per time bucket; bottom: latency "
                      "p95. Compare what happens inside the shaded windows with before and after them."),
    "tradeoff.png": ("Trade-off",
                     "One mark per architecture; lower left is better in both panels. Latency is on a log axis, "
                     "so answers from a local copy (milliseconds) and from the ERP (hundreds) both show; rings "
                     "inside rings are architectures at the same spot."),
}


def max_input_bytes() -> int:
    """The largest results file this machine can report on now: its available memory over MEMORY_PER_BYTE."""
    available = _available_memory()
    return MAX_RESULTS_BYTES if available is None else max(1_000_000, min(MAX_RESULTS_BYTES,
                                                                         available // MEMORY_PER_BYTE))


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def load(path: str | Path) -> dict[str, Any]:
    """Read and check a results or sweep JSON; anything else is a UsageError naming the file and the reason."""
    path = Path(path)
    limit = max_input_bytes()
    try:
        size = path.stat().st_size if path.is_file() else 0
    except (OSError, ValueError):
        size = 0  # read_regular says what is wrong
    if size > limit:
        raise UsageError(f"{path}: {size:,} bytes is too large to report on with the memory available "
                         f"(at most {limit:,})")
    try:
        data = read_regular(path, limit, "a results")
    except FileProblem as exc:
        raise UsageError(f"{path}: {exc}") from None
    try:
        doc = schema.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UsageError(f"{path}: not JSON ({exc})") from None
    problem = check(doc)
    if problem:
        raise UsageError(f"{path}: not patternsim run or sweep results ({problem})")
    return doc


def kind(doc: dict[str, Any]) -> str:
    return "sweep" if "sweep" in doc else "run"


def check(doc: Any) -> str:
    """What is wrong with ``doc`` for a report (against the schema of its kind), or '' when it is fine."""
    if not isinstance(doc, dict):
        return "top level is not an object"
    return schema.problem(doc, "sweep" if "sweep" in doc else "results")


def representative_run(doc: dict[str, Any]) -> dict[str, Any]:
    """A run-shaped document from a sweep: the first seed at the first combination of varied values."""
    first = doc["cells"][0]
    scenario = copy.deepcopy(doc["sweep"]["scenario"])
    for key, value in first["vary"].items():
        node = scenario
        *path, last = key.split(".")
        for part in path:
            node = node[part]
        node[last] = value
    cells = [c for c in doc["cells"] if c["seed"] == first["seed"] and c["vary"] == first["vary"]]
    return {"scenario": scenario, "seed": first["seed"], "vary": first["vary"],
            "architectures": {c["architecture"]: c["result"] for c in cells}}


def render(doc: dict[str, Any]) -> dict[str, bytes]:
    """Every file of the report, by name, as bytes: the charts (PNG), then report.html holding them inline."""
    try:
        if kind(doc) == "sweep":
            run = representative_run(doc)
            figures = {**sweep_charts(doc), **run_charts(run, prefix="run_")}
            files = {name: png(fig) for name, fig in figures.items()}
            page = sweep_page(doc, run, files)
        else:
            files = {name: png(fig) for name, fig in run_charts(doc).items()}
            page = run_page(doc, files)
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError, AttributeError) as exc:
        raise UsageError(f"results are incomplete or malformed ({type(exc).__name__}: {exc})") from None
    files["report.html"] = page.encode("utf-8")
    return files


def write(doc: dict[str, Any], out: str | Path) -> list[Path]:
    """Render the report and write it into ``out`` all-or-nothing; report.html is the last path returned."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory")
    files = render(doc)
    try:
        return write_folder(out, files)
    except OSError as exc:  # a full disk, a read-only folder: nothing of the new report is left
        raise UsageError(f"--out {out}: cannot write the report ({exc.strerror or exc}); nothing written") from None


# -- the page ------------------------------------------------------------------------------------------
def _wrap_plus(name: str) -> Markup:
    """An architecture name that may break after each '+' (never inside a pattern's name)."""
    return Markup("+<wbr>").join(escape(part) for part in str(name).split("+"))


ENVIRONMENT = Environment(loader=PackageLoader("app", "templates"), autoescape=True, undefined=StrictUndefined,
                          trim_blocks=True, lstrip_blocks=True)
ENVIRONMENT.filters["wrap_plus"] = _wrap_plus


def _chart(name: str, data: bytes, title: str, read: str) -> dict[str, Any]:
    width, height = struct.unpack(">II", data[16:24])  # a PNG's IHDR: the page reserves the space
    return {"uri": "data:image/png;base64," + base64.b64encode(data).decode("ascii"), "title": title, "read": read,
            "name": name, "width": width, "height": height}


def _get(scenario: dict[str, Any], key: str) -> Any:
    node: Any = scenario
    for part in key.split("."):
        node = node[part]
    return node


def _value(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _scenario(scenario: dict[str, Any], architectures: list[str]) -> dict[str, Any]:
    """The scenario's key settings, those of the patterns compared, and its outages and bursts."""
    settings = []
    for label, key in SCENARIO_FACTS:
        try:
            settings.append((label, _value(_get(scenario, key))))
        except (KeyError, TypeError):
            continue  # older results without the key
    used = dict.fromkeys(pid for name in architectures for pid in expand(name.split("+")))
    for pid in used:
        params = scenario.get("patterns", {}).get(pid, {})
        settings += [(f"{pid}.{key}", _value(value)) for key, value in params.items()]
    spans = [f"{label}: {start:g} s to {end:g} s" for label, start, end, _ in windows(scenario)]
    s = scenario["scenario"]
    return {"scenario": {"name": s["name"], "description": s.get("description", ""), "guide": s.get("guide", "")},
            "settings": settings, "windows": spans, "scenario_json": json.dumps(scenario, indent=2)}


def _comparison(results: dict[str, Any]) -> dict[str, Any]:
    """The comparison table with structured cells (text, best) for the template, and what its marks mean."""
    names, rows = comparison_cells(results)
    table = [{"label": label, "cells": [{"text": c.text, "best": c.best} for c in cells]} for label, cells in rows]
    legend = footnote(results).replace("* significantly best", "Bold: significantly best")
    return {"header": ["metric", *names], "rows": table, "legend": legend}


def _warnings(results: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(name, b["warnings"]) for name, b in results["architectures"].items() if b.get("warnings")]


def _run_charts(files: dict[str, bytes], prefix: str = "") -> list[dict[str, Any]]:
    return [_chart(prefix + name, files[prefix + name], title, read) for name, (title, read) in RUN_CHARTS.items()
            if prefix + name in files]


def run_page(doc: dict[str, Any], files: dict[str, bytes]) -> str:
    s = doc["scenario"]["scenario"]
    names = ", ".join(doc["architectures"])
    intro = (f"{len(doc['architectures'])} architectures ({names}) on the same scenario, seed {doc['seed']}, "
             f"{s['duration']:g} s measured after {s['warmup']:g} s of warm-up; patternsim "
             f"{doc.get('patternsim', '?')}. The page holds its charts; the PNG files beside it are the same charts.")
    section = {"heading": "Comparison", "note": "", "table": _comparison(doc), "warnings": _warnings(doc),
               "charts": _run_charts(files)}
    return ENVIRONMENT.get_template("report.html.j2").render(
        title=f"patternsim report: {s['name']}", intro=intro, summary=None, sections=[section],
        **_scenario(doc["scenario"], list(doc["architectures"])))


def sweep_page(doc: dict[str, Any], run: dict[str, Any], files: dict[str, bytes]) -> str:
    sweep = doc["sweep"]
    x_key = next(iter(sweep["vary"]))
    vary = "; ".join(f"{k} = {', '.join(map(_value, v))}" for k, v in sweep["vary"].items())
    seeds = sweep["seeds"]
    intro = (f"{len(doc['cells'])} cells: {vary}; seeds {seeds[0]} to {seeds[-1]}; architectures "
             f"{', '.join(sweep['architectures'])}. Bands and ± are 95% confidence intervals (Student t) across "
             "seeds, clipped at 0 (and at 100% for shares): no metric can be negative. patternsim "
             f"{doc.get('patternsim', '?')}.")
    metric_charts = [_chart(chart_name(m.key), files[chart_name(m.key)], f"{m.label} against {x_key}",
                            f"One line per architecture, with its 95% band across seeds. Where two bands do not "
                            f"overlap the difference is more than seed noise; where lines cross, the better "
                            f"choice for {m.label.lower()} changes with {x_key}.")
                     for m in charted(sweep["architectures"]) if chart_name(m.key) in files]
    tradeoff = _chart("sweep_tradeoff.png", files["sweep_tradeoff.png"], f"Trade-off as {x_key} varies",
                      f"Each line walks one architecture through the values of {x_key} (the labels); lower left "
                      "is better. A line that barely moves is an architecture this key does not affect.")
    fixed = ", ".join(f"{k} = {_value(v)}" for k, v in run["vary"].items())
    sections = [
        {"heading": f"Against {x_key}", "note": "", "table": None, "warnings": [],
         "charts": [*metric_charts, tradeoff]},
        {"heading": f"One cell in detail: seed {run['seed']}, {fixed}",
         "note": "One run of each architecture at the first value, to see behaviour over time.",
         "table": _comparison(run), "warnings": _warnings(run), "charts": _run_charts(files, "run_")},
    ]
    return ENVIRONMENT.get_template("report.html.j2").render(
        title=f"patternsim sweep report: {sweep['scenario']['scenario']['name']}", intro=intro,
        summary=summary_table(doc), sections=sections, **_scenario(sweep["scenario"], sweep["architectures"]))


def summary_table(doc: dict[str, Any]) -> dict[str, Any]:
    """The sweep's summary: the metrics that matter for the patterns swept (every metric is in summary.csv)."""
    keys = list(doc["sweep"]["vary"])
    metrics = headline(doc["sweep"]["architectures"])
    rows = []
    for s in doc["summary"]:
        row = [_value(s["vary"][k]) for k in keys] + [s["architecture"]]
        for m in metrics:
            stats = s["metrics"].get(m.key)
            row.append("-" if stats is None or not applies(m, s["architecture"]) else with_ci(stats, m.scale))
        rows.append(row)
    note = ("Mean ± 95% half-width across seeds; [low, high] where an interval was clipped at 0 or 100%. "
            "A dash: the metric says nothing about that architecture. Every metric is in summary.csv.")
    return {"header": [*keys, "architecture", *(f"{m.label} ({m.unit})" for m in metrics)], "rows": rows,
            "note": note, "text_columns": len(keys) + 1}

