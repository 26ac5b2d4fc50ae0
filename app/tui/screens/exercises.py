"""The bundled scenarios as workshop exercises: pick one, and its comparison and guide come with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from app.tui.screens.briefing import BriefingScreen
from patterns.architecture import parse
from simulator import scenario as scenarios

if TYPE_CHECKING:
    from app.tui.app import PatternsimApp


class ExercisesScreen(Screen[None]):
    """One line per bundled scenario; the highlighted one's description and comparison below the list."""

    app: PatternsimApp
    BINDINGS = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        self.infos = {str(p): scenarios.load(p)["scenario"] for p in scenarios.bundled()}
        yield Header()
        with Vertical(id="exercises"):
            yield Static("Workshop scenarios: each compares a few architectures and says what to look at.",
                         id="exercises-intro")
            yield OptionList(*[Option(f"{info['name']}  [dim]{path.rsplit('/', 1)[-1].removesuffix('.toml')}[/]",
                                      id=path) for path, info in self.infos.items()], id="exercises-list")
            yield Static("", id="exercises-about", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "workshop scenarios"
        self.query_one(OptionList).focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        info = self.infos[str(event.option.id)]
        compare = info["compare"].replace(",", " · ") or "(none: choose the architectures yourself)"
        self.query_one("#exercises-about", Static).update(f"{info['description']}\nCompares: {compare}")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        path = str(event.option.id)
        session = self.app.session
        session.scenario_path, session.form = path, {}
        compare = self.infos[path]["compare"]
        if compare:
            session.architectures = parse(compare)
        self.app.push_screen(BriefingScreen())

    def action_back(self) -> None:
        self.app.pop_screen()
