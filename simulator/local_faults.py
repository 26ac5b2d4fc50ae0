"""Local database errors, injected under the patterns' SQL as a failing database would fail.

A SQLAlchemy ``before_cursor_execute`` hook raises ``OperationalError`` for a share of statements
(``local_db.error_rate``), drawn from the run's own random stream. The patterns see a real
SQLAlchemy error, which their store turns into ``LocalStoreError`` after rolling back.
"""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import OperationalError


class DatabaseErrors:
    """Fails a share of statements while ``active``; switch it off to read the database at the end."""

    def __init__(self, engine: Any, rate: float, rng: random.Random):
        self.rate, self.rng = rate, rng
        self.active = rate > 0
        self.injected = 0
        if self.active:
            event.listen(engine, "before_cursor_execute", self._maybe_fail)

    def _maybe_fail(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                    executemany: bool) -> None:
        if self.active and self.rng.random() < self.rate:
            self.injected += 1
            raise OperationalError(statement, parameters, Exception("disk I/O error (injected)"))
