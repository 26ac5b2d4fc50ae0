"""Welcome: the three ways in (guided walk, patterns by hand, open a file)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from app.tui.screens.briefing import BriefingScreen
from app.tui.screens.exercises import ExercisesScreen
from app.tui.screens.open_file import OpenFileScreen
from app.tui.screens.outcome import OutcomeScreen
from app.tui.screens.question import QuestionScreen
from app.tui.screens.results import ResultsScreen
from app.tui.screens.runs import RunsScreen
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
                Option("Workshop scenarios: a situation, its comparison and what to look at", id="exercises"),
                Option("Pick patterns by hand", id="pick"),
                Option("Open a scenario or results file", id="open"),
                id="welcome-menu")
            yield Static("↑↓ choose · Enter open · ? help · q quit", id="welcome-hint")
        yield Footer()

    def on_screen_resume(self) -> None:
        """Offer the session's runs once there are any (they are kept until patternsim closes)."""
        menu = self.query_one(OptionList)
        runs = self.app.session.runs
        if runs:
            label = f"Runs of this session ({len(runs)})"
            if menu.option_count < 5:
                menu.add_option(Option(label, id="runs"))
            else:
                menu.replace_option_prompt("runs", label)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        if choice == "walk":
            self.app.push_screen(QuestionScreen(tree.ROOT))
        elif choice == "exercises":
            self.app.push_screen(ExercisesScreen())
        elif choice == "runs":
            self.app.push_screen(RunsScreen(), self._run_picked)
        elif choice == "pick":
            if not self.app.session.architectures:
                self.app.session.architectures = [list(BASELINE)]
            self.app.push_screen(OutcomeScreen(pick_first=True))
        else:
            self.app.push_screen(OpenFileScreen(), self._opened)

    def _run_picked(self, number: int | None) -> None:
        run = next((r for r in self.app.session.runs if r.number == number), None)
        if run is not None:
            self.app.session.results = run.results
            self.app.push_screen(ResultsScreen(run))

    def _opened(self, picked: tuple[str, object, str] | None) -> None:
        if picked is None:
            return
        kind, value, path = picked
        session = self.app.session
        if kind == "results":
            run = session.record(value, opened=Path(path))  # type: ignore[arg-type]
            self.app.push_screen(ResultsScreen(run))
            return
        session.scenario_path, session.form = str(value), {}
        compare = session.scenario_compare()
        if compare:  # a guided scenario: its own comparison, and its guide before the run
            session.architectures = compare
            self.app.push_screen(BriefingScreen())
            return
        if not session.architectures:
            session.architectures = [list(BASELINE), ["batch_sync"]]
        self.app.push_screen(OutcomeScreen())

