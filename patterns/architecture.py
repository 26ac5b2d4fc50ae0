"""Architectures: compositions of patterns, parsed from ``a+b,c`` and checked for conflicts.

An architecture is one Core Service built along its axes (summary, detail, sources). ``parse`` turns the
command-line form into lists of ids; ``check`` rejects impossible combinations with a message
naming the conflict; ``build`` installs the patterns into a Core Service for one run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from patterns.catalogue import PATTERNS
from patterns.core_service import CoreService
from patterns.pattern import ANY, AXES, Context, Pattern
from patterns.ports import Step


class ArchitectureError(ValueError):
    """An architecture that cannot be built (unknown id, conflicting patterns)."""


def parse(spec: str) -> list[list[str]]:
    """``"a,b+c"`` -> ``[["a"], ["b", "c"]]``, each checked."""
    if not spec or not spec.strip():
        raise ArchitectureError(f"no architecture given (e.g. {','.join(list(PATTERNS)[:2])})")
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
    """Raise ``ArchitectureError`` naming the first problem with this combination of patterns.

    Every rule is a pattern's own declaration: ``conflicts`` (``ANY``: with every other pattern),
    ``exclusive`` (one summary replica, one sync), ``variant_of`` (a variant extends its own base, not
    another exclusive pattern) and ``needs``.
    """
    for pid in ids:
        if pid not in PATTERNS:
            raise ArchitectureError(f"unknown pattern {pid!r} (known: {', '.join(PATTERNS)})")
    if len(set(ids)) != len(ids):
        raise ArchitectureError(f"{'+'.join(ids)}: a pattern is named twice")
    implied = expand(ids)
    for pid in ids:
        for other, reason in PATTERNS[pid].conflicts.items():
            if other == ANY:
                other = next((i for i in ids if i != pid), None)
            if other is not None and other != pid and other in implied:
                raise ArchitectureError(f"{pid}+{other}: {reason.format(other=other)}")
    exclusive = [i for i in ids if PATTERNS[i].exclusive]
    if len(exclusive) > 1:
        raise ArchitectureError(f"{exclusive[0]}+{exclusive[1]}: one summary replica has one sync; pick one")
    for pid in ids:
        base = PATTERNS[pid].variant_of
        rival = next((i for i in exclusive if i != base), None)
        if base is not None and rival is not None:
            raise ArchitectureError(f"{rival}+{pid}: {pid} is a kind of {base}, not of {rival}")
    for pid in ids:
        needs = PATTERNS[pid].needs
        if needs and not set(implied) & set(needs):
            raise ArchitectureError(f"{pid} needs {' or '.join(needs)} in the same architecture "
                                    f"(e.g. {needs[0]}+{pid})")


def name(ids: list[str]) -> str:
    return "+".join(ids)


def _bases(ids: list[str]) -> list[str]:
    """The patterns that the ids' variants extend, innermost base first."""
    bases: list[str] = []
    for pid in ids:
        base = PATTERNS[pid].variant_of
        while base is not None and base not in bases:
            bases.insert(0, base)
            base = PATTERNS[base].variant_of
    return bases


def expand(ids: list[str]) -> list[str]:
    """The ids with the patterns they imply: each variant's base, first, whatever the user's order
    (a variant adjusts what its base installed)."""
    bases = _bases(ids)
    return [*bases, *(i for i in ids if i not in bases)]


def minimal(ids: list[str]) -> list[str]:
    """The ids without those another one implies (a variant's base goes when the variant is there)."""
    bases = _bases(ids)
    return [i for i in ids if i not in bases]


@dataclass
class Architecture:
    """One built architecture: the Core Service consumers call and the patterns behind it."""

    name: str
    ids: list[str]
    core: CoreService
    patterns: list[Pattern] = field(default_factory=list)

    @property
    def keeps_replica(self) -> bool:
        return any(p.exclusive for p in self.patterns)

    def start(self) -> list[Step]:
        return [step for p in self.patterns for step in p.start()]

    def quiesce(self) -> Step:
        for pattern in self.patterns:
            yield from pattern.quiesce()

    def stats(self) -> dict[str, Any]:
        return {p.id: p.stats() for p in self.patterns if p.stats()}


def build(ids: list[str], ctx: Context, params: dict[str, dict[str, Any]]) -> Architecture:
    """Install the patterns into the context's Core Service (reads go to the source until a pattern says otherwise)."""
    check(ids)
    patterns = [PATTERNS[pid](params.get(pid, {})) for pid in expand(ids)]
    # Install by axis (AXES), so later axes can extend earlier ones; within an axis a variant follows its base.
    for pattern in sorted(patterns, key=lambda p: AXES.index(p.axis)):
        pattern.install(ctx)
        ctx.installed[pattern.id] = pattern
    return Architecture(name(ids), list(ids), ctx.core, patterns)
