"""How much change history the ERP keeps: what a copy still held somewhere can need, and no more.

Staleness judges a copy of version ``v`` by the first change after ``v``, so the history older than
every copy in existence is dead. Copies live in three places, and the low-water mark covers each:

- the local database's tables (replica, cache, sync queue): ``Store.held_versions`` reads the lowest
  version each holds per record, from committed data only;
- callbacks not yet done with (queued, in transit, awaiting a retry): ``Callbacks.oldest``;
- responses in flight: read from the ERP at most ``IN_FLIGHT_S`` ago (a response's life after the ERP
  answered is network and local-database latency; a call that waits, waits before it is answered).

``CustomerBook.prune`` runs once its history has doubled since the last pruning, so memory stays
bounded by the records held and the changes of the last ``IN_FLIGHT_S``, not by the run's length.
"""

from __future__ import annotations

from typing import Any

from patterns.store import Store

IN_FLIGHT_S = 600.0


def retain_history(sources: dict[str, Any], store: Store, in_flight_s: float | None = None) -> None:
    """Let each system of record prune its history against ``store`` (keys normalized across ``sources``)."""
    n = len(sources)
    in_flight_s = IN_FLIGHT_S if in_flight_s is None else in_flight_s
    for i, erp in enumerate(sources.values()):
        def prune(now: float, erp: Any = erp, i: int = i) -> None:
            held = store.held_versions()
            if held is None:  # uncommitted writes a rollback could undo: try again at the next change
                return
            if n > 1:  # a federation's key k lives at k // n in system k % n (simulator/sources.py)
                held = {k // n: v for k, v in held.items() if k % n == i}
            before = now - in_flight_s
            oldest = erp.callbacks.oldest()
            erp.customers.prune(before if oldest is None else min(before, oldest), held)
        erp.customers.pruner = prune
