"""``i`` on the scenario form: the chosen scenario's guide over the form."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from app.tui.widgets.guide_text import GuideText


class GuideScreen(ModalScreen[None]):
    """The guide; Esc, i or q closes it."""

    BINDINGS = [Binding("escape,i,q", "dismiss", "Close")]

    def __init__(self, name: str, guide: str):
        super().__init__()
        self.scenario_name, self.guide = name, guide

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="guide-box"):
            yield GuideText(self.guide, title=f"{self.scenario_name}: what to look at")
