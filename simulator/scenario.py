"""Scenario files: defaults, loading, validation and ``--set`` overrides.

A scenario is a plain nested dict (JSON-friendly, so it is copied verbatim into results). Every
key has a default in ``DEFAULTS``; a file only says what differs. Validation is driven by the
defaults (the type of each key) plus a few rules by dotted key. The ``[patterns]`` section is the
catalogue's: each pattern declares its parameters' defaults and checks them itself (``patterns/params.py``),
plugins included. Any problem raises
``ScenarioError`` naming the source, the key and the reason, which the doors turn into one line
and exit status 2.
"""

from __future__ import annotations

import copy
import difflib
import math
import tomllib
import unicodedata
from importlib import resources
from pathlib import Path
from typing import Any

from patterns.architecture import ArchitectureError, parse
from patterns.catalogue import PATTERNS
from patterns.integration import MAX_PAGE
from patterns.params import ParamError
from simulator import database_url
from simulator.files import FileProblem, read_regular

MAX_SCENARIO_BYTES = 1_000_000
# The bundled scenarios are package data of the ``scenarios`` package, so a non-editable install has them too.
SCENARIO_DIR = Path(str(resources.files("scenarios")))


def _dist(dist: str, **params: float) -> dict[str, Any]:
    return {"dist": dist, **params}


def pattern_defaults() -> dict[str, dict[str, Any]]:
    """Every pattern's parameters with their defaults, by pattern id (the ``[patterns]`` section)."""
    return {pid: copy.deepcopy(dict(cls.defaults)) for pid, cls in PATTERNS.items() if cls.defaults}


DEFAULTS: dict[str, Any] = {
    "scenario": {
        "name": "Retail customers on an ERP",
        # The defaults are scenarios/retail.toml, key for key (a test keeps them so): the TUI's
        # "(built-in defaults)", recommend's command and the README give one set of numbers.
        "description": "10,000 customers, 30 requests/s, an ERP with 8 workers (about 70% busy when called "
                       "directly), 2 changes/s.",
        "duration": 3600.0,
        "warmup": 300.0,
        "seed": 42,
        "drain_limit": 3600.0,
        "compare": "",  # the architectures this scenario is about, as --patterns takes them
        "guide": "",  # what to look at and why; row names of the comparison table in "double quotes"
    },
    "data": {"customers": 10000, "contracts_per_customer": 0},
    "erp": {
        "capacity": 8,
        "network_latency": _dist("constant", mean_ms=20.0),
        "update_rate": 2.0,
        "insert_rate": 0.0,
        "contract_update_rate": 0.0,
        "summary_change_fraction": 0.1,
        "token_ttl": 900.0,
        "callback": {
            "delay": _dist("exponential", mean_ms=50.0),
            "concurrency": 1,
            "loss": 0.0,
            "duplication": 0.0,
            "retries": 0,
            # "notification": the handler fetches the current record; "record": the callback carries the
            # changed record's fields and version (event-carried state transfer), no fetch.
            "payload": "notification",
        },
        "outages": [],
        "bursts": [],  # [{ start, duration, multiplier }]: the change rate multiplied in a window
        "error_rate": 0.0,
        "latency_spikes": [],
        "slowdown": 0.0,
        "service": {
            "search": _dist("lognormal", mean_ms=300.0, sigma=0.5),
            "get": _dist("exponential", mean_ms=60.0),
            "detail": _dist("exponential", mean_ms=120.0),
            "changes": _dist("exponential", mean_ms=300.0),
            "timestamp": _dist("constant", mean_ms=10.0),
            "update": _dist("exponential", mean_ms=150.0),
            "auth": _dist("constant", mean_ms=30.0),
        },
    },
    "local_db": {"latency": _dist("constant", mean_ms=2.0), "url": "sqlite://", "error_rate": 0.0},
    "integration": {"timeout": 10.0, "retries": 2, "backoff": 0.2, "backoff_max": 5.0},
    "workload": {
        "rate": 30.0,
        "list_fraction": 0.5,
        "get_fraction": 0.35,
        "detail_fraction": 0.1,
        "update_fraction": 0.05,
        "request_distribution": "zipfian",
        "zipf_theta": 0.99,
        "page_size": 50,
        "bursts": [],
    },
    "patterns": pattern_defaults(),
}

DISTRIBUTIONS = {
    "constant": {"mean_ms"},
    "exponential": {"mean_ms"},
    "lognormal": {"mean_ms", "sigma"},
    "uniform": {"low_ms", "high_ms"},
}
CHOICES = {
    "workload.request_distribution": ("uniform", "zipfian", "latest"),
    "erp.callback.payload": ("notification", "record"),
    **{f"patterns.{pid}.{key}": words for pid, cls in PATTERNS.items() for key, words in cls.choices.items()},
}
POSITIVE = {
    "integration.timeout", "integration.backoff", "integration.backoff_max",
    "scenario.duration", "scenario.drain_limit", "data.customers", "erp.capacity", "erp.token_ttl",
    "erp.callback.concurrency", "workload.page_size",
}
FRACTIONS = {
    "local_db.error_rate",
    "erp.summary_change_fraction", "erp.error_rate", "erp.callback.loss", "erp.callback.duplication",
    "workload.list_fraction", "workload.get_fraction", "workload.detail_fraction",
    "workload.update_fraction",
}
MIX = ("list_fraction", "get_fraction", "detail_fraction", "update_fraction")
# Generous ceilings: beyond them a run would not finish in any useful time, so say so up front.
LIMITS = {"data.customers": 5_000_000, "scenario.duration": 30 * 86400.0, "workload.rate": 100_000.0,
          "scenario.warmup": 30 * 86400.0, "scenario.drain_limit": 30 * 86400.0, "erp.update_rate": 100_000.0,
          "erp.insert_rate": 100_000.0, "erp.contract_update_rate": 100_000.0,
          "workload.page_size": MAX_PAGE}
# Ceilings that are not about time: why, for the message.
LIMIT_REASONS = {key: "the Integration Service's page limit" for key in LIMITS if key.endswith(".page_size")}
# A burst multiplies a rate: the rate at the peak has the same ceiling as the rate itself.
BURSTS = {"workload.bursts": (("workload.rate",), "requests"),
          "erp.bursts": (("erp.update_rate", "erp.insert_rate"), "changes")}
PEAK_LIMIT = 100_000.0
# Names are printed on one line (table headers, progress): no control characters at all, not even a
# newline. Other strings may hold newlines and tabs (a multi-line description), never a carriage return,
# escape or any other control character that could redraw the terminal.
NAMES = {"scenario.name"}


class ScenarioError(ValueError):
    """A scenario (file, ``--set`` value or form field) that cannot be run, with where and why."""

    def __init__(self, source: str, key: str, reason: str):
        self.source, self.key, self.reason = source, key, reason
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:  # rebuilt in the parent after a run in a worker
        return type(self), (self.source, self.key, self.reason)


def defaults() -> dict[str, Any]:
    """A fresh copy of the default scenario."""
    return copy.deepcopy(DEFAULTS)


def load(path: str | Path | None = None, overrides: list[str] | None = None) -> dict[str, Any]:
    """Read a scenario file or bundled scenario by name (the defaults when ``path`` is None), apply
    ``--set`` overrides, validate."""
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        path = resolve(path)
        source = str(path)
        data = read_toml(path)
    scenario = merge(defaults(), data, source)
    validate(scenario, source)
    if overrides:
        for item in overrides:
            apply_override(scenario, item)
        validate(scenario, "--set")
    return scenario


def resolve(spec: str | Path) -> Path:
    """A scenario argument as a path: an existing file, else a bundled scenario's name (``flash_sale``)."""
    path = Path(spec)
    try:
        if path.exists() or path.parent != Path("."):
            return path
    except (OSError, ValueError):  # a NUL byte or an over-long name: read_toml says so
        return path
    named = {p.stem: p for p in bundled()}
    return named.get(path.name.removesuffix(".toml"), path)


def read_toml(path: Path) -> dict[str, Any]:
    source = str(path)
    try:  # a regular file only (a FIFO would block for ever), and at most the limit (/dev/zero never ends)
        data = read_regular(path, MAX_SCENARIO_BYTES, "a scenario")
        text = data.decode("utf-8")
    except FileProblem as exc:
        hint = _bundled_hint(path) if str(exc) == "no such file" else ""
        raise ScenarioError(source, "", str(exc) + hint) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(source, "", f"not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})") \
            from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, "", f"invalid TOML: {exc}") from None
    except RecursionError:
        raise ScenarioError(source, "", "invalid TOML: nested too deeply") from None
    except ValueError:  # Python refuses to parse an integer of more than 4300 digits
        raise ScenarioError(source, "", "invalid TOML: a number has too many digits") from None


def merge(base: dict[str, Any], data: dict[str, Any], source: str, prefix: str = "") -> dict[str, Any]:
    """Overlay ``data`` on ``base`` key by key; keys absent from the defaults are errors."""
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in base:
            known = ", ".join(sorted(base)) if isinstance(base, dict) else ""
            raise ScenarioError(source, dotted, f"unknown key{_did_you_mean(key, base)} (known here: {known})")
        current = base[key]
        if isinstance(current, dict) and "dist" not in current:
            if not isinstance(value, dict):
                raise ScenarioError(source, dotted, f"must be a table, got {_kind(value)}")
            merge(current, value, source, dotted + ".")
        else:
            base[key] = value
    return base


def apply_override(scenario: dict[str, Any], item: str) -> None:
    """Apply one ``key=value`` (the value in TOML syntax; bare words are taken as strings)."""
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError("--set", item, "expected KEY=VALUE, e.g. erp.update_rate=5")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    except RecursionError:
        raise ScenarioError("--set", key, "value is nested too deeply") from None
    except ValueError:  # Python refuses to parse an integer of more than 4300 digits
        raise ScenarioError("--set", key, "the number has too many digits") from None
    parts = key.split(".")
    node: Any = scenario
    for depth, part in enumerate(parts[:-1]):
        if not isinstance(node, dict) or part not in node:
            raise ScenarioError("--set", ".".join(parts[: depth + 1]), "unknown key" + _did_you_mean(part, node))
        node = node[part]
    if not isinstance(node, dict) or parts[-1] not in node:
        raise ScenarioError("--set", key, "unknown key" + _did_you_mean(parts[-1], node))
    if isinstance(node[parts[-1]], dict) and "dist" not in node[parts[-1]]:
        if not isinstance(value, dict):
            raise ScenarioError("--set", key, "is a table; set one of its keys instead")
        merge(node[parts[-1]], value, "--set", key + ".")
    else:
        node[parts[-1]] = value


def validate(scenario: dict[str, Any], source: str) -> None:
    """Check every key against the type of its default and the rules above, then each pattern's own rules."""
    _check_tree(scenario, {k: v for k, v in DEFAULTS.items() if k != "patterns"}, source, "")
    for pid, params in DEFAULTS["patterns"].items():
        _check_tree(scenario["patterns"][pid], params, source, f"patterns.{pid}.")
        try:
            PATTERNS[pid].check_params(scenario["patterns"][pid])
        except ParamError as exc:
            raise ScenarioError(source, f"patterns.{pid}.{exc.key}", exc.reason) from None
    mix = sum(scenario["workload"][k] for k in MIX)
    if abs(mix - 1.0) > 1e-6:
        raise ScenarioError(source, "workload", f"list/get/detail/update fractions must sum to 1, got {mix:g}")
    if scenario["scenario"]["warmup"] < 0:
        raise ScenarioError(source, "scenario.warmup", "must not be negative")
    _check_windows(scenario["erp"]["outages"], source, "erp.outages", ("start", "duration"), {"mode"})
    _check_windows(scenario["erp"]["bursts"], source, "erp.bursts", ("start", "duration", "multiplier"), set())
    _check_windows(scenario["erp"]["latency_spikes"], source, "erp.latency_spikes",
                   ("start", "duration", "multiplier"), set())
    _check_windows(scenario["workload"]["bursts"], source, "workload.bursts",
                   ("start", "duration", "multiplier"), set())
    for key, (rates, what) in BURSTS.items():
        _check_peak(scenario, source, key, rates, what)
    theta = scenario["workload"]["zipf_theta"]
    if not 0.0 < theta < 1.0:
        raise ScenarioError(source, "workload.zipf_theta", f"must be between 0 and 1 (exclusive), got {theta!r}")
    try:
        database_url.check(scenario["local_db"]["url"])
    except database_url.DatabaseUrlError as exc:
        raise ScenarioError(source, "local_db.url", str(exc)) from None
    if scenario["scenario"]["compare"]:
        try:
            parse(scenario["scenario"]["compare"])
        except ArchitectureError as exc:
            raise ScenarioError(source, "scenario.compare", str(exc)) from None


def _check_tree(node: dict[str, Any], spec: dict[str, Any], source: str, prefix: str) -> None:
    for key, default in spec.items():
        dotted = f"{prefix}{key}"
        value = node[key]
        if isinstance(default, dict) and "dist" in default:
            check_distribution(value, source, dotted)
        elif isinstance(default, dict):
            _check_tree(value, default, source, dotted + ".")
        else:
            node[key] = _check_value(value, default, source, dotted)


def _check_value(value: Any, default: Any, source: str, key: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ScenarioError(source, key, f"must be true or false, got {_kind(value)}")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(source, key, f"must be a number, got {_kind(value)}")
        # Range checks come before any conversion: float(10**400) overflows.
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(source, key, f"must be a finite number, got {value!r}")
        if value < 0:
            raise ScenarioError(source, key, f"must not be negative, got {_show(value)}")
        if key in POSITIVE and value <= 0:
            raise ScenarioError(source, key, f"must be greater than 0, got {value!r}")
        if key in FRACTIONS and value > 1:
            raise ScenarioError(source, key, f"must be a fraction between 0 and 1, got {_show(value)}")
        if key in LIMITS and value > LIMITS[key]:
            why = f" ({LIMIT_REASONS[key]})" if key in LIMIT_REASONS else ""
            raise ScenarioError(source, key, f"must be at most {LIMITS[key]:g}{why}, got {_show(value)}")
        if value > 1e12:
            raise ScenarioError(source, key, f"is too large (at most 1e12), got {_show(value)}")
        if isinstance(default, int) and not isinstance(value, int):
            if not value.is_integer():
                raise ScenarioError(source, key, f"must be a whole number, got {value!r}")
            value = int(value)
        if isinstance(default, float):
            value = float(value)
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ScenarioError(source, key, f"must be a string, got {_kind(value)}")
        allowed = "" if key in NAMES else "\t\n"
        if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
            raise ScenarioError(source, key, f"must not contain control characters, got {_show(value)}")
        if key in CHOICES and value not in CHOICES[key]:
            raise ScenarioError(source, key, f"must be one of {', '.join(CHOICES[key])}, got {value!r}")
        return value
    if isinstance(default, list):
        if not isinstance(value, list):
            raise ScenarioError(source, key, f"must be a list, got {_kind(value)}")
        return value
    raise AssertionError(f"no rule for default of {key}")  # pragma: no cover - a bug in DEFAULTS


def check_distribution(value: Any, source: str, key: str) -> None:
    """A distribution is a table ``{dist = NAME, ...params}`` with finite, non-negative parameters."""
    if not isinstance(value, dict):
        raise ScenarioError(source, key, f"must be a distribution table like {{ dist = \"constant\", mean_ms = 10 }}, "
                                         f"got {_kind(value)}")
    name = value.get("dist")
    if name is None:
        raise ScenarioError(source, key + ".dist", f"missing; name a distribution ({', '.join(DISTRIBUTIONS)})")
    if not isinstance(name, str) or name not in DISTRIBUTIONS:
        raise ScenarioError(source, key + ".dist", f"unknown distribution {_show(name)} "
                                                   f"(one of {', '.join(DISTRIBUTIONS)})")
    needed = DISTRIBUTIONS[name]
    allowed = needed | ({"sigma"} if name == "lognormal" else set())
    for param in sorted(set(value) - {"dist"}):
        if param not in allowed:
            raise ScenarioError(source, f"{key}.{param}", f"unknown parameter for {name} "
                                                          f"(expects {', '.join(sorted(needed))})")
    for param in sorted(needed):
        if param not in value:
            raise ScenarioError(source, f"{key}.{param}", f"missing; {name} needs {', '.join(sorted(needed))}")
        number = value[param]
        if isinstance(number, bool) or not isinstance(number, int | float) or (
                isinstance(number, float) and not math.isfinite(number)):
            raise ScenarioError(source, f"{key}.{param}", f"must be a finite number, got {_show(number)}")
        if number < 0 or number > 1e9:
            raise ScenarioError(source, f"{key}.{param}", f"must be between 0 and 1e9, got {_show(number)}")
        value[param] = float(number)
    if name == "lognormal" and value["sigma"] <= 0:
        raise ScenarioError(source, f"{key}.sigma", "must be greater than 0")
    if name == "uniform" and value["low_ms"] > value["high_ms"]:
        raise ScenarioError(source, key, "low_ms must not exceed high_ms")


def _check_windows(items: list[Any], source: str, key: str, fields: tuple[str, ...], optional: set[str]) -> None:
    for i, item in enumerate(items):
        where = f"{key}[{i}]"
        if not isinstance(item, dict):
            raise ScenarioError(source, where, f"must be a table with {', '.join(fields)}")
        for field in item:
            if field not in fields and field not in optional:
                raise ScenarioError(source, f"{where}.{field}", "unknown key")
        for field in fields:
            if field not in item:
                raise ScenarioError(source, f"{where}.{field}", "missing")
            item[field] = _check_value(item[field], 0.0, source, f"{where}.{field}")
        if "mode" in item and item["mode"] not in ("fail", "hang"):
            raise ScenarioError(source, f"{where}.mode", f"must be fail or hang, got {item['mode']!r}")


def _check_peak(scenario: dict[str, Any], source: str, key: str, rates: tuple[str, ...], what: str) -> None:
    """Arrivals are drawn at the peak rate (rate x the largest multiplier), so the peak has the rate's ceiling."""
    section, _, field = key.partition(".")
    rate = sum(scenario[section][r.partition(".")[2]] for r in rates)
    for i, burst in enumerate(scenario[section][field]):
        peak = rate * burst["multiplier"]
        if peak > PEAK_LIMIT:
            raise ScenarioError(source, f"{key}[{i}].multiplier", f"{_sum(rates)} x multiplier is {peak:g} "
                                f"{what}/s at the peak, above the ceiling of {PEAK_LIMIT:,.0f}")


def _sum(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"({' + '.join(names)})"


def _bundled_hint(path: Path) -> str:
    """What to type instead when a scenario file is missing: a bundled scenario runs by its name."""
    names = [p.stem for p in bundled()]
    stem = path.name.removesuffix(".toml")
    if stem in names:
        return f" (the bundled scenario of that name runs from any folder by name: {stem})"
    if path.parent == Path("."):
        return f" (nor a bundled scenario: {', '.join(names)})"
    return ""


def _did_you_mean(key: str, known: Any) -> str:
    """`` (did you mean 'duration'?)`` when ``key`` is a near miss of a known key (difflib's ratio >= 0.6)."""
    close = difflib.get_close_matches(key, list(known), n=1) if isinstance(known, dict) else []
    return f" (did you mean {close[0]!r}?)" if close else ""


def _kind(value: Any) -> str:
    return {dict: "a table", list: "a list", str: "a string", bool: "a boolean"}.get(type(value)) or _show(value)


def _show(value: Any, limit: int = 40) -> str:
    """A value for an error message: its repr, cut short (a 4,000-digit number is no help on one line)."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long for Python to print
        return "a number with thousands of digits"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def bundled() -> list[Path]:
    """The scenario files that ship with patternsim (package data; an installed wheel is unpacked on disk)."""
    return sorted(SCENARIO_DIR.glob("*.toml"))


def toml_literal(value: Any) -> str:
    """A value as a TOML literal, as ``--set`` and the TUI's form take it (whole floats without ``.0``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_literal(v)}" for k, v in value.items()) + " }"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def comparison(scenario: dict[str, Any], default: str) -> str:
    """The architectures to run when none are named: the scenario's own ``compare``, else ``default``."""
    return scenario["scenario"]["compare"] or default
