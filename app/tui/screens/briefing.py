"""A guided scenario before its run: what it is, the architectures it compares, and what to look at."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from app.tui.screens.outcome import OutcomeScreen
from app.tui.screens.run import RunScreen
from app.tui.screens.scenario import ScenarioScreen
from app.tui.widgets.guide_text import GuideText
from simulator.scenario import ScenarioError

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp


class BriefingScreen(Screen[None]):
    """The scenario's guide, read before running its comparison as it is (Enter) or adjusted (s, a)."""

    app: PatternsimApp
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("enter,ctrl+r", "run", "Run", priority=True),
        Binding("s", "settings", "Settings"),
        Binding("a", "architectures", "Architectures"),
    ]

    def compose(self) -> ComposeResult:
        session = self.app.session
        info = session.base_scenario()["scenario"]
        names = " · ".join("+".join(ids) for ids in session.architectures)
        yield Header()
        yield Static(f"[b]{info['name']}[/b]\n{info['description']}", id="brief-title")
        yield Static(f"Compares: [b]{names}[/b]", id="brief-compare")
        with VerticalScroll(id="brief-guide"):
            yield GuideText(info["guide"] or "This scenario has no guide.")
        yield Static("Enter run it · s adjust the settings first · a change the architectures · Esc back",
                     id="brief-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "guided scenario"
        self.query_one("#brief-guide").focus()

    def action_run(self) -> None:
        try:
            scenario = self.app.session.base_scenario()
        except ScenarioError as exc:
            self.notify(str(exc), severity="error")
            return
        self.app.push_screen(RunScreen(scenario, self.app.session.architectures))

    def action_settings(self) -> None:
        self.app.push_screen(ScenarioScreen())

    def action_architectures(self) -> None:
        self.app.push_screen(OutcomeScreen())

    def action_back(self) -> None:
        self.app.pop_screen()
