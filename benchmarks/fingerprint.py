"""The numbers of every bundled scenario, fingerprinted, so a refactoring or a speed-up can prove it
changed none of them.

Runs each bundled scenario's own comparison at its own seed, and the retail scenario with every
single-ERP architecture, then keeps each architecture's whole results block (every metric, every
pattern statistic). ``--save`` writes them to a JSON file; ``--check`` runs again and lists every
key whose value differs from the saved file. Typical use, around a change::

    python -m benchmarks.fingerprint --save /tmp/before.json     # on the old commit
    python -m benchmarks.fingerprint --check /tmp/before.json    # on the new one

Exit status 1 when ``--check`` finds a difference.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from simulator import scenario as scenarios
from simulator.run import run

SINGLE_ERP = ("direct,batch_sync,lazy_load,batch_sync+lazy_load,realtime_sync,queued_sync,ordered_sync,"
              "queued_sync+ordered_sync")


def cases() -> list[tuple[str, str]]:
    """(bundled scenario name, architectures) pairs: each scenario's comparison, retail with all."""
    found = [(path.stem, scenarios.load(path)["scenario"]["compare"]) for path in scenarios.bundled()]
    return [(name, SINGLE_ERP if name == "retail" else compare) for name, compare in found]


def measure(workers: int | None = None) -> dict[str, Any]:
    numbers: dict[str, Any] = {}
    for name, archs in cases():
        print(f"{name}: {archs}", file=sys.stderr, flush=True)
        doc = run(scenarios.load(scenarios.resolve(name)), archs, workers=workers)
        for arch, block in doc["architectures"].items():
            numbers[f"{name} {arch}"] = block
    return numbers


def digest(block: Any) -> str:
    return hashlib.sha256(json.dumps(block, sort_keys=True).encode()).hexdigest()[:16]


def differences(old: Any, new: Any, path: str = "") -> list[str]:
    """Every dotted key whose value differs, with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            if key not in new or key not in old:
                out.append(f"{path}{key}: only in {'the saved file' if key in old else 'this run'}")
            else:
                out += differences(old[key], new[key], f"{path}{key}.")
        return out
    return [] if old == new else [f"{path.rstrip('.')}: {_short(old)} -> {_short(new)}"]


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--save", type=Path, metavar="FILE", help="write the numbers to FILE")
    parser.add_argument("--check", type=Path, metavar="FILE", help="compare the numbers with FILE")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: one per CPU)")
    args = parser.parse_args(argv)
    if not (args.save or args.check):
        parser.error("give --save FILE, --check FILE, or both")
    numbers = json.loads(json.dumps(measure(args.workers)))  # as the file holds them (tuples -> lists)
    if args.save:
        args.save.write_text(json.dumps(numbers, indent=1, sort_keys=True), encoding="utf-8")
        for case, block in numbers.items():
            print(f"{digest(block)}  {case}")
    if not args.check:
        return 0
    saved = json.loads(args.check.read_text(encoding="utf-8"))
    changed = 0
    for case in sorted(set(saved) | set(numbers)):
        found = differences(saved.get(case, {}), numbers.get(case, {}))
        changed += bool(found)
        print(f"{'same   ' if not found else 'CHANGED'}  {case}")
        for line in found[:20]:
            print(f"           {line}")
        if len(found) > 20:
            print(f"           ... and {len(found) - 20} more")
    print(f"{changed} of {len(set(saved) | set(numbers))} changed")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
