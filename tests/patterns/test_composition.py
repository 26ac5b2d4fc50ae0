"""Architectures built from parts: every axis combines, and impossible mixes are named."""

from __future__ import annotations

import pytest

from patterns.architecture import ArchitectureError, check, parse
from simulator.run import run
from tests.conftest import small_scenario


def test_architectures_from_every_axis_build_and_run_together() -> None:
    spec = ("lazy_load,batch_sync+lazy_load,queued_sync+lazy_load+isolated_sync,"
            "batch_sync+lazy_load+isolated_sync,batch_sync+lazy_load+transparency")
    sc = small_scenario(**{"scenario.duration": 60.0, "data.contracts_per_customer": 1,
                           "patterns.batch_sync.interval": 20.0})
    result = run(sc, spec)["architectures"]
    assert list(result) == spec.split(",")
    for name, block in result.items():
        assert block["patterns"] == name.split("+")
        assert block["requests"]["failed"] == 0
        assert "customer_details" in block["cache"]["by_table"]  # lazy_load answered details
        assert block["convergence"]["divergent_records"] == 0
    # lazy_load alone: summary reads stay direct, so no summary table answered anything.
    assert "customers" not in result["lazy_load"]["cache"]["by_table"]
    assert result["lazy_load"]["erp"]["by_operation"]["search"] > 0
    for name in ("queued_sync+lazy_load+isolated_sync", "batch_sync+lazy_load+isolated_sync"):
        stats = result[name]["pattern_stats"]["isolated_sync"]
        assert stats["contracts_held"] == 500 and stats["orphans_max"] == 0
    assert len(result["batch_sync+lazy_load+transparency"]["pattern_stats"]["transparency"]["sources"]) == 2


@pytest.mark.parametrize(("spec", "named"), [
    ("isolated_sync", "isolated_sync needs batch_sync or realtime_sync"),
    ("lazy_load+isolated_sync", "isolated_sync needs batch_sync or realtime_sync"),
    ("direct+lazy_load", "direct+lazy_load"),
    ("batch_sync+queued_sync+lazy_load", "batch_sync+queued_sync"),
    ("lazy_load+lazy_load", "named twice"),
])
def test_impossible_combinations_name_the_conflict(spec: str, named: str) -> None:
    with pytest.raises(ArchitectureError, match=named.replace("+", "\\+")):
        parse(spec)


def test_detail_placement_and_sources_combine_with_every_summary_strategy() -> None:
    for summary in ("batch_sync", "realtime_sync", "queued_sync", "ordered_sync", "queued_sync+ordered_sync"):
        check([*summary.split("+"), "lazy_load"])
        check([*summary.split("+"), "lazy_load", "isolated_sync", "transparency"])
    check(["lazy_load", "transparency"])
    check(["transparency"])
