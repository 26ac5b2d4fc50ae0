"""Charts for reports, drawn with matplotlib's object API on the Agg canvas (no pyplot, no display).

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies) and every series
also differs by line style and marker, so the charts still read when printed in black and white.
Every axis names its quantity and unit.
"""

from __future__ import annotations

import io
import math
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
LINESTYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
SIZE = (8.0, 4.5)
DPI = 150


def style(i: int) -> dict[str, Any]:
    """The i-th series' look: colour, line style and marker all change, so each can be told apart."""
    return {"color": OKABE_ITO[i % len(OKABE_ITO)], "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)]}


def new_figure(rows: int = 1, cols: int = 1, height: float | None = None) -> tuple[Figure, list[Any]]:
    fig = Figure(figsize=(SIZE[0], height or SIZE[1] * (1 if rows == 1 else 0.65 * rows)), dpi=DPI,
                 layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat:
        ax.grid(True, color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    return fig, flat


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def time_axis(duration_s: float) -> tuple[float, str]:
    """Divisor and unit for simulated time: seconds, minutes or hours, whichever reads best."""
    if duration_s >= 4 * 3600:
        return 3600.0, "h"
    if duration_s >= 600:
        return 60.0, "min"
    return 1.0, "s"


def _times(block: dict[str, Any], warmup: float, duration: float) -> tuple[list[float], str]:
    ts = block["timeseries"]
    div, unit = time_axis(duration)
    width = ts["bucket_s"]
    return [(warmup + (i + 0.5) * width) / div for i in range(len(ts["requests"]))], unit


def _legend(ax: Any) -> None:
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=8, frameon=False)


# -- one run --------------------------------------------------------------------------------------------
def latency_cdf(doc: dict[str, Any]) -> Figure:
    """Share of requests answered within x ms, per architecture (log x: fast and slow paths both show)."""
    fig, (ax,) = new_figure()
    for i, (name, block) in enumerate(doc["architectures"].items()):
        xs, ys = _cdf_points(block)
        pts = [(x * 1000, y) for x, y in zip(xs, ys, strict=True) if x > 0]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] * 100 for p in pts], label=name, markevery=10, markersize=4,
                    drawstyle="steps-post", **style(i))
        else:  # keep the legend honest: the architecture ran, but answered nothing
            ax.plot([], [], label=f"{name} (no successful requests)", **style(i))
    ax.set_xscale("log")
    ax.set_xlabel("consumer request latency (ms, log scale)")
    ax.set_ylabel("requests answered within (%)")
    ax.set_ylim(0, 100)
    ax.set_title("Latency distribution (CDF), all operations")
    _legend(ax)
    return fig


def _cdf_points(block: dict[str, Any]) -> tuple[list[float], list[float]]:
    cdf = block.get("latency_cdf_s")
    if cdf:
        return list(cdf["all"]), list(cdf["q"])
    lat = block["latency_s"]["all"]  # older results: only a few percentiles to go on
    return [lat["p50"], lat["p95"], lat["p99"], lat["max"]], [0.5, 0.95, 0.99, 1.0]


def erp_load(doc: dict[str, Any]) -> Figure:
    """ERP calls per second and ERP utilization per time bucket."""
    s = doc["scenario"]
    warmup, duration, capacity = s["scenario"]["warmup"], s["scenario"]["duration"], s["erp"]["capacity"]
    fig, (top, bottom) = new_figure(2, 1)
    for i, (name, block) in enumerate(doc["architectures"].items()):
        ts = block["timeseries"]
        t, unit = _times(block, warmup, duration)
        top.plot(t, [c / ts["bucket_s"] for c in ts["erp_calls"]], label=name, markevery=max(1, len(t) // 12),
                 markersize=4, **style(i))
        if "erp_busy_s" in ts:
            bottom.plot(t, [100 * b / (capacity * ts["bucket_s"]) for b in ts["erp_busy_s"]], label=name,
                        markevery=max(1, len(t) // 12), markersize=4, **style(i))
        bottom.set_xlabel(f"simulated time ({unit})")
    top.set_ylabel("ERP calls per second (calls/s)")
    top.set_title("ERP load over simulated time")
    bottom.set_ylabel("ERP utilization (%)")
    bottom.set_ylim(bottom=0)
    top.set_ylim(bottom=0)
    _legend(top)
    return fig


def queues(doc: dict[str, Any]) -> Figure:
    """Mean ERP queue length and sync queue length per time bucket."""
    s = doc["scenario"]["scenario"]
    fig, (top, bottom) = new_figure(2, 1)
    for i, (name, block) in enumerate(doc["architectures"].items()):
        ts = block["timeseries"]
        t, unit = _times(block, s["warmup"], s["duration"])
        every = max(1, len(t) // 12)
        top.plot(t, ts.get("erp_queue", [0.0] * len(t)), label=name, markevery=every, markersize=4, **style(i))
        bottom.plot(t, ts.get("sync_queue", [0.0] * len(t)), label=name, markevery=every, markersize=4,
                    **style(i))
        bottom.set_xlabel(f"simulated time ({unit})")
    top.set_title("Queue lengths over simulated time (time-weighted mean per bucket)")
    for ax, label in ((top, "ERP queue (calls waiting)"), (bottom, "sync queue (items)")):
        ax.set_ylim(bottom=0)
        if ax.get_ylim()[1] > 200:  # an overloaded architecture must not flatten the others to zero
            ax.set_yscale("symlog", linthresh=1.0)
            label += ", symlog scale"
        ax.set_ylabel(label)
    _legend(top)
    return fig


def staleness(doc: dict[str, Any]) -> Figure:
    """Share of record reads that were stale, per time bucket; and latency p95 over time below it."""
    s = doc["scenario"]["scenario"]
    fig, (top, bottom) = new_figure(2, 1)
    for i, (name, block) in enumerate(doc["architectures"].items()):
        ts = block["timeseries"]
        t, unit = _times(block, s["warmup"], s["duration"])
        every = max(1, len(t) // 12)
        stale = [100 * st / r if r else math.nan for st, r in zip(ts["stale_reads"], ts["reads"], strict=True)]
        top.plot(t, stale, label=name, markevery=every, markersize=4, **style(i))
        bottom.plot(t, [x * 1000 for x in ts["latency_p95_s"]], label=name, markevery=every, markersize=4,
                    **style(i))
        bottom.set_xlabel(f"simulated time ({unit})")
    top.set_ylabel("stale reads (% of records read)")
    top.set_title("Staleness and latency over simulated time")
    bottom.set_ylabel("latency p95 (ms)")
    top.set_ylim(bottom=0)
    bottom.set_ylim(bottom=0)
    _legend(top)
    return fig


def stale_share(block: dict[str, Any]) -> float:
    """Stale reads as a share of all record reads, summary and detail together."""
    st = block["staleness"]
    reads = st["summary"]["reads"] + st["detail"]["reads"]
    return (st["summary"]["stale"] + st["detail"]["stale"]) / reads if reads else 0.0


def tradeoff(points: dict[str, list[tuple[float, float, float, str]]], title: str) -> Figure:
    """Latency p95 against ERP load and against staleness: one mark per architecture (and label).

    ``points`` maps an architecture to ``(latency_s, erp_calls_per_s, stale_share, label)`` marks;
    several marks (a sweep's values) are joined by a line in order.
    """
    fig, (left, right) = new_figure(1, 2)
    for i, (name, marks) in enumerate(points.items()):
        st = style(i)
        lat = [m[0] * 1000 for m in marks]
        for ax, ys in ((left, [m[1] for m in marks]), (right, [100 * m[2] for m in marks])):
            ax.plot(lat, ys, label=name, markersize=7, **st)
            for x, y, m in zip(lat, ys, marks, strict=True):
                if m[3]:
                    ax.annotate(m[3], (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
    left.set_xlabel("latency p95 (ms)")
    left.set_ylabel("ERP load (calls/s)")
    right.set_xlabel("latency p95 (ms)")
    right.set_ylabel("stale reads (% of records read)")
    left.set_ylim(bottom=0)
    right.set_ylim(bottom=0)
    fig.suptitle(title + " — lower left is better")
    _legend(left)
    return fig


def _answered(block: dict[str, Any]) -> str:
    """A warning label when many requests failed: their latency is missing from the mark."""
    availability = block["requests"]["availability"]
    return f"only {availability:.0%} answered" if availability < 0.99 else ""


def run_tradeoff(doc: dict[str, Any]) -> Figure:
    points = {name: [(b["latency_s"]["all"]["p95"], b["erp"]["calls_per_s"], stale_share(b), _answered(b))]
              for name, b in doc["architectures"].items()}
    return tradeoff(points, "Trade-off: latency, ERP load, staleness")


def run_charts(doc: dict[str, Any], prefix: str = "") -> dict[str, Figure]:
    """Every chart of one run's results, by file name."""
    return {f"{prefix}latency_cdf.png": latency_cdf(doc), f"{prefix}erp_load.png": erp_load(doc),
            f"{prefix}queues.png": queues(doc), f"{prefix}staleness.png": staleness(doc),
            f"{prefix}tradeoff.png": run_tradeoff(doc)}
