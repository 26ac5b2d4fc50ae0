"""The ``Runtime`` port backed by a SimPy environment: how patterns see simulated time."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from typing import Any

import simpy

from patterns.ports import Step

_DEADLINE = object()  # the cause of the interrupt ``within`` sends when time is up


class SimRuntime:
    """Clock, timers, activities and signals of one SimPy environment."""

    __slots__ = ("env", "sleep", "spawn", "event", "_deadlines")

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.sleep = env.timeout
        self.spawn = env.process
        self.event = env.event
        self._deadlines: dict[float, Deadlines] = {}  # by timeout

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
        so the interrupt always lands here and never in the caller's later code. One timer watches
        every call with the same timeout (``Deadlines``).
        """
        env = self.env
        deadlines = self._deadlines.get(seconds)
        if deadlines is None:
            deadlines = self._deadlines[seconds] = Deadlines(env, seconds)
        watch = deadlines.watch(env.active_process)
        try:
            # The step's events are waited for here, as ``_drive`` would (inlined: this loop runs at every
            # event of every guarded call). If the deadline interrupts the wait, the step goes on elsewhere.
            target = next(step)
            while True:
                try:
                    value = yield target
                except simpy.Interrupt:
                    env.process(_drive(step, target))
                    raise
                except Exception as exc:  # noqa: BLE001 - the event failed: the step handles it or not
                    target = step.throw(exc)
                    continue
                target = step.send(value)
        except StopIteration as stop:
            return stop.value
        except simpy.Interrupt as interrupt:
            if interrupt.cause is _DEADLINE:
                raise TimeoutError(f"no answer within {seconds:g} s") from None
            raise
        finally:
            watch[RUNNING] = False


DEADLINE, CALLER, RUNNING = range(3)  # a watched call: [deadline, caller process, still running?]


class Deadlines:
    """The deadlines of every guarded call with one timeout, kept by one timer instead of a timer each.

    Calls with equal timeouts fall due in the order they began, so a queue in that order and one
    timer, set for the earliest deadline of a call still running, interrupt the same calls at the
    same instants as a timer per call would. What that spares is not only one event per call: with
    a 10 s timeout a timer per call kept hundreds of far-off events in SimPy's queue, and every
    event of the run paid for the deeper heap.
    """

    __slots__ = ("env", "seconds", "watched", "armed")

    def __init__(self, env: simpy.Environment, seconds: float):
        self.env, self.seconds = env, seconds
        self.watched: deque[list[Any]] = deque()
        self.armed = False

    def watch(self, caller: Any) -> list[Any]:
        """Interrupt ``caller`` when the timeout has passed, unless its entry says it stopped running first."""
        entry = [self.env.now + self.seconds, caller, True]
        self.watched.append(entry)
        if not self.armed:
            self._arm(entry[DEADLINE])
        return entry

    def _arm(self, at: float) -> None:
        """Ring at ``at`` exactly: the delay is nudged until SimPy's ``now + delay`` rounds to ``at``."""
        now = self.env.now
        delay = at - now
        while now + delay < at:
            delay = math.nextafter(delay, math.inf)
        while now + delay > at:
            delay = math.nextafter(delay, -math.inf)
        self.env.timeout(delay).callbacks.append(self._ring)
        self.armed = True

    def _ring(self, _: Any) -> None:
        now, watched = self.env.now, self.watched
        while watched and (watched[0][DEADLINE] <= now or not watched[0][RUNNING]):
            _, caller, running = watched.popleft()
            if running:
                caller.interrupt(_DEADLINE)
        self.armed = False
        if watched:
            self._arm(watched[0][DEADLINE])


def _drive(step: Generator[Any, Any, Any], target: Any) -> Generator[Any, Any, Any]:
    """Run ``step`` on from ``target``, the event it waits for, as a process would run it."""
    while True:
        try:
            value = yield target
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
