"""The ERP's change callbacks: delay, concurrency (and so reordering), loss, duplication, retries."""

from __future__ import annotations

from typing import Any

import simpy

from patterns.ports import Notification
from simulator.erp import Erp
from simulator.metrics import Metrics
from tests.conftest import small_scenario


class Endpoint:
    """A subscriber that logs (time, notification) and answers with ``answer`` after ``work`` seconds."""

    def __init__(self, env: simpy.Environment, answer: bool = True, work: float = 0.0):
        self.env, self.answer, self.work = env, answer, work
        self.log: list[tuple[float, Notification]] = []
        self.in_flight = self.peak = 0

    def __call__(self, notification: Notification) -> Any:
        self.log.append((self.env.now, notification))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        yield self.env.timeout(self.work)
        self.in_flight -= 1
        return self.answer


def erp_with(**callback: Any) -> tuple[simpy.Environment, Erp, Metrics]:
    overrides = {f"erp.callback.{k}": v for k, v in callback.items()}
    sc = small_scenario(**{"scenario.warmup": 0.0, **overrides})
    env = simpy.Environment()
    metrics = Metrics(0.0, sc["scenario"]["duration"], clock=lambda: env.now)
    erp = Erp(env, sc, 7, metrics)
    metrics.truth = erp
    return env, erp, metrics


def change_every(env: simpy.Environment, erp: Erp, keys: list[int], gap: float) -> Any:
    for k in keys:
        yield env.timeout(gap)
        erp.apply(k, True, False)


def test_one_sender_delivers_every_change_in_order_after_the_delay():
    env, erp, metrics = erp_with(delay={"dist": "constant", "mean_ms": 200.0}, concurrency=1)
    endpoint = Endpoint(env)
    subscription = erp.subscribe(endpoint)
    env.process(change_every(env, erp, [3, 4, 3], gap=1.0))
    env.run(until=10)
    assert [(round(t, 6), n.key, n.version) for t, n in endpoint.log] == [(1.2, 3, 2), (2.2, 4, 2), (3.2, 3, 3)]
    assert [n.at for _, n in endpoint.log] == [1.0, 2.0, 3.0]
    assert subscription.pending == 0
    assert (metrics.callbacks_sent, metrics.callbacks_failed) == (3, 0)


def test_no_subscriber_means_no_callbacks():
    env, erp, metrics = erp_with()
    env.process(change_every(env, erp, [1, 2], gap=1.0))
    env.run(until=5)
    assert metrics.callbacks_sent == 0 and erp.callbacks.sent == 0


def test_concurrent_senders_overtake_each_other_and_respect_the_limit():
    env, erp, _ = erp_with(delay={"dist": "exponential", "mean_ms": 500.0}, concurrency=4)
    endpoint = Endpoint(env, work=0.05)
    erp.subscribe(endpoint)
    env.process(change_every(env, erp, list(range(200)), gap=0.05))
    env.run(until=60)
    sent_at = [n.at for _, n in endpoint.log]
    assert len(sent_at) == 200
    assert sent_at != sorted(sent_at), "with 4 senders and random delays some callbacks arrive out of order"
    assert endpoint.peak <= 4


def test_one_sender_never_reorders_even_with_random_delays():
    env, erp, _ = erp_with(delay={"dist": "exponential", "mean_ms": 500.0}, concurrency=1)
    endpoint = Endpoint(env)
    erp.subscribe(endpoint)
    env.process(change_every(env, erp, list(range(50)), gap=0.05))
    env.run(until=200)
    sent_at = [n.at for _, n in endpoint.log]
    assert len(sent_at) == 50 and sent_at == sorted(sent_at)


def test_lost_callbacks_never_reach_the_endpoint_and_count_as_failed():
    env, erp, metrics = erp_with(loss=1.0)
    endpoint = Endpoint(env)
    subscription = erp.subscribe(endpoint)
    env.process(change_every(env, erp, [1, 2, 3], gap=1.0))
    env.run(until=10)
    assert endpoint.log == []
    assert (metrics.callbacks_sent, metrics.callbacks_failed, erp.callbacks.lost) == (3, 3, 3)
    assert subscription.pending == 0


def test_a_fraction_of_callbacks_is_lost():
    env, erp, _ = erp_with(loss=0.3)
    endpoint = Endpoint(env)
    erp.subscribe(endpoint)
    env.process(change_every(env, erp, [k % 500 for k in range(1000)], gap=0.5))
    env.run(until=600)
    assert 0.25 < 1 - len(endpoint.log) / 1000 < 0.35  # binomial(1000, 0.3): 3.4 standard deviations


def test_duplicated_callbacks_arrive_twice():
    env, erp, metrics = erp_with(duplication=1.0)
    endpoint = Endpoint(env)
    erp.subscribe(endpoint)
    env.process(change_every(env, erp, [5, 6], gap=1.0))
    env.run(until=10)
    assert [n.key for _, n in endpoint.log] == [5, 5, 6, 6]
    assert metrics.callbacks_sent == 4 and erp.callbacks.duplicated == 2


def test_a_refused_callback_is_not_retried_by_default():
    env, erp, metrics = erp_with()
    endpoint = Endpoint(env, answer=False)
    subscription = erp.subscribe(endpoint)
    env.process(change_every(env, erp, [9], gap=1.0))
    env.run(until=1000)
    assert len(endpoint.log) == 1
    assert (metrics.callbacks_sent, metrics.callbacks_failed, subscription.pending) == (1, 1, 0)


def test_retries_back_off_exponentially_and_then_give_up():
    env, erp, metrics = erp_with(delay={"dist": "constant", "mean_ms": 0.0}, retries=3)
    endpoint = Endpoint(env, answer=False)
    subscription = erp.subscribe(endpoint)
    env.process(change_every(env, erp, [9], gap=1.0))
    env.run(until=4.5)
    assert subscription.pending == 1  # still owed while it waits for its next try
    env.run(until=1000)
    assert [t for t, _ in endpoint.log] == [1.0, 2.0, 4.0, 8.0]
    assert (metrics.callbacks_sent, metrics.callbacks_failed, subscription.pending) == (4, 4, 0)


def test_a_retry_that_succeeds_stops_retrying():
    env, erp, _ = erp_with(delay={"dist": "constant", "mean_ms": 0.0}, retries=5)
    answers = iter([False, False, True])

    def flaky(notification: Notification) -> Any:
        yield env.timeout(0)
        return next(answers)

    erp.subscribe(flaky)
    env.process(change_every(env, erp, [2], gap=1.0))
    env.run(until=100)
    assert (erp.callbacks.sent, erp.callbacks.failed, erp.callbacks.retried) == (3, 2, 2)


def test_callbacks_outside_the_measured_window_are_not_counted():
    sc = small_scenario(**{"scenario.warmup": 5.0, "scenario.duration": 10.0})
    env = simpy.Environment()
    metrics = Metrics(5.0, 10.0, clock=lambda: env.now)
    erp = Erp(env, sc, 7, metrics)
    metrics.truth = erp
    erp.subscribe(Endpoint(env))
    env.process(change_every(env, erp, [1, 2, 3, 4], gap=4.0))  # changes at 4, 8, 12, 16
    env.run(until=30)
    assert erp.callbacks.sent == 4 and metrics.callbacks_sent == 2


def test_callbacks_are_deterministic_for_a_seed():
    def arrivals() -> list[tuple[float, int]]:
        env, erp, _ = erp_with(delay={"dist": "exponential", "mean_ms": 300.0}, concurrency=3, duplication=0.2,
                               loss=0.1)
        endpoint = Endpoint(env)
        erp.subscribe(endpoint)
        env.process(change_every(env, erp, list(range(40)), gap=0.1))
        env.run(until=60)
        return [(t, n.key) for t, n in endpoint.log]

    assert arrivals() == arrivals()
