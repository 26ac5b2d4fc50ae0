"""Charts that show every architecture: log latency, labels that never overprint, legends off the data,
the scenario's windows shaded, and empty panels that say why."""

from __future__ import annotations

import itertools
import json

import pytest
from matplotlib.patches import Rectangle

from app import charts
from app.sweep_charts import sweep_tradeoff
from tests.app.conftest import load_json


def drawn(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def label_boxes(ax, renderer):
    return [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]


def overlapping(boxes) -> list:
    return [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]


def test_trade_off_labels_never_overprint_even_when_marks_coincide() -> None:
    # Six architectures, four of them at the very same spot, the others close by.
    points = {f"arch_{i}": [(0.002, 0.0, 0.19, f"arch_{i}")] for i in range(4)}
    points |= {"near_a": [(0.0021, 0.05, 0.18, "near_a")], "near_b": [(0.0022, 0.1, 0.185, "near_b")]}
    fig = charts.tradeoff(points, "test")
    renderer = drawn(fig)
    for ax in fig.axes:
        boxes = label_boxes(ax, renderer)
        assert len(boxes) == 6
        assert overlapping(boxes) == []
        assert ax.get_xscale() == "log"


def test_a_sweeps_labels_at_one_spot_are_joined(sweep_json) -> None:
    doc = load_json(sweep_json)
    fig = sweep_tradeoff(doc)
    renderer = drawn(fig)
    left = fig.axes[0]
    texts = [t.get_text() for t in left.texts]
    # direct cannot be affected by patterns.batch_sync.interval: its two values sit at one spot, one label.
    assert "10, 30" in texts
    assert overlapping(label_boxes(left, renderer)) == []


def test_legends_sit_outside_every_axes(run_json) -> None:
    doc = load_json(run_json)
    for name, fig in charts.run_charts(doc).items():
        renderer = drawn(fig)
        assert fig.legends, name
        legend = fig.legends[0].get_window_extent(renderer)
        assert not any(legend.overlaps(ax.get_window_extent(renderer)) for ax in fig.axes), name


def test_outages_and_bursts_are_shaded_on_the_time_charts(run_json) -> None:
    doc = load_json(run_json)  # outage 20-25 s, change burst 10-15 s, request burst 30-35 s (conftest)
    assert [(start, end) for _, start, end, _ in charts.windows(doc["scenario"])] == [(10, 15), (20, 25), (30, 35)]
    for make in (charts.erp_load, charts.queues, charts.staleness):
        fig = make(doc)
        for ax in fig.axes:
            spans = sorted((p.get_x(), p.get_x() + p.get_width()) for p in ax.patches if isinstance(p, Rectangle))
            assert spans == [(10, 15), (20, 25), (30, 35)], make.__name__
        labels = fig.legends[0].get_texts()
        assert {"ERP outage", "ERP change burst", "request burst"} <= {t.get_text() for t in labels}


def test_a_window_in_the_warm_up_is_not_drawn(run_json) -> None:
    doc = load_json(run_json)
    doc["scenario"]["erp"]["outages"] = [{"start": 0.0, "duration": 4.0}]  # warm-up is 5 s
    doc["scenario"]["erp"]["bursts"] = doc["scenario"]["workload"]["bursts"] = []
    fig = charts.erp_load(doc)
    assert not [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]


def test_an_empty_queue_panel_says_no_queue_formed(run_json) -> None:
    doc = load_json(run_json)
    for block in doc["architectures"].values():
        block["timeseries"]["erp_queue"] = [0.0] * len(block["timeseries"]["erp_queue"])
    top, bottom = charts.queues(doc).axes
    assert any(t.get_text().startswith("no queue formed") for t in top.texts)
    assert not top.get_lines()
    assert bottom.get_lines()  # queued_sync's queue is real: drawn as usual


@pytest.mark.parametrize("value", [0.002, 0.7])
def test_the_log_latency_axis_labels_plain_numbers(value) -> None:
    fig = charts.tradeoff({"a": [(value, 1.0, 0.1, "a")], "b": [(value * 300, 2.0, 0.0, "b")]}, "t")
    drawn(fig)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels and all(json.loads(label.replace(",", "")) > 0 for label in labels)  # "2", "500", not 10^2
