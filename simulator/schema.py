"""The shape of what patternsim writes (an architecture's results, a run, a sweep cell), checked when read back.

A results or cell file read back (``sweep --resume``, ``report``) may have been edited, truncated or
forged; trusting it would put ``null`` where code expects a table, a p95 of -5000 ms into a
confidence interval, or markup into a page. Checked against a JSON Schema first, it is either the
shape patternsim wrote or refused with the path of its first problem. Every metric is a finite
number of at least 0 (fractions at most 1); the parser refuses ``NaN`` and ``Infinity``, which
JSON itself does not have. Names (patterns, architectures) are ids. The schema is compiled to
Python by ``fastjsonschema``: about 4 ms a cell, where the reference ``jsonschema`` takes 20
times as long (minutes for a resumed sweep of thousands of cells).
"""

from __future__ import annotations

import functools
import json
from typing import Any

ID = r"^[A-Za-z0-9_.-]+(\+[A-Za-z0-9_.-]+)*$"
METRIC = {"type": "number", "minimum": 0}  # counts too: with replications they are means
FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
# Any further metrics (pattern_stats, cache.by_table, time series, ci95, replicates): numbers, lists,
# or tables of those, and the odd flag (convergence.drained).
TREE = {"type": "object", "additionalProperties": {"$ref": "#/$defs/value"}}
VALUE = {"anyOf": [METRIC, {"type": "boolean"}, {"type": "array", "items": {"$ref": "#/$defs/value"}},
                   {"$ref": "#/$defs/tree"}]}
SERIES = {"type": "array", "items": METRIC}
STATS = {"type": "object", "required": ["mean", "p50", "p95", "p99", "max"], "additionalProperties": METRIC}
BLOCK = {
    "type": "object",
    "required": ["patterns", "requests", "latency_s", "erp", "staleness", "cache", "convergence"],
    "properties": {
        "patterns": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": ID}},
        "requests": {"type": "object", "required": ["total", "failed", "availability"],
                     "properties": {"availability": FRACTION}, "additionalProperties": {"$ref": "#/$defs/value"}},
        "latency_s": {"type": "object", "required": ["all"], "additionalProperties": {"$ref": "#/$defs/stats"}},
        "erp": {"type": "object", "required": ["calls", "utilization"],
                "additionalProperties": {"$ref": "#/$defs/value"}},
        "staleness": {"type": "object", "additionalProperties": {
            "type": "object", "properties": {"stale_fraction": FRACTION}, "additionalProperties": METRIC}},
        "cache": {"type": "object", "properties": {"hit_ratio": FRACTION}, "additionalProperties": {
            "$ref": "#/$defs/value"}},
        "convergence": {"type": "object", "required": ["divergent_records", "lost_changes"],
                        "properties": {"drained": {"type": "boolean"}}, "additionalProperties": METRIC},
        "warnings": {"type": "array", "items": {"type": "string"}},
        "warmup_check": {"type": "object", "properties": {"method": {"type": "string", "pattern": ID}},
                         "additionalProperties": {"$ref": "#/$defs/value"}},
        "timeseries": {"type": "object", "properties": {"bucket_s": METRIC}, "additionalProperties": SERIES},
        "latency_cdf_s": {"type": "object", "additionalProperties": SERIES},
    },
    "additionalProperties": {"$ref": "#/$defs/value"},
}
DEFS = {"tree": TREE, "value": VALUE, "stats": STATS, "block": BLOCK}
SCHEMAS = {
    "block": {"$ref": "#/$defs/block"},
    "run": {"type": "object", "required": ["scenario", "seed", "architectures"],
            "properties": {"patternsim": {"type": "string"}, "scenario": {"type": "object"},
                           "seed": {"type": "integer", "minimum": 0}, "replications": METRIC,
                           "architectures": {"type": "object", "minProperties": 1,
                                             "propertyNames": {"pattern": ID},
                                             "additionalProperties": {"$ref": "#/$defs/block"}}}},
    "cell": {"type": "object", "required": ["id", "architecture", "seed", "vary", "result"],
             "properties": {"id": {"type": "string"}, "architecture": {"type": "string", "pattern": ID},
                            "seed": {"type": "integer", "minimum": 0}, "vary": {"type": "object"},
                            "result": {"$ref": "#/$defs/block"}}},
}


class SchemaError(ValueError):
    """A document that is not what patternsim writes; the message names where (``result.latency_s.all.p95``)."""


def loads(data: bytes | str) -> Any:
    """JSON as patternsim writes it: ``NaN`` and ``Infinity`` (which Python's json accepts) are refused."""
    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not a number JSON has")

    return json.loads(data, parse_constant=refuse)


def check(doc: Any, kind: str) -> None:
    """Raise ``SchemaError`` unless ``doc`` is a ``kind`` ("block", "run", "cell") as patternsim writes it."""
    import fastjsonschema  # noqa: PLC0415 - loaded only when a file is read back

    try:
        _validator(kind)(doc)
    except fastjsonschema.JsonSchemaValueException as exc:
        where = ".".join(str(p) for p in exc.path[1:]) or "the document"
        reason = exc.message.split(" ", 1)[1] if exc.message.startswith("data") else exc.message  # "data.x must ..."
        raise SchemaError(f"{where}: {_short(reason)}") from None


@functools.cache
def _validator(kind: str) -> Any:
    import fastjsonschema  # noqa: PLC0415

    return fastjsonschema.compile({"$schema": "http://json-schema.org/draft-07/schema#", **SCHEMAS[kind],
                                   "$defs": DEFS})


def _short(message: str, limit: int = 120) -> str:
    return message if len(message) <= limit else message[: limit - 3] + "..."
