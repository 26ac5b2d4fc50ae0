"""The fault matrix: which sync patterns converge to the ERP under which faults, and which cannot.

Expectations, by design of each pattern:
- ``batch_sync`` pulls changes by cursor: no fault that ends can make it lose a change.
- ``queued_sync`` (alone or ordered) takes every callback into a durable queue and retries: it
  survives everything except callbacks the ERP never sends (no queue can hold what never came;
  that needs a periodic reconciliation, which is what batch_sync is), and callbacks refused
  because the queue's own database failed, unless the ERP retries them. An item whose workers
  die ``max_tries`` times (crashes, or local database errors mid-item) is buried as poison: a
  change lost unless the record changes again.
- plain ``realtime_sync`` and ``ordered_sync`` without a queue handle callbacks inline with few
  handlers and no retry: a callback that arrives while the ERP is down, or while every handler is
  busy, is a change lost. The seed warns of exactly this; the matrix shows it.

Some faults lose a change on every seed (``LOSES``). Others only drop one now and then (a callback
refused, an item buried), and a later change of the same record may repair it: whether the run
ends divergent is the draw's (``MAY_LOSE``). There the test checks that the fault did reach the
pattern and that any loss comes from what it dropped.
"""

from __future__ import annotations

import pytest

from simulator.faults import FAULTS, SYNC_ARCHITECTURES, WHY, applies, base_scenario, cell, markdown, matrix

INLINE = {"outage", "callback_loss", "callback_reorder", "local_db_errors"}
LOSES = {
    "batch_sync": set(),
    "queued_sync": {"callback_loss", "local_db_errors"},
    "queued_sync+ordered_sync": {"callback_loss", "local_db_errors"},
    "realtime_sync": INLINE,
    "ordered_sync": INLINE,
}
INLINE_REFUSED = {"hang", "errors", "callback_delay"}  # callbacks refused now and then
BURIED = {"worker_crash", "local_db_errors_retried"}  # an item may die max_tries times
MAY_LOSE = {
    "batch_sync": set(),
    "queued_sync": BURIED,
    "queued_sync+ordered_sync": BURIED,
    "realtime_sync": INLINE_REFUSED,
    "ordered_sync": INLINE_REFUSED,
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_sync_pattern_converges_unless_the_fault_defeats_it_by_design(fault):
    base = base_scenario()
    for architecture in SYNC_ARCHITECTURES:
        row = cell(base, fault, architecture)
        assert row["drained"], (fault, architecture)
        if fault in LOSES[architecture]:
            assert row["lost"] > 0 and row["divergent"] > 0, row
        elif fault in MAY_LOSE[architecture]:
            if fault in INLINE_REFUSED:
                assert row["callbacks_failed"] > 0, row  # the fault reached the handlers: losses come from there
            else:
                assert row["converged"] or row["dead_letters"] > 0, row  # a loss is a buried item
        else:
            assert row["converged"], row


def test_markdown_has_a_row_per_fault_and_a_column_per_architecture():
    rows = [{"fault": f, "architecture": a, "divergent": 0, "lost": 0, "converged": True, "availability": 1.0}
            for f in ("none", "outage") for a in ("batch_sync", "queued_sync")]
    rows[1].update(divergent=2, lost=3, converged=False)
    table = markdown(rows).splitlines()
    assert table[0] == "| fault | batch_sync | queued_sync |"
    assert table[3].startswith("| outage") and "**2 divergent, 3 lost**" in table[2]


def test_a_fault_in_one_patterns_keys_is_na_for_architectures_without_it():
    assert not applies("worker_crash", "batch_sync") and not applies("worker_crash", "ordered_sync")
    assert applies("worker_crash", "queued_sync") and applies("worker_crash", "queued_sync+ordered_sync")
    assert all(applies(f, a) for f in FAULTS if f != "worker_crash" for a in SYNC_ARCHITECTURES)
    rows = matrix(["worker_crash"], ["batch_sync"])
    assert rows == [{"fault": "worker_crash", "architecture": "batch_sync", "applies": False}]  # not run at all
    assert "| worker_crash: sync workers crash on 20% of items | n/a |" in markdown(rows)


def test_every_fault_is_explained_in_a_sentence_under_the_table():
    assert WHY.keys() == FAULTS.keys()
    rows = [{"fault": f, "architecture": "batch_sync", "divergent": 0, "lost": 0, "converged": True,
             "availability": 1.0} for f in FAULTS]
    text = markdown(rows)
    assert all(f"- **{f}**: {WHY[f]}" in text for f in FAULTS)
