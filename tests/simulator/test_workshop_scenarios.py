"""The workshop scenarios for lazy_load, isolated_sync and transparency show what their comments say.

Each runs shortened (the claims hold from the first minutes; the files run ten minutes).
"""

from __future__ import annotations

from simulator import scenario as scenarios
from simulator.run import run

SHORT = ["scenario.duration=180", "scenario.warmup=60"]


def test_account_details_lazy_load_saves_detail_calls_and_serves_older_details() -> None:
    sc = scenarios.load(scenarios.SCENARIO_DIR / "account_details.toml", SHORT)
    blocks = run(sc, "batch_sync,batch_sync+lazy_load")["architectures"]
    plain, lazy = blocks["batch_sync"], blocks["batch_sync+lazy_load"]
    assert lazy["erp"]["by_operation"]["detail"] < 0.5 * plain["erp"]["by_operation"]["detail"]
    assert lazy["latency_s"]["detail"]["mean"] < 0.5 * plain["latency_s"]["detail"]["mean"]
    assert lazy["staleness"]["detail"]["stale_fraction"] > 0.1 > plain["staleness"]["detail"]["stale_fraction"]


def test_customers_and_contracts_orphans_only_without_orchestration() -> None:
    sc = scenarios.load(scenarios.SCENARIO_DIR / "utility_signups.toml", SHORT)
    orchestrated = run(sc, "batch_sync+isolated_sync")["architectures"]["batch_sync+isolated_sync"]
    sc = scenarios.load(scenarios.SCENARIO_DIR / "utility_signups.toml",
                        [*SHORT, "patterns.isolated_sync.orchestrate=false"])
    naive = run(sc, "batch_sync+isolated_sync")["architectures"]["batch_sync+isolated_sync"]
    assert orchestrated["orphans"]["max"] == 0
    assert naive["orphans"]["max"] >= 5 and naive["orphans"]["mean"] > 1.0


def test_meter_readings_one_replica_over_three_systems() -> None:
    sc = scenarios.load(scenarios.SCENARIO_DIR / "meter_readings.toml", SHORT)
    blocks = run(sc, "transparency,batch_sync+transparency")["architectures"]
    fanout, merged = blocks["transparency"], blocks["batch_sync+transparency"]
    assert merged["convergence"]["divergent_records"] == 0
    assert fanout["latency_s"]["list"]["mean"] > 20 * merged["latency_s"]["list"]["mean"]
    sources = merged["pattern_stats"]["transparency"]["sources"]
    assert [s["format"] for s in sources.values()] == ["sap", "crm", "legacy"]
    assert all(s["writes_routed"] > 0 for s in sources.values())
    assert sources["meter_legacy"]["max_copy_s"] > 2 * sources["erp"]["max_copy_s"]


def test_account_details_coalescing_spares_the_erp_a_stampede() -> None:
    """The stampede the comments show: a short ttl and a slow fetch; single flight makes fewer detail
    calls and a higher detail hit ratio on the same reads."""
    stampede = [*SHORT, "patterns.lazy_load.ttl=5", "erp.network_latency.mean_ms=400"]
    blocks = {}
    for coalesce in ("false", "true"):
        sc = scenarios.load(scenarios.SCENARIO_DIR / "account_details.toml",
                            [*stampede, f"patterns.lazy_load.coalesce={coalesce}"])
        blocks[coalesce] = run(sc, "batch_sync+lazy_load")["architectures"]["batch_sync+lazy_load"]
    plain, single = blocks["false"], blocks["true"]
    assert plain["pattern_stats"]["lazy_load"]["coalesced"] == 0
    assert single["pattern_stats"]["lazy_load"]["coalesced"] > 20
    assert single["erp"]["by_operation"]["detail"] < plain["erp"]["by_operation"]["detail"]
    assert single["cache"]["detail_hit_ratio"] > plain["cache"]["detail_hit_ratio"] + 0.01
