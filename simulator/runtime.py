"""The ``Runtime`` port backed by a SimPy environment: how patterns see simulated time."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from patterns.ports import Step

_DEADLINE = object()  # the cause of the interrupt ``within`` sends when time is up


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

    def within(self, step: Step, seconds: float) -> Step:
        """Run ``step`` in the calling process; after ``seconds`` give up on it with ``TimeoutError``.

        A step given up on is not cancelled: it goes on in a process of its own, as a remote system
        goes on serving a call whose caller stopped waiting. Running the step in the caller's own
        process, and only moving it out when time is up, spares a process, a condition event and
        their scheduling per call: the price of the simpler ``spawn`` + ``AnyOf`` race was a quarter
        of a ``direct`` run's CPU time.

        The deadline interrupts the caller. SimPy schedules an interrupt as urgent, ahead of every
        ordinary event at the same instant, and the timer only sends it while the step still runs,
        so the interrupt always lands here and never in the caller's later code.
        """
        env = self.env
        caller = env.active_process
        running = True

        def expire(_: Any) -> None:
            if running:
                caller.interrupt(_DEADLINE)

        env.timeout(seconds).callbacks.append(expire)
        try:
            try:
                target = next(step)
            except StopIteration as stop:
                return stop.value
            while True:
                try:
                    value = yield target
                except simpy.Interrupt as interrupt:
                    env.process(_run_on(step, target))
                    if interrupt.cause is _DEADLINE:
                        raise TimeoutError(f"no answer within {seconds:g} s") from None
                    raise
                except Exception as exc:  # noqa: BLE001 - the event failed: the step handles it or not
                    try:
                        target = step.throw(exc)
                    except StopIteration as stop:
                        return stop.value
                    continue
                try:
                    target = step.send(value)
                except StopIteration as stop:
                    return stop.value
        finally:
            running = False

    def run_step(self, step: Step) -> Any:
        """Run a step to completion as a process (tests and tools)."""
        return self.env.process(step)


def _run_on(step: Generator[Any, Any, Any], target: Any) -> Generator[Any, Any, Any]:
    """Finish a step that its caller gave up on, starting from the event it was waiting for."""
    while True:
        try:
            value = yield target
        except Exception as exc:  # noqa: BLE001 - handed to the step, as a process would
            try:
                target = step.throw(exc)
            except StopIteration as stop:
                return stop.value
            continue
        try:
            target = step.send(value)
        except StopIteration as stop:
            return stop.value
