"""The scenario form's fields and their validation, as plain functions (no textual here).

Each field is one dotted scenario key. Which fields there are follows the scenario and the chosen
architectures: the run, workload and ERP settings every run has, the ERP's callback settings when
an architecture takes callbacks, and every setting each chosen pattern declares (the pattern
section of the scenario defaults), so a new pattern's settings appear without editing this module.
A value is checked the way ``--set`` is (TOML syntax, then ``scenario.validate``), so the form
explains a wrong value in the same words as the CLI would.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from patterns.architecture import expand
from simulator import scenario as scenarios
from simulator.scenario import ScenarioError, apply_override, toml_literal, validate

# Patterns that subscribe to the ERP's change callbacks (their variants imply them, see ``expand``).
CALLBACK_PATTERNS = ("realtime_sync",)
BOOLEAN = ("true", "false")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    help: str
    section: str = ""
    choices: tuple[str, ...] = ()  # a closed set of values, offered as a list rather than typed


# Label and help of the keys the form always shows, and of pattern settings worth a sentence; any
# other key gets a label made from its name (``cleanup_interval`` -> "cleanup interval").
KNOWN: dict[str, tuple[str, str]] = {
    "scenario.duration": ("Measured time (s)", "Simulated seconds that are measured, after the warm-up."),
    "scenario.warmup": ("Warm-up (s)",
                        "Simulated seconds run first and left out of every number (caches fill, first sync)."),
    "scenario.seed": ("Seed", "Same seed, same scenario, same architecture: the same numbers, for everyone in the "
                              "room."),
    "data.customers": ("Customers", "Records the ERP holds; a replica's first sync copies all of them."),
    "workload.rate": ("Requests per s", "Consumer requests per simulated second (lists, gets, details, updates)."),
    "workload.bursts": ("Request bursts", "Windows of more requests: [{ start = 30, duration = 10, multiplier = 5 }] "
                                          "(seconds from the start; [] for none)."),
    "erp.update_rate": ("ERP changes per s", "Records changed in the ERP per second, by other users of the ERP."),
    "erp.summary_change_fraction": ("Summary change share",
                                    "Share of changes that touch summary fields (name, city); the rest touch "
                                    "details."),
    "erp.capacity": ("ERP capacity (calls)", "Calls the ERP serves at the same time; more wait in its queue."),
    "erp.network_latency.mean_ms": ("Network latency (ms)",
                                    "Network time each way between us and the ERP, in milliseconds."),
    "erp.service.get.mean_ms": ("ERP get time (ms)", "Mean time the ERP takes to read one customer, in ms."),
    "erp.bursts": ("Change bursts", "Windows where the ERP's change rate is multiplied: "
                                    "[{ start = 25, duration = 15, multiplier = 100 }] ([] for none)."),
    "erp.outages": ("ERP outages", "Windows where the ERP is down: [{ start = 60, duration = 30 }], add "
                                   "mode = \"hang\" for calls that hang until their timeout ([] for none)."),
    "erp.callback.concurrency": ("Callbacks in flight",
                                 "Callbacks the ERP sends at the same time; above 1 they can arrive out of order."),
    "erp.callback.payload": ("Callback payload", "notification: the handler fetches the record; record: the "
                                                 "callback carries it (no fetch, but order matters)."),
    "erp.callback.delay.mean_ms": ("Callback delay (ms)", "Mean time from a change to its callback, in ms."),
    "erp.callback.loss": ("Callbacks lost", "Share of callbacks the ERP never sends."),
    "erp.callback.duplication": ("Callbacks doubled", "Share of callbacks the ERP sends twice."),
    "erp.callback.retries": ("Callback retries", "Times the ERP sends a failed callback again (0: never)."),
    "patterns.batch_sync.interval": ("interval (s)", "Seconds between two batch syncs: the most a cached summary "
                                                     "can lag, plus one sync."),
    "patterns.realtime_sync.handlers": ("handlers", "Callbacks handled at once, inline; one more finds no handler "
                                                    "and fails."),
    "patterns.queued_sync.workers": ("workers", "Workers taking items from the sync queue."),
    "patterns.queued_sync.lease": ("lease (s)", "Seconds a worker holds an item; a crashed worker's item comes back "
                                                "after it."),
    "patterns.queued_sync.crash_rate": ("crash rate", "Share of items whose worker crashes while handling them."),
    "patterns.lazy_load.validation": ("validation", "ttl: reuse a detail for ttl seconds; timestamp: ask the ERP's "
                                                    "cheap last-update call on every read."),
    "patterns.lazy_load.ttl": ("ttl (s)", "Seconds a lazily loaded detail is reused before it is fetched again."),
    "patterns.lazy_load.coalesce": ("coalesce", "true: a reader that misses while the detail is being fetched waits "
                                                "for that fetch instead of calling the ERP again (single flight)."),
}
BASE_KEYS = {
    "Run": ("scenario.duration", "scenario.warmup", "scenario.seed"),
    "Workload": ("data.customers", "workload.rate", "workload.bursts"),
    "ERP": ("erp.update_rate", "erp.summary_change_fraction", "erp.capacity", "erp.network_latency",
            "erp.service.get", "erp.bursts", "erp.outages"),
}


@dataclass
class FormCheck:
    """The outcome of checking the form: the scenario to run, or why not."""

    scenario: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)
    general: str | None = None

    @property
    def ok(self) -> bool:
        return self.scenario is not None


def pattern_settings() -> dict[str, dict[str, Any]]:
    """Every pattern's settings with their defaults: the pattern section of the scenario defaults."""
    return scenarios.defaults()["patterns"]


def fields(scenario: dict[str, Any], architectures: list[list[str]]) -> list[Field]:
    """The form for this scenario and these architectures, section by section."""
    out: list[Field] = []
    for section, keys in BASE_KEYS.items():
        for key in keys:
            out += _fields_for(scenario, key, section)
    chosen = list(dict.fromkeys(pid for ids in architectures for pid in expand(ids)))
    if any(pid in CALLBACK_PATTERNS for pid in chosen):
        for name in _get(scenario, "erp.callback"):
            out += _fields_for(scenario, f"erp.callback.{name}", "ERP callbacks")
    settings = pattern_settings()
    for pid in chosen:
        for name in settings.get(pid, {}):
            out += _fields_for(scenario, f"patterns.{pid}.{name}", pid)
    return out


def _fields_for(scenario: dict[str, Any], key: str, section: str) -> list[Field]:
    """One field for a plain key; one per parameter for a distribution (its shape stays the file's)."""
    value = _get(scenario, key)
    if isinstance(value, dict) and "dist" in value:
        return [_field(f"{key}.{param}", section, value["dist"]) for param in value if param != "dist"]
    choices = BOOLEAN if isinstance(value, bool) else tuple(scenarios.CHOICES.get(key, ()))
    return [_field(key, section, choices=choices)]


def _field(key: str, section: str, dist: str = "", choices: tuple[str, ...] = ()) -> Field:
    label, help_text = KNOWN.get(key, ("", ""))
    if not label:
        *_, owner, name = key.split(".")
        label = name.replace("_", " ").replace(" ms", " (ms)")
        if dist:
            label = f"{owner.replace('_', ' ')} {label}"
        help_text = f"{key}: see docs/scenarios.md" + (f" ({dist} distribution)" if dist else "")
    return Field(key, label, help_text, section, choices)


def _get(scenario: dict[str, Any], key: str) -> Any:
    node: Any = scenario
    for part in key.split("."):
        node = node[part]
    return node


def value_of(scenario: dict[str, Any], key: str) -> str:
    """A field's current value as the text the form shows (TOML, as ``--set`` takes it; strings bare)."""
    value = _get(scenario, key)
    return value if isinstance(value, str) else toml_literal(value)


def values(scenario: dict[str, Any], specs: list[Field]) -> dict[str, str]:
    return {f.key: value_of(scenario, f.key) for f in specs}


def _apply(scenario: dict[str, Any], key: str, text: str) -> None:
    if not text.strip():
        raise ScenarioError("form", key, "needs a value")
    apply_override(scenario, f"{key}={text}")


def check(base: dict[str, Any], texts: dict[str, str]) -> FormCheck:
    """Check each changed field on its own (so every wrong one is named), then all of them together."""
    errors: dict[str, str] = {}
    changed = {k: t for k, t in texts.items() if t != value_of(base, k)}
    for key, text in changed.items():
        trial = copy.deepcopy(base)
        try:
            _apply(trial, key, text)
            validate(trial, "form")
        except ScenarioError as exc:
            errors[key] = _reason(exc, key).replace("got a string", f"got {text.strip()!r}")
    if errors:
        return FormCheck(None, errors)
    scenario = copy.deepcopy(base)
    try:
        for key, text in changed.items():
            _apply(scenario, key, text)
        validate(scenario, "form")
    except ScenarioError as exc:
        owner = next((k for k in texts if exc.key == k or exc.key.startswith((k + ".", k + "["))), None)
        if owner is not None:
            return FormCheck(None, {owner: _reason(exc, owner)})
        return FormCheck(None, general=str(exc))
    return FormCheck(scenario)


def _reason(exc: ScenarioError, key: str) -> str:
    """The reason, with the part of the key below the field when the error is inside it (``[0].start: missing``)."""
    inner = exc.key[len(key):].lstrip(".") if exc.key.startswith(key) else ""
    return f"{inner}: {exc.reason}" if inner else exc.reason
