"""The ERP's change callbacks: outbound notifications to subscribed endpoints, and their faults.

After each change the ERP queues one notification (key, version, time) per subscriber. A pool of
``erp.callback.concurrency`` senders takes them in order; each waits the transit delay drawn from
``erp.callback.delay`` and then calls the endpoint, holding its slot until the endpoint answers, as
an HTTP client waits for the response. With one sender notifications arrive in change order; with
several, random delays let a later one overtake an earlier one — that is the reordering fault.

With ``payload = "record"`` each notification carries the changed record as it was at the change
(event-carried state transfer): a late one carries an older record than the ERP now holds.

Other faults, drawn per notification from the scenario: ``loss`` (dropped in transit; the ERP hears
no answer and counts the attempt as failed) and ``duplication`` (queued twice, delivered
independently). A refused or lost attempt is sent again only when ``retries`` > 0, after an
exponential back-off (1, 2, 4, ... seconds, at most 300), without holding a sender while it waits.

Every attempt is reported to the observer (``callback(accepted)``): callbacks are counted apart
from the API calls the ERP serves.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import simpy

from patterns.ports import Endpoint, Notification
from simulator.distributions import sampler

MAX_BACKOFF_S = 300.0


class Subscription:
    """One endpoint's notifications; ``pending`` counts those queued, in flight or awaiting a retry."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        self.pending = 0


@dataclass(slots=True)
class Delivery:
    subscription: Subscription
    notification: Notification
    attempt: int = 0


class Callbacks:
    """The ERP's outbound notification service (see module docstring)."""

    def __init__(self, env: simpy.Environment, spec: dict[str, Any], delay_rng: random.Random,
                 fault_rng: random.Random, observer: Any, snapshot: Callable[[int], Any] | None = None):
        """``snapshot(key)``: the record to carry, taken at the change (used when ``payload = "record"``)."""
        self.env, self.observer = env, observer
        self.snapshot = snapshot if spec["payload"] == "record" else None
        self.delay = sampler(spec["delay"], delay_rng)
        self.concurrency = spec["concurrency"]
        self.loss, self.duplication, self.retries = spec["loss"], spec["duplication"], spec["retries"]
        self.rng = fault_rng
        self.outbox = simpy.Store(env)
        self.subscriptions: list[Subscription] = []
        self._owed: dict[float, int] = {}  # change times of the notifications not yet done with, and how many
        self.sent = self.failed = self.lost = self.duplicated = self.retried = 0

    def subscribe(self, endpoint: Endpoint) -> Subscription:
        """Deliver every later change to ``endpoint``; the senders start with the first subscriber."""
        subscription = Subscription(endpoint)
        if not self.subscriptions:
            for _ in range(self.concurrency):
                self.env.process(self._sender())
        self.subscriptions.append(subscription)
        return subscription

    def notify(self, key: int, version: int, at: float) -> None:
        """The ERP's change listener: queue a notification for each subscriber."""
        record = self.snapshot(key) if self.snapshot is not None else None
        for subscription in self.subscriptions:
            notification = Notification(key, version, at, record)
            copies = 1
            if self.duplication and self.rng.random() < self.duplication:
                copies = 2
                self.duplicated += 1
            for _ in range(copies):
                self._owed[at] = self._owed.get(at, 0) + 1
                self._queue(Delivery(subscription, notification))

    def oldest(self) -> float | None:
        """The change time of the oldest notification still queued, in flight or awaiting a retry (None: none).

        What it carries may yet reach a replica, so the history it needs is kept (``CustomerBook.prune``).
        """
        return min(self._owed) if self._owed else None

    def _queue(self, delivery: Delivery) -> None:
        delivery.subscription.pending += 1
        self.outbox.put(delivery)

    def _sender(self) -> Generator[Any, Any, None]:
        while True:
            delivery = yield self.outbox.get()
            yield self.env.timeout(self.delay())
            if self.loss and self.rng.random() < self.loss:
                self.lost += 1
                accepted = False
            else:
                accepted = bool((yield from delivery.subscription.endpoint(delivery.notification)))
            self.sent += 1
            self.observer.callback(accepted)
            done = True
            if not accepted:
                self.failed += 1
                if delivery.attempt < self.retries:
                    self.retried += 1
                    delivery.subscription.pending += 1  # still owed, while it waits for the retry
                    self.env.process(self._retry(delivery))
                    done = False
            delivery.subscription.pending -= 1
            if done:
                at = delivery.notification.at
                if self._owed[at] == 1:
                    del self._owed[at]
                else:
                    self._owed[at] -= 1

    def _retry(self, delivery: Delivery) -> Generator[Any, Any, None]:
        yield self.env.timeout(min(MAX_BACKOFF_S, 2.0 ** delivery.attempt))
        delivery.attempt += 1
        delivery.subscription.pending -= 1
        self._queue(delivery)

    def stats(self) -> dict[str, int]:
        return {"sent": self.sent, "failed": self.failed, "lost": self.lost, "duplicated": self.duplicated,
                "retried": self.retried}
