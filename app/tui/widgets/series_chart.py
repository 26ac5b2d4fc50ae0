"""A titled sparkline of one time series of a run (ERP calls, stale reads, ...)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Sparkline


class SeriesChart(Vertical):
    """Title with min/max, then the series as a sparkline (one bar per time bucket)."""

    def __init__(self, title: str, data: Sequence[float], unit: str = "", **kwargs: object):
        super().__init__(**kwargs)
        self.title, self.data, self.unit = title, list(data), unit

    def compose(self) -> ComposeResult:
        peak = max(self.data, default=0)
        mean = sum(self.data) / len(self.data) if self.data else 0
        yield Label(f"{self.title}  mean {mean:,.1f}  peak {peak:,.0f}{self.unit}", classes="chart-title")
        yield Sparkline(self.data or [0], summary_function=max)
