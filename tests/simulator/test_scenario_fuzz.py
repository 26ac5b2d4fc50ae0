"""Fuzzing the scenario loader: whatever the input, a valid scenario or a ScenarioError, nothing else.

Trees are shaped like the defaults (so most examples get past "unknown key" and reach the value
checks), with junk of every TOML type mixed in at every level. They go in three ways: merged over
the defaults directly, written out as a TOML file and loaded, and as ``--set KEY=VALUE`` strings.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from simulator import scenario as scenarios
from simulator.scenario import DEFAULTS, DISTRIBUTIONS, ScenarioError

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUMBERS = st.one_of(
    st.integers(-10, 10_000), st.integers(-(10**40), 10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 0.0, -0.0, 1, 0.5, 1e-300, 1e12, 1e12 + 1, 1e308, 2**63, 10**30, -(10**30), 10**400]),
)
# Numbers a scenario could well hold, so that most examples get past the first check they meet.
PLAUSIBLE = st.one_of(st.integers(1, 1000), st.floats(0.01, 1000.0))
TEXT = st.text(max_size=12)
SCALARS = st.one_of(NUMBERS, st.booleans(), TEXT)
JUNK = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                    max_leaves=8)


def distribution() -> st.SearchStrategy[Any]:
    """Mostly well-formed ``{dist, params}`` tables with odd numbers; sometimes any parameters at all."""
    param = st.one_of(PLAUSIBLE, PLAUSIBLE, NUMBERS, JUNK)
    proper = [st.fixed_dictionaries({"dist": st.just(name), **{p: param for p in sorted(needed)}})
              for name, needed in sorted(DISTRIBUTIONS.items())]
    every = sorted(set().union(*DISTRIBUTIONS.values()))
    loose = st.fixed_dictionaries({}, optional={"dist": st.sampled_from(sorted(DISTRIBUTIONS)) | JUNK,
                                                **{p: param for p in every}})
    return st.one_of(*proper, *proper, loose, loose, JUNK)


def window() -> st.SearchStrategy[Any]:
    fields = {f: PLAUSIBLE | NUMBERS for f in ("start", "duration", "multiplier")}
    return st.fixed_dictionaries({}, optional={**fields, "mode": st.sampled_from(["fail", "hang"]) | JUNK,
                                               "other": JUNK}) | JUNK


def shaped(default: Any) -> st.SearchStrategy[Any]:
    """Values shaped like ``default`` most of the time, anything at all some of the time."""
    if isinstance(default, dict) and "dist" in default:
        return distribution()
    if isinstance(default, dict):
        table = table_like(default)
        with_unknown = st.tuples(table, st.dictionaries(TEXT, JUNK, max_size=1)).map(lambda t: {**t[1], **t[0]})
        return st.one_of(*[table] * 8, with_unknown, JUNK)
    if isinstance(default, bool):
        return st.one_of(st.booleans(), st.booleans(), JUNK)
    if isinstance(default, int | float):
        return st.one_of(*[PLAUSIBLE] * 4, NUMBERS, JUNK)
    if isinstance(default, str):
        return st.one_of(TEXT, st.sampled_from(["uniform", "zipfian", "latest", "ttl", "timestamp", "sqlite://",
                                                "sqlite:///nowhere/x.db", "oracle://x"]), JUNK)
    if isinstance(default, list):
        return st.lists(window() | TEXT, max_size=3) | JUNK
    raise AssertionError(default)


def table_like(default: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={k: st.deferred(lambda v=v: shaped(v)) for k, v in default.items()})


TREES = table_like(DEFAULTS)


def assert_sane(scenario: dict[str, Any]) -> None:
    """An accepted scenario validates again unchanged and holds no NaN or infinity."""
    again = json.loads(json.dumps(scenario, allow_nan=False))
    scenarios.validate(again, "again")
    assert again == scenario
    mix = sum(scenario["workload"][k] for k in scenarios.MIX)
    assert math.isclose(mix, 1.0, abs_tol=1e-6)


@FUZZ
@given(TREES)
def test_any_tree_over_the_defaults_loads_or_is_a_scenario_error(tree):
    try:
        scenario = scenarios.merge(scenarios.defaults(), tree, "fuzz")
        scenarios.validate(scenario, "fuzz")
    except ScenarioError as exc:
        assert exc.source == "fuzz" and exc.reason
        event(f"rejected: {exc.reason.split()[0]}")
        return
    event("accepted")
    assert_sane(scenario)


def toml(tree: dict[str, Any]) -> str:
    """A TOML document for ``tree``, every table inline (enough for the loader; no writer is installed)."""
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in tree.items())


def _key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else "inf" if value == math.inf else "-inf" if value == -math.inf \
            else repr(value)
    if isinstance(value, int | str):
        return str(value) if isinstance(value, int) else _key(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"


@settings(FUZZ, max_examples=100)  # the same trees as above; this adds the writing and parsing
@given(tree=TREES)
def test_any_tree_written_as_a_file_loads_or_is_a_scenario_error(tree, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "scenario.toml"
    path.write_text(toml(tree), encoding="utf-8")
    try:
        scenario = scenarios.load(path)
    except ScenarioError as exc:
        assert exc.source == str(path) and exc.reason
        event(f"rejected: {exc.reason.split()[0]}")
        return
    event("accepted")
    assert_sane(scenario)


def _dotted(node: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in node.items():
        keys.append(prefix + key)
        if isinstance(value, dict):
            keys += _dotted(value, prefix + key + ".")
    return keys


KEYS = st.one_of(*[st.sampled_from(_dotted(DEFAULTS))] * 4, TEXT)
RAW_VALUES = st.one_of(PLAUSIBLE.map(str), PLAUSIBLE.map(str), TEXT, NUMBERS.map(str), JUNK.map(_value),
                       st.sampled_from(["[", "{", "'", "nan", "1e999", "true", "ttl", "[[]]", "{dist='constant'}",
                                        "9" * 5000, "[" * 2000, "{dist=[1]}"]))


@FUZZ
@given(st.lists(st.one_of(*[st.tuples(KEYS, RAW_VALUES).map("=".join)] * 4, TEXT), min_size=1, max_size=2))
def test_any_set_strings_load_or_are_a_scenario_error(items):
    try:
        scenario = scenarios.load(None, items)
    except ScenarioError as exc:
        assert exc.source == "--set" and exc.reason
        event(f"rejected: {exc.reason.split()[0]}")
        return
    event("accepted")
    assert_sane(scenario)
