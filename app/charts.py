"""Charts for reports, drawn with matplotlib's object API on the Agg canvas (no pyplot, no display).

Colours are the Okabe-Ito palette (safe for the common colour-vision deficiencies) and every series
also differs by line style and marker, so the charts still read when printed in black and white.
Every axis names its quantity and unit. Legends sit below the plot, never over the data; the
scenario's outages, bursts and latency spikes are shaded on the charts over time; labels next to
marks are placed where they cover no other label.
"""

from __future__ import annotations

import io
import math
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from matplotlib.transforms import Bbox

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
LINESTYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
SIZE = (8.0, 4.5)
DPI = 150


def style(i: int, n: int = 1) -> dict[str, Any]:
    """The i-th of n series' look: colour, line style and marker all change, so each can be told apart.

    Earlier series are drawn wider and below later ones, so two architectures with the same numbers
    (batch_sync and batch_sync+lazy_load have the same replica) show as a line inside a line.
    """
    look = {"color": OKABE_ITO[i % len(OKABE_ITO)], "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)]}
    if n > 1:
        look.update(linewidth=1.0 + 2.5 * (n - 1 - i) / (n - 1), zorder=2 + i)
    return look


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


def legend_below(fig: Figure, axes: list[Any], extra: list[Any] | None = None) -> None:
    """One legend for the figure, outside and below its axes, so it never covers a line or a mark.

    The series are taken from the first of ``axes`` that has any (an empty panel draws none).
    """
    handles, labels = next((h for h in (ax.get_legend_handles_labels() for ax in axes) if h[0]), ([], []))
    handles += [h for h in extra or []]
    labels += [h.get_label() for h in extra or []]
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(3, len(handles)), fontsize=8,
                   frameon=False)


# The scenario's windows shaded on the charts over time: (scenario key, label, colour, hatch).
WINDOWS = (("erp.outages", "ERP outage", "#999999", "xx"), ("erp.latency_spikes", "ERP latency spike", "#CC79A7", ".."),
           ("erp.bursts", "ERP change burst", "#E69F00", "//"), ("workload.bursts", "request burst", "#56B4E9", "\\\\"))


def windows(scenario: dict[str, Any]) -> list[tuple[str, float, float, str]]:
    """Every outage, spike and burst of ``scenario`` as (label, start s, end s, key) in time order."""
    found = []
    for key, label, _, _ in WINDOWS:
        section, name = key.split(".")
        for w in scenario.get(section, {}).get(name, []):
            factor = f" x{w['multiplier']:g}" if "multiplier" in w else ""
            mode = " (calls hang)" if w.get("mode") == "hang" else ""
            found.append((f"{label}{factor}{mode}", float(w["start"]), float(w["start"] + w["duration"]), key))
    return sorted(found, key=lambda f: f[1])


def mark_windows(axes: list[Any], scenario: dict[str, Any], div: float) -> list[Any]:
    """Shade the scenario's windows on each time axis and fix the x range to the measured window.

    Returns one legend handle per kind of window shown.
    """
    s = scenario["scenario"]
    start, end = s["warmup"] / div, (s["warmup"] + s["duration"]) / div
    shown: dict[str, Any] = {}
    for _, w_start, w_end, key in windows(scenario):
        colour, hatch = next((c, h) for k, _, c, h in WINDOWS if k == key)
        lo, hi = max(w_start / div, start), min(w_end / div, end)
        if hi <= lo:
            continue  # wholly in the warm-up or after the end: not on these charts
        for ax in axes:
            ax.axvspan(lo, hi, facecolor=colour, alpha=0.15, hatch=hatch, edgecolor=colour, linewidth=0, zorder=0)
        name = next(n for k, n, _, _ in WINDOWS if k == key)
        shown.setdefault(name, Patch(facecolor=colour, alpha=0.3, hatch=hatch, edgecolor=colour, label=name))
    for ax in axes:
        ax.set_xlim(start, end)
    return list(shown.values())


def no_data(ax: Any, text: str) -> None:
    """An empty panel that says why it is empty, instead of an axis around nothing."""
    ax.set_yticks([])
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=9, color="#444444")


# Where a label may go around its mark, in points, tried in turn: right, above, left, below, then further out.
LABEL_OFFSETS = [(dx * r, dy * r) for r in (1, 2, 3) for dx, dy in
                 ((6, 4), (6, -10), (-6, 4), (-6, -10), (0, 9), (0, -14), (10, -3), (-10, -3))]


def place_labels(ax: Any, marks: list[tuple[float, float, str]]) -> None:
    """Label each mark at the first offset where the text overlaps no label already placed.

    The layout is settled first (a draw) and then frozen, so the pixel boxes compared here are the
    ones of the final image. A label with no free spot takes the last one tried.
    """
    fig = ax.figure
    fig.canvas.draw()
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    taken = [_mark_box(ax, line, x, y) for line in ax.get_lines() if line.get_marker() not in (None, "None", "")
             for x, y in line.get_xydata()]
    for x, y, text in marks:
        for dx, dy in LABEL_OFFSETS:
            note = ax.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy), fontsize=7,
                               ha="left" if dx > 0 else "right" if dx < 0 else "center")
            box = note.get_window_extent(renderer).expanded(1.05, 1.1)
            fits = inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1)
            if fits and not any(box.overlaps(t) for t in taken):
                break
            if (dx, dy) != LABEL_OFFSETS[-1]:
                note.remove()
        taken.append(box)


# -- one run --------------------------------------------------------------------------------------------
def _mark_box(ax: Any, line: Any, x: float, y: float) -> Bbox:
    """The pixel box a line's marker covers at (x, y)."""
    cx, cy = ax.transData.transform((x, y))
    half = line.get_markersize() * ax.figure.dpi / 72 / 2
    return Bbox.from_extents(cx - half, cy - half, cx + half, cy + half)


def log_ms_axis(ax: Any) -> None:
    """A log axis of milliseconds with plain numbers at 1, 2 and 5 of each decade (no 3x10^2 overprinting)."""
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())


def latency_cdf(doc: dict[str, Any]) -> Figure:
    """Share of requests answered within x ms, per architecture (log x: fast and slow paths both show)."""
    fig, (ax,) = new_figure()
    n = len(doc["architectures"])
    for i, (name, block) in enumerate(doc["architectures"].items()):
        xs, ys = _cdf_points(block)
        pts = [(x * 1000, y) for x, y in zip(xs, ys, strict=True) if x > 0]
        if pts:
            ax.plot([p[0] for p in pts], [p[1] * 100 for p in pts], label=name, markevery=10, markersize=4,
                    drawstyle="steps-post", **style(i, n))
        else:  # keep the legend honest: the architecture ran, but answered nothing
            ax.plot([], [], label=f"{name} (no successful requests)", **style(i, n))
    log_ms_axis(ax)
    ax.set_xlabel("consumer request latency (ms, log scale)")
    ax.set_ylabel("requests answered within (%)")
    ax.set_ylim(0, 100)
    ax.set_title("Latency distribution (CDF), all operations")
    legend_below(fig, [ax])
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
    div, unit = time_axis(duration)
    n = len(doc["architectures"])
    for i, (name, block) in enumerate(doc["architectures"].items()):
        ts = block["timeseries"]
        t, unit = _times(block, warmup, duration)
        top.plot(t, [c / ts["bucket_s"] for c in ts["erp_calls"]], label=name, markevery=max(1, len(t) // 12),
                 markersize=4, **style(i, n))
        if "erp_busy_s" in ts:
            bottom.plot(t, [100 * b / (capacity * ts["bucket_s"]) for b in ts["erp_busy_s"]], label=name,
                        markevery=max(1, len(t) // 12), markersize=4, **style(i, n))
    bottom.set_xlabel(f"simulated time ({unit})")
    top.set_ylabel("ERP calls (calls/s)")
    top.set_title("ERP load over simulated time")
    bottom.set_ylabel("ERP utilization (%)")
    bottom.set_ylim(bottom=0)
    top.set_ylim(bottom=0)
    legend_below(fig, [top], mark_windows([top, bottom], s, div))
    return fig


def queues(doc: dict[str, Any]) -> Figure:
    """Mean ERP queue length and sync queue length per time bucket."""
    s = doc["scenario"]["scenario"]
    fig, (top, bottom) = new_figure(2, 1)
    div, unit = time_axis(s["duration"])
    blocks = doc["architectures"]
    empty = {key: not any(any(b["timeseries"].get(key, [])) for b in blocks.values())
             for key in ("erp_queue", "sync_queue")}
    n = len(blocks)
    for i, (name, block) in enumerate(blocks.items()):
        ts = block["timeseries"]
        t, unit = _times(block, s["warmup"], s["duration"])
        every = max(1, len(t) // 12)
        for ax, key in ((top, "erp_queue"), (bottom, "sync_queue")):
            if not empty[key]:  # an empty panel says so instead of drawing flat lines
                ax.plot(t, ts.get(key, [0.0] * len(t)), label=name, markevery=every, markersize=4, **style(i, n))
    bottom.set_xlabel(f"simulated time ({unit})")
    top.set_title("Queue lengths over simulated time (time-weighted mean per bucket)")
    for ax, key, label, why in ((top, "erp_queue", "ERP queue (calls waiting)",
                                 "no queue formed: every ERP call found a free server"),
                                (bottom, "sync_queue", "sync queue (items)",
                                 "no sync queue formed (no architecture here queued changes, or none waited)")):
        ax.set_ylim(bottom=0)
        if empty[key]:
            no_data(ax, why)
        elif ax.get_ylim()[1] > 200:  # an overloaded architecture must not flatten the others to zero
            ax.set_yscale("symlog", linthresh=1.0)
            label += ", symlog scale"
        ax.set_ylabel(label)
    legend_below(fig, [top, bottom], mark_windows([top, bottom], doc["scenario"], div))
    return fig


def staleness(doc: dict[str, Any]) -> Figure:
    """Share of record reads that were stale, per time bucket; and latency p95 over time below it."""
    s = doc["scenario"]["scenario"]
    fig, (top, bottom) = new_figure(2, 1)
    div, unit = time_axis(s["duration"])
    n = len(doc["architectures"])
    for i, (name, block) in enumerate(doc["architectures"].items()):
        ts = block["timeseries"]
        t, unit = _times(block, s["warmup"], s["duration"])
        every = max(1, len(t) // 12)
        stale = [100 * st / r if r else math.nan for st, r in zip(ts["stale_reads"], ts["reads"], strict=True)]
        top.plot(t, stale, label=name, markevery=every, markersize=4, **style(i, n))
        bottom.plot(t, [x * 1000 for x in ts["latency_p95_s"]], label=name, markevery=every, markersize=4,
                    **style(i, n))
    bottom.set_xlabel(f"simulated time ({unit})")
    top.set_ylabel("stale reads (% of records read)")
    top.set_title("Staleness and latency over simulated time")
    bottom.set_ylabel("latency p95 (ms)")
    top.set_ylim(bottom=0)
    bottom.set_ylim(bottom=0)
    legend_below(fig, [top], mark_windows([top, bottom], doc["scenario"], div))
    return fig


def stale_share(block: dict[str, Any]) -> float:
    """Stale reads as a share of all record reads, summary and detail together."""
    st = block["staleness"]
    reads = st["summary"]["reads"] + st["detail"]["reads"]
    return (st["summary"]["stale"] + st["detail"]["stale"]) / reads if reads else 0.0


def tradeoff(points: dict[str, list[tuple[float, float, float, str]]], title: str) -> Figure:
    """Latency p95 against ERP load and against staleness: one mark per architecture (and label).

    ``points`` maps an architecture to ``(latency_s, erp_calls_per_s, stale_share, label)`` marks;
    several marks (a sweep's values) are joined by a line in order. Latency is on a log axis: cached
    architectures answer in milliseconds and direct ones in hundreds, and on a linear axis every
    cached one piles up at zero. Marks are drawn largest first, so two architectures at the same
    spot show as rings, one inside the other. A mark without latency (nothing answered) cannot sit
    on a log axis: its legend entry says so.
    """
    fig, (left, right) = new_figure(1, 2)
    labels: dict[Any, list[tuple[float, float, str]]] = {left: [], right: []}
    for i, (name, marks) in enumerate(points.items()):
        st = style(i)
        size = 11 - 6 * i / max(1, len(points) - 1)
        shown = [m for m in marks if m[0] > 0]
        lat = [m[0] * 1000 for m in shown]
        legend = name if shown else f"{name} (nothing answered: not shown)"
        for ax, ys in ((left, [m[1] for m in shown]), (right, [100 * m[2] for m in shown])):
            ax.plot(lat, ys, label=legend, markersize=size, markerfacecolor="none", markeredgewidth=1.6,
                    zorder=2 + i, **st)
            labels[ax] += merged_labels(lat, ys, [m[3] for m in shown])
    for ax, ylabel in ((left, "ERP load (calls/s)"), (right, "stale reads (% of records read)")):
        log_ms_axis(ax)
        ax.set_xlabel("latency p95 (ms, log scale)")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.margins(x=0.15, y=0.12)
    fig.suptitle(title + " — lower left is better")
    legend_below(fig, [left])
    for ax, marks in labels.items():
        place_labels(ax, marks)
    return fig


def merged_labels(xs: list[float], ys: list[float], texts: list[str]) -> list[tuple[float, float, str]]:
    """One label per spot: the texts of marks at the same point are joined ("1, 4, 16")."""
    spots: dict[tuple[float, float], list[str]] = {}
    for x, y, text in zip(xs, ys, texts, strict=True):
        if text:
            spots.setdefault((x, y), []).append(text)
    return [(x, y, ", ".join(group)) for (x, y), group in spots.items()]


def _answered(name: str, block: dict[str, Any]) -> str:
    """The mark's label: the architecture, and a warning when many requests failed (their latency is missing)."""
    availability = block["requests"]["availability"]
    return f"{name} (only {availability:.0%} answered)" if availability < 0.99 else name


def run_tradeoff(doc: dict[str, Any]) -> Figure:
    points = {name: [(b["latency_s"]["all"]["p95"], b["erp"]["calls_per_s"], stale_share(b), _answered(name, b))]
              for name, b in doc["architectures"].items()}
    return tradeoff(points, "Trade-off: latency, ERP load, staleness")


def run_charts(doc: dict[str, Any], prefix: str = "") -> dict[str, Figure]:
    """Every chart of one run's results, by file name."""
    return {f"{prefix}latency_cdf.png": latency_cdf(doc), f"{prefix}erp_load.png": erp_load(doc),
            f"{prefix}queues.png": queues(doc), f"{prefix}staleness.png": staleness(doc),
            f"{prefix}tradeoff.png": run_tradeoff(doc)}
