"""JSON Schemas of what patternsim writes (run results, sweep cells, sweep documents) and a check against them.

Files are read back by ``report`` and by ``sweep --resume``; either may have been edited or
tampered with. Checking a document against its schema before any of it is used turns a bad value
(a seed that is a string, a negative latency, a cell without a result) into one line naming where
it is, instead of a traceback or a page that carries it. The scenario part is derived from the
scenario defaults, so a new scenario key is typed here without editing this file; only the keys a
report reads are required, so results written before a key existed still load. Unknown keys are
allowed everywhere (a newer patternsim may add some).

JSON's non-standard ``NaN`` and ``Infinity`` are refused when reading (``loads``): no metric is
ever written as either, and comparisons with NaN pass every range check. The schemas are compiled
to Python by ``fastjsonschema`` once (a tenth of a second), then check a run's results in
milliseconds; the reference ``jsonschema`` took half a second a run, minutes for a resumed sweep.
"""

from __future__ import annotations

import json
from typing import Any

import fastjsonschema

from simulator.scenario import DEFAULTS

# Printable text: no control characters but line breaks and tabs; a name or label not even those
# (a carriage return in a name would rewrite the table's header on a terminal).
TEXT = {"type": "string", "pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"}
LINE = {"type": "string", "pattern": r"^[^\x00-\x1f\x7f]*$"}
NAME = {"type": "string", "pattern": r"^[A-Za-z0-9_+.-]{1,200}$"}  # also a cell file's name: no path parts
NUMBER = {"type": "number"}
NONNEG = {"type": "number", "minimum": 0}
COUNT = {"type": "integer", "minimum": 0}
TALLY = NONNEG  # a count in a run's block: whole in one run, a mean (any number) over replications
FRACTION = {"type": "number", "minimum": 0, "maximum": 1}


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}, **extra}


LATENCY = _object({k: NONNEG for k in ("mean", "p50", "p95", "p99", "max")})
STALENESS = _object({"reads": TALLY, "stale": TALLY, "stale_fraction": FRACTION, "mean_s": NONNEG,
                     "max_s": NONNEG}, {"p95_s": NONNEG})
# A tree shaped like the metrics whose leaves are 95% half-widths, or [low, high] for a fraction
# (``run --replications``).
# A run's block must hold what the comparison table reads (``app.table.ROWS``).
HALF_WIDTHS = {"type": "object", "additionalProperties": {"anyOf": [
    NONNEG, {"type": "array", "minItems": 2, "maxItems": 2, "items": NONNEG}, {"$ref": "#/$defs/half_widths"}]}}

BLOCK = _object(
    {"requests": _object({"total": TALLY, "failed": TALLY, "availability": FRACTION}),
     "latency_s": _object({op: LATENCY for op in ("all", "list", "get", "detail")}, additionalProperties=LATENCY),
     "erp": _object({"calls": TALLY, "calls_per_s": NONNEG, "utilization": FRACTION,
                     "queue": _object({"mean": NONNEG, "max": NONNEG}),
                     "callbacks": _object({"sent": TALLY, "failed": TALLY})}),
     "staleness": _object({"summary": STALENESS, "detail": STALENESS}),
     "cache": _object({"hit_ratio": FRACTION, "rows": TALLY},
                      {"summary_hit_ratio": FRACTION, "detail_hit_ratio": FRACTION}),
     "sync": _object({"queue_max": NONNEG}, {"queue_mean": NONNEG}),
     "convergence": _object({"divergent_records": TALLY, "lost_changes": TALLY}),
     "timeseries": _object({"bucket_s": {"type": "number", "exclusiveMinimum": 0}},
                           additionalProperties={"type": "array", "items": NONNEG})},
    {"patterns": {"type": "array", "items": NAME},
     "latency_cdf_s": {"type": "object", "additionalProperties": {"type": "array", "items": NONNEG}},
     "warnings": {"type": "array", "items": TEXT},
     "replications": {"type": "integer", "minimum": 1},
     "ci95": {"$ref": "#/$defs/half_widths"},
     "replicates": {"type": "array", "items": {"type": "object"}}})

# What a report reads from the scenario: these must be there; every other key only has to be well typed.
REQUIRED_SCENARIO = ("scenario.name", "scenario.duration", "scenario.warmup", "data.customers", "workload.rate",
                     "workload.request_distribution", "erp.capacity", "erp.update_rate")
WINDOW = _object({"start": NONNEG, "duration": NONNEG}, {"multiplier": NONNEG, "mode": {"enum": ["fail", "hang"]}})


def _scenario_schema(defaults: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A schema typed like ``defaults``: a float key takes any number, an int key an integer, and so on."""
    properties: dict[str, Any] = {}
    for key, default in defaults.items():
        dotted = prefix + key
        if isinstance(default, dict) and "dist" in default:
            properties[key] = {"type": "object"}
        elif isinstance(default, dict):
            properties[key] = _scenario_schema(default, dotted + ".")
        elif isinstance(default, bool):
            properties[key] = {"type": "boolean"}
        elif isinstance(default, int | float):
            properties[key] = COUNT if isinstance(default, int) else NONNEG
        elif isinstance(default, str):
            properties[key] = TEXT
        elif key in ("outages", "bursts", "latency_spikes"):
            properties[key] = {"type": "array", "items": WINDOW}
        else:
            properties[key] = {"type": "array"}
    required = [k for k, d in defaults.items() if isinstance(d, dict) and "dist" not in d
                and any(r.startswith(f"{prefix}{k}.") for r in REQUIRED_SCENARIO)]
    required += [k for k in defaults if f"{prefix}{k}" in REQUIRED_SCENARIO]
    return {"type": "object", "required": required, "properties": properties}


SCENARIO = _scenario_schema(DEFAULTS)
SCENARIO["properties"]["scenario"]["properties"].update(name=LINE, compare=LINE, guide=TEXT)
DEFS = {"half_widths": HALF_WIDTHS}

RESULTS = {"$defs": DEFS, **_object({"scenario": SCENARIO, "seed": COUNT,
                                     "architectures": {"type": "object", "minProperties": 1,
                                                       "propertyNames": NAME, "additionalProperties": BLOCK}},
                                    {"patternsim": TEXT, "replications": {"type": "integer", "minimum": 1},
                                     "precision": {"type": "object"}})}
CELL = {"$defs": DEFS, **_object({"id": NAME, "architecture": NAME, "seed": COUNT, "vary": {"type": "object"},
                                  "result": BLOCK})}
STATS = _object({"mean": NUMBER, "ci95_low": {"type": ["number", "null"]}, "ci95_high": {"type": ["number", "null"]}})
SWEEP = {"$defs": DEFS, **_object(
    {"sweep": _object({"scenario": SCENARIO,
                       "vary": {"type": "object", "minProperties": 1, "additionalProperties": {
                           "type": "array", "minItems": 1}},
                       "seeds": {"type": "array", "minItems": 1, "items": COUNT},
                       "architectures": {"type": "array", "minItems": 1, "items": NAME}}),
     "cells": {"type": "array", "minItems": 1, "items": {k: v for k, v in CELL.items() if k != "$defs"}},
     "summary": {"type": "array", "minItems": 1, "items": _object(
         {"architecture": NAME, "vary": {"type": "object"}, "seeds": {"type": "integer", "minimum": 1},
          "metrics": {"type": "object", "additionalProperties": STATS}})}},
    {"patternsim": TEXT})}

# "run" and "block" name what ``results`` and a cell's ``result`` are, as the sweep's reader asks for them.
SCHEMAS = {"results": RESULTS, "run": RESULTS, "cell": CELL, "sweep": SWEEP, "block": {"$defs": DEFS, **BLOCK}}
MAX_MESSAGE = 160
_compiled: dict[str, Any] = {}


class SchemaError(ValueError):
    """A document that does not match its schema; the message says where and why, on one line."""


def loads(text: str | bytes) -> Any:
    """``json.loads`` that refuses NaN and Infinity (as a ValueError, like any other bad JSON)."""
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON has")
    return json.loads(text, parse_constant=refuse)


def problem(doc: Any, kind: str) -> str:
    """Where and why ``doc`` is not a valid ``kind`` document ('results' or 'run', 'cell', 'sweep', 'block'); ''
    if it is, else "where: why" (``architectures.direct.latency_s.all.p95: must be bigger than or equal to 0``).
    """
    if kind not in _compiled:
        _compiled[kind] = fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#",
                                                  **SCHEMAS[kind]})
    try:
        _compiled[kind](doc)
    except fastjsonschema.JsonSchemaValueException as exc:
        where = ".".join(str(p) for p in exc.path[1:]) or "the document"  # path[0] is "data"
        reason = exc.message.split(" ", 1)[1] if exc.message.startswith("data") else exc.message
        message = f"{where}: {reason}"
        return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 3] + "..."
    return ""


def check(doc: Any, kind: str) -> None:
    """Raise SchemaError unless ``doc`` is a valid ``kind`` document."""
    reason = problem(doc, kind)
    if reason:
        raise SchemaError(reason)
