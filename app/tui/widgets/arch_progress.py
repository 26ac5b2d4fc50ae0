"""Progress of one architecture's run, in simulated seconds."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, ProgressBar


class ArchProgress(Vertical):
    """A label with the simulated time reached and a progress bar for one architecture."""

    def __init__(self, name: str, horizon_s: float, **kwargs: object):
        super().__init__(**kwargs)
        self.arch, self.horizon_s = name, horizon_s

    def compose(self) -> ComposeResult:
        yield Label(self._caption(0.0), classes="arch-caption", markup=False)
        yield ProgressBar(total=1.0, show_eta=False)

    def advance(self, fraction: float) -> None:
        self.query_one(ProgressBar).update(progress=fraction)
        self.query_one(Label).update(self._caption(fraction))

    def _caption(self, fraction: float) -> str:
        state = "waiting" if fraction == 0 else "done" if fraction >= 1 else "running"
        return f"{self.arch}  [{state}]  {fraction * self.horizon_s:,.0f} / {self.horizon_s:,.0f} simulated s"
