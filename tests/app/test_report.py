"""``patternsim report``: one self-contained page (charts inline) plus the charts as PNG files, for runs and sweeps."""

from __future__ import annotations

import base64
import json
import re

import pytest

from app import report
from app.cli import main
from app.sweep_charts import chart_name
from app.sweep_metrics import charted
from tests.app.conftest import load_json

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RUN_CHARTS = {"latency_cdf.png", "erp_load.png", "queues.png", "staleness.png", "tradeoff.png"}


def inline_images(page: str) -> list[bytes]:
    sources = re.findall(r'<img src="([^"]+)"', page)
    assert all(s.startswith("data:image/png;base64,") for s in sources), "every chart is inline"
    return [base64.b64decode(s.split(",", 1)[1]) for s in sources]


def check_report(out, expected: set[str]) -> str:
    """The folder holds the charts and the page; the page holds every chart itself, with a sentence to read it."""
    assert {p.name for p in out.iterdir()} == expected | {"report.html"}
    page = (out / "report.html").read_text()
    images = inline_images(page)
    assert sorted(images) == sorted((out / name).read_bytes() for name in expected)
    assert all(image.startswith(PNG_MAGIC) for image in images)
    captions = re.findall(r"<figcaption><b>[^<]+\.</b> ([^<]+)</figcaption>", page)
    assert len(captions) == len(images) and all(len(c.split()) >= 12 for c in captions)
    assert not re.search(r"<script|<link|src=\"(?!data:)", page)  # nothing to fetch, nothing to run
    return page


def test_run_report_is_one_page_holding_its_charts(run_json, run_report) -> None:
    page = check_report(run_report, RUN_CHARTS)
    results = load_json(run_json)
    assert results["scenario"]["scenario"]["name"] in page
    assert "<th>direct</th>" in page and "latency p95 (ms)" in page
    assert "batch_sync+<wbr>lazy_load" in page  # a long name breaks at '+' only
    # The scenario's events, as the conftest set them, listed at the top (the charts shade them).
    for line in ("ERP outage: 20 s to 25 s", "ERP change burst x10: 10 s to 15 s", "request burst x2: 30 s to 35 s"):
        assert line in page
    assert page.index("ERP outage") < page.index("<h2>Comparison")
    assert "±" not in page  # no replications in these results: no intervals to show


def test_sweep_report_charts_the_metrics_of_the_patterns_swept(sweep_json, sweep_report) -> None:
    doc = load_json(sweep_json)
    metrics = charted(doc["sweep"]["architectures"])
    assert "convergence.lost_changes" in {m.key for m in metrics}  # batch_sync keeps a replica
    expected = {chart_name(m.key) for m in metrics} | {"sweep_tradeoff.png"} | {f"run_{n}" for n in RUN_CHARTS}
    page = check_report(sweep_report, expected)
    assert "patterns.batch_sync.interval" in page and "±" in page
    assert "clipped at 0" in page


@pytest.fixture
def page_only(monkeypatch):
    """Render pages without drawing charts (the page is what these tests are about)."""
    monkeypatch.setattr(report, "run_charts", lambda doc, prefix="": {})

    def render(doc: dict) -> str:
        return report.render(doc)["report.html"].decode()
    return render


def test_values_from_a_results_file_are_text_never_markup(run_json, page_only) -> None:
    doc = load_json(run_json)
    doc["scenario"]["scenario"]["name"] = "<script>alert(1)</script>"
    doc["scenario"]["scenario"]["description"] = '<img src=x onerror="alert(2)">'
    doc["architectures"]["direct"]["warnings"] = ["</li><script>alert(3)</script>"]
    page = page_only(doc)
    assert "<script" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;img src=x" in page


def test_intervals_and_warnings_are_shown_when_the_results_have_them(run_json, page_only) -> None:
    doc = load_json(run_json)
    block = doc["architectures"]["queued_sync"]
    doc["replications"] = 5
    block.update(replications=5, ci95={"latency_s": {"all": {"p95": 0.0123}}, "erp": {"calls_per_s": 0.25},
                                       "requests": {"availability": [0.98, 1.0]}},
                 warnings=["The ERP was saturated for 12% of the measured time."])
    assert report.check(doc) == ""  # the schema takes the keys a run with replications adds
    page = page_only(doc)
    p95 = block["latency_s"]["all"]["p95"] * 1000
    assert f"{p95:,.1f} ± 12.3" in page
    assert f"{block['erp']['calls_per_s']:,.2f} ± 0.25" in page
    assert "<b>queued_sync</b>: The ERP was saturated for 12% of the measured time." in page
    assert f"{block['requests']['availability']:.2%} (98.00–100.00%)" in page  # a fraction: (low–high)
    assert "paired differences over 5 replications" in page


def _set(doc: dict, path: str, value) -> None:
    *parents, last = path.split("/")
    node = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


RUN_DEFECTS = [("seed", "<script>alert(1)</script>", "seed"),
               ("scenario/scenario/name", "x\ry", "scenario.scenario.name"),
               ("scenario/scenario/description", True, "scenario.scenario.description"),
               ("architectures/direct/latency_s/all/p95", -5.0, "p95"),
               ("architectures/direct/requests/availability", 1.5, "availability"),
               ("architectures/direct/timeseries/erp_calls", "oops", "erp_calls"),
               ("architectures/direct/warnings", [1], "warnings"),
               ("architectures/direct/ci95", {"erp": {"calls": -1}}, "ci95"),
               ("architectures", {}, "architectures")]
SWEEP_DEFECTS = [("cells/0/result", None, "cells"), ("cells/0/id", "../../etc/x", "cells"),
                 ("sweep/seeds", ["1"], "seeds"), ("summary", [], "summary")]


@pytest.mark.parametrize(("which", "path", "value", "named"),
                         [("run", *d) for d in RUN_DEFECTS] + [("sweep", *d) for d in SWEEP_DEFECTS],
                         ids=[d[0] for d in RUN_DEFECTS + SWEEP_DEFECTS])
def test_malformed_results_are_one_line_exit_2_and_nothing_written(run_json, sweep_json, tmp_path, capsys,
                                                                   which, path, value, named) -> None:
    doc = load_json(run_json if which == "run" else sweep_json)
    _set(doc, path, value)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    out = tmp_path / "out"
    assert main(["report", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and named in err, err
    assert not out.exists()


@pytest.mark.parametrize("content", [None, "not json", "[1, 2]", '{"scenario": {}, "architectures": {}}',
                                     '{"seed": NaN}', '{"sweep": {"vary": {}}, "cells": [], "summary": []}'])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, content) -> None:
    path = tmp_path / "results.json"
    if content is not None:
        path.write_text(content)
    out = tmp_path / "out"
    assert main(["report", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err
    assert not out.exists()


def test_a_fifo_is_refused_not_waited_on(tmp_path, capsys) -> None:
    fifo = tmp_path / "results.json"
    try:
        import os  # noqa: PLC0415

        os.mkfifo(fifo)
    except (AttributeError, OSError):
        pytest.skip("no FIFOs here")
    assert main(["report", str(fifo), "--out", str(tmp_path / "out")]) == 2
    assert "is a FIFO (named pipe), not a results file" in capsys.readouterr().err


def test_input_is_capped_by_the_memory_available(run_json, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(report, "_available_memory", lambda: 4_000_000_000)
    assert report.max_input_bytes() == 4_000_000_000 // report.MEMORY_PER_BYTE
    monkeypatch.setattr(report, "max_input_bytes", lambda: 1000)
    assert main(["report", str(run_json), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "too large" in err and "1,000" in err
    assert not (tmp_path / "out").exists()


def test_results_without_the_newer_series_still_chart(run_json, tmp_path) -> None:
    """Results written before the CDF points and queue series existed: percentiles and zeros stand in."""
    doc = load_json(run_json)
    for block in doc["architectures"].values():
        del block["latency_cdf_s"]
        for name in ("erp_busy_s", "erp_queue", "sync_queue"):
            del block["timeseries"][name]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc))
    out = tmp_path / "report"
    assert main(["report", str(path), "--out", str(out)]) == 0
    check_report(out, RUN_CHARTS)
