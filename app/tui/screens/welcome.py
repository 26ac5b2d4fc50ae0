"""Welcome: the three ways in (guided walk, patterns by hand, open a file)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from app.tui.screens.open_file import OpenFileScreen
from app.tui.screens.outcome import OutcomeScreen
from app.tui.screens.question import QuestionScreen
from app.tui.screens.results import ResultsScreen
from app.tui.session import BASELINE
from patterns import decision_tree as tree

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp

INTRO = ("Choose integration patterns for customer data kept in an ERP, then measure what they cost: "
         "how long consumers wait, how hard the ERP works, and how out of date the data gets.")


class WelcomeScreen(Screen[None]):
    """The first screen; everything else is reached from here."""

    app: PatternsimApp
    BINDINGS = [Binding("escape", "app.quit", "Quit", show=False)]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="welcome"):
            yield Static("Which integration patterns fit your data?", id="welcome-title")
            yield Static(INTRO, id="welcome-intro")
            yield OptionList(
                Option("Guided walk: answer a few questions, get an architecture", id="walk"),
                Option("Pick patterns by hand", id="pick"),
                Option("Open a scenario or results file", id="open"),
                id="welcome-menu")
            yield Static("↑↓ choose · Enter open · ? help · q quit", id="welcome-hint")
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        if choice == "walk":
            self.app.push_screen(QuestionScreen(tree.ROOT))
        elif choice == "pick":
            if not self.app.session.architectures:
                self.app.session.architectures = [list(BASELINE)]
            self.app.push_screen(OutcomeScreen(pick_first=True))
        else:
            self.app.push_screen(OpenFileScreen(), self._opened)

    def _opened(self, picked: tuple[str, object] | None) -> None:
        if picked is None:
            return
        kind, value = picked
        session = self.app.session
        if kind == "results":
            session.results = value  # type: ignore[assignment]
            self.app.push_screen(ResultsScreen())
        else:
            session.scenario_path = str(value)
            if not session.architectures:
                session.architectures = [list(BASELINE), ["batch_sync"]]
            self.app.push_screen(OutcomeScreen())

