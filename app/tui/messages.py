"""Messages the run worker sends to the UI thread (``post_message`` is safe from any thread)."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class RunProgress(Message):
    """One architecture has simulated ``fraction`` of its horizon."""

    def __init__(self, name: str, fraction: float):
        super().__init__()
        self.name, self.fraction = name, fraction


class RunFinished(Message):
    """Every architecture ran; ``results`` is the results document (docs/results.md)."""

    def __init__(self, results: dict[str, Any]):
        super().__init__()
        self.results = results
