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


def test_unreachable_scheduler_says_it_is_connecting_then_one_line(tmp_path, capsys) -> None:
    pytest.importorskip("distributed")
    code = main(["sweep", *TINY, "--vary", "erp.update_rate=1", "--seeds", "1", "--scheduler",
                 "tcp://127.0.0.1:9", "--connect-timeout", "1", "--out", str(tmp_path / "out")])
    first, error = capsys.readouterr().err.splitlines()
    assert first == "connecting to the Dask scheduler at tcp://127.0.0.1:9 (giving up after 1 s)..."
    assert code == 2 and error.startswith("patternsim: error: --scheduler") and "within 1 s" in error
    assert main(["sweep", *TINY, "--vary", "erp.update_rate=1", "--connect-timeout", "0", "--out",
                 str(tmp_path / "out")]) == 2


def test_csv_numbers_are_rounded_to_what_they_support(tmp_path) -> None:
    assert sweep(tmp_path) == 0
    for name in ("sweep.csv", "summary.csv"):
        for row in csv.DictReader((tmp_path / name).open()):
            numbers = [v for k, v in row.items() if k not in ("cell", "architecture") and v and v[0].isdigit()]
            assert all(len(v.replace(".", "").lstrip("0")) <= 6 for v in numbers), row  # no 0.30000000000000004


def summary_of(architectures: list[str], stats: dict) -> dict:
    return {"sweep": {"vary": {"k": [1]}, "seeds": [1, 2], "architectures": architectures},
            "cells": [{}] * len(architectures),
            "summary": [{"architecture": a, "vary": {"k": 1}, "seeds": 2, "metrics": stats} for a in architectures]}


def test_the_summary_shows_what_matters_for_the_patterns_swept() -> None:
    from app.commands.sweep import render

    def header(architectures: list[str]) -> str:
        return render(summary_of(architectures, {})).splitlines()[2]

    assert "p95 ms" in header(["direct"]) and "lost" not in header(["direct"])
    assert "lost changes" in header(["direct", "batch_sync"]) and "divergent" in header(["batch_sync"])
    assert "hit %" in header(["lazy_load"]) and "lost changes" not in header(["lazy_load"])
    assert "queue max" in header(["queued_sync"])
    # A pattern's own metric is a dash for an architecture without it, not a misleading 0.
    stats = {"cache.detail_hit_ratio": {"mean": 0.5, "ci95_low": 0.4, "ci95_high": 0.6}}
    lines = render(summary_of(["direct", "lazy_load"], stats)).splitlines()
    assert lines[3].split()[-1] == "-" and lines[4].endswith("50 ± 10")


@pytest.mark.parametrize(("stats", "scale", "text"), [
    ({"mean": 5.0, "ci95_low": 5.0 - 1.1e-13, "ci95_high": 5.0 + 1.1e-13}, 1.0, "5 ± 0"),
    ({"mean": 0.73312, "ci95_low": 0.68682, "ci95_high": 0.77942}, 1000.0, "733 ± 46"),
    ({"mean": 0.015, "ci95_low": 0.0, "ci95_high": 0.037}, 100.0, "1.5 [0.0, 3.7]"),
    ({"mean": 12345.6, "ci95_low": 11834.6, "ci95_high": 12856.6}, 1.0, "12,350 ± 510"),
    ({"mean": 2.5, "ci95_low": None, "ci95_high": None}, 1.0, "2.50"),
])
def test_intervals_are_written_to_the_digits_they_support(stats, scale, text) -> None:
    from app.sweep_metrics import with_ci

    assert with_ci(stats, scale) == text


def test_csv_bounds_round_to_two_digits_of_the_half_width() -> None:
    from app.sweep_metrics import rounded_stats

    assert rounded_stats({"mean": 0.123456, "ci95_low": 0.1, "ci95_high": 0.146912}) == {
        "mean": 0.123, "ci95_low": 0.1, "ci95_high": 0.147}
    assert rounded_stats({"mean": 733.12, "ci95_low": 687.0, "ci95_high": 779.24}) == {
        "mean": 733, "ci95_low": 687, "ci95_high": 779}
    assert rounded_stats({"mean": 5.0, "ci95_low": 5.0 - 1e-13, "ci95_high": 5.0 + 1e-13})["ci95_high"] == 5.0
