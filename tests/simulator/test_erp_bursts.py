"""ERP change bursts (a flash sale): the change rate is multiplied inside a window, and only there."""

from __future__ import annotations

import simpy

from simulator.erp import Erp
from tests.conftest import small_scenario


def changes_in(bursts: list[dict[str, float]]) -> list[float]:
    sc = small_scenario(**{"erp.update_rate": 5.0, "erp.bursts": bursts})
    env = simpy.Environment()
    erp = Erp(env, sc, 3)
    env.process(erp.change_process(200.0))
    env.run(until=200.0)
    return erp.customers._log_times


def test_a_burst_multiplies_the_change_rate_inside_its_window_only():
    times = changes_in([{"start": 50.0, "duration": 20.0, "multiplier": 10.0}])
    inside = sum(50.0 <= t < 70.0 for t in times)
    outside = len(times) - inside
    # Poisson counts: 1000 expected inside (20 s x 50/s), 900 outside (180 s x 5/s); 5 sd either way.
    assert abs(inside - 1000) < 5 * 1000 ** 0.5
    assert abs(outside - 900) < 5 * 900 ** 0.5


def test_without_bursts_the_rate_is_the_base_rate():
    times = changes_in([])
    assert abs(len(times) - 1000) < 5 * 1000 ** 0.5  # 200 s x 5/s
