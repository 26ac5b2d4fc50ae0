"""Comparing two runs: what changed in the scenario, and whether a metric moved beyond its intervals."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from app.compare import differences, half_width, scenario_changes
from app.table import ROWS, cell_text


def _doc(results_file: Path) -> dict:
    return json.loads(results_file.read_text())


def _row(rows, label):
    return dict(rows)[label]


def test_scenario_changes_name_each_setting_and_ignore_words(results_file: Path) -> None:
    a = _doc(results_file)
    b = copy.deepcopy(a)
    b["scenario"]["erp"]["update_rate"] = 5.0
    b["scenario"]["erp"]["network_latency"]["mean_ms"] = 40.0
    b["scenario"]["scenario"]["seed"] = 7
    b["scenario"]["scenario"]["description"] = "other words"
    # the stored results predate erp.bursts: it is absent before
    b["scenario"]["erp"]["bursts"] = [{"start": 25.0, "duration": 15.0, "multiplier": 20.0}]
    assert scenario_changes(a, b) == [
        ("scenario.seed", "42", "7"),
        ("erp.network_latency", '{ dist = "constant", mean_ms = 20 }', '{ dist = "constant", mean_ms = 40 }'),
        ("erp.update_rate", "2", "5"), ("erp.bursts", "(absent)", "[{ start = 25, duration = 15, multiplier = 20 }]")]
    assert scenario_changes(a, a) == []


def test_without_intervals_the_sign_decides_with_the_rows_direction(results_file: Path) -> None:
    a = _doc(results_file)
    b = copy.deepcopy(a)
    b["architectures"]["batch_sync"]["erp"]["calls"] = a["architectures"]["batch_sync"]["erp"]["calls"] // 2
    b["architectures"]["batch_sync"]["requests"]["availability"] = 0.5
    common, rows = differences(a, b)
    assert common == ["direct", "batch_sync"] and [label for label, _ in rows] == [r.label for r in ROWS]
    calls = _row(rows, "ERP calls")["batch_sync"]
    assert (calls.verdict, calls.delta) == ("better", "-50%")
    assert _row(rows, "availability")["batch_sync"].verdict == "worse"  # higher is better there
    assert _row(rows, "ERP calls")["direct"].verdict == "same"
    assert _row(rows, "requests")["batch_sync"].verdict == ""  # a count, no direction


def test_a_move_within_the_combined_intervals_is_unsure(results_file: Path) -> None:
    a = _doc(results_file)
    b = copy.deepcopy(a)
    base = a["architectures"]["batch_sync"]["erp"]["calls"]
    b["architectures"]["batch_sync"]["erp"]["calls"] = base + 10
    for doc in (a, b):
        doc["architectures"]["batch_sync"]["ci95"] = {"erp": {"calls": 8.0}}
    assert _row(differences(a, b)[1], "ERP calls")["batch_sync"].verdict == "unsure"  # 10 < sqrt(8² + 8²)
    b["architectures"]["batch_sync"]["erp"]["calls"] = base + 12
    change = _row(differences(a, b)[1], "ERP calls")["batch_sync"]
    assert change.verdict == "worse" and change.after == f"{base + 12:,} ± 8"


def test_half_width_reads_the_tree_shaped_like_the_block() -> None:
    row = next(r for r in ROWS if r.label == "summary stale fraction")
    block = {"staleness": {"summary": {"stale_fraction": 0.25}},
             "ci95": {"staleness": {"summary": {"stale_fraction": [0.2, 0.3]}}}}
    assert half_width(row, block) == pytest.approx(0.05)  # a fraction's low-high interval, as a half-width
    assert cell_text(row, block) == "25.000% (20.000–30.000%)"
    assert half_width(row, {}) is None and half_width(row, {"ci95": {"erp": {}}}) is None
