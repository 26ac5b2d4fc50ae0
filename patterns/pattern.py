"""The base every pattern extends, and the context patterns are attached to.

A pattern carries its own rules as class attributes: its parameters' ``defaults`` and
``check_params``; ``exclusive`` (it keeps the one summary replica an architecture may have);
``variant_of`` (it extends another pattern, which it implies); ``conflicts`` and ``needs``. The
scenario defaults, the architecture checks and the decision tree's implied patterns are all derived
from these declarations (``patterns/architecture.py``, ``simulator/scenario.py``).

Two-phase set-up: the constructor validates the pattern's parameters (from the scenario's
``[patterns.<id>]`` table); ``install`` binds it to one run's Core Service, source and database.
``start`` returns the background work (timers, workers) to spawn; ``quiesce`` drains it at the end
of a run so convergence can be checked.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from patterns.core_service import CoreService
from patterns.params import resolve
from patterns.ports import NULL_OBSERVER, Caller, Observer, Runtime, Step
from patterns.replica import RECOVERABLE, ReplicaSummary

if TYPE_CHECKING:
    from patterns.integration import IntegrationService
    from patterns.store import Store

SYNC_CALLER = Caller("customer-sync", frozenset({"customers.read", "customers.sync"}))

# The axes of an architecture, in the order their patterns are installed: a pattern
# may extend what a pattern of an earlier axis installed (transparency copies every system into the
# replica a summary sync keeps).
AXES = ("summary", "detail", "writes", "placement", "sources")
# In ``conflicts``: every other pattern.
ANY = "*"


@dataclass
class Context:
    """What one run offers the patterns it is built from: a fresh Core Service that reads direct until
    the patterns installed into it say otherwise."""

    runtime: Runtime
    store: Store
    integration: IntegrationService
    rng: random.Random
    observer: Observer = NULL_OBSERVER
    sync_caller: Caller = SYNC_CALLER
    # The architecture's patterns installed so far, by id: a variant finds the pattern it extends here.
    installed: dict[str, Pattern] = field(default_factory=dict)
    core: CoreService = field(init=False)
    # The one summary replica, once an exclusive pattern has installed it (``replica.serve_from_replica``).
    replica: ReplicaSummary | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.core = CoreService(self.integration)


class Pattern:
    """A strategy for one axis of an architecture (summary, detail or sources)."""

    id: ClassVar[str] = ""
    axis: ClassVar[str] = ""  # one of AXES
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""  # one line, for ``patternsim patterns`` and the TUI
    advantages: ClassVar[tuple[str, ...]] = ()
    disadvantages: ClassVar[tuple[str, ...]] = ()
    # Every parameter with its default: the scenario's ``[patterns.<id>]`` table (see params.py).
    defaults: ClassVar[Mapping[str, Any]] = {}
    # Parameters that take one of a few words: offered as a list (the TUI), refused otherwise.
    choices: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    exclusive: ClassVar[bool] = False  # keeps the one summary replica (which must converge)
    variant_of: ClassVar[str | None] = None  # the pattern this one extends: implied, installed first
    conflicts: ClassVar[Mapping[str, str]] = {}  # pattern id (or ANY) -> why the two cannot be combined
    needs: ClassVar[tuple[str, ...]] = ()  # one of these must be in the same architecture
    # Metrics (dotted names in a run's results) that show what this pattern trades, beyond latency, ERP
    # load and staleness; a sweep of the pattern shows them. A replica-keeping pattern adds convergence.
    watch: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> None:
        """Refuse values of the right type that this pattern cannot use (``ParamError``, see params.py)."""

    def __init__(self, params: Mapping[str, Any] | None = None):
        self.params = resolve(type(self), params)

    def install(self, ctx: Context) -> None:
        """Plug this pattern into ``ctx.core`` (reads, write hooks) and keep what it needs."""
        self.ctx = ctx

    def start(self) -> list[Step]:
        """Background activities to spawn at time 0 (timers, workers, the initial load)."""
        return []

    def quiesce(self) -> Step:
        """Let in-flight work drain after the last change; returns when this pattern is idle."""
        return
        yield  # pragma: no cover - makes this a generator

    def stats(self) -> dict[str, Any]:
        """Pattern-specific numbers for the results (rows held, queue sizes, ...)."""
        return {}


__all__ = ["AXES", "ANY", "RECOVERABLE", "SYNC_CALLER", "Context", "Pattern"]
