"""The simulator checked against queueing and renewal theory, on runs long enough to be stable."""

from __future__ import annotations

import heapq
import itertools
import math
import random
from typing import Any

import pytest

import simulator.run
from simulator.metrics import Metrics
from simulator.run import run
from tests.conftest import small_scenario

CONSTANT_ZERO = {"dist": "constant", "mean_ms": 0.0}


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load ``a`` = lambda/mu (Erlang C)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def mm_c_scenario(c: int, mean_s: float, lam: float, duration: float, warmup: float) -> dict[str, Any]:
    """``direct`` as an M/M/c queue: Poisson gets of uniform keys, exponential service, nothing else takes time."""
    return small_scenario(**{
        "scenario.duration": duration, "scenario.warmup": warmup, "data.customers": 1000,
        "erp.capacity": c, "erp.network_latency": CONSTANT_ZERO, "erp.update_rate": 0.0,
        "erp.token_ttl": 1e6, "erp.service.auth": CONSTANT_ZERO,
        "erp.service.get": {"dist": "exponential", "mean_ms": mean_s * 1000},
        "workload.rate": lam, "workload.list_fraction": 0.0, "workload.get_fraction": 1.0,
        "workload.detail_fraction": 0.0, "workload.update_fraction": 0.0,
        "workload.request_distribution": "uniform",
    })


def test_direct_matches_mm_c_mean_response_time():
    """``direct`` with exponential service, no network and every request sent to the ERP is M/M/c.

    Mean response time W = 1/mu + C(c, a) / (c*mu - lambda). With c = 4, mean service 100 ms and
    lambda = 24/s (rho = 0.6) that is about 0.119 s. About 100,000 requests: the estimate's standard
    error is well under 1%, so 5% is a real tolerance, not a loose one.
    """
    c, mean_s, lam = 4, 0.1, 24.0
    sc = mm_c_scenario(c, mean_s, lam, duration=4000.0, warmup=200.0)
    block = run(sc, "direct")["architectures"]["direct"]
    a = lam * mean_s
    expected = mean_s + erlang_c(c, a) / (c / mean_s - lam)
    measured = block["latency_s"]["get"]["mean"]
    assert block["requests"]["total"] > 90_000
    assert abs(measured - expected) / expected < 0.05, (measured, expected)
    # Utilization is rho = a / c: the ERP's own bookkeeping agrees with the offered load.
    assert abs(block["erp"]["utilization"] - a / c) < 0.03


def test_batch_sync_staleness_matches_closed_form():
    """Stale fraction and mean staleness of summary reads from a replica synced every I seconds.

    Each key's summary fields change as a Poisson process of rate mu = update_rate * fraction / N
    (uniform popularity). The sync is instantaneous here (no network, zero service and local-db
    time), so right after each sync the replica is exact. A read arrives at a uniform phase u in
    [0, I) of the cycle (Poisson arrivals see time averages). It is stale iff the key changed in
    (sync, sync + u], with probability 1 - exp(-mu u); its age is u - s for the first change at s:

        stale fraction  = 1/I * integral_0^I (1 - e^{-mu u}) du = 1 - (1 - e^{-mu I}) / (mu I)
        mean age        = 1/I * integral_0^I [u - (1 - e^{-mu u}) / mu] du
                        = I/2 - 1/mu + (1 - e^{-mu I}) / (mu^2 I)      (fresh reads count as 0)

    With N = 200, 2 changes/s, all of them summary changes, mu = 0.01/s; with I = 100 s, mu*I = 1:
    stale fraction 0.368 and mean age 13.2 s. 100,000 reads over 100 cycles: 5% is comfortable.
    """
    n, rate, interval = 200, 2.0, 100.0
    sc = small_scenario(**{
        "scenario.duration": 10000.0, "scenario.warmup": 100.0, "data.customers": n,
        "erp.network_latency": CONSTANT_ZERO, "erp.update_rate": rate, "erp.summary_change_fraction": 1.0,
        "erp.service.changes": CONSTANT_ZERO, "erp.service.auth": CONSTANT_ZERO, "erp.token_ttl": 1e6,
        "local_db.latency": CONSTANT_ZERO, "patterns.batch_sync.interval": interval,
        "workload.rate": 10.0, "workload.list_fraction": 0.0, "workload.get_fraction": 1.0,
        "workload.detail_fraction": 0.0, "workload.update_fraction": 0.0,
        "workload.request_distribution": "uniform",
    })
    block = run(sc, "batch_sync")["architectures"]["batch_sync"]
    mu = rate / n
    x = mu * interval
    fraction = 1 - (1 - math.exp(-x)) / x
    mean_age = interval / 2 - 1 / mu + (1 - math.exp(-x)) / (mu * mu * interval)
    summary = block["staleness"]["summary"]
    assert summary["reads"] > 90_000
    assert abs(summary["stale_fraction"] - fraction) / fraction < 0.05, (summary["stale_fraction"], fraction)
    assert abs(summary["mean_s"] - mean_age) / mean_age < 0.05, (summary["mean_s"], mean_age)
    # No read can have missed more than one interval: the sync itself takes no time here.
    assert summary["max_s"] <= interval


def test_replications_interval_covers_mm_c_theory():
    """``run --replications 6``: the M/M/c mean response time lies inside the reported 95% interval.

    Same M/M/4 queue as above (rho = 0.6), six independent replications of 1,000 s each. The
    interval is Student's t over the six replication means, so it is honest only if the
    replications are independent and unbiased: theory outside it would show either fault.
    """
    c, mean_s, lam = 4, 0.1, 24.0
    sc = mm_c_scenario(c, mean_s, lam, duration=1000.0, warmup=100.0)
    doc = run(sc, "direct", replications=6, workers=2)
    block = doc["architectures"]["direct"]
    expected = mean_s + erlang_c(c, lam * mean_s) / (c / mean_s - lam)
    mean, half = block["latency_s"]["get"]["mean"], block["ci95"]["latency_s"]["get"]["mean"]
    assert doc["replications"] == block["replications"] == 6
    assert 0 < half < 0.05 * expected  # an interval, and a useful one
    assert mean - half <= expected <= mean + half, (mean, half, expected)
    low, high = block["ci95"]["erp"]["utilization"]
    assert low <= lam * mean_s / c <= high


def mm_c_in_system(c: int, a: float) -> float:
    """Mean number in an M/M/c system with offered load ``a``: L = a + C(c, a) * rho / (1 - rho)."""
    rho = a / c
    return a + erlang_c(c, a) * rho / (1 - rho)


def fcfs_in_system(arrivals: list[float], services: list[float], c: int, start: float, end: float) -> float:
    """Time-average number in a first-come-first-served ``c``-server queue over ``[start, end)``.

    The reference model: customer n arrives at ``arrivals[n]`` and needs ``services[n]``; it starts
    as soon as it has arrived and a server is free. Nothing else (no polling, no wake-ups).
    """
    free = [0.0] * c
    area = 0.0
    for arrived, service in zip(arrivals, services, strict=True):
        done = max(arrived, heapq.heappop(free)) + service
        heapq.heappush(free, done)
        area += max(0.0, min(done, end) - max(arrived, start))
    return area / (end - start)


def test_the_fcfs_reference_is_an_m_m_c_queue():
    """The reference model used below, fed Poisson arrivals and exponential services, is M/M/c.

    600,000 customers at rho = 0.8: the time average's standard deviation is about 1% (c = 3),
    so 3% is three of them.
    """
    rng = random.Random(5)
    for c in (3, 4):
        lam, mean_s = 0.8 * c / 0.1, 0.1
        arrivals = list(itertools.accumulate(rng.expovariate(lam) for _ in range(600_000)))
        services = [rng.expovariate(1 / mean_s) for _ in arrivals]
        measured = fcfs_in_system(arrivals, services, c, 100.0, arrivals[-1])
        expected = mm_c_in_system(c, lam * mean_s)
        assert abs(measured - expected) / expected < 0.03, (c, measured, expected)


class Recorder(Metrics):
    """The run's metrics, also keeping every ERP change time and every ``get`` call's service time."""

    runs: list[Recorder] = []

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.changes: list[float] = []
        self.gets: list[tuple[float, float]] = []
        Recorder.runs.append(self)

    def erp_change(self, key: int, group: str, now: float) -> None:
        self.changes.append(now)
        super().erp_change(key, group, now)

    def erp_call(self, op: str, started: float, service_s: float, records: int) -> None:
        if op == "get":
            self.gets.append((started, service_s))
        super().erp_call(op, started, service_s, records)


@pytest.mark.parametrize("workers", [3, 4])
def test_queued_sync_workers_serve_the_queue_as_an_m_m_c_queue(workers, monkeypatch):
    """``queued_sync`` with k workers, exponential fetches and nothing else taking time is M/M/k.

    Each ERP change (Poisson, rate lambda) is one callback, delivered at once (delay 0, one sender)
    and enqueued at once (local database time 0): the arrivals. A worker's work on an item is the
    ERP ``get`` of the record (exponential, mean 1/mu, no network, capacity 8 >= k so the ERP never
    queues it): the service. Keys are drawn uniformly from 10,000, so an item rarely waits for
    another item of its key. The sync queue holds an item from its enqueue until the transaction
    that applies it, so its time-weighted length is the number *in system*:

        L = a + C(k, a) * rho / (1 - rho),   a = lambda / mu,  rho = a / k   (C: Erlang C)

    With rho = 0.8: L = 5.586 for k = 4 and 4.988 for k = 3 (waiting alone, Lq, would be 2.386
    and 2.588).

    Measured over a short run alone, L has a sampling error (one standard deviation) of 9-12%
    (200 s, 5,000-6,000 items), which only runs a hundred times longer would bring to about 1%.
    So the run's own arrivals and fetch times are fed to the FCFS reference model above (common
    random numbers): whatever the pattern adds, such as a worker sleeping while work waits, shows
    up in full, and the control-variate estimate L_theory + (L_run - L_reference) is checked
    against M/M/k within 1%, with the default poll interval (1 s). Workers that slept while items
    waited gave 2.3 and 2.6 times M/M/k (in 400 s runs). The raw L is checked too, within its own sampling
    error.
    """
    mean_s, rho = 0.1, 0.8
    lam = rho * workers / mean_s
    sc = small_scenario(**{
        "scenario.duration": 200.0, "scenario.warmup": 50.0, "data.customers": 10_000,
        "erp.capacity": 8, "erp.network_latency": CONSTANT_ZERO, "erp.update_rate": lam, "erp.token_ttl": 1e9,
        "erp.service.auth": CONSTANT_ZERO, "erp.service.changes": CONSTANT_ZERO,
        "erp.service.get": {"dist": "exponential", "mean_ms": mean_s * 1000},
        "erp.callback.delay": CONSTANT_ZERO, "local_db.latency": CONSTANT_ZERO,
        "workload.rate": 0.0, "workload.request_distribution": "uniform",
        "patterns.queued_sync.workers": workers,
    })
    Recorder.runs = []
    monkeypatch.setattr(simulator.run, "Metrics", Recorder)
    block = run(sc, "queued_sync")["architectures"]["queued_sync"]
    (recorded,) = Recorder.runs
    start, end = 50.0, 250.0
    services = [service for _, service in sorted(recorded.gets)]  # FCFS: the n-th fetch serves the n-th item
    assert len(services) == len(recorded.changes) > 0.95 * lam * end
    measured = block["sync"]["queue_mean"]
    reference = fcfs_in_system(recorded.changes, services, workers, start, end)
    expected = mm_c_in_system(workers, lam * mean_s)
    estimate = expected + (measured - reference)
    assert abs(estimate - expected) / expected < 0.01, (measured, reference, expected)
    assert abs(measured - expected) / expected < 0.35, (measured, expected)  # 3 sampling SDs of this run


def callback_scenario(payload: str, delay_s: float, nu: float, keys: int = 100) -> dict[str, Any]:
    """Uniform gets of ``keys`` records changing at ``nu`` each; callbacks exactly ``delay_s`` late; nothing
    else takes time (network, ERP service, local database), and there are senders and handlers to spare."""
    return small_scenario(**{
        "scenario.duration": 1000.0, "scenario.warmup": 50.0, "data.customers": keys,
        "erp.network_latency": CONSTANT_ZERO, "erp.update_rate": nu * keys, "erp.summary_change_fraction": 1.0,
        "erp.token_ttl": 1e9, "erp.service.auth": CONSTANT_ZERO, "erp.service.changes": CONSTANT_ZERO,
        "erp.service.get": CONSTANT_ZERO, "local_db.latency": CONSTANT_ZERO,
        "erp.callback.delay": {"dist": "constant", "mean_ms": delay_s * 1000}, "erp.callback.concurrency": 128,
        "erp.callback.payload": payload, "patterns.realtime_sync.handlers": 8,
        "workload.rate": 50.0, "workload.list_fraction": 0.0, "workload.get_fraction": 1.0,
        "workload.detail_fraction": 0.0, "workload.update_fraction": 0.0,
        "workload.request_distribution": "uniform",
    })


@pytest.mark.parametrize("payload", ["record", "notification"])
def test_realtime_sync_staleness_with_a_constant_callback_delay(payload):
    """Stale fraction of summary reads from a replica kept by callbacks that arrive exactly P late.

    Each record changes as a Poisson process of rate nu; the callback for a change at s arrives at
    s + P (constant delay, senders to spare, so in change order) and is handled at once. A read at
    a uniform time t (Poisson reads see time averages) is stale iff the replica lacks a change made
    by t.

    - payload ``record``: the callback carries the record as it was at s, so at t the replica holds
      exactly the changes made by t - P. Stale iff a change fell in (t - P, t]:

          P(stale) = 1 - e^(-nu P)

    - payload ``notification``: the handler fetches the record as it is at s + P. Let s* be the
      last change by t - P and D = t - P - s* ~ Exp(nu) (the time since it). The last fetch, at
      s* + P = t - D, saw everything up to t - D; no change fell in (t - P - D, t - P]. So the read
      is stale iff a change fell in (t - min(D, P), t]:

          P(stale) = E[1 - e^(-nu min(D, P))]
                   = integral_0^P nu e^(-nu d) (1 - e^(-nu d)) dd + e^(-nu P) (1 - e^(-nu P))
                   = (1 - e^(-2 nu P)) / 2

    The notification is staler than its own delay would say for none of its reads, and fresher for
    some: a late notification still fetches the newest record. With nu = 0.1/s and P = 5 s: 0.393
    (record) and 0.316 (notification). 50,000 reads of 100 records: the standard error is about
    1%, so 3% is three of them.
    """
    nu, delay = 0.1, 5.0
    block = run(callback_scenario(payload, delay, nu), "realtime_sync")["architectures"]["realtime_sync"]
    if payload == "record":
        expected = 1 - math.exp(-nu * delay)
    else:
        expected = (1 - math.exp(-2 * nu * delay)) / 2
    summary = block["staleness"]["summary"]
    assert summary["reads"] > 45_000
    assert abs(summary["stale_fraction"] - expected) / expected < 0.03, (summary["stale_fraction"], expected)
    # A carried record costs the ERP nothing; a notification costs one fetch per callback.
    gets = block["erp"]["by_operation"].get("get", 0)
    assert (gets == 0) if payload == "record" else (gets >= 0.95 * block["erp"]["callbacks"]["sent"])
