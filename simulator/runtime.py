"""The ``Runtime`` port backed by a SimPy environment: how patterns see simulated time."""

from __future__ import annotations

from typing import Any

import simpy

from patterns.ports import Step


class SimRuntime:
    """Clock, timers, activities and signals of one SimPy environment."""

    __slots__ = ("env", "sleep", "spawn", "event")

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.sleep = env.timeout
        self.spawn = env.process
        self.event = env.event

    @property
    def now(self) -> float:
        return self.env.now

    def first_of(self, *events: Any) -> simpy.events.AnyOf:
        """An event that fires when the first of ``events`` does (a timeout race)."""
        return simpy.events.AnyOf(self.env, events)

    def run_step(self, step: Step) -> Any:
        """Run a step to completion as a process (tests and tools)."""
        return self.env.process(step)
