"""The scenario form's fields and their validation, as plain functions (no textual here).

Each field is one dotted scenario key. A value is checked the way ``--set`` is (TOML syntax, then
``scenario.validate``), so the form explains a wrong value in the same words as the CLI would.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from simulator.scenario import ScenarioError, apply_override, validate


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    help: str


FIELDS: tuple[Field, ...] = (
    Field("scenario.duration", "Measured time (s)",
          "Simulated seconds that are measured, after the warm-up."),
    Field("scenario.warmup", "Warm-up (s)",
          "Simulated seconds run first and left out of every number (caches fill, first sync)."),
    Field("scenario.seed", "Seed",
          "Same seed, same scenario, same architecture: the same numbers, for everyone in the room."),
    Field("data.customers", "Customers",
          "Records the ERP holds; a replica's first sync copies all of them."),
    Field("workload.rate", "Requests per s",
          "Consumer requests per simulated second (lists, gets, details, updates)."),
    Field("erp.update_rate", "ERP changes per s",
          "Records changed in the ERP per second, by other users of the ERP."),
    Field("erp.summary_change_fraction", "Summary change share",
          "Share of changes that touch summary fields (name, city); the rest touch details."),
    Field("erp.capacity", "ERP capacity (calls)",
          "Calls the ERP serves at the same time; more wait in its queue."),
    Field("erp.network_latency.mean_ms", "Network latency (ms)",
          "Network time each way between us and the ERP, in milliseconds."),
    Field("erp.service.get.mean_ms", "ERP get time (ms)",
          "Mean time the ERP takes to read one customer, in milliseconds."),
    Field("patterns.batch_sync.interval", "Batch interval (s)",
          "Seconds between two batch syncs: the most a cached summary can lag, plus one sync."),
    Field("patterns.lazy_load.ttl", "Detail TTL (s)",
          "Seconds a lazily loaded detail is reused before it is fetched again (TTL validation)."),
)


@dataclass
class FormCheck:
    """The outcome of checking the form: the scenario to run, or why not."""

    scenario: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)
    general: str | None = None

    @property
    def ok(self) -> bool:
        return self.scenario is not None


def value_of(scenario: dict[str, Any], key: str) -> str:
    """A field's current value as the text the form shows."""
    node: Any = scenario
    for part in key.split("."):
        node = node[part]
    if isinstance(node, float) and node.is_integer():
        return str(int(node))
    return str(node)


def values(scenario: dict[str, Any]) -> dict[str, str]:
    return {f.key: value_of(scenario, f.key) for f in FIELDS}


def _apply(scenario: dict[str, Any], key: str, text: str) -> None:
    if not text.strip():
        raise ScenarioError("form", key, "needs a value")
    apply_override(scenario, f"{key}={text}")


def check(base: dict[str, Any], texts: dict[str, str]) -> FormCheck:
    """Check each field on its own (so every wrong one is named), then all of them together."""
    errors: dict[str, str] = {}
    for key, text in texts.items():
        trial = copy.deepcopy(base)
        try:
            _apply(trial, key, text)
            validate(trial, "form")
        except ScenarioError as exc:
            errors[key] = exc.reason.replace("got a string", f"got {text.strip()!r}")
    if errors:
        return FormCheck(None, errors)
    scenario = copy.deepcopy(base)
    try:
        for key, text in texts.items():
            _apply(scenario, key, text)
        validate(scenario, "form")
    except ScenarioError as exc:
        if exc.key in texts:
            return FormCheck(None, {exc.key: exc.reason})
        return FormCheck(None, general=str(exc))
    return FormCheck(scenario)
