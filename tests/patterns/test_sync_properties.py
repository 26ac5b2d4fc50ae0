"""Property: whatever the schedule of callbacks and faults, ordered and queued sync converge to the ERP.

Hypothesis draws the faults: callback delays (and so reorderings, with several senders), duplicates,
outage windows (failing fast or hanging), worker crashes, jitter between a handler's read and its
write, and the seed that places every change. Each example is a tiny run (3 to 15 customers,
17 simulated seconds); after quiescence the replica must equal the ERP record for record. The
last test shows the check has teeth: on one racy schedule plain realtime_sync fails it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.run import run
from tests.conftest import small_scenario

outage = st.fixed_dictionaries({"start": st.floats(0.0, 30.0), "duration": st.floats(0.5, 15.0),
                                "mode": st.sampled_from(["fail", "hang"])})
delay = st.one_of(
    st.builds(lambda m: {"dist": "exponential", "mean_ms": m}, st.floats(0.0, 800.0)),
    st.builds(lambda lo, w: {"dist": "uniform", "low_ms": lo, "high_ms": lo + w}, st.floats(0.0, 200.0),
              st.floats(0.0, 800.0)),
    st.just({"dist": "constant", "mean_ms": 50.0}),
)
schedules = st.fixed_dictionaries({
    "scenario.seed": st.integers(0, 10**6),
    "data.customers": st.integers(3, 15),  # few records: the same one often changes twice in a row
    "erp.update_rate": st.floats(1.0, 30.0),
    "erp.summary_change_fraction": st.floats(0.2, 1.0),
    "erp.callback.delay": delay,
    "erp.callback.concurrency": st.integers(1, 16),
    "erp.callback.duplication": st.floats(0.0, 0.5),
    "erp.outages": st.lists(outage, max_size=2).map(lambda ws: sorted(ws, key=lambda w: w["start"])),
    "erp.network_latency": st.builds(lambda s: {"dist": "lognormal", "mean_ms": 30.0, "sigma": s},
                                     st.floats(0.1, 1.5)),
    "local_db.latency": st.builds(lambda m, s: {"dist": "lognormal", "mean_ms": m, "sigma": s},
                                  st.floats(0.0, 60.0), st.floats(0.1, 1.5)),
})
TINY = {"scenario.duration": 15.0, "scenario.warmup": 2.0, "workload.rate": 3.0}
PROPERTY = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def converges(spec: str, overrides: dict[str, Any]) -> dict[str, Any]:
    block = run(small_scenario(**{**TINY, **overrides}), spec)["architectures"][spec]
    assert block["convergence"] == {"divergent_records": 0, "lost_changes": 0, "drained": True}, block["pattern_stats"]
    return block


@PROPERTY
@given(schedule=schedules, loss=st.floats(0.0, 0.3))
def test_ordered_sync_converges_for_any_schedule(schedule: dict[str, Any], loss: float):
    # Inline handling has no queue: a change reaches the replica only if the ERP delivers it, so
    # the ERP retries (refused during an outage, or lost on the way) and handlers match its senders.
    converges("ordered_sync", {**schedule, "erp.callback.loss": loss, "erp.callback.retries": 12,
                               "patterns.realtime_sync.handlers": schedule["erp.callback.concurrency"]})


@PROPERTY
@given(schedule=schedules, crash_rate=st.floats(0.0, 0.4), workers=st.integers(1, 6))
def test_queued_sync_converges_for_any_schedule(schedule: dict[str, Any], crash_rate: float, workers: int):
    # No ERP retries and two handlers: once enqueued, a change is the queue's to keep. max_tries is
    # high enough that a healthy change is not buried for its workers' crashes (0.4^20).
    converges("queued_sync", {**schedule, "patterns.queued_sync.crash_rate": crash_rate,
                              "patterns.queued_sync.workers": workers, "patterns.queued_sync.max_tries": 20,
                              "patterns.queued_sync.lease": 5.0})


@PROPERTY
@given(schedule=schedules, crash_rate=st.floats(0.0, 0.4))
def test_queued_and_ordered_sync_converge_for_any_schedule(schedule: dict[str, Any], crash_rate: float):
    converges("queued_sync+ordered_sync", {**schedule, "patterns.queued_sync.crash_rate": crash_rate,
                                           "patterns.queued_sync.max_tries": 20, "patterns.queued_sync.lease": 5.0})


def test_the_check_fails_plain_realtime_sync_on_a_racy_schedule():
    # 4 hot records, 30 changes a second, 16 senders and handlers, long-tailed latency after the read.
    racy = {"scenario.seed": 1, "data.customers": 4, "erp.update_rate": 30.0, "erp.summary_change_fraction": 1.0,
            "erp.callback.concurrency": 16, "patterns.realtime_sync.handlers": 16,
            "erp.callback.delay": {"dist": "exponential", "mean_ms": 20.0},
            "erp.network_latency": {"dist": "lognormal", "mean_ms": 30.0, "sigma": 1.5},
            "local_db.latency": {"dist": "lognormal", "mean_ms": 50.0, "sigma": 1.5}}
    with pytest.raises(AssertionError, match="divergent_records"):
        converges("realtime_sync", racy)
    converges("ordered_sync", racy)
