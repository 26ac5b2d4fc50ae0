"""Consumers: a Poisson stream of requests against the Core Service.

The operation mix and key popularity come from the scenario; bursts multiply the rate inside
their windows (arrivals drawn at the peak rate and thinned, which keeps the process exactly
Poisson with a piecewise-constant rate). Each request is its own SimPy process, and every record
it gets back is judged for staleness.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from typing import Any

import simpy

from patterns.core_service import CoreService
from patterns.integration import IntegrationError
from patterns.ports import Caller
from simulator.distributions import streams
from simulator.erp import DETAIL_GROUP, SEGMENTS, SUMMARY_GROUP, Erp
from simulator.metrics import Metrics
from simulator.popularity import picker

CONSUMER = Caller("customer-portal", frozenset({"customers.read", "customers.write"}))


class Workload:
    """The consumers of one run: arrivals until the horizon, then nothing new."""

    def __init__(self, env: simpy.Environment, scenario: dict[str, Any], seed: int, core: CoreService,
                 erp: Erp, metrics: Metrics, caller: Caller = CONSUMER):
        w = scenario["workload"]
        self.env, self.core, self.erp, self.metrics, self.caller = env, core, erp, metrics, caller
        self.rng = streams(seed, "arrivals", "mix", "keys", "values")
        self.rate = w["rate"]
        self.page_size = w["page_size"]
        self.bursts = [(b["start"], b["start"] + b["duration"], b["multiplier"]) for b in w["bursts"]]
        self.peak = self.rate * max([1.0] + [m for _, _, m in self.bursts])
        fractions = [w["list_fraction"], w["get_fraction"], w["detail_fraction"], w["update_fraction"]]
        self.thresholds = [sum(fractions[: i + 1]) for i in range(4)]
        self.summary_fraction = scenario["erp"]["summary_change_fraction"]
        self.pick = picker(w["request_distribution"], lambda: erp.count, erp.count, w["zipf_theta"],
                           self.rng["keys"])
        warmup = scenario["scenario"]["warmup"]
        self.window = (warmup, warmup + scenario["scenario"]["duration"])
        self._in_flight: dict[int, tuple[str, float]] = {}  # request number -> (operation, arrival time)
        self._settled: simpy.Event | None = None
        self._numbers = itertools.count()

    def rate_at(self, t: float) -> float:
        for start, end, multiplier in self.bursts:
            if start <= t < end:
                return self.rate * multiplier
        return self.rate

    def arrivals(self, horizon: float) -> Generator[Any, Any, None]:
        if self.peak <= 0:
            return
        env, rng, mix = self.env, self.rng["arrivals"], self.rng["mix"]
        thresholds = self.thresholds
        handlers = (self._list, self._get, self._detail, self._update)
        while True:
            yield env.timeout(rng.expovariate(self.peak))
            now = env.now
            if now >= horizon:
                return
            if self.bursts and rng.random() * self.peak >= self.rate_at(now):
                continue
            u = mix.random()
            op = 0 if u < thresholds[0] else 1 if u < thresholds[1] else 2 if u < thresholds[2] else 3
            env.process(handlers[op](self.pick(), now))

    def settled(self) -> simpy.Event:
        """An event that fires once no request is in flight (at once if none is)."""
        self._settled = self.env.event()
        if not self._in_flight:
            self._settled.succeed()
        return self._settled

    def give_up(self) -> int:
        """Count every request of the window still unanswered as failed ("unanswered"); how many there were."""
        start, end = self.window
        late = [(op, arrived) for op, arrived in self._in_flight.values() if start <= arrived < end]
        for op, arrived in late:
            self.metrics.request(op, arrived, self.env.now, False, "unanswered")
        self._in_flight.clear()
        return len(late)

    def _list(self, key: int, arrived: float) -> Generator[Any, Any, None]:
        step = self.core.list_customers(self.caller, {"city": self.erp.city_of(key)}, 0, self.page_size)
        return self._serve("list", step, arrived, SUMMARY_GROUP)

    def _get(self, key: int, arrived: float) -> Generator[Any, Any, None]:
        return self._serve("get", self.core.get_customer(self.caller, key), arrived, SUMMARY_GROUP)

    def _detail(self, key: int, arrived: float) -> Generator[Any, Any, None]:
        return self._serve("detail", self.core.get_customer_detail(self.caller, key), arrived, DETAIL_GROUP)

    def _update(self, key: int, arrived: float) -> Generator[Any, Any, None]:
        rng = self.rng["values"]
        if rng.random() < self.summary_fraction:
            changes: dict[str, Any] = {"segment": SEGMENTS[rng.randrange(len(SEGMENTS))]}
        else:
            changes = {"credit_limit": float(rng.randrange(1, 50) * 1000)}
        return self._serve("update", self.core.update_customer(self.caller, key, changes), arrived, None)

    def _serve(self, op: str, step: Generator[Any, Any, Any], arrived: float,
               group: str | None) -> Generator[Any, Any, None]:
        """Run one request; record its latency (or failure) and judge the records it returned."""
        number = next(self._numbers)
        in_flight = self._in_flight
        in_flight[number] = (op, arrived)
        try:
            result = yield from step
        except IntegrationError as exc:
            self.metrics.request(op, arrived, self.env.now, False, type(exc).__name__)
            return
        finally:  # done (inline, as every request passes here)
            in_flight.pop(number, None)
            if not in_flight and self._settled is not None and not self._settled.triggered:
                self._settled.succeed()
        self.metrics.answered(op, group, result if op == "list" else [result], arrived, self.env.now)
