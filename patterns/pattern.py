"""The base every pattern extends, and the context patterns are attached to.

Two-phase set-up: the constructor validates the pattern's parameters (from the scenario's
``[patterns.<id>]`` table); ``install`` binds it to one run's Core Service, source and database.
``start`` returns the background work (timers, workers) to spawn; ``quiesce`` drains it at the end
of a run so convergence can be checked.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from patterns.integration import IntegrationError
from patterns.ports import NULL_OBSERVER, Caller, Observer, Runtime, Step
from patterns.store import LocalStoreError

if TYPE_CHECKING:
    from patterns.core_service import CoreService
    from patterns.integration import IntegrationService
    from patterns.store import Store

# Errors a sync step recovers from by trying again later: the source failed, or the local database did.
RECOVERABLE = (IntegrationError, LocalStoreError)

SYNC_CALLER = Caller("customer-sync", frozenset({"customers.read", "customers.sync"}))


@dataclass
class Context:
    """What one run offers the patterns it is built from."""

    runtime: Runtime
    store: Store
    integration: IntegrationService
    core: CoreService
    rng: random.Random
    observer: Observer = NULL_OBSERVER
    sync_caller: Caller = SYNC_CALLER
    sources: dict[str, Any] = field(default_factory=dict)
    # The architecture's patterns installed so far, by id: a variant finds the pattern it extends here.
    installed: dict[str, Pattern] = field(default_factory=dict)


class Pattern:
    """A strategy for one axis of an architecture (see DESIGN section 2)."""

    id: ClassVar[str] = ""
    axis: ClassVar[str] = ""  # summary | detail | placement | sources
    title: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    advantages: ClassVar[tuple[str, ...]] = ()
    disadvantages: ClassVar[tuple[str, ...]] = ()
    keeps_replica: ClassVar[bool] = False  # does it keep a summary replica that must converge?
    needs: ClassVar[tuple[str, ...]] = ()  # one of these must be in the same architecture
    conflicts: ClassVar[dict[str, str]] = {}  # pattern id -> why the two cannot be combined
    # Metrics (dotted names in a run's results) that show what this pattern trades, beyond latency, ERP
    # load and staleness; a sweep of the pattern shows them. A replica-keeping pattern adds convergence.
    watch: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: dict[str, Any] | None = None):
        self.params = dict(params or {})

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
