"""A titled bar line of one time series of a run (ERP calls/s, stale reads), on its own or a shared scale."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label

BARS = " ▁▂▃▄▅▆▇█"


def bar_rows(data: Sequence[float], width: int, height: int, top: float) -> list[str]:
    """``data`` as ``height`` lines of ``width`` bar characters, from 0 at the bottom to ``top`` at the top.

    Several values to a column show their peak (a short spike must not vanish); an empty series or a
    zero ``top`` draws blank lines.
    """
    if not data or width <= 0 or top <= 0:
        return [" " * max(0, width)] * height
    n = len(data)
    columns = [max(data[n * c // width: n * (c + 1) // width]) for c in range(width)] if n > width else list(data)
    eighths = [round(min(v, top) / top * height * 8) for v in columns]
    return ["".join(BARS[max(0, min(8, e - 8 * row))] for e in eighths) for row in reversed(range(height))]


class Bars(Widget):
    """The bars of a series, redrawn to the widget's width."""

    DEFAULT_CSS = "Bars { height: 2; color: $accent; }"

    def __init__(self, data: Sequence[float], top: float, **kwargs: object):
        super().__init__(**kwargs)
        self.data, self.top = list(data), top

    def render(self) -> Text:
        return Text("\n".join(bar_rows(self.data, self.size.width, self.size.height or 1, self.top)))


class SeriesChart(Vertical):
    """Title with the unit, the bucket width, mean and peak; then one bar per bucket from zero.

    ``shared_top`` is the highest value of this series across the run's architectures: with
    ``shared`` on, every architecture's bars use it as their top, so their heights compare; off,
    each uses its own peak, so a small series still shows its shape.
    """

    def __init__(self, title: str, data: Sequence[float], unit: str = "", bucket_s: float | None = None,
                 shared_top: float | None = None, shared: bool = False, **kwargs: object):
        super().__init__(**kwargs)
        self.title, self.data, self.unit, self.bucket_s = title, list(data), unit, bucket_s
        self.peak = max(self.data, default=0.0)
        self.shared_top, self.shared = max(shared_top or 0.0, self.peak), shared

    def compose(self) -> ComposeResult:
        yield Label(self._title(), classes="chart-title")
        yield Bars(self.data, self._top())

    def _top(self) -> float:
        return self.shared_top if self.shared else self.peak

    def _title(self) -> str:
        mean = sum(self.data) / len(self.data) if self.data else 0.0
        bucket = f", {self.bucket_s:g} s buckets" if self.bucket_s else ""
        top = f", top {self._top():,.1f}" if self.shared else ""  # which scale: the pane's heading says
        return f"{self.title} ({self.unit}){bucket}: mean {mean:,.1f}, peak {self.peak:,.1f}{top}"

    def set_shared(self, shared: bool) -> None:
        """Switch between the shared scale and this series' own."""
        self.shared = shared
        self.query_one(Label).update(self._title())
        bars = self.query_one(Bars)
        bars.top = self._top()
        bars.refresh()
