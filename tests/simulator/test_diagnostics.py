"""Warnings that numbers alone do not give: the MSER-5 warm-up check against known series."""

from __future__ import annotations

import random

from simulator.diagnostics import mser, warmup_check


def test_mser_finds_a_transient_and_leaves_noise_alone():
    rng = random.Random(1)
    for _ in range(5):
        flat = [rng.expovariate(1.0) for _ in range(200)]
        decaying = [10 * (1 - i / 40) + rng.expovariate(1.0) if i < 40 else rng.expovariate(1.0) for i in range(200)]
        assert mser(flat) == 0
        assert 25 <= mser(decaying) <= 60  # the transient is 40 buckets long (MSER may overshoot a little)


def test_one_spike_is_not_a_transient():
    series = [0.0] * 40 + [0.5] * 5 + [0.0] * 75 + [0.02] * 5 + [0.0] * 75
    assert mser(series) == 0


def test_warmup_check_says_short_only_for_a_real_transient():
    rng = random.Random(2)
    steady = {"bucket_s": 1.0, "erp_queue": [rng.expovariate(1.0) for _ in range(200)],
              "latency_mean_s": [rng.expovariate(10.0) for _ in range(200)]}
    filling = {**steady, "latency_mean_s": [0.5 * (1 - i / 60) + v if i < 60 else v
                                            for i, v in enumerate(steady["latency_mean_s"])]}
    assert not warmup_check({"timeseries": steady})["looks_short"]
    check = warmup_check({"timeseries": filling})
    assert check["looks_short"] and check["suggested_extra_warmup_s"]["latency_mean_s"] >= 30
