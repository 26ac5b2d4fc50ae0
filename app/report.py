"""Reports: PNG charts and a self-contained ``report.html`` from a run's results.json or a sweep's sweep.json.

The HTML page references the charts as relative PNG files in the same directory (so the directory is
the report: copy or zip it whole). Every chart is drawn in memory first and only then written, each
file atomically, so a bad input leaves nothing half-written.
"""

from __future__ import annotations

import copy
import html
import json
from pathlib import Path
from typing import Any

from app.charts import png, run_charts
from app.errors import UsageError
from app.export import atomic_write, atomic_write_bytes
from app.sweep_charts import METRICS, sweep_charts
from app.table import comparison

MAX_RESULTS_BYTES = 500_000_000
RUN_BLOCK_KEYS = ("requests", "latency_s", "erp", "staleness", "timeseries")
SCENARIO_FACTS = (("duration (s)", "scenario.duration"), ("warm-up (s)", "scenario.warmup"),
                  ("customers", "data.customers"), ("consumer requests/s", "workload.rate"),
                  ("key distribution", "workload.request_distribution"), ("ERP capacity", "erp.capacity"),
                  ("ERP changes/s", "erp.update_rate"))
CSS = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#111}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border:1px solid #bbb;padding:.2rem .5rem;
text-align:right}td:first-child,th:first-child{text-align:left}figure{margin:1rem 0;break-inside:avoid}
img{max-width:100%}pre{background:#f4f4f4;padding:.5rem;overflow:auto;font-size:.8rem}
@media print{body{max-width:none}details{display:none}}"""


def load(path: str | Path) -> dict[str, Any]:
    """Read a results or sweep JSON; anything else is a UsageError naming the file and the reason."""
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file")
    if path.is_dir():
        raise UsageError(f"{path}: is a directory, not a results file")
    try:
        with path.open("rb") as handle:  # read at most the limit: a device like /dev/zero never ends
            data = handle.read(MAX_RESULTS_BYTES + 1)
        if len(data) > MAX_RESULTS_BYTES:
            raise UsageError(f"{path}: too large for a results file")
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UsageError(f"{path}: not JSON ({exc})") from None
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror or exc}") from None
    problem = check(doc)
    if problem:
        raise UsageError(f"{path}: not patternsim run or sweep results ({problem})")
    return doc


def kind(doc: dict[str, Any]) -> str:
    return "sweep" if "sweep" in doc else "run"


def check(doc: Any) -> str:
    """What is missing from ``doc`` for a report, or '' when it is complete enough."""
    if not isinstance(doc, dict):
        return "top level is not an object"
    if "sweep" in doc:
        for key in ("cells", "summary"):
            if not isinstance(doc.get(key), list) or not doc[key]:
                return f"no {key}"
        sweep = doc["sweep"]
        if not isinstance(sweep, dict) or not isinstance(sweep.get("vary"), dict) or not sweep["vary"]:
            return "sweep.vary missing"
        if not all(isinstance(c, dict) and isinstance(c.get("result"), dict) for c in doc["cells"]):
            return "a cell without result"
        return "".join(_missing_block(c["result"], f"cell {c.get('id')}") for c in doc["cells"][:1])
    if not isinstance(doc.get("scenario"), dict) or not isinstance(doc.get("architectures"), dict):
        return "no scenario or architectures"
    if not doc["architectures"]:
        return "no architectures"
    for name, block in doc["architectures"].items():
        problem = _missing_block(block, name)
        if problem:
            return problem
    return ""


def _missing_block(block: Any, name: str) -> str:
    if not isinstance(block, dict):
        return f"{name} is not an object"
    missing = [k for k in RUN_BLOCK_KEYS if k not in block]
    return f"{name} lacks {', '.join(missing)}" if missing else ""


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
    """Every file of the report, by name, as bytes (charts first, then report.html)."""
    try:
        if kind(doc) == "sweep":
            run = representative_run(doc)
            figures = {**sweep_charts(doc), **run_charts(run, prefix="run_")}
            page = sweep_page(doc, run, list(figures))
        else:
            figures = run_charts(doc)
            page = run_page(doc, list(figures))
        files = {name: png(fig) for name, fig in figures.items()}
    except (KeyError, TypeError, ValueError, IndexError, ZeroDivisionError) as exc:
        raise UsageError(f"results are incomplete or malformed ({type(exc).__name__}: {exc})") from None
    files["report.html"] = page.encode("utf-8")
    return files


def write(doc: dict[str, Any], out: str | Path) -> list[Path]:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a directory")
    files = render(doc)
    return [atomic_write_bytes(out / name, data) if name.endswith(".png") else atomic_write(out / name, data.decode())
            for name, data in files.items()]


# -- HTML ----------------------------------------------------------------------------------------------
def _table(rows: list[list[str]]) -> str:
    head, *body = rows
    out = ["<table><thead><tr>", *(f"<th>{html.escape(c)}</th>" for c in head), "</tr></thead><tbody>"]
    for row in body:
        out += ["<tr>", *(f"<td>{html.escape(c)}</td>" for c in row), "</tr>"]
    return "".join(out) + "</tbody></table>"


def _get(scenario: dict[str, Any], key: str) -> Any:
    node: Any = scenario
    for part in key.split("."):
        node = node[part]
    return node


def _scenario(scenario: dict[str, Any]) -> str:
    s = scenario["scenario"]
    facts = _table([["setting", "value"], *([label, str(_get(scenario, k))] for label, k in SCENARIO_FACTS)])
    return (f"<h2>Scenario: {html.escape(s['name'])}</h2><p>{html.escape(s.get('description', ''))}</p>{facts}"
            f"<details><summary>every scenario key</summary><pre>{html.escape(json.dumps(scenario, indent=2))}"
            "</pre></details>")


def _figures(names: list[str], captions: dict[str, str]) -> str:
    return "".join(f'<figure><img src="{html.escape(n)}" alt="{html.escape(captions.get(n, n))}">'
                   f"<figcaption>{html.escape(captions.get(n, n))}</figcaption></figure>" for n in names)


CAPTIONS = {
    "latency_cdf.png": "Latency CDF: share of consumer requests answered within a time, per architecture.",
    "erp_load.png": "ERP calls per second and ERP utilization over simulated time.",
    "queues.png": "ERP queue and sync queue lengths over simulated time.",
    "staleness.png": "Stale reads and latency p95 over simulated time.",
    "tradeoff.png": "Trade-off: latency p95 against ERP load and against stale reads; lower left is better.",
}


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>\n")


def run_page(doc: dict[str, Any], charts: list[str]) -> str:
    body = (f"<p>Seed {doc['seed']}, patternsim {html.escape(str(doc.get('patternsim', '?')))}. "
            "Charts are the PNG files beside this page.</p>"
            f"<h2>Comparison</h2>{_table(comparison(doc))}<p>* best value in the row</p>"
            f"<h2>Charts</h2>{_figures(charts, CAPTIONS)}{_scenario(doc['scenario'])}")
    return _page(f"patternsim report: {doc['scenario']['scenario']['name']}", body)


def sweep_page(doc: dict[str, Any], run: dict[str, Any], charts: list[str]) -> str:
    sweep = doc["sweep"]
    vary = "; ".join(f"{k} = {', '.join(map(str, v))}" for k, v in sweep["vary"].items())
    captions = {f"run_{k}": f"{v} (seed {run['seed']}, {_fixed(run['vary'])})" for k, v in CAPTIONS.items()}
    sweep_names = [n for n in charts if not n.startswith("run_")]
    run_names = [n for n in charts if n.startswith("run_")]
    body = (f"<p>{len(doc['cells'])} runs: varied {html.escape(vary)}; seeds {sweep['seeds'][0]} to "
            f"{sweep['seeds'][-1]}; architectures {html.escape(', '.join(sweep['architectures']))}. "
            "Bands and ± are 95% confidence intervals (Student t) across seeds. "
            "Charts are the PNG files beside this page.</p>"
            f"<h2>Summary</h2>{_table(summary_table(doc))}<h2>Against the varied parameter</h2>"
            f"{_figures(sweep_names, {})}"
            f"<h2>One cell in detail: seed {run['seed']}, {html.escape(_fixed(run['vary']))}</h2>"
            f"{_table(comparison(run))}<p>* best value in the row</p>{_figures(run_names, captions)}"
            f"{_scenario(sweep['scenario'])}")
    return _page(f"patternsim sweep report: {sweep['scenario']['scenario']['name']}", body)


def _fixed(vary: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in vary.items())


def summary_table(doc: dict[str, Any]) -> list[list[str]]:
    keys = list(doc["sweep"]["vary"])
    rows = [[*keys, "architecture", *(f"{label} ({unit})" for _, label, unit, _ in METRICS)]]
    for s in doc["summary"]:
        row = [str(s["vary"][k]) for k in keys] + [s["architecture"]]
        for metric, _, _, scale in METRICS:
            st = s["metrics"].get(metric)
            if st is None:
                row.append("-")
            elif st["ci95_high"] is None:
                row.append(f"{st['mean'] * scale:,.3g}")
            else:
                row.append(f"{st['mean'] * scale:,.3g} ± {(st['ci95_high'] - st['mean']) * scale:,.2g}")
        rows.append(row)
    return rows
