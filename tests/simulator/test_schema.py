"""The results schema: what patternsim writes passes it, and each kind of tampering is named by its path.

Results files and sweep cells are checked against it before ``report`` or ``sweep --resume`` use them."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from simulator import schema
from simulator.run import run
from simulator.scenario import DEFAULTS
from tests.conftest import small_scenario


@pytest.fixture(scope="module")
def doc() -> dict:
    """Real results with replications (means, ci95, replicates, warnings), as --json prints them."""
    sc = small_scenario(**{"scenario.duration": 30.0, "data.customers": 100})
    return json.loads(json.dumps(run(sc, "direct,batch_sync", workers=1, replications=2)))


def test_what_patternsim_writes_passes(doc):
    schema.check(doc, "run")
    for block in doc["architectures"].values():
        schema.check(block, "block")


@pytest.mark.parametrize(("path", "value", "message"), [
    (("architectures", "direct"), None, "architectures.direct: must be object"),
    (("architectures", "direct", "latency_s", "all", "p95"), -5.0,
     "architectures.direct.latency_s.all.p95: must be bigger than or equal to 0"),
    (("architectures", "direct", "requests", "availability"), 1.5,
     "architectures.direct.requests.availability: must be smaller than or equal to 1"),
    (("architectures", "direct", "patterns"), ["<script>"], "architectures.direct.patterns.0: must match pattern"),
    (("seed",), "<script>alert(1)</script>", "seed: must be integer"),
    (("architectures", "batch_sync", "timeseries", "requests", 0), -1,
     "architectures.batch_sync.timeseries.requests.0: must be bigger than or equal to 0"),
], ids=["null-block", "negative-p95", "availability-above-one", "markup-in-a-name", "markup-seed", "negative-series"])
def test_tampering_is_refused_naming_where(doc, path, value, message):
    bad = copy.deepcopy(doc)
    node = bad
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    with pytest.raises(schema.SchemaError) as caught:
        schema.check(bad, "run")
    assert str(caught.value).startswith(message), caught.value


def test_nan_and_infinity_are_not_json():
    for text in ('{"x": NaN}', '{"x": Infinity}', '{"x": -Infinity}'):
        with pytest.raises(ValueError, match="is not a number JSON has"):
            schema.loads(text)
    assert schema.loads('{"x": 1.5}') == {"x": 1.5}


RESULTS = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "tui_results.json").read_text())


def leaves(tree: dict, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    for key, value in tree.items():
        if isinstance(value, dict) and "dist" not in value:
            out += leaves(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", value))
    return out


def test_stored_results_match() -> None:
    assert schema.problem(RESULTS, "results") == ""


@pytest.mark.parametrize(("key", "default"), leaves(DEFAULTS), ids=[k for k, _ in leaves(DEFAULTS)])
def test_every_scenario_key_is_typed_from_its_default(key, default) -> None:
    doc = copy.deepcopy(RESULTS)
    node = doc["scenario"]
    *parents, last = key.split(".")
    for part in parents:
        node = node.setdefault(part, {})  # the stored results predate some sections
    node[last] = {"a": 1} if not isinstance(default, dict) else "not a table"
    assert schema.problem(doc, "results").startswith(f"scenario.{key}: must be")


def test_a_long_value_gives_a_short_message() -> None:
    doc = copy.deepcopy(RESULTS)
    doc["architectures"]["direct"]["requests"] = ["x" * 10_000]
    message = schema.problem(doc, "results")
    assert message.startswith("architectures.direct.requests: must be object") and len(message) <= schema.MAX_MESSAGE


def test_a_cell_id_is_a_file_name_not_a_path() -> None:
    cell = {"id": "../../x", "architecture": "direct", "seed": 1, "vary": {},
            "result": RESULTS["architectures"]["direct"]}
    assert schema.problem(cell, "cell").startswith("id: must match")
    cell["id"] = "direct-s1-0123456789ab"
    assert schema.problem(cell, "cell") == ""
