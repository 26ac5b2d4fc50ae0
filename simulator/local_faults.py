"""Local database errors, injected under the patterns' SQL as a failing database would fail.

A hook at the point every statement of the store passes (``patterns/sql.py``) fails a share of
statements (``local_db.error_rate``), drawn from the run's own random stream, before they reach
the database. The store rolls the transaction back and the patterns see ``LocalStoreError``, as
they would for a real disk or server error.
"""

from __future__ import annotations

import random

from patterns.sql import LocalStoreError
from patterns.store import Store


class DatabaseErrors:
    """Fails a share of statements while ``active``; switch it off to read the database at the end."""

    def __init__(self, store: Store, rate: float, rng: random.Random):
        self.rate, self.rng = rate, rng
        self.active = rate > 0
        self.injected = 0
        if self.active:
            store.conn.hooks.append(self._maybe_fail)

    def _maybe_fail(self) -> None:
        if self.active and self.rng.random() < self.rate:
            self.injected += 1
            raise LocalStoreError("disk I/O error (injected)")
