"""Latency percentiles per architecture as horizontal bars on one shared scale."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

PERCENTILES = ("p50", "p95", "p99")


class LatencySummary(Static):
    """p50/p95/p99 of all requests, one bar each, scaled to the slowest p99 shown."""

    def __init__(self, results: dict[str, Any], **kwargs: object):
        super().__init__(**kwargs)
        self.results = results

    def render(self) -> Text:
        blocks = self.results["architectures"]
        scale = max((b["latency_s"]["all"]["p99"] for b in blocks.values()), default=0) or 1.0
        width = max(10, self.size.width - 24)
        text = Text()
        text.append("Latency of all requests (ms)\n", style="bold")
        for name, block in blocks.items():
            text.append(f"{name}\n", style="bold")
            for p in PERCENTILES:
                value = block["latency_s"]["all"][p]
                bar = "█" * max(1, round(width * value / scale)) if value else ""
                text.append(f"  {p} {value * 1000:>9,.1f} ", style="dim")
                text.append(f"{bar}\n", style="cyan" if p == "p50" else "yellow" if p == "p95" else "red")
        text.rstrip()
        return text
