"""The results schema: what patternsim writes passes it, and each kind of tampering is named by its path."""

from __future__ import annotations

import copy
import json

import pytest

from simulator import schema
from simulator.run import run
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
