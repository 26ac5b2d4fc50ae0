"""``patternsim report``: every chart as a PNG and an HTML page that references them, for runs and sweeps."""

from __future__ import annotations

import json
import re

import pytest

from app.cli import main
from app.export import to_json
from simulator import sweep as sweeps
from simulator.run import run
from tests.conftest import small_scenario

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RUN_CHARTS = {"latency_cdf.png", "erp_load.png", "queues.png", "staleness.png", "tradeoff.png"}


def tiny() -> dict:
    return small_scenario(**{"scenario.duration": 40.0, "scenario.warmup": 5.0, "data.customers": 300})


@pytest.fixture(scope="module")
def run_json(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "results.json"
    path.write_text(to_json(run(tiny(), "direct,batch_sync")))
    return path


def referenced(page: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', page)


def check_report(out, expected: set[str]) -> str:
    pngs = {p.name for p in out.glob("*.png")}
    assert pngs == expected
    for name in pngs:
        assert (out / name).read_bytes().startswith(PNG_MAGIC)
    page = (out / "report.html").read_text()
    assert sorted(referenced(page)) == sorted(expected)  # relative names, each chart once
    assert not list(out.glob(".*.tmp"))
    return page


def test_run_report_writes_every_chart_and_a_page_referencing_them(run_json, tmp_path, capsys) -> None:
    out = tmp_path / "report"
    assert main(["report", str(run_json), "--out", str(out)]) == 0
    page = check_report(out, RUN_CHARTS)
    results = json.loads(run_json.read_text())
    assert results["scenario"]["scenario"]["name"] in page
    assert "<th>direct</th>" in page and "<th>batch_sync</th>" in page and "latency p95 (ms)" in page
    assert "written: 5 charts" in capsys.readouterr().out


def test_sweep_report_adds_a_chart_per_metric_against_the_varied_key(tmp_path) -> None:
    from app.sweep_charts import METRICS, chart_name

    plan = sweeps.plan(tiny(), ["erp.update_rate=1,4"], [["direct"], ["batch_sync"]], seeds=2)
    records = [sweeps.run_cell(c) for c in plan.cells]
    path = tmp_path / "sweep.json"
    path.write_text(to_json(sweeps.document(plan, records)))
    out = tmp_path / "report"
    assert main(["report", str(path), "--out", str(out)]) == 0
    expected = {chart_name(m) for m, *_ in METRICS} | {"sweep_tradeoff.png"} | {f"run_{n}" for n in RUN_CHARTS}
    page = check_report(out, expected)
    assert "erp.update_rate" in page and "±" in page


@pytest.mark.parametrize("content", [None, "not json", "[1, 2]", '{"scenario": {}, "architectures": {}}',
                                     '{"scenario": {}, "architectures": {"direct": {"requests": {}}}}',
                                     '{"sweep": {"vary": {}}, "cells": [], "summary": []}'])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, content) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "out"
    assert main(["report", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err
    assert not out.exists()


def test_results_with_a_broken_series_write_nothing(run_json, tmp_path, capsys) -> None:
    doc = json.loads(run_json.read_text())
    doc["architectures"]["direct"]["timeseries"]["erp_calls"] = "oops"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "out"
    assert main(["report", str(path), "--out", str(out)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert not out.exists()


def test_results_without_the_newer_series_still_chart(run_json, tmp_path) -> None:
    """Results written before the CDF points and queue series existed: percentiles and zeros stand in."""
    doc = json.loads(run_json.read_text())
    for block in doc["architectures"].values():
        del block["latency_cdf_s"]
        for name in ("erp_busy_s", "erp_queue", "sync_queue"):
            del block["timeseries"][name]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "report"
    assert main(["report", str(path), "--out", str(out)]) == 0
    check_report(out, RUN_CHARTS)
