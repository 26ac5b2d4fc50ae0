"""The sync queue of queued_sync: a table in the local database, claimed by workers with a lease.

Every operation is one SQL transaction, so the queue survives whatever the workers do:

- ``put``: the callback's transaction inserts the item and commits before the ERP gets its answer.
  An item carries the changed record when the callback did (event-carried state transfer).
- ``claim``: one ``UPDATE ... RETURNING`` takes the oldest free item (no lease, or the lease ran
  out) whose key no other worker holds, and leases it to the worker. Holding keys apart means one
  key is never fetched and written by two workers at once, so a slow worker cannot overwrite a
  newer copy with an older one. An item that was still held when its lease ran out belonged to a
  worker that died: reclaiming it counts a failed try.
- ``complete``: the replica upsert and the item's deletion commit together; a worker that dies
  before that leaves the item leased, and it is delivered again when the lease runs out. A worker
  whose lease ran out while it worked (a hanging source call) has lost the item to another
  worker: its delete matches no row (the worker name is the fencing token), so its transaction
  is rolled back and its possibly older copy is never written.
- ``release``: give an item back, free again at a given time (the source was down: not its fault),
  or with a failed try counted (``failed=True``: a permanent error).
- ``bury``: move a poison item to ``dead_letters`` in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import and_, bindparam, case, delete, exists, func, insert, or_, select, update

from patterns.ports import Customer
from patterns.store import Store, dead_letters, sync_queue


class Item(NamedTuple):
    """A claimed queue item; ``record`` is the record its callback carried, if any."""

    id: int
    key: int
    version: int
    tries: int
    worker: str
    record: Customer | None = None


class SyncQueue:
    """The queue's statements, built once over one run's ``Store`` (see module docstring)."""

    def __init__(self, store: Store):
        self.store = store
        q = sync_queue
        held = sync_queue.alias("held")
        free = or_(q.c.lease_until.is_(None), q.c.lease_until <= bindparam("t_now"))
        key_held = exists().where(held.c.key == q.c.key, held.c.worker.is_not(None),
                                  held.c.lease_until > bindparam("t_now"))
        oldest = select(q.c.id).where(free, ~key_held).order_by(q.c.id).limit(1).scalar_subquery()
        self._claim = (
            update(q).where(q.c.id == oldest, free)
            .values(lease_until=bindparam("t_until"), worker=bindparam("t_worker"),
                    tries=q.c.tries + case((q.c.worker.is_not(None), 1), else_=0))
            .returning(q.c.id, q.c.key, q.c.version, q.c.tries, q.c.worker, q.c.record))
        self._put = insert(q).values({c.name: bindparam(c.name) for c in q.c if c.name != "id"})
        self._delete = delete(q).where(q.c.id == bindparam("t_id"), q.c.worker == bindparam("t_worker"))
        self._release = update(q).where(q.c.id == bindparam("t_id"), q.c.worker == bindparam("t_worker")).values(
            lease_until=bindparam("t_until"), worker=None, tries=q.c.tries + bindparam("t_failed"))
        self._bury = insert(dead_letters).from_select(
            ["key", "version", "enqueued_at", "failed_at", "tries", "reason", "record"],
            select(q.c.key, q.c.version, q.c.enqueued_at, bindparam("t_now"), q.c.tries + bindparam("t_failed"),
                   bindparam("t_reason"), q.c.record)
            .where(q.c.id == bindparam("t_id")))
        self._next_free = select(func.min(q.c.lease_until)).where(
            and_(q.c.lease_until.is_not(None), q.c.lease_until > bindparam("t_now")))
        self._count = select(func.count()).select_from(q)
        # Every statement above runs through the driver (patterns/sql.py): built and compiled once here.
        for name in ("_claim", "_put", "_delete", "_release", "_bury", "_next_free", "_count"):
            setattr(self, name, store.prepare(getattr(self, name)))
        self.length = self.count()

    def put(self, key: int, version: int, now: float, record: Customer | None = None) -> None:
        """Take one change notification (its own transaction, committed before returning)."""
        conn = self.store.conn
        conn.run(self._put, {"key": key, "version": version, "enqueued_at": now, "lease_until": None,
                                 "worker": None, "tries": 0,
                                 "record": None if record is None else record._asdict()})
        conn.commit()
        self.length += 1

    def claim(self, worker: str, now: float, lease: float) -> Item | None:
        """Lease the oldest free item whose key no other worker holds, or None."""
        conn = self.store.conn
        row = self._claim.fetchone(conn.run(self._claim, {"t_now": now, "t_until": now + lease, "t_worker": worker}))
        conn.commit()
        if row is None:
            return None
        record = row[5]
        return Item(*row[:5], None if record is None else Customer(**record))

    def complete(self, item: Item, customers: Sequence[Customer], only_newer: bool) -> bool:
        """Drop the item and apply the fetched record in one transaction; False if the lease was lost."""
        conn = self.store.conn
        if conn.run(self._delete, {"t_id": item.id, "t_worker": item.worker}).rowcount == 0:
            conn.rollback()
            return False
        self.store.upsert_customers(customers, only_newer=only_newer, commit=False)
        conn.commit()
        self.length -= 1
        return True

    def release(self, item: Item, free_at: float, failed: bool) -> None:
        """Give the item back, claimable again from ``free_at``; ``failed`` counts a try against it."""
        conn = self.store.conn
        conn.run(self._release, {"t_id": item.id, "t_worker": item.worker, "t_until": free_at,
                                     "t_failed": int(failed)})
        conn.commit()

    def bury(self, item: Item, now: float, reason: str, failed: bool = False) -> bool:
        """Move a poison item to the dead letters (``failed``: count the try that just failed too)."""
        conn = self.store.conn
        conn.run(self._bury, {"t_id": item.id, "t_now": now, "t_reason": reason[:500], "t_failed": int(failed)})
        if conn.run(self._delete, {"t_id": item.id, "t_worker": item.worker}).rowcount == 0:
            conn.rollback()  # another worker holds it now
            return False
        conn.commit()
        self.length -= 1
        return True

    def next_free(self, now: float) -> float | None:
        """When the earliest leased or deferred item becomes claimable (None: nothing is waiting)."""
        return self._next_free.fetchone(self.store.conn.run(self._next_free, {"t_now": now}))[0]

    def count(self) -> int:
        return self._count.fetchone(self.store.conn.run(self._count, {}))[0]

    def dead(self) -> list[dict]:
        return [dict(r._mapping) for r in self.store.conn.execute(select(dead_letters).order_by(dead_letters.c.id))]
