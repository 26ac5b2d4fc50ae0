"""Architectures: compositions of patterns, parsed from ``a+b,c`` and checked for conflicts.

An architecture is one Core Service built along the axes of DESIGN section 2. ``parse`` turns the
command-line form into lists of ids; ``check`` rejects impossible combinations with a message
naming the conflict; ``build`` installs the patterns into a Core Service for one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from patterns.catalogue import PATTERNS
from patterns.core_service import CoreService
from patterns.direct import DirectDetail, DirectSummary
from patterns.pattern import Context, Pattern
from patterns.ports import Step

# Summary strategies that keep a replica; one architecture can have only one of them.
SUMMARY_SYNCS = ("batch_sync", "realtime_sync")
# Variants of realtime_sync: each implies it.
REALTIME_VARIANTS = ("queued_sync", "ordered_sync")


class ArchitectureError(ValueError):
    """An architecture that cannot be built (unknown id, conflicting patterns)."""


def parse(spec: str) -> list[list[str]]:
    """``"direct,batch_sync+lazy_load"`` -> ``[["direct"], ["batch_sync", "lazy_load"]]``, each checked."""
    if not spec or not spec.strip():
        raise ArchitectureError("no architecture given (e.g. direct,batch_sync)")
    architectures = []
    for part in spec.split(","):
        ids = [p.strip() for p in part.split("+")]
        check(ids)
        architectures.append(ids)
    seen: dict[frozenset[str], str] = {}  # the same patterns in another order are the same architecture
    for i, ids in enumerate(architectures):
        name, first = "+".join(ids), seen.setdefault(frozenset(expand(ids)), "+".join(ids))
        if len(seen) <= i:
            same = "" if first == name else f" (the same patterns as {first!r})"
            raise ArchitectureError(f"architecture {name!r} is listed twice{same}")
    return architectures


def check(ids: list[str]) -> None:
    """Raise ``ArchitectureError`` naming the first problem with this combination of patterns."""
    for pid in ids:
        if pid not in PATTERNS:
            raise ArchitectureError(f"unknown pattern {pid!r} (known: {', '.join(PATTERNS)})")
    if len(set(ids)) != len(ids):
        raise ArchitectureError(f"{'+'.join(ids)}: a pattern is named twice")
    chosen = set(ids)
    if "direct" in chosen and len(chosen) > 1:
        other = next(i for i in ids if i != "direct")
        raise ArchitectureError(f"direct+{other}: direct keeps no local copy, {other} does; pick one")
    syncs = [i for i in ids if i in SUMMARY_SYNCS]
    if len(syncs) > 1:
        raise ArchitectureError(f"{syncs[0]}+{syncs[1]}: one summary replica has one sync; pick one")
    variants = [i for i in ids if i in REALTIME_VARIANTS]
    if variants and "batch_sync" in chosen:
        raise ArchitectureError(f"batch_sync+{variants[0]}: {variants[0]} is a kind of realtime_sync, "
                                "not of batch_sync")
    implied = set(expand(ids))
    for pid in ids:
        for other, reason in PATTERNS[pid].conflicts.items():
            if other in implied:
                raise ArchitectureError(f"{pid}+{other}: {reason}")
        needs = PATTERNS[pid].needs
        if needs and not implied & set(needs):
            raise ArchitectureError(f"{pid} needs {' or '.join(needs)} in the same architecture "
                                    f"(e.g. {needs[0]}+{pid})")


def name(ids: list[str]) -> str:
    return "+".join(ids)


def expand(ids: list[str]) -> list[str]:
    """The ids with implied patterns added (a realtime variant implies ``realtime_sync``)."""
    full = list(ids)
    if any(i in REALTIME_VARIANTS for i in ids):
        # realtime_sync first, whatever the user's order: the variants adjust what it installed.
        full = ["realtime_sync", *(i for i in ids if i != "realtime_sync")]
    return full


@dataclass
class Architecture:
    """One built architecture: the Core Service consumers call and the patterns behind it."""

    name: str
    ids: list[str]
    core: CoreService
    patterns: list[Pattern] = field(default_factory=list)

    @property
    def keeps_replica(self) -> bool:
        return any(p.keeps_replica for p in self.patterns)

    def start(self) -> list[Step]:
        return [step for p in self.patterns for step in p.start()]

    def quiesce(self) -> Step:
        for pattern in self.patterns:
            yield from pattern.quiesce()

    def stats(self) -> dict[str, Any]:
        return {p.id: p.stats() for p in self.patterns if p.stats()}


def build(ids: list[str], ctx: Context, params: dict[str, dict[str, Any]]) -> Architecture:
    """Install the patterns into a fresh Core Service (direct reads until a pattern says otherwise)."""
    check(ids)
    core = CoreService(ctx.integration, DirectSummary(ctx.integration), DirectDetail(ctx.integration))
    ctx.core = core
    patterns = [PATTERNS[pid](params.get(pid, {})) for pid in expand(ids)]
    # Install order: summary, detail, placement, sources, so later axes can wrap earlier ones (the
    # transparency service drives the summary sync it finds installed across every source).
    order = {"summary": 1, "detail": 2, "placement": 3, "sources": 4}
    for pattern in sorted(patterns, key=lambda p: order.get(p.axis, 9)):
        pattern.install(ctx)
        ctx.installed[pattern.id] = pattern
    return Architecture(name(ids), list(ids), core, patterns)
