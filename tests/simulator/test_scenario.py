"""Scenario loading: defaults, overrides, and one clear error per kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator import scenario as scenarios
from simulator.scenario import ScenarioError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


def test_defaults_are_valid_and_a_file_only_says_what_differs(tmp_path):
    path = write(tmp_path, "[erp]\ncapacity = 3\n")
    loaded = scenarios.load(path)
    assert loaded["erp"]["capacity"] == 3
    assert loaded["workload"]["rate"] == scenarios.DEFAULTS["workload"]["rate"]


def test_overrides_parse_toml_values_and_bare_words():
    loaded = scenarios.load(None, ["erp.update_rate=5", "workload.request_distribution=uniform",
                                   "erp.service.get={dist='constant', mean_ms=3}"])
    assert loaded["erp"]["update_rate"] == 5.0
    assert loaded["workload"]["request_distribution"] == "uniform"
    assert loaded["erp"]["service"]["get"] == {"dist": "constant", "mean_ms": 3.0}


@pytest.mark.parametrize(("text", "key", "reason"), [
    ("[erp]\ncapacty = 3\n", "erp.capacty", "unknown key"),
    ("[erp]\ncapacity = 'eight'\n", "erp.capacity", "must be a number"),
    ("[erp]\nupdate_rate = -1.0\n", "erp.update_rate", "must not be negative"),
    ("[erp]\ncapacity = 0\n", "erp.capacity", "greater than 0"),
    ("[workload]\nlist_fraction = 0.9\n", "workload", "must sum to 1"),
    ("[workload]\nrate = nan\n", "workload.rate", "finite"),
    ("[erp.service]\nget = { dist = 'pareto', mean_ms = 3 }\n", "erp.service.get.dist", "unknown distribution"),
    ("[workload]\nrequest_distribution = 'hot'\n", "workload.request_distribution", "must be one of"),
    ("[erp.callback]\npayload = 'idoc'\n", "erp.callback.payload", "must be one of"),
    ("erp = 3\n", "erp", "must be a table"),
    ("[erp]\noutages = [{ start = 10 }]\n", "erp.outages[0].duration", "missing"),
    ("[scenario\nname = 'x'\n", "", "invalid TOML"),
])
def test_bad_scenarios_name_file_key_and_reason(tmp_path, text, key, reason):
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        scenarios.load(path)
    assert caught.value.source == str(path)
    assert caught.value.key == key
    assert reason in caught.value.reason
    assert "\n" not in str(caught.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        scenarios.load(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match="is a directory"):
        scenarios.load(tmp_path)


def test_bad_override_is_blamed_on_set():
    with pytest.raises(ScenarioError) as caught:
        scenarios.load(None, ["erp.capacity=-2"])
    assert (caught.value.source, caught.value.key) == ("--set", "erp.capacity")
    with pytest.raises(ScenarioError, match="unknown key"):
        scenarios.load(None, ["erp.nothing=1"])
    with pytest.raises(ScenarioError, match="KEY=VALUE"):
        scenarios.load(None, ["erp.capacity"])


def test_bundled_scenarios_all_load():
    paths = scenarios.bundled()
    assert any(p.name == "retail.toml" for p in paths)
    for path in paths:
        scenarios.load(path)
