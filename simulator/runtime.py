"""The ``Runtime`` port backed by a SimPy environment: how patterns see simulated time."""

from __future__ import annotations

from collections.abc import Callable, Generator
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
            return (yield from _drive(step, target, lambda at: env.process(_drive(step, at))))
        except simpy.Interrupt as interrupt:
            if interrupt.cause is _DEADLINE:
                raise TimeoutError(f"no answer within {seconds:g} s") from None
            raise
        finally:
            running = False


def _drive(step: Generator[Any, Any, Any], target: Any,
           hand_off: Callable[[Any], Any] | None = None) -> Generator[Any, Any, Any]:
    """Run ``step`` on from ``target``, the event it waits for, as a process would run it.

    If the driving process is interrupted, ``hand_off(event)`` gets the step's current event (to
    finish the step elsewhere) before the interrupt goes on to the caller.
    """
    while True:
        try:
            value = yield target
        except simpy.Interrupt:
            if hand_off is not None:
                hand_off(target)
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
