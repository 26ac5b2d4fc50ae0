"""``patternsim sweep``: the files it writes, resume from a partly finished directory, bad input."""

from __future__ import annotations

import csv
import json

import pytest

from app.cli import main

TINY = ["--set", "scenario.duration=30", "--set", "scenario.warmup=5", "--set", "data.customers=300",
        "--set", "workload.rate=10"]


def sweep(out, *extra: str) -> int:
    return main(["sweep", *TINY, "--patterns", "direct,batch_sync", "--vary", "erp.update_rate=1,3",
                 "--seeds", "2", "--workers", "0", "--quiet", "--out", str(out), *extra])


def test_writes_every_cell_a_csv_row_per_cell_and_a_summary(tmp_path, capsys) -> None:
    assert sweep(tmp_path) == 0
    doc = json.loads((tmp_path / "sweep.json").read_text())
    assert len(doc["cells"]) == 2 * 2 * 2 == len(list((tmp_path / "cells").glob("*.json")))
    rows = list(csv.DictReader((tmp_path / "sweep.csv").open()))
    assert len(rows) == 8 and {r["architecture"] for r in rows} == {"direct", "batch_sync"}
    assert {r["erp.update_rate"] for r in rows} == {"1.0", "3.0"}
    summary = list(csv.DictReader((tmp_path / "summary.csv").open()))
    assert len(summary) == 4 and all(r["seeds"] == "2" for r in summary)
    one = summary[0]
    assert float(one["erp.calls.ci95_low"]) <= float(one["erp.calls.mean"]) <= float(one["erp.calls.ci95_high"])
    assert "±" in capsys.readouterr().out


def test_resume_runs_only_the_missing_cells(tmp_path) -> None:
    assert sweep(tmp_path) == 0
    first = json.loads((tmp_path / "sweep.json").read_text())
    cells = sorted((tmp_path / "cells").glob("*.json"))
    for lost in cells[:3]:  # as if the sweep had been interrupted before these finished
        lost.unlink()
    (tmp_path / "sweep.json").unlink()
    kept = {p.name: p.stat().st_mtime_ns for p in cells[3:]}
    assert sweep(tmp_path) == 2  # refuses to mix without --resume
    assert sweep(tmp_path, "--resume") == 0
    assert {p.name: p.stat().st_mtime_ns for p in cells[3:]} == kept
    assert all(p.exists() for p in cells[:3])
    second = json.loads((tmp_path / "sweep.json").read_text())
    assert second["cells"] == first["cells"] and second["summary"] == first["summary"]


def test_bad_vary_is_one_line_exit_2_and_nothing_written(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    for vary in ("erp.update_rat=1,2", "erp.update_rate=1,x", "erp.capacity=0,2"):
        code = main(["sweep", *TINY, "--vary", vary, "--out", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "--vary" in err
    assert not out.exists()


def test_unreachable_scheduler_is_one_line(tmp_path, capsys) -> None:
    pytest.importorskip("distributed")  # first, so its config defaults exist before they are overridden
    import dask
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
            code = main(["sweep", *TINY, "--vary", "erp.update_rate=1", "--seeds", "1", "--scheduler",
                     "tcp://127.0.0.1:9", "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--scheduler" in err
